// name: lifecycle_funnel
// description: Customers and business accounts per relationship lifecycle stage, with their value, optionally split by a segment property. Rows with no count are left out (the funnel analysis fills them in with zeros).
// question: How does our book of business move from exploration to commitment, and how much sits in dissolution?
// param: segment string = null -- split by city, industry, size, income_band, profession, education or preferred_channel (empty: no split)
CALL () {
  MATCH (n:Customer)
  RETURN 'Customer' AS label, n.stage AS stage, n.lifetime_value AS value,
         CASE $segment
           WHEN 'city' THEN n.city WHEN 'income_band' THEN n.income_band WHEN 'profession' THEN n.profession
           WHEN 'education' THEN n.education WHEN 'preferred_channel' THEN n.preferred_channel
         END AS segment
  UNION ALL
  MATCH (n:Company)
  RETURN 'Company' AS label, n.stage AS stage, n.annual_value AS value,
         CASE $segment WHEN 'city' THEN n.city WHEN 'industry' THEN n.industry WHEN 'size' THEN n.size END AS segment
}
RETURN label,
       CASE WHEN $segment IS NULL THEN 'all' ELSE coalesce(toString(segment), '(none)') END AS segment,
       coalesce(stage, '(none)') AS stage,
       count(*) AS count,
       round(sum(coalesce(value, 0.0)), 2) AS value
ORDER BY label DESC, segment,
         coalesce([i IN range(0, 4) WHERE ['exploration', 'awareness', 'expansion', 'commitment', 'dissolution'][i] = stage][0], 5)
