// name: release_batch_lock
// description: Release the batch lock this batch holds.
// param: token string -- this batch's token
MATCH (l:BatchLock {{key: 'batch', token: $token}})
DELETE l
