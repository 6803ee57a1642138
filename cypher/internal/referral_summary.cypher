// name: referral_summary
// description: Referrals made, how many converted, and how many distinct customers referred (for conversion rate and k-factor on the overview).
MATCH (source)-[r:REFERRED]->()
RETURN count(r) AS referrals,
       count(CASE WHEN r.converted THEN 1 END) AS converted,
       count(DISTINCT CASE WHEN source:Customer THEN source END) AS referring_customers,
       count(CASE WHEN source:Customer THEN 1 END) AS customer_referrals
