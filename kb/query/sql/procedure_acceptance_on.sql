-- Every state's acceptance of each optional procedure of one instrument on one date: the
-- 'procedure' rows that obligations_on.sql gives for each state, in one lookup (both read the
-- table procedure_intervals).  Used by the instrument pages.
-- :instrument  instrument id
-- :as_of       YYYY-MM-DD
SELECT pi.state_id AS state, s.name AS state_name, pi.instrument_id AS instrument, pi.procedure_id,
       pi.article, 'procedure' AS kind, pi.procedure_kind, pi.accepted, pi.since, pi.reason, :as_of AS as_of,
       pi.deposit_date,
       src.url AS source_url, src.title AS source_title, src.as_at AS source_as_at, src.symbol AS source_symbol
FROM procedure_intervals pi
JOIN states s ON s.id = pi.state_id
LEFT JOIN sources src ON src.id = pi.source_id
WHERE pi.instrument_id = :instrument
  AND (pi.valid_from IS NULL OR pi.valid_from <= :as_of)
  AND (pi.valid_to IS NULL OR pi.valid_to > :as_of)
ORDER BY pi.procedure_order, s.name
