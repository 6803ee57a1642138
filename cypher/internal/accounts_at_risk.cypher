// name: accounts_at_risk
// description: Companies in the dissolution stage, most valuable first, with their managers and last touch point (through the stage index).
// param: limit integer = 5 -- how many
MATCH (c:Company {{stage: 'dissolution'}})
WITH c ORDER BY c.annual_value DESC, c.id LIMIT $limit
OPTIONAL CALL (c) {{
  MATCH (e:Employee)-[:MANAGES]->(c) RETURN collect(e.name) AS managers
}}
OPTIONAL CALL (c) {{
  MATCH (:Employee)-[t:INTERACTED]->(c) RETURN max(t.at) AS last_touch
}}
RETURN c.id AS id, c.name AS name, c.annual_value AS annual_value, managers, last_touch
ORDER BY annual_value DESC, id
