// name: intro_neighbours
// description: The new ids one warm-introduction tie (intro.INTRO_TYPES, either direction) away from the listed nodes, through the id indexes, at most $limit of them: one step of the bounded expansion around both ends of an introduction.
// param: ids list -- the frontier's ids
// param: seen list -- ids already in the ball (left out)
// param: limit integer -- at most this many ids
UNWIND $ids AS id
CALL (id) {{
  MATCH (n:Customer {{id: id}}) RETURN n UNION MATCH (n:Company {{id: id}}) RETURN n
  UNION MATCH (n:Employee {{id: id}}) RETURN n UNION MATCH (n:Partner {{id: id}}) RETURN n
}}
MATCH (n)-[:MANAGES|WORKS_AT|KNOWS|REFERRED|PARTNERS_WITH|INTERACTED]-(m)
WHERE NOT m.id IN $seen
RETURN DISTINCT m.id AS id
ORDER BY id
LIMIT $limit
