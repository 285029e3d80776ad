-- The latest actions, for the change feeds (/changes.atom, /changes.json, per country and per
-- instrument): newest first by the date the KB first recorded them (`recorded`: an imported
-- action's first_recorded, else its source's as-at date), then by the action's own date.
-- :state  alpha-3 code or '' for all;  :instrument  id or '' for all;  :limit  entries
SELECT a.key, a.state_id AS state, st.name AS state_name, a.instrument_id AS instrument,
       i.short_title AS instrument_title, a.type, a.date, a.effective_date, a.legal_effect, a.article,
       a.target_state_id AS target_state, ts.name AS target_state_name, a.recorded, a.first_recorded, a.origin,
       src.url AS source_url, src.title AS source_title, src.as_at AS source_as_at, src.symbol AS source_symbol
FROM actions a
JOIN states st ON st.id = a.state_id
JOIN instruments i ON i.id = a.instrument_id
LEFT JOIN states ts ON ts.id = a.target_state_id
LEFT JOIN sources src ON src.id = a.source_id
WHERE (:state = '' OR a.state_id = :state) AND (:instrument = '' OR a.instrument_id = :instrument)
ORDER BY a.recorded DESC, a.date_on DESC, i.sort_order, a.state_id, a.key
LIMIT :limit
