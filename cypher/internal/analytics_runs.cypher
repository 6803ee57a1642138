// name: analytics_runs
// description: The latest complete run of every analysis: when, how many nodes it scored, how long it took, on which engine and who started it.
MATCH (r:AnalyticsRun)
WHERE r.complete
WITH r ORDER BY r.computed_at DESC
WITH r.analysis AS analysis, collect(r)[0] AS r
RETURN analysis, r.computed_at AS computed_at, r.nodes AS nodes, r.seconds AS seconds,
       r.engine AS engine, r.started_by AS started_by
ORDER BY analysis
