// name: current_nodes
// description: Every node of one label with its properties, for `load --sync` to compare with the export.
MATCH (n:{label})
RETURN n.id AS id, properties(n) AS props
