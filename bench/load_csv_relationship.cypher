// name: load_csv_relationship
// description: LOAD CSV of one (type, source label, target label) slice of relationships.csv (reference run).
// param: type string -- the relationship type to import in this pass
LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.type = $type
CALL (row) {{
  MATCH (a:{source} {{id: row.source}})
  MATCH (b:{target} {{id: row.target}})
  CREATE (a)-[r:{type}]->(b)
  SET r.since = date(nullif(row.since, '')), r.converted = toBoolean(nullif(row.converted, '')),
      r.channel = nullif(row.channel, ''), r.relation = nullif(row.relation, ''),
      r.strength = toFloat(nullif(row.strength, '')), r.value = toFloat(nullif(row.value, ''))
}} IN TRANSACTIONS OF 10000 ROWS
