// name: referral_channels
// description: Referrals per channel (word of mouth, app, event, partner offer ...), how many converted and the conversion rate.
// question: Which referral channel deserves next quarter's budget?
MATCH ()-[r:REFERRED]->()
WITH coalesce(r.channel, 'unknown') AS channel,
     count(r) AS referrals,
     sum(CASE WHEN r.converted THEN 1 ELSE 0 END) AS converted
RETURN channel,
       referrals,
       converted,
       round(toFloat(converted) / referrals, 3) AS conversion_rate
ORDER BY referrals DESC, channel
