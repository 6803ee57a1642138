// name: partner_reach
// description: Customers a partner reaches: those it referred, and the contacts at the accounts it partners with.
// question: Whom could we reach through this partner, and by which route?
// param: id string -- the partner's id, e.g. P001
MATCH (p:Partner {id: $id})
CALL (p) {
  MATCH (p)-[:REFERRED]->(c:Customer)
  RETURN c, 'referral' AS route
  UNION
  MATCH (p)-[:PARTNERS_WITH]->(:Company)<-[:WORKS_AT]-(c:Customer)
  RETURN c, 'account_contact' AS route
}
WITH c, collect(route) AS routes
RETURN c.id AS id,
       c.name AS name,
       c.stage AS stage,
       c.marketing_consent AS marketing_consent,
       routes
ORDER BY size(routes) DESC, id
