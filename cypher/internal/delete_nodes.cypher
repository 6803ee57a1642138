// name: delete_nodes
// description: Delete nodes of one label by id, with their relationships (a sync's removals).
// param: rows list -- maps {id}
UNWIND $rows AS row
MATCH (n:{label} {{id: row.id}})
DETACH DELETE n
