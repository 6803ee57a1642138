// name: record_run
// description: Record the latest run of one analysis (when, how many nodes scored, how long it took).
// param: analysis string -- analysis name
// param: computed_at string -- ISO 8601 date-time
// param: nodes integer -- nodes scored
// param: seconds float -- run time
MERGE (r:AnalyticsRun {{analysis: $analysis}})
SET r.computed_at = datetime($computed_at), r.nodes = $nodes, r.seconds = $seconds
