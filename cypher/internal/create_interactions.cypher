// name: create_interactions
// description: Create touch points into a database that had none (fresh-load path).
// param: rows list -- maps {s, t, id, props}
UNWIND $rows AS row
MATCH (a:{source} {{id: row.s}})
MATCH (b:{target} {{id: row.t}})
CREATE (a)-[r:INTERACTED {{id: row.id}}]->(b)
SET r += row.props
