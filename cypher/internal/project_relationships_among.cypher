// name: project_relationships_among
// description: Relationships of one type leaving the listed nodes of one label and ending at a listed node, for a bounded projection ({values} is a PropertyReads of r). A listed node with more than $wide of them (a hub: an employee's thousands of touch points) is not expanded: it comes back once with hub true and no relationship, for project_relationships_into.
// param: ids list -- node ids
// param: wide integer -- a listed node with more relationships of the type than this is a hub
UNWIND $ids AS id
MATCH (a:{label} {{id: id}})
WITH a, COUNT {{ (a)-[:{type}]->() }} > $wide AS hub
CALL (a, hub) {{
  WITH a WHERE NOT hub
  MATCH (a)-[r:{type}]->(b)
  WHERE b.id IN $ids
  RETURN elementId(r) AS element, b.id AS target, {values} AS values
  UNION
  WITH a WHERE hub
  RETURN null AS element, null AS target, null AS values
}}
RETURN a.id AS source, hub, element, target, values
