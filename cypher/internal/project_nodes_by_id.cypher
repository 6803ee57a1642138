// name: project_nodes_by_id
// description: The listed nodes of one label with the listed properties, through the label's unique-id index, for a bounded projection around the nodes in view ({values} is a PropertyReads of n).
// param: ids list -- node ids
UNWIND $ids AS id
MATCH (n:{label} {{id: id}})
RETURN n.id AS id, {values} AS values
