// name: graph_changed_at
// description: When the graph's data last changed (a load, a sync, an erasure); null if no change was recorded.
// param: marker string -- the GraphState key
OPTIONAL MATCH (m:GraphState {{key: $marker}})
RETURN m.changed_at AS changed_at
