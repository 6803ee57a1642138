// name: begin_run
// description: Create an incomplete AnalyticsRun; readers ignore it until finish_run marks it complete.
// param: id string -- a fresh run id
// param: analysis string -- analysis name
// param: params string -- the parameters it runs with, as text
// param: started_by string -- who started it
// param: started_at string -- ISO 8601 date-time
CREATE (:AnalyticsRun {{id: $id, analysis: $analysis, params: $params, started_by: $started_by,
                        started_at: datetime($started_at), complete: false}})
