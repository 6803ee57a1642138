// name: supply_chain
// description: The companies that supply an account, directly or through suppliers of suppliers, up to N tiers.
// question: Whose business depends on whom upstream of this account, and where could we sell next?
// param: id string -- the company's id, e.g. CO00001
// param: tiers integer = 3 -- supply tiers to follow, 1 to 6
MATCH (a:Company {id: $id})
MATCH p = (s:Company)-[:SUPPLIES*1..6]->(a)
WHERE length(p) <= $tiers AND s <> a
WITH s, min(length(p)) AS tier
RETURN s.id AS id,
       s.name AS name,
       s.industry AS industry,
       s.stage AS stage,
       tier
ORDER BY tier, id
