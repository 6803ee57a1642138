// name: analytics_runs
// description: The latest run of every analysis.
MATCH (r:AnalyticsRun)
RETURN r.analysis AS analysis, r.computed_at AS computed_at, r.nodes AS nodes, r.seconds AS seconds
ORDER BY analysis
