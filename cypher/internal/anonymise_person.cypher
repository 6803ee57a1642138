// name: anonymise_person
// description: Erase a person's personal properties but keep the node and its relationships (forget --keep-structure); their touch points lose their personal properties too.
// param: id string -- the person's id
// param: cleared list -- (a map) each of the node's personal keys to null (setting null removes a property)
// param: touch_cleared list -- (a map) each of the touch points' personal keys to null
// param: placeholder string -- the name the anonymised node gets (every node has a name)
MATCH (n:{label} {{id: $id}})
SET n += $cleared, n.name = $placeholder
WITH n
OPTIONAL MATCH (n)-[r:INTERACTED]-()
SET r += $touch_cleared
RETURN count(r) AS touches
