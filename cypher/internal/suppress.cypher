// name: suppress
// description: Put ids on the suppression list (idempotent: the first erasure's record is kept, except that a later deletion of an anonymised node clears structure_kept).
// param: rows list -- maps {id, label, erased_by, structure_kept, erased_at (ISO 8601 or null: now)}
UNWIND $rows AS row
MERGE (s:Suppressed {{id: row.id}})
ON CREATE SET s.label = row.label, s.erased_by = row.erased_by, s.structure_kept = row.structure_kept,
              s.erased_at = coalesce(datetime(row.erased_at), datetime())
ON MATCH SET s.structure_kept = s.structure_kept AND row.structure_kept
