// name: person_name
// description: The name of one node of one label by id (forget reads it to find stored rows that name the person).
// param: id string -- the node's id
MATCH (n:{label} {{id: $id}})
RETURN n.name AS name
