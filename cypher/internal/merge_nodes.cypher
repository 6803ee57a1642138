// name: merge_nodes
// description: Create or update nodes of one label by id (idempotent); {label} comes from the model.
// param: rows list -- maps {id, props}
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
SET n += row.props
