// name: forget_findings
// description: Delete stored analytics rows (Finding nodes) that name an erased person: text in which their id or name stands as a whole token, as the whole value or inside it (ids joined into text such as a ring's members, a name inside a reason), or a list holding the id; their runs show as stale until the next batch.
// param: id string -- the person's id
// param: id_pattern string -- a regular expression matching text that holds the id as a whole token (`erasure.whole_token`)
// param: name_pattern string -- the same for the name (null: match by id only)
MATCH (f:Finding)
WHERE any(k IN keys(f) WHERE (f[k] IS :: STRING AND (f[k] =~ $id_pattern OR f[k] =~ $name_pattern))
      OR (f[k] IS :: LIST<ANY> AND $id IN f[k]))
DETACH DELETE f
RETURN count(*) AS deleted
