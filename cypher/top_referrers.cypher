// name: top_referrers
// description: Referrers (customers, partners, employees) ranked by the value their converted referrals brought in.
// question: Who should the partnership team thank, and reward, first?
// param: limit integer = 10 -- how many referrers
// Converted value is the referral's own `value` when recorded, else the referred customer's lifetime value
// or the referred company's annual value.
MATCH (s)-[r:REFERRED]->(t)
WITH s,
     count(r) AS referrals,
     sum(CASE WHEN r.converted THEN 1 ELSE 0 END) AS converted,
     sum(CASE WHEN r.converted THEN coalesce(r.value, t.lifetime_value, t.annual_value, 0.0) ELSE 0.0 END) AS value
RETURN s.id AS id,
       labels(s)[0] AS label,
       s.name AS name,
       referrals,
       converted,
       round(value, 2) AS converted_value
ORDER BY converted_value DESC, id
LIMIT $limit
