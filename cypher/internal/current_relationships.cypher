// name: current_relationships
// description: Every relationship of one type with its endpoints' ids and labels and its properties, for `load --sync` to compare with the export.
MATCH (a)-[r:{type}]->(b)
RETURN a.id AS s, b.id AS t, labels(a) AS source, labels(b) AS target, properties(r) AS props
