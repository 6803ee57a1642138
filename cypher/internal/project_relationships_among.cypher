// name: project_relationships_among
// description: Relationships of one type leaving the listed nodes of one label and ending at a listed node, for a bounded projection ({values} is a PropertyReads of r).
// param: ids list -- node ids
UNWIND $ids AS id
MATCH (a:{label} {{id: id}})-[r:{type}]->(b)
WHERE b.id IN $ids
RETURN a.id AS source, b.id AS target, {values} AS values
ORDER BY elementId(r)
