// name: project_relationships_out
// description: The relationships of one type leaving one page of its source label's nodes (the $batch nodes after id $after, in id order), packed into one list of [source id, target id, {values}] ({values} is a PropertyReads of r: dates as ISO text), and the page's last id. Used when the source side has more nodes than the target side, so that a page holds few relationships.
// param: after string -- the last id of the previous page ("" for the first)
// param: batch integer -- source nodes per page
MATCH (a:{label})
WHERE a.id > $after
WITH a
ORDER BY a.id
LIMIT $batch
WITH collect(a) AS page
CALL {{
  WITH page
  UNWIND page AS a
  MATCH (a)-[r:{type}]->(b)
  RETURN collect([a.id, b.id, {values}]) AS rows
}}
RETURN rows, page[-1].id AS last
