// name: forget_findings
// description: Delete stored analytics rows (Finding nodes) that name an erased person: a value equal to their id or name, a list holding the id, or text in which the id or the name stands as a whole token (ids joined into text such as a ring's members, a name inside a reason); their runs show as stale until the next batch.
// param: id string -- the person's id
// param: name string -- the person's name before erasure (null: match by id only)
// param: id_pattern string -- a regular expression matching text that holds the id as a whole token (`erasure.whole_token`)
// param: name_pattern string -- the same for the name (null: match by id only)
MATCH (f:Finding)
WHERE any(k IN keys(f) WHERE f[k] = $id OR f[k] = $name
      OR (f[k] IS :: STRING AND (f[k] =~ $id_pattern OR f[k] =~ $name_pattern))
      OR (f[k] IS :: LIST<ANY> AND $id IN f[k]))
DETACH DELETE f
RETURN count(*) AS deleted
