// name: project_incident
// description: Every relationship of the listed types touching the listed nodes of one label, with the node at its other end, through the label's unique-id index: one step of a bounded search that reads a node's ties only when it reaches the node ({types} is a|b|c, {values} a PropertyReads of r, {other} a PropertyReads of m).
// param: ids list -- node ids
UNWIND $ids AS id
MATCH (n:{label} {{id: id}})-[r:{types}]-(m)
RETURN id, startNode(r) = n AS outgoing, type(r) AS type, {values} AS values,
       m.id AS other, [l IN labels(m) WHERE l IN $labels][0] AS label, {other} AS other_values
ORDER BY id, elementId(r)
