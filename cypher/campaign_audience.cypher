// name: campaign_audience
// description: Customers of one community (written back by `graphcrm analyze communities`) who consented to marketing.
// question: Whom may we contact in this community for a campaign, and on which channel?
// param: community string -- the community number written back by the analytics, e.g. 3
// param: channel string = null -- only customers who prefer this channel, e.g. email (default: any)
// param: include_personal boolean = false -- also return email and phone (only where your settings allow personal data)
// Communities are compared as text, so numbers and names written back both match.
MATCH (c:Customer)
WHERE c.community IS NOT NULL
  AND toString(c.community) = $community
  AND c.marketing_consent = true
  AND ($channel IS NULL OR c.preferred_channel = $channel)
RETURN c.id AS id,
       c.name AS name,
       c.stage AS stage,
       c.preferred_channel AS channel,
       c.influence AS influence,
       CASE WHEN $include_personal THEN c.email END AS email,
       CASE WHEN $include_personal THEN c.phone END AS phone
ORDER BY influence DESC, id
