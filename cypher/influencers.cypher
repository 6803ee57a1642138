// name: influencers
// description: Customers and partners ranked by the influence score the analytics wrote back, with their referral record.
// question: Whose word carries furthest in our network, and did their referrals convert?
// param: limit integer = 20 -- how many nodes
// param: label string = null -- only this label, e.g. Customer or Partner (default: all)
MATCH (n)
WHERE n.influence IS NOT NULL AND ($label IS NULL OR $label IN labels(n))
RETURN n.id AS id,
       labels(n)[0] AS label,
       n.name AS name,
       n.influence AS influence,
       n.community AS community,
       COUNT { (n)-[:REFERRED]->() } AS referrals,
       COUNT { (n)-[r:REFERRED]->() WHERE r.converted } AS converted_referrals
ORDER BY influence DESC, id
LIMIT $limit
