// name: merge_interactions
// description: Create or update touch points (INTERACTED, one per interaction id) from one label to another.
// param: rows list -- maps {s, t, id, props}
UNWIND $rows AS row
MATCH (a:{source} {{id: row.s}})
MATCH (b:{target} {{id: row.t}})
MERGE (a)-[r:INTERACTED {{id: row.id}}]->(b)
SET r += row.props
