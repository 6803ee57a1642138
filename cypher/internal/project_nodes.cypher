// name: project_nodes
// description: Stream the nodes of one label with the listed properties, for the NetworkX projection.
// param: keys list -- property keys to fetch (others are left in Neo4j)
MATCH (n:{label})
RETURN n.id AS id, [k IN $keys | n[k]] AS values
