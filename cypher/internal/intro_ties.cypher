// name: intro_ties
// description: One round of the Warm intro search: every tie of the listed types touching the listed nodes (whatever their label, each found through its label's unique-id index), each tie once (ties to the known nodes, read in an earlier round, are left out), with only what a tie's strength is judged from. One row per node, its ties packed in one list ({types} is a|b|c, {values} a PropertyReads of r).
// param: ids list -- node ids
// param: known list -- ids whose ties were read already
UNWIND $ids AS id
CALL (id) {{
  MATCH (n:Customer {{id: id}}) RETURN n
  UNION MATCH (n:Company {{id: id}}) RETURN n
  UNION MATCH (n:Employee {{id: id}}) RETURN n
  UNION MATCH (n:Partner {{id: id}}) RETURN n
}}
CALL (n) {{
  MATCH (n)-[r:{types}]-(m)
  WHERE NOT m.id IN $known AND any(l IN labels(m) WHERE l IN $labels)
  RETURN collect([startNode(r) = n, type(r), m.id, {values}]) AS ties
}}
RETURN id, ties
ORDER BY id
