// name: project_incident
// description: Every relationship of the listed types touching the listed nodes of one label, with the node at its other end, through the label's unique-id index: one step of a bounded search that reads a node's ties only when it reaches the node, and each tie once. One row per node, its ties packed in one list (a hub's thousands of ties arrive as one record, not thousands) ({types} is a|b|c, {values} a PropertyReads of r, {other} a PropertyReads of m).
// param: ids list -- node ids
// param: known list -- ids whose ties were read already (their ties to these nodes are left out)
UNWIND $ids AS id
MATCH (n:{label} {{id: id}})
CALL (n) {{
  MATCH (n)-[r:{types}]-(m)
  WHERE NOT m.id IN $known
  WITH n, r, m ORDER BY elementId(r)
  RETURN collect([startNode(r) = n, type(r), {values}, m.id, [l IN labels(m) WHERE l IN $labels][0], {other}]) AS ties
}}
RETURN id, ties
ORDER BY id
