// name: text_ids_counted
// description: Of the nodes of one label, how many there are (count store) and how many have a non-empty text id (counted in the id index, no property reads): the projection's quick check that no node would be left out.
CALL () {{ MATCH (n:{label}) RETURN count(n) AS nodes }}
CALL () {{ MATCH (n:{label}) WHERE n.id > "" RETURN count(n) AS texts }}
RETURN nodes, texts
