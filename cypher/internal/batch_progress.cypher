// name: batch_progress
// description: Record the batch's current step (and that its holder is alive).
// param: token string -- this batch's token
// param: progress string -- what it is doing now
MATCH (l:BatchLock {{key: 'batch', token: $token}})
SET l.progress = $progress, l.beat = datetime()
