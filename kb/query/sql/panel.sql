-- A country-year panel: the status of states on instruments on 31 December of each year.
-- One row per state × instrument × year; years before the instrument's adoption are left out.
-- Used by `kb panel`, kb.query.panel() and the stored query "panel": one text, one truth.
-- :from, :to    first and last year (YYYY)
-- :states       comma-separated alpha-3 codes, or '' for all
-- :instruments  comma-separated instrument ids, or '' for all
WITH RECURSIVE years(y) AS (
    SELECT CAST(:from AS INTEGER)
    UNION ALL
    SELECT y + 1 FROM years WHERE y < CAST(:to AS INTEGER)
),
wanted_states AS (
    SELECT id FROM states WHERE :states = '' OR instr(',' || :states || ',', ',' || id || ',') > 0
),
wanted_instruments AS (
    SELECT id, sort_order, status_as_at, CAST(substr(adopted, 1, 4) AS INTEGER) AS adopted_year
    FROM instruments WHERE :instruments = '' OR instr(',' || :instruments || ',', ',' || id || ',') > 0
),
cells AS (
    SELECT ws.id AS state, wi.id AS instrument, wi.sort_order, wi.status_as_at, y AS year,
           printf('%04d-12-31', y) AS day
    FROM wanted_states ws
    CROSS JOIN wanted_instruments wi
    JOIN years ON years.y >= wi.adopted_year
)
SELECT c.state, c.instrument, c.year, c.day AS as_of, si.status, si.consent_date,
       coalesce(si.covered_to, c.status_as_at) AS known_to,
       -- 1 when 31 December of the year is after known_to: the status is the last recorded
       -- (known_to: the instrument's status source, or for a status read from coverage by state, that source's date)
       c.day > coalesce(si.covered_to, c.status_as_at) AS beyond_record
FROM cells c
-- one indexed lookup per cell (status_intervals_pair: state, instrument, valid_from)
JOIN status_intervals si ON si.state_id = c.state AND si.instrument_id = c.instrument
 AND (si.valid_from IS NULL OR si.valid_from <= c.day)
 AND (si.valid_to IS NULL OR si.valid_to > c.day)
ORDER BY c.state, c.sort_order, c.year
