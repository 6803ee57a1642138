// name: delete_run
// description: Delete one replaced AnalyticsRun node (after drop_run removed its findings).
// param: element string -- the run's element id
MATCH (r:AnalyticsRun)
WHERE elementId(r) = $element
DETACH DELETE r
