// name: delete_person
// description: Delete a person's node with all their relationships and touch points (forget without --keep-structure).
// param: id string -- the person's id
MATCH (n:{label} {{id: $id}})
DETACH DELETE n
