// name: type_count
// description: Number of relationships of one type (answered from the count store, no scan).
MATCH ()-[r:{type}]->() RETURN count(r) AS count
