// name: account_timeline
// description: The touch points with one customer, account or partner, newest first: when, how, by whom and how it went.
// question: What happened in this relationship lately, before I call them?
// param: id string -- the customer's, company's or partner's id
// param: limit integer = 50 -- how many touch points
MATCH (a:Customer|Company|Partner {id: $id})<-[i:INTERACTED]-(e:Employee)
RETURN i.at AS at,
       i.channel AS channel,
       e.id AS employee_id,
       e.name AS employee,
       i.sentiment AS sentiment,
       i.note AS note,
       i.id AS interaction
ORDER BY at DESC, interaction
LIMIT $limit
