// name: nodes_by_id
// description: Nodes by id whatever their label, each found through its label's unique-id index.
// param: ids list -- node ids
UNWIND $ids AS id
CALL (id) {{
  MATCH (n:Customer {{id: id}}) RETURN n
  UNION MATCH (n:Company {{id: id}}) RETURN n
  UNION MATCH (n:Employee {{id: id}}) RETURN n
  UNION MATCH (n:Partner {{id: id}}) RETURN n
}}
RETURN n.id AS id, labels(n)[0] AS label, properties(n) AS props
