// name: project_nodes
// description: Stream the nodes of one label with the listed properties, for the NetworkX projection, packed into lists of $batch rows (dates and date-times as ISO text, which Python parses far faster than it hydrates driver temporals; one Bolt record per batch, not per node: per-record overhead dominated the transfer).
// param: keys list -- property keys to fetch (others are left in Neo4j)
// param: batch integer -- rows per returned list
MATCH (n:{label})
WITH collect([n.id, [k IN $keys | CASE WHEN n[k] IS :: DATE OR n[k] IS :: ZONED DATETIME THEN toString(n[k]) ELSE n[k] END]]) AS rows
UNWIND range(0, size(rows) - 1, $batch) AS start
RETURN rows[start..start + $batch] AS rows
