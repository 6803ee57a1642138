// name: referral_cascade_ids
// description: Ids of a node and everyone downstream of it along REFERRED (its referral cascade), through the id indexes.
// param: root string -- the id at the top of the cascade
CALL () {{
  MATCH (n:Customer {{id: $root}}) RETURN n UNION MATCH (n:Company {{id: $root}}) RETURN n
  UNION MATCH (n:Employee {{id: $root}}) RETURN n UNION MATCH (n:Partner {{id: $root}}) RETURN n
}}
OPTIONAL MATCH (n)-[:REFERRED]->+(d)
RETURN n.id AS root, collect(DISTINCT d.id) AS ids
