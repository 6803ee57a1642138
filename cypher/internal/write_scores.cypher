// name: write_scores
// description: Write analytics scores back onto nodes of one label by id, so Cypher and the dashboard can read them.
// param: rows list -- maps {id, props}
// param: computed_at string -- when the analysis ran (ISO 8601)
UNWIND $rows AS row
MATCH (n:{label} {{id: row.id}})
SET n += row.props, n.scores_computed_at = datetime($computed_at)
