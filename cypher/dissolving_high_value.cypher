// name: dissolving_high_value
// description: Customers in the dissolution stage whose lifetime value is high, with their managers and how recent contact was.
// question: Which valuable customers are we about to lose, and who should try to win them back?
// param: min_value float = 5000 -- the lowest lifetime value to list
// param: limit integer = 50 -- how many customers
MATCH (c:Customer {stage: 'dissolution'})
WHERE c.lifetime_value >= $min_value
OPTIONAL MATCH (c)<-[i:INTERACTED]-(:Employee)
WITH c, date(max(i.at)) AS last_touch, avg(i.sentiment) AS sentiment
RETURN c.id AS id,
       c.name AS name,
       c.lifetime_value AS lifetime_value,
       COLLECT { MATCH (e:Employee)-[:MANAGES]->(c) RETURN e.id AS e ORDER BY e } AS managers,
       COUNT { (c)-[:REFERRED]->() } AS referrals_made,
       last_touch,
       round(sentiment, 2) AS avg_sentiment
ORDER BY lifetime_value DESC, id
LIMIT $limit
