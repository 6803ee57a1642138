// name: influencer_table
// description: The ranked influencers as written back by `graphcrm analyze all --write`, read through the influence indexes (nothing recomputed), optionally only one community or some stages.
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
RETURN n.id AS id, labels(n)[0] AS label, n.name AS name, n.stage AS stage, n.community AS community,
       n.influence AS influence, n.pagerank AS pagerank, n.referral_reach AS referral_reach,
       n.cascade_depth AS cascade_depth, n.converted_value AS converted_value, n.brokerage AS brokerage,
       n.influence_why AS why
ORDER BY influence DESC, id
LIMIT $limit
