// name: team_portfolio
// description: The accounts, customers and partners managed by an employee and everyone who reports to them, at any depth.
// question: What does this manager's team look after, and who on the team owns each relationship?
// param: id string -- the team lead's employee id, e.g. E0001
MATCH (lead:Employee {id: $id})
MATCH (e:Employee)-[:REPORTS_TO*0..10]->(lead)
WITH DISTINCT e
MATCH (e)-[:MANAGES]->(a)
WITH a, collect(e.id) AS managers
RETURN a.id AS id,
       labels(a)[0] AS label,
       a.name AS name,
       a.stage AS stage,
       coalesce(a.annual_value, a.lifetime_value) AS value,
       managers
ORDER BY label, value DESC, id
