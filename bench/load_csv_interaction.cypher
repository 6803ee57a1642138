// name: load_csv_interaction
// description: LOAD CSV of the touch points from employees to one target label (reference run).
LOAD CSV WITH HEADERS FROM 'file:///interactions.csv' AS row
CALL (row) {{
  MATCH (a:Employee {{id: row.employee}})
  MATCH (b:{target} {{id: row.party}})
  CREATE (a)-[r:INTERACTED {{id: row.id}}]->(b)
  SET r.at = datetime(row.at), r.channel = row.channel,
      r.sentiment = toFloat(nullif(row.sentiment, '')), r.note = nullif(row.note, '')
}} IN TRANSACTIONS OF 10000 ROWS
