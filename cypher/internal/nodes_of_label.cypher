// name: nodes_of_label
// description: Ids and names of the nodes of one label, by name (for pickers of employees or partners).
// param: limit integer = 1000 -- how many
MATCH (n:{label})
RETURN n.id AS id, n.name AS name
ORDER BY name, id
LIMIT $limit
