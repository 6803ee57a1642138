// name: project_nodes
// description: One page of the nodes of one label with the listed properties, for the projections: the $batch nodes after id $after in id order (the unique-id index gives the order), packed into one list ({values} is a PropertyReads of n: dates as ISO text), and the page's last id. Paging keeps each query's memory on the server to one page at any graph size (collecting a whole label first exceeded the transaction memory limit at 1,000,000 customers).
// param: after string -- the last id of the previous page ("" for the first)
// param: batch integer -- nodes per page
MATCH (n:{label})
WHERE n.id > $after
WITH n
ORDER BY n.id
LIMIT $batch
RETURN collect([n.id, {values}]) AS rows, max(n.id) AS last
