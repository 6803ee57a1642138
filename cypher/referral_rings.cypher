// name: referral_rings
// description: Circles of customers who referred each other (A referred B ... referred A), a pattern of referral-reward fraud.
// question: Which referral bonuses should the fraud team look at?
// param: max_size integer = 6 -- the largest circle to look for, 2 to 8
// Each circle is listed once, starting from its member with the smallest id.
MATCH p = (c:Customer)-[:REFERRED*2..8]->(c)
WHERE length(p) <= $max_size
  AND all(x IN nodes(p) WHERE c.id <= x.id)
  AND size(reduce(seen = [], x IN tail(nodes(p)) | CASE WHEN x IN seen THEN seen ELSE seen + x END)) = length(p)
WITH p, [r IN relationships(p) | r.since] AS dates
RETURN [x IN nodes(p)[..-1] | x.id] AS members,
       length(p) AS size,
       reduce(first = head(dates), d IN dates | CASE WHEN d < first THEN d ELSE first END) AS first_referral,
       reduce(last = head(dates), d IN dates | CASE WHEN d > last THEN d ELSE last END) AS last_referral,
       size([r IN relationships(p) WHERE r.converted]) AS converted
ORDER BY size DESC, members
