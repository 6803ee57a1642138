// name: node_details
// description: What the details panel shows for one node: its properties, who manages it, who referred it, its last touch point and how many there were.
// param: id string -- the node's id
CALL () {{
  MATCH (n:Customer {{id: $id}}) RETURN n
  UNION MATCH (n:Company {{id: $id}}) RETURN n
  UNION MATCH (n:Employee {{id: $id}}) RETURN n
  UNION MATCH (n:Partner {{id: $id}}) RETURN n
}}
OPTIONAL CALL (n) {{
  MATCH (e:Employee)-[:MANAGES]->(n)
  RETURN collect(e.name + ' (' + e.id + ')') AS managers
}}
OPTIONAL CALL (n) {{
  MATCH (r)-[ref:REFERRED]->(n)
  RETURN collect(r.name + ' (' + r.id + ')' + CASE WHEN ref.converted THEN ', converted' ELSE '' END) AS referrers
}}
OPTIONAL CALL (n) {{
  MATCH (e:Employee)-[t:INTERACTED]-(n)
  WITH e, t ORDER BY t.at DESC
  WITH collect({{at: t.at, channel: t.channel, sentiment: t.sentiment, employee: e.name, note: t.note}}) AS touches
  RETURN touches[0] AS last_touch, size(touches) AS touch_points
}}
RETURN labels(n)[0] AS label, properties(n) AS props, managers, referrers, last_touch, touch_points
