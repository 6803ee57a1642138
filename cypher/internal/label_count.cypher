// name: label_count
// description: Number of nodes with one label (answered from the count store, no scan).
MATCH (n:{label}) RETURN count(n) AS count
