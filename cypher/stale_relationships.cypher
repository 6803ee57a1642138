// name: stale_relationships
// description: Managed accounts, customers and partners with no touch point in the last N days before a date.
// question: Which relationships are going cold and need a call this week?
// param: as_of date = null -- the day to count back from, YYYY-MM-DD (default: today)
// param: days integer = 90 -- how many days without a touch point make a relationship stale
WITH coalesce($as_of, date()) AS today
MATCH (e:Employee)-[:MANAGES]->(a)
WITH today, a, collect(e.id) AS managers
OPTIONAL MATCH (a)<-[i:INTERACTED]-(:Employee)
WHERE date(i.at) <= today
WITH today, a, managers, date(max(i.at)) AS last_touch
WHERE last_touch IS NULL OR last_touch <= today - duration({days: $days})
RETURN a.id AS id,
       labels(a)[0] AS label,
       a.name AS name,
       a.stage AS stage,
       managers,
       last_touch,
       CASE WHEN last_touch IS NULL THEN null ELSE duration.inDays(last_touch, today).days END AS days_since
ORDER BY days_since DESC, id
