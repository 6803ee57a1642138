// name: type_counts
// description: Number of relationships of one type (from the count store).
MATCH ()-[r:{type}]->() RETURN count(r) AS count
