// name: batch_status
// description: The running batch, if any: who started it, when, and its current step.
MATCH (l:BatchLock {{key: 'batch'}})
RETURN l.started_by AS started_by, l.started_at AS started_at, l.progress AS progress
