// name: latest_run
// description: The newest complete run of one analysis, and when the graph's data last changed.
// param: analysis string -- analysis name
// param: marker string -- the GraphState key
MATCH (r:AnalyticsRun {{analysis: $analysis}})
WHERE r.complete
WITH r ORDER BY r.computed_at DESC LIMIT 1
OPTIONAL MATCH (m:GraphState {{key: $marker}})
RETURN r.id AS id, r.computed_at AS computed_at, coalesce(r.data_at, r.computed_at) AS data_at, r.params AS params,
       m.changed_at AS changed_at
