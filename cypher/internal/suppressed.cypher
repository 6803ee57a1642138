// name: suppressed
// description: The suppression list: ids of erased people, which no load or sync brings back, with who erased them and when.
MATCH (s:Suppressed)
RETURN s.id AS id, s.label AS label, s.erased_at AS erased_at, s.erased_by AS erased_by,
       s.structure_kept AS structure_kept
ORDER BY id
