// name: create_nodes
// description: Create nodes of one label into an empty database (the fresh-load path: no lookups before writing).
// param: rows list -- maps {id, props}
UNWIND $rows AS row
CREATE (n:{label} {{id: row.id}})
SET n += row.props
