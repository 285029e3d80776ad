-- Status of states on instruments on a date.  Used by `kb status` and by the
-- Datasette stored query "status_on": one text, one truth.
-- :as_of        YYYY-MM-DD
-- :states       comma-separated alpha-3 codes, or '' for all
-- :instruments  comma-separated instrument ids, or '' for all
-- Columns are a public contract: new ones are added at the end.
WITH wanted_states AS (
    SELECT id FROM states WHERE :states = '' OR instr(',' || :states || ',', ',' || id || ',') > 0
),
-- MATERIALIZED: read the instruments once. Otherwise SQLite scans them (and tests the filter)
-- again for every state: for one instrument, a third of the query's time.
wanted_instruments AS MATERIALIZED (
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
       coalesce(si.covered_to, i.status_as_at) AS known_to,
       -- Entry into force for the state (consent_in_force): the date it binds, and whether it
       -- does on :as_of.  in_force is 1 when bound on :as_of (by this consent, or by an earlier
       -- one that still binds, e.g. before a denunciation takes effect and a re-accession does),
       -- 0 when not a party or not yet bound, NULL when unknown.
       si.in_force_date,
       -- Past known_to (beyond_record) the KB cannot say whether it binds: NULL, unless the
       -- interval in effect began after known_to (a later event, recorded singly, decides it).
       CASE
           WHEN si.status = 'unknown' THEN NULL
           WHEN :as_of > coalesce(si.covered_to, i.status_as_at)
                AND (si.valid_from IS NULL OR si.valid_from <= coalesce(si.covered_to, i.status_as_at)) THEN NULL
           WHEN si.status != 'party' THEN 0
           WHEN si.in_force_date IS NOT NULL AND si.in_force_date <= :as_of THEN 1
           WHEN EXISTS (SELECT 1 FROM consent_in_force p
                         WHERE p.state_id = si.state_id AND p.instrument_id = si.instrument_id
                           AND p.action_id != si.consent_action_id AND p.consent_date <= si.consent_date
                           AND p.in_force_date <= :as_of AND p.bound_until > :as_of) THEN 1
           WHEN si.in_force_date IS NULL THEN NULL
           ELSE 0
       END AS in_force,
       CASE WHEN si.status IN ('party', 'withdrawn') THEN cif.article END AS in_force_article,
       CASE WHEN si.status IN ('party', 'withdrawn') THEN cif.note END AS in_force_note,
       -- 1 when the date asked about is after known_to: the status is the last recorded, "as recorded on known_to".
       -- known_to: the instrument's status source, or for a status read from coverage by state, that source's date.
       :as_of > coalesce(si.covered_to, i.status_as_at) AS beyond_record,
       src.kind AS source_kind
FROM wanted_states ws
CROSS JOIN wanted_instruments wi
-- one indexed lookup per pair (status_intervals_pair: state, instrument, valid_from)
JOIN status_intervals si ON si.state_id = ws.id AND si.instrument_id = wi.id
JOIN states s ON s.id = si.state_id
JOIN instruments i ON i.id = si.instrument_id
LEFT JOIN sources src ON src.id = si.source_id
LEFT JOIN consent_in_force cif ON cif.action_id = si.consent_action_id
WHERE (si.valid_from IS NULL OR si.valid_from <= :as_of)
  AND (si.valid_to IS NULL OR si.valid_to > :as_of)
ORDER BY s.id, wi.sort_order
