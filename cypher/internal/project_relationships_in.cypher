// name: project_relationships_in
// description: The relationships of one type arriving at one page of its target label's nodes (the $batch nodes after id $after, in id order), packed into one list of [source id, target id, {values}] ({values} is a PropertyReads of r: dates as ISO text), and the page's last id. Used when the target side has more nodes (e.g. touch points: few employees, many parties), so that a page holds few relationships.
// param: after string -- the last id of the previous page ("" for the first)
// param: batch integer -- target nodes per page
MATCH (b:{label})
WHERE b.id > $after
WITH b
ORDER BY b.id
LIMIT $batch
WITH collect(b) AS page
CALL {{
  WITH page
  UNWIND page AS b
  MATCH (a)-[r:{type}]->(b)
  RETURN collect([a.id, b.id, {values}]) AS rows
}}
RETURN rows, page[-1].id AS last
