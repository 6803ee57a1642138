// name: forget_findings
// description: Delete stored analytics rows (Finding nodes) that name an erased person by id or by name; their runs show as stale until the next batch.
// param: id string -- the person's id
// param: name string -- the person's name before erasure (null: match by id only)
MATCH (f:Finding)
WHERE any(k IN keys(f) WHERE f[k] = $id
      OR ($name IS NOT NULL AND f[k] IS :: STRING AND f[k] CONTAINS $name)
      OR (f[k] IS :: LIST<ANY> AND $id IN f[k]))
DETACH DELETE f
RETURN count(*) AS deleted
