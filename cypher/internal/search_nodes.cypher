// name: search_nodes
// description: Type-ahead search over names and ids through the `node_search` full-text index.
// param: query string -- a Lucene query built by graphcrm.explore from the user's text (escaped)
// param: limit integer = 10 -- how many hits
CALL db.index.fulltext.queryNodes('node_search', $query) YIELD node, score
RETURN node.id AS id, labels(node)[0] AS label, node.name AS name, score
ORDER BY score DESC, id
LIMIT $limit
