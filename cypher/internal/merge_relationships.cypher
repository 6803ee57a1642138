// name: merge_relationships
// description: Create or update relationships of one type between two labels (one per pair and type).
// param: rows list -- maps {s, t, props}
UNWIND $rows AS row
MATCH (a:{source} {{id: row.s}})
MATCH (b:{target} {{id: row.t}})
MERGE (a)-[r:{type}]->(b)
SET r += row.props
