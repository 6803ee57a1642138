// name: shortest_path
// description: A shortest chain of relationships (in either direction) between two nodes, optionally through chosen types only.
// question: How is this person connected to that account, and who could make the introduction?
// param: source string -- id of the first node (any label)
// param: target string -- id of the second node (any label)
// param: max_hops integer = 6 -- longest path worth showing, 1 to 10
// param: types list = null -- relationship types the path may use, e.g. ["KNOWS","WORKS_AT"] (default: all)
MATCH (a:Customer|Company|Employee|Partner {id: $source})
MATCH (b:Customer|Company|Employee|Partner {id: $target})
MATCH p = shortestPath((a)-[*..10]-(b))
WHERE all(r IN relationships(p) WHERE $types IS NULL OR type(r) IN $types)
WITH p
WHERE length(p) <= $max_hops
RETURN length(p) AS hops,
       [n IN nodes(p) | n.id] AS ids,
       [n IN nodes(p) | n.name] AS names,
       [r IN relationships(p) | type(r)] AS relationships,
       p AS path
