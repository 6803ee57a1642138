// name: drop_replaced_runs
// description: Delete the runs of the same analysis that a newer complete run replaces, with their findings (in batches).
// param: id string -- the run that replaces them
MATCH (r:AnalyticsRun {{id: $id}})
MATCH (old:AnalyticsRun {{analysis: r.analysis}})
WHERE old.id IS NULL OR (old.id <> r.id AND old.started_at <= r.started_at)
CALL (old) {{
  OPTIONAL MATCH (old)-[:FOUND]->(f:Finding)
  DETACH DELETE f
}} IN TRANSACTIONS OF 1 ROWS
WITH collect(old) AS replaced
UNWIND replaced AS old
DETACH DELETE old
