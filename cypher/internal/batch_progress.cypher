// name: batch_progress
// description: Record the batch's current step and heartbeat; returns nothing when this batch no longer holds the lock.
// param: token string -- this batch's token
// param: progress string = null -- what it is doing now (null: keep the step, beat only)
MATCH (l:BatchLock {{key: 'batch', token: $token}})
SET l.progress = coalesce($progress, l.progress), l.beat = datetime()
RETURN l.token AS token
