// name: project_relationships_into
// description: Relationships of one type from the listed hubs of one label to the listed nodes of label {target}, each pair matched from both ends (Neo4j expands the end with fewer relationships), so a hub's thousands of relationships are not all read to find the few among the listed nodes ({values} is a PropertyReads of r).
// param: hubs list -- ids of the hubs (project_relationships_among)
// param: ids list -- node ids
UNWIND $hubs AS hub
MATCH (a:{label} {{id: hub}})
UNWIND $ids AS id
MATCH (b:{target} {{id: id}})
MATCH (a)-[r:{type}]->(b)
RETURN elementId(r) AS element, a.id AS source, b.id AS target, {values} AS values
