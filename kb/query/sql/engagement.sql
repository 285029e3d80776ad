-- A state's engagement with UN mechanisms, newest first: one row per recorded event with its source
-- and the source's kind.  Used by `kb engagement`, kb.query.engagement and the stored query "engagement".
-- :state  alpha-3 code
SELECT e.date, e.end_date, e.mechanism, e.instrument_id AS instrument, e.mandate, e.kind, e.symbol, e.report,
       e.summary, s.url AS source_url, s.kind AS source_kind, s.title AS source_title, s.as_at AS source_as_at,
       s.symbol AS source_symbol, i.monitoring_body AS treaty_body, e.quote, e.note, e.key
FROM engagement_events e
JOIN sources s ON s.id = e.source_id
LEFT JOIN instruments i ON i.id = e.instrument_id
WHERE e.state_id = :state
ORDER BY e.date_to DESC, e.date_from DESC, e.id DESC
