// name: project_relationships
// description: Stream the relationships of one type with the listed properties, for the NetworkX projection, packed into lists of $batch rows (dates and date-times as ISO text, which Python parses far faster than it hydrates driver temporals; one Bolt record per batch).
// param: keys list -- property keys to fetch
// param: batch integer -- rows per returned list
MATCH (a)-[r:{type}]->(b)
WITH collect([a.id, b.id, [k IN $keys | CASE WHEN r[k] IS :: DATE OR r[k] IS :: ZONED DATETIME THEN toString(r[k]) ELSE r[k] END]]) AS rows
UNWIND range(0, size(rows) - 1, $batch) AS start
RETURN rows[start..start + $batch] AS rows
