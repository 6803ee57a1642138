// name: drop_run
// description: Delete one replaced run's findings in batches (delete_run then removes the run).
// param: id string -- the run id (null for a run recorded before runs had ids)
MATCH (f:Finding {{run: $id}})
CALL (f) {{
  DETACH DELETE f
}} IN TRANSACTIONS OF 10000 ROWS
