// name: acquire_batch_lock
// description: Take the one batch lock (unique key), or report who holds it. The claim takes the node's write lock before the holder's heartbeat is read, so two takers of an abandoned lock cannot both win.
// param: token string -- this batch's token
// param: started_by string -- who starts it
// param: stale_seconds integer -- a holder whose heartbeat is this old is presumed dead
MERGE (l:BatchLock {{key: 'batch'}})
ON CREATE SET l.token = $token, l.started_by = $started_by, l.started_at = datetime(), l.progress = 'starting',
              l.beat = datetime()
SET l.claimed = $token
WITH l, l.token <> $token AND l.beat < datetime() - duration({{seconds: $stale_seconds}}) AS abandoned
FOREACH (_ IN CASE WHEN abandoned THEN [1] ELSE [] END |
  SET l.token = $token, l.started_by = $started_by, l.started_at = datetime(), l.progress = 'starting',
      l.beat = datetime())
REMOVE l.claimed
RETURN l.token = $token AS mine, l.started_by AS started_by, l.started_at AS started_at, l.progress AS progress
