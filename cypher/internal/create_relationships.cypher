// name: create_relationships
// description: Create relationships of one type into a database that had none (fresh-load path).
// param: rows list -- maps {s, t, props}
UNWIND $rows AS row
MATCH (a:{source} {{id: row.s}})
MATCH (b:{target} {{id: row.t}})
CREATE (a)-[r:{type}]->(b)
SET r = row.props
