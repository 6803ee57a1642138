// name: read_findings
// description: Rows of one stored table of a run, in stored order, read in the order of the (run, table, row) index (ordering by all three lets the index give the order, so a LIMIT stops the read early instead of sorting the whole table); optionally only rows whose column is missing or above a threshold.
// param: run string -- the run id
// param: table string -- the table name
// param: limit integer -- at most this many rows (the first ones: a narrowed table is stored with the rows that pass first)
// param: column string = null -- narrow by this column
// param: above float = null -- keep rows whose column is missing or above this
MATCH (f:Finding {{run: $run, table: $table}})
WHERE 0 <= f.row < $limit AND ($column IS NULL OR f[$column] IS NULL OR f[$column] > $above)
RETURN properties(f) AS values
ORDER BY f.run, f.table, f.row
LIMIT $limit
