// name: manager_load
// description: Employees by the number of accounts, customers and partners they manage, and the annual value of their companies.
// question: Who is overloaded, who has room for more accounts?
// param: role string = null -- only employees with this role, e.g. key_account_manager (default: all)
MATCH (e:Employee)
WHERE $role IS NULL OR e.role = $role
OPTIONAL MATCH (e)-[:MANAGES]->(a:Company)
WITH e, count(a) AS companies, sum(coalesce(a.annual_value, 0.0)) AS company_value
RETURN e.id AS id,
       e.name AS name,
       e.role AS role,
       e.region AS region,
       companies,
       COUNT { (e)-[:MANAGES]->(:Customer) } AS customers,
       COUNT { (e)-[:MANAGES]->(:Partner) } AS partners,
       companies + COUNT { (e)-[:MANAGES]->(:Customer|Partner) } AS total,
       round(company_value, 2) AS company_value
ORDER BY total DESC, company_value DESC, id
