// name: finish_run
// description: Mark a run complete, with when it finished, when the data it read was taken (a graph change after that makes it stale), how many nodes it scored, how long it took and on which engine.
// param: id string -- the run id
// param: data_at string -- ISO 8601 date-time the run started reading the graph
// param: nodes integer -- nodes scored
// param: seconds float -- run time
// param: engine string -- local or spark
MATCH (r:AnalyticsRun {{id: $id}})
SET r.complete = true, r.computed_at = datetime(), r.data_at = datetime($data_at), r.nodes = $nodes,
    r.seconds = $seconds, r.engine = $engine
