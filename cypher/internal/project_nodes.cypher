// name: project_nodes
// description: Stream the nodes of one label with the listed properties, for the NetworkX projection, packed into lists of $batch rows ({values} is a PropertyReads of n: dates as ISO text; one Bolt record per batch, not per node: per-record overhead dominated the transfer).
// param: batch integer -- rows per returned list
MATCH (n:{label})
WITH collect([n.id, {values}]) AS rows
UNWIND range(0, size(rows) - 1, $batch) AS start
RETURN rows[start..start + $batch] AS rows
