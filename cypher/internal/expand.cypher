// name: expand
// description: One hop of a neighbourhood: for each node id, its relationships of the allowed types to nodes of the allowed labels (and stages, and minimum strength), the most influential neighbours first, at most $per_node each, with how many there were in all.
// param: ids list -- the frontier's node ids
// param: types list -- relationship types to follow (from the model)
// param: labels list -- neighbour labels to keep
// param: stages list -- neighbour stages to keep (nodes without a stage always pass); empty = all
// param: min_strength float = 0 -- minimum `strength` of a relationship that has one
// param: per_node integer = 25 -- cap on neighbours pulled in per node (hubs)
UNWIND $ids AS id
CALL (id) {{
  MATCH (n:Customer {{id: id}}) RETURN n
  UNION MATCH (n:Company {{id: id}}) RETURN n
  UNION MATCH (n:Employee {{id: id}}) RETURN n
  UNION MATCH (n:Partner {{id: id}}) RETURN n
}}
WITH n, COUNT {{
  MATCH (n)-[r]-(m)
  WHERE type(r) IN $types AND labels(m)[0] IN $labels
    AND (size($stages) = 0 OR m.stage IS NULL OR m.stage IN $stages)
    AND coalesce(r.strength, 1.0) >= $min_strength
}} AS available
CALL (n) {{
  MATCH (n)-[r]-(m)
  WHERE type(r) IN $types AND labels(m)[0] IN $labels
    AND (size($stages) = 0 OR m.stage IS NULL OR m.stage IN $stages)
    AND coalesce(r.strength, 1.0) >= $min_strength
  RETURN r, m
  ORDER BY coalesce(m.influence, 0.0) DESC, m.id
  LIMIT $per_node
}}
RETURN n.id AS from_id, available, startNode(r).id AS source, endNode(r).id AS target, type(r) AS type,
       properties(r) AS rel_props, m.id AS id, labels(m)[0] AS label, properties(m) AS props
