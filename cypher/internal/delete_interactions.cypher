// name: delete_interactions
// description: Delete touch points (INTERACTED) by interaction id between two labels (a sync's removals).
// param: rows list -- maps {s, t, id}
UNWIND $rows AS row
MATCH (:{source} {{id: row.s}})-[r:INTERACTED {{id: row.id}}]->(:{target} {{id: row.t}})
DELETE r
