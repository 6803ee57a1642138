// name: search
// description: Find customers, companies, employees and partners by name or id words, best match first (full-text index).
// question: Which node is the "Maya Okafor" or "Sweet Foods" I am looking for?
// param: text string -- words to look for (Lucene syntax: Okafor, Sweet AND Foods, okaf*)
// param: limit integer = 20 -- how many matches
CALL db.index.fulltext.queryNodes('node_search', $text) YIELD node, score
RETURN node.id AS id,
       labels(node)[0] AS label,
       node.name AS name,
       round(score, 3) AS score
ORDER BY score DESC, id
LIMIT $limit
