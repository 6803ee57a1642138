// name: lifecycle_funnel
// description: Customers and business accounts per relationship lifecycle stage, in stage order, with their value.
// question: How does our book of business move from exploration to commitment, and how much sits in dissolution?
WITH ['exploration', 'awareness', 'expansion', 'commitment', 'dissolution'] AS stages
UNWIND range(0, size(stages) - 1) AS position
WITH position, stages[position] AS stage
CALL (stage) {
  OPTIONAL MATCH (c:Customer {stage: stage})
  RETURN count(c) AS customers, sum(coalesce(c.lifetime_value, 0.0)) AS customer_value
}
CALL (stage) {
  OPTIONAL MATCH (a:Company {stage: stage})
  RETURN count(a) AS companies, sum(coalesce(a.annual_value, 0.0)) AS company_value
}
RETURN position + 1 AS step,
       stage,
       customers,
       round(customer_value, 2) AS customer_value,
       companies,
       round(company_value, 2) AS company_value
ORDER BY step
