// name: partner_referrals
// description: Partners by the referrals they sourced, how many converted, and the value those conversions brought.
// question: Which partnerships actually bring us customers?
MATCH (p:Partner)
OPTIONAL MATCH (p)-[r:REFERRED]->(t)
WITH p,
     count(r) AS referrals,
     sum(CASE WHEN r.converted THEN 1 ELSE 0 END) AS converted,
     sum(CASE WHEN r.converted THEN coalesce(r.value, t.lifetime_value, t.annual_value, 0.0) ELSE 0.0 END) AS value
RETURN p.id AS id,
       p.name AS name,
       p.kind AS kind,
       referrals,
       converted,
       CASE WHEN referrals = 0 THEN null ELSE round(toFloat(converted) / referrals, 3) END AS conversion_rate,
       round(value, 2) AS converted_value
ORDER BY referrals DESC, converted DESC, id
