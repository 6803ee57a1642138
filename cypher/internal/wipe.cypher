// name: wipe
// description: Delete every node and relationship, in batches so a large graph fits in memory.
MATCH (n)
CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS
