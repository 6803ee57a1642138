// name: node_count
// description: Number of nodes in the database (from the count store), to choose the fresh-load path.
MATCH (n) RETURN count(n) AS count
