// name: referral_chain
// description: Everyone a customer, partner or employee referred, directly or down a chain of referrals, up to N steps.
// question: How far does this person's word of mouth reach, and through whom?
// param: id string -- the referrer's id (customer, partner or employee)
// param: hops integer = 3 -- referral steps to follow, 1 to 10
MATCH (start:Customer|Partner|Employee {id: $id})
MATCH p = (start)-[:REFERRED*1..10]->(x)
WHERE length(p) <= $hops AND x <> start
WITH x, p
ORDER BY length(p)
WITH x, head(collect(p)) AS p
RETURN x.id AS id,
       labels(x)[0] AS label,
       x.name AS name,
       length(p) AS hops,
       [n IN nodes(p) | n.id] AS chain,
       last(relationships(p)).converted AS converted
ORDER BY hops, id
