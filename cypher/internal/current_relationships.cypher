// name: current_relationships
// description: Every relationship of one type between two labels with its properties, for `load --sync` to compare with the export.
MATCH (a:{source})-[r:{type}]->(b:{target})
RETURN a.id AS s, b.id AS t, properties(r) AS props
