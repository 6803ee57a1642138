// name: read_findings
// description: Rows of one stored table of a run, in stored order, read in the order of the (run, table, row) index (ordering by all three lets the index give the order, so a LIMIT stops the read early instead of sorting the whole table); optionally only rows whose column is missing or above a threshold. A narrowed table is stored with the rows that pass first, so only its first `limit` rows are looked at: the subquery finds the last of them through the index, also when an erasure deleted rows before it.
// param: run string -- the run id
// param: table string -- the table name
// param: limit integer -- at most this many rows (the first ones)
// param: column string = null -- narrow by this column
// param: above float = null -- keep rows whose column is missing or above this
CALL () {{
  MATCH (g:Finding {{run: $run, table: $table}})
  WHERE g.row >= 0
  WITH g.row AS row
  ORDER BY g.run, g.table, g.row
  LIMIT $limit
  RETURN max(row) AS last
}}
MATCH (f:Finding {{run: $run, table: $table}})
WHERE 0 <= f.row <= last AND ($column IS NULL OR f[$column] IS NULL OR f[$column] > $above)
RETURN properties(f) AS values
ORDER BY f.run, f.table, f.row
LIMIT $limit
