// name: ids_not_text
// description: Nodes of one label whose id is missing, empty or not text (written outside graphcrm; a label scan, run only when text_ids_counted says some exist): the projection reads nodes page by page in text-id order, after the empty text, and would leave them out, so it refuses instead. How many, and up to three of their ids.
MATCH (n:{label})
WHERE n.id IS NULL OR NOT n.id IS :: STRING OR n.id = ""
RETURN count(n) AS count, collect(n.id)[..3] AS examples
