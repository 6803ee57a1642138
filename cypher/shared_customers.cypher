// name: shared_customers
// description: Customers and business accounts that two partners both reach (referred, partnered with, or a contact at a partnered account).
// question: Where do two partnerships overlap, so that we can co-sell or avoid paying twice?
// param: partner_a string -- one partner's id, e.g. P001
// param: partner_b string -- the other partner's id, e.g. P002
MATCH (a:Partner {id: $partner_a})
MATCH (b:Partner {id: $partner_b})
CALL (a) {
  MATCH (a)-[:REFERRED]->(x)
  RETURN x
  UNION
  MATCH (a)-[:PARTNERS_WITH]->(x:Company)
  RETURN x
  UNION
  MATCH (a)-[:PARTNERS_WITH]->(:Company)<-[:WORKS_AT]-(x:Customer)
  RETURN x
}
WITH b, collect(x) AS reach_a
CALL (b) {
  MATCH (b)-[:REFERRED]->(y)
  RETURN y
  UNION
  MATCH (b)-[:PARTNERS_WITH]->(y:Company)
  RETURN y
  UNION
  MATCH (b)-[:PARTNERS_WITH]->(:Company)<-[:WORKS_AT]-(y:Customer)
  RETURN y
}
WITH reach_a, collect(y) AS reach_b
UNWIND [x IN reach_a WHERE x IN reach_b] AS shared
RETURN shared.id AS id,
       labels(shared)[0] AS label,
       shared.name AS name,
       shared.stage AS stage
ORDER BY label, id
