// name: replaced_runs
// description: Ids of the runs of one analysis that a newer complete run replaces: all but the newest two complete runs (a reader may still be reading the one before), and unfinished runs that started before it.
// param: id string -- the run that just completed
MATCH (r:AnalyticsRun {{id: $id}})
MATCH (old:AnalyticsRun {{analysis: r.analysis}})
WHERE old.id IS NULL OR old.id <> r.id
WITH r, old ORDER BY coalesce(old.computed_at, old.started_at) DESC
WITH r, [o IN collect(old) WHERE o.complete] AS complete, [o IN collect(old) WHERE NOT coalesce(o.complete, false)] AS unfinished
UNWIND complete[1..] + [o IN unfinished WHERE o.started_at IS NULL OR o.started_at < r.started_at] AS old
RETURN old.id AS id, elementId(old) AS element
