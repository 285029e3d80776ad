-- Status of states on instruments on a date.  Used by `kb status` and by the
-- Datasette stored query "status_on": one text, one truth.
-- :as_of        YYYY-MM-DD
-- :states       comma-separated alpha-3 codes, or '' for all
-- :instruments  comma-separated instrument ids, or '' for all
WITH wanted_states AS (
    SELECT id FROM states WHERE :states = '' OR instr(',' || :states || ',', ',' || id || ',') > 0
),
wanted_instruments AS (
    SELECT id, sort_order FROM instruments WHERE :instruments = '' OR instr(',' || :instruments || ',', ',' || id || ',') > 0
)
SELECT si.state_id AS state,
       s.name AS state_name,
       si.instrument_id AS instrument,
       i.short_title AS instrument_title,
       :as_of AS as_of,
       si.status,
       si.signature_date,
       si.consent_date,
       si.consent_type,
       si.withdrawal_date,
       (SELECT group_concat(a.type || ' of ' || a.date || ' (no legal effect)', '; ')
          FROM actions a
         WHERE a.state_id = si.state_id AND a.instrument_id = si.instrument_id
           AND a.legal_effect = 'none' AND a.date_on <= :as_of) AS note,
       src.url AS source_url,
       src.title AS source_title,
       src.as_at AS source_as_at,
       src.symbol AS source_symbol,
       i.status_as_at AS known_to
FROM wanted_states ws
CROSS JOIN wanted_instruments wi
-- one indexed lookup per pair (status_intervals_pair: state, instrument, valid_from)
JOIN status_intervals si ON si.state_id = ws.id AND si.instrument_id = wi.id
JOIN states s ON s.id = si.state_id
JOIN instruments i ON i.id = si.instrument_id
LEFT JOIN sources src ON src.id = si.source_id
WHERE (si.valid_from IS NULL OR si.valid_from <= :as_of)
  AND (si.valid_to IS NULL OR si.valid_to > :as_of)
ORDER BY s.id, wi.sort_order
