// name: existing_ids
// description: Which of the given ids exist as nodes of one label (uses the unique id index).
// param: ids list -- candidate ids
UNWIND $ids AS id
MATCH (n:{label} {{id: id}})
RETURN n.id AS id
