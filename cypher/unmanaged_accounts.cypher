// name: unmanaged_accounts
// description: Business accounts with no dedicated manager, most valuable first, with their touch points so far.
// question: Which accounts fall between the cracks and who should pick them up?
// param: stage string = null -- only accounts in this lifecycle stage (default: all)
MATCH (a:Company)
WHERE NOT EXISTS { (:Employee)-[:MANAGES]->(a) } AND ($stage IS NULL OR a.stage = $stage)
OPTIONAL MATCH (a)<-[i:INTERACTED]-(:Employee)
RETURN a.id AS id,
       a.name AS name,
       a.industry AS industry,
       a.stage AS stage,
       a.annual_value AS annual_value,
       count(i) AS touch_points,
       date(max(i.at)) AS last_touch
ORDER BY annual_value DESC, id
