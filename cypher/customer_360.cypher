// name: customer_360
// description: Everything directly around one customer: managers, referrals, ties, employer and touch points.
// question: Who surrounds this customer, who brought them in, and when did we last talk to them?
// param: id string -- the customer's id, e.g. C000001
// param: include_personal boolean = false -- also return neighbours' email and phone (only where your settings allow personal data)
MATCH (c:Customer {id: $id})-[r]-(n)
RETURN type(r) AS relationship,
       CASE WHEN startNode(r) = c THEN 'out' ELSE 'in' END AS direction,
       labels(n)[0] AS neighbour_label,
       n.id AS neighbour_id,
       n.name AS neighbour_name,
       coalesce(r.since, date(r.at)) AS since,
       r.converted AS converted,
       coalesce(r.relation, r.channel) AS detail,
       CASE WHEN $include_personal THEN n.email END AS neighbour_email,
       CASE WHEN $include_personal THEN n.phone END AS neighbour_phone
ORDER BY relationship, direction, neighbour_id, since
