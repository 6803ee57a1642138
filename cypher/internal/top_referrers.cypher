// name: top_referrers
// description: The nodes that made the most referrals, for the overview's first network view.
// param: limit integer = 5 -- how many
MATCH (n)-[:REFERRED]->()
RETURN n.id AS id, labels(n)[0] AS label, n.name AS name, count(*) AS referrals
ORDER BY referrals DESC, id
LIMIT $limit
