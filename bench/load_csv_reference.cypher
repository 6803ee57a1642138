// name: load_csv_reference
// description: Neo4j's own LOAD CSV import of a data directory, the reference the loader is benchmarked against.
// question: How fast does the server import the same files by itself, with the same constraints?
// Statements are run in order, each an auto-commit transaction batching with CALL {} IN TRANSACTIONS.
// Relationships are read once per (type, source label, target label) combination, matched through
// the label's unique id index, as a Neo4j user would write it without graphcrm.
LOAD CSV WITH HEADERS FROM 'file:///customers.csv' AS row
CALL (row) {
  CREATE (n:Customer {id: row.id, name: row.name})
  SET n.email = nullif(row.email, ''), n.phone = nullif(row.phone, ''), n.city = nullif(row.city, ''),
      n.profession = nullif(row.profession, ''), n.education = nullif(row.education, ''),
      n.income_band = nullif(row.income_band, ''), n.interests = nullif(row.interests, ''),
      n.preferred_channel = nullif(row.preferred_channel, ''),
      n.marketing_consent = toBoolean(nullif(row.marketing_consent, '')),
      n.stage = nullif(row.stage, ''), n.joined_on = date(nullif(row.joined_on, '')),
      n.lifetime_value = toFloat(nullif(row.lifetime_value, ''))
} IN TRANSACTIONS OF 10000 ROWS;
LOAD CSV WITH HEADERS FROM 'file:///companies.csv' AS row
CALL (row) {
  CREATE (n:Company {id: row.id, name: row.name})
  SET n.industry = nullif(row.industry, ''), n.size = nullif(row.size, ''), n.city = nullif(row.city, ''),
      n.stage = nullif(row.stage, ''), n.annual_value = toFloat(nullif(row.annual_value, ''))
} IN TRANSACTIONS OF 10000 ROWS;
LOAD CSV WITH HEADERS FROM 'file:///employees.csv' AS row
CALL (row) {
  CREATE (n:Employee {id: row.id, name: row.name})
  SET n.email = nullif(row.email, ''), n.role = nullif(row.role, ''), n.region = nullif(row.region, '')
} IN TRANSACTIONS OF 10000 ROWS;
LOAD CSV WITH HEADERS FROM 'file:///partners.csv' AS row
CALL (row) {
  CREATE (n:Partner {id: row.id, name: row.name})
  SET n.kind = nullif(row.kind, ''), n.since = date(nullif(row.since, ''))
} IN TRANSACTIONS OF 10000 ROWS;
