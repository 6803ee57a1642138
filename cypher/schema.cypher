// name: schema
// description: Constraints and indexes of the CRM graph, applied by `graphcrm load` before any write.
// question: Which ids are unique, and what can be searched quickly?
CREATE CONSTRAINT customer_id IF NOT EXISTS FOR (n:Customer) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT company_id IF NOT EXISTS FOR (n:Company) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT employee_id IF NOT EXISTS FOR (n:Employee) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT partner_id IF NOT EXISTS FOR (n:Partner) REQUIRE n.id IS UNIQUE;
CREATE INDEX customer_name IF NOT EXISTS FOR (n:Customer) ON (n.name);
CREATE INDEX company_name IF NOT EXISTS FOR (n:Company) ON (n.name);
CREATE INDEX employee_name IF NOT EXISTS FOR (n:Employee) ON (n.name);
CREATE INDEX partner_name IF NOT EXISTS FOR (n:Partner) ON (n.name);
CREATE INDEX customer_stage IF NOT EXISTS FOR (n:Customer) ON (n.stage);
CREATE INDEX company_stage IF NOT EXISTS FOR (n:Company) ON (n.stage);
CREATE INDEX customer_influence IF NOT EXISTS FOR (n:Customer) ON (n.influence);
CREATE INDEX partner_influence IF NOT EXISTS FOR (n:Partner) ON (n.influence);
CREATE INDEX interacted_at IF NOT EXISTS FOR ()-[r:INTERACTED]-() ON (r.at);
CREATE FULLTEXT INDEX node_search IF NOT EXISTS FOR (n:Customer|Company|Employee|Partner) ON EACH [n.name, n.id];
CREATE INDEX company_risk IF NOT EXISTS FOR (n:Company) ON (n.risk_reason);
CREATE INDEX customer_risk IF NOT EXISTS FOR (n:Customer) ON (n.risk_reason);
CREATE CONSTRAINT analytics_run_id IF NOT EXISTS FOR (n:AnalyticsRun) REQUIRE n.id IS UNIQUE;
CREATE INDEX finding_row IF NOT EXISTS FOR (n:Finding) ON (n.run, n.table, n.row);
CREATE CONSTRAINT batch_lock_key IF NOT EXISTS FOR (n:BatchLock) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT graph_state_key IF NOT EXISTS FOR (n:GraphState) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT suppressed_id IF NOT EXISTS FOR (n:Suppressed) REQUIRE n.id IS UNIQUE;
