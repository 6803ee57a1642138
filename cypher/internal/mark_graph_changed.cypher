// name: mark_graph_changed
// description: Record when the graph's data last changed (a load, a sync, an erasure), so stored runs older than that say so.
// param: marker string -- the GraphState key
MERGE (m:GraphState {{key: $marker}})
SET m.changed_at = datetime()
