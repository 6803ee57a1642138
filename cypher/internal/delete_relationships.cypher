// name: delete_relationships
// description: Delete relationships of one type between two labels by their endpoints (a sync's removals).
// param: rows list -- maps {s, t}
UNWIND $rows AS row
MATCH (:{source} {{id: row.s}})-[r:{type}]->(:{target} {{id: row.t}})
DELETE r
