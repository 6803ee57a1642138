// name: influencers_in_reach
// description: The stored influencers within one partner's reach (its referral cascade, the companies it partners with and their contacts, as partners.partner_reach defines it), best first; read around the partner, nothing recomputed.
// param: partner string -- the partner's id
// param: limit integer = 50 -- how many rows
// param: stages list -- only customers in these stages (empty: all)
// param: community integer = null -- only this community
MATCH (p:Partner {{id: $partner}})
CALL (p) {{
  MATCH (p)-[:REFERRED]->+(n) RETURN n
  UNION
  MATCH (p)-[:PARTNERS_WITH]->(n:Company) RETURN n
  UNION
  MATCH (p)-[:PARTNERS_WITH]->(:Company)<-[:WORKS_AT]-(n) RETURN n
}}
WITH DISTINCT n
WHERE n.influence IS NOT NULL AND n.id <> $partner AND (size($stages) = 0 OR n.stage IN $stages)
  AND ($community IS NULL OR n.community = $community)
RETURN n.id AS id, labels(n)[0] AS label, {values} AS values
ORDER BY n.influence DESC, id
LIMIT $limit
