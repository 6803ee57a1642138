// name: project_relationships
// description: Stream the relationships of one type with the listed properties, for the NetworkX projection, packed into lists of $batch rows ({values} is a PropertyReads of r: dates and date-times as ISO text; one Bolt record per batch).
// param: batch integer -- rows per returned list
MATCH (a)-[r:{type}]->(b)
WITH collect([a.id, b.id, {values}]) AS rows
UNWIND range(0, size(rows) - 1, $batch) AS start
RETURN rows[start..start + $batch] AS rows
