// name: finish_run
// description: Mark a run complete, with when it finished, how many nodes it scored, how long it took and on which engine.
// param: id string -- the run id
// param: nodes integer -- nodes scored
// param: seconds float -- run time
// param: engine string -- local or spark
MATCH (r:AnalyticsRun {{id: $id}})
SET r.complete = true, r.computed_at = datetime(), r.nodes = $nodes, r.seconds = $seconds, r.engine = $engine
