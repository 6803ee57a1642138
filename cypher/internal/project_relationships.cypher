// name: project_relationships
// description: Stream the relationships of one type with the listed properties, for the NetworkX projection.
// param: keys list -- property keys to fetch
MATCH (a)-[r:{type}]->(b)
RETURN a.id AS source, b.id AS target, [k IN $keys | r[k]] AS values
