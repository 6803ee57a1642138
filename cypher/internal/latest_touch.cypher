// name: latest_touch
// description: When the latest touch point happened (through the INTERACTED.at index): the moment tie recency is judged from.
MATCH ()-[r:INTERACTED]->()
WHERE r.at IS NOT NULL
RETURN r.at AS at
ORDER BY r.at DESC
LIMIT 1
