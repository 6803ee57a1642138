// name: acquire_batch_lock
// description: Take the one batch lock (unique key), or report who holds it; a lock whose holder stopped reporting progress for stale_seconds is taken over.
// param: token string -- this batch's token
// param: started_by string -- who starts it
// param: stale_seconds integer -- a holder silent this long is presumed dead
MERGE (l:BatchLock {{key: 'batch'}})
ON CREATE SET l.token = $token, l.started_by = $started_by, l.started_at = datetime(), l.progress = 'starting',
              l.beat = datetime()
WITH l, l.token <> $token AND l.beat < datetime() - duration({{seconds: $stale_seconds}}) AS abandoned
FOREACH (_ IN CASE WHEN abandoned THEN [1] ELSE [] END |
  SET l.token = $token, l.started_by = $started_by, l.started_at = datetime(), l.progress = 'starting',
      l.beat = datetime())
RETURN l.token = $token AS mine, l.started_by AS started_by, l.started_at AS started_at, l.progress AS progress
