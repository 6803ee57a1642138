// name: account_contacts
// description: The contacts who work at a business account, the customers who know them, and our staff who manage or talk to them.
// question: Who do we know at this account, and who can introduce us?
// param: id string -- the company's id, e.g. CO00001
// param: include_personal boolean = false -- also return the contacts' email and phone (only where your settings allow personal data)
MATCH (:Company {id: $id})<-[:WORKS_AT]-(c:Customer)
RETURN c.id AS id,
       c.name AS name,
       c.stage AS stage,
       COLLECT { MATCH (c)-[:KNOWS]-(k:Customer) RETURN DISTINCT k.id AS k ORDER BY k } AS known_by,
       COLLECT { MATCH (e:Employee)-[:INTERACTED]->(c) RETURN DISTINCT e.id AS e ORDER BY e } AS touched_by,
       COLLECT { MATCH (e:Employee)-[:MANAGES]->(c) RETURN e.id AS e ORDER BY e } AS managed_by,
       CASE WHEN $include_personal THEN c.email END AS email,
       CASE WHEN $include_personal THEN c.phone END AS phone
ORDER BY size(known_by) DESC, id
