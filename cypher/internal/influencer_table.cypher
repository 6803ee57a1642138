// name: influencer_table
// description: The ranked influencers as written back by `graphcrm analyze all --write`, read through the influence indexes (nothing recomputed), optionally only one community or some stages; `values` are the stored columns `summaries.INFLUENCER_COLUMNS` names.
// param: limit integer = 50 -- how many rows
// param: stages list -- only customers in these stages (empty: all; partners have no stage and are left out when set)
// param: community integer = null -- only this community
CALL () {{
  MATCH (n:Customer)
  WHERE n.influence IS NOT NULL AND (size($stages) = 0 OR n.stage IN $stages)
    AND ($community IS NULL OR n.community = $community)
  RETURN n ORDER BY n.influence DESC LIMIT $limit
  UNION
  MATCH (n:Partner)
  WHERE n.influence IS NOT NULL AND size($stages) = 0 AND ($community IS NULL OR n.community = $community)
  RETURN n ORDER BY n.influence DESC LIMIT $limit
}}
RETURN n.id AS id, labels(n)[0] AS label, {values} AS values
ORDER BY n.influence DESC, id
LIMIT $limit
