// name: label_counts
// description: Number of nodes of one label (from the count store).
MATCH (n:{label}) RETURN count(n) AS count
