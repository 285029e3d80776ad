-- What a state was asked to accept, by whom, its response, and whether it did (derived by the
-- view ask_status), with the engagement targets, the evidence against an open engagement ask and the
-- reason an ask is not tracked.  Used by `kb asks` and the stored query "asks": one text, one truth.
-- :state  alpha-3 code
SELECT s.date, s.document_id AS document, s.symbol, s.by, s.ref, s.text, s.action,
       s.targets AS instruments, s.response,
       s.fulfilment = 'fulfilled' AS fulfilled, s.fulfilled_date, s.fulfilment, s.done,
       s.days_to_fulfil, s.document_url,
       s.engagement_targets AS engagement, s.evidence, s.not_tracked_reason, s.done_events,
       s.document_incomplete
FROM ask_status s
WHERE s.state_id = :state
ORDER BY s.date, s.document_id, s.ask_id
