// name: store_findings
// description: Store rows of an analysis' tables as Finding nodes of one run (columns as properties, with the table name and row number).
// param: rows list -- maps {table, row, values}
// param: run string -- the AnalyticsRun id
MATCH (r:AnalyticsRun {{id: $run}})
UNWIND $rows AS row
CREATE (r)-[:FOUND]->(f:Finding)
SET f = row.values, f.run = $run, f.table = row.table, f.row = row.row
