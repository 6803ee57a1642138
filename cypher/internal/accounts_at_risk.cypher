// name: accounts_at_risk
// description: Accounts (companies and customers) the last coverage run found at risk, most valuable first, with the reason, their managers and last touch point.
// param: limit integer = 5 -- how many
CALL () {{
  MATCH (c:Company) WHERE c.risk_reason IS NOT NULL
  RETURN c, c.annual_value AS value ORDER BY value DESC, c.id LIMIT $limit
  UNION
  MATCH (c:Customer) WHERE c.risk_reason IS NOT NULL
  RETURN c, c.lifetime_value AS value ORDER BY value DESC, c.id LIMIT $limit
}}
WITH c, value ORDER BY value DESC, c.id LIMIT $limit
OPTIONAL CALL (c) {{
  MATCH (e:Employee)-[:MANAGES]->(c) RETURN collect(e.name) AS managers
}}
OPTIONAL CALL (c) {{
  MATCH (:Employee)-[t:INTERACTED]->(c) RETURN max(t.at) AS last_touch
}}
RETURN c.id AS id, c.name AS name, labels(c)[0] AS label, value, c.risk_reason AS reason, managers, last_touch
ORDER BY value DESC, id
