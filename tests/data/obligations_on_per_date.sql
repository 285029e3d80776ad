-- The procedure rules of kb/query/sql/obligations_on.sql as they were evaluated on each request,
-- before acceptance was built once into the table procedure_intervals.  Kept only for
-- tests/test_obligations.py, which checks that the table gives the same answer on every date.
-- Every obligation of every instrument for one state on one date: the instrument itself,
-- its optional procedures, and the articles the state has reserved.  Used by
-- `kb obligations` and by the stored query "obligations_on": one text, one truth.
-- :state   alpha-3 code
-- :as_of   YYYY-MM-DD
WITH st AS (
    SELECT si.*, i.short_title, i.id AS abbr, i.regime, i.sort_order AS inst_order,
           cif.article AS in_force_article, cif.note AS in_force_note
    FROM status_intervals si JOIN instruments i ON i.id = si.instrument_id
    LEFT JOIN consent_in_force cif ON cif.action_id = si.consent_action_id
    WHERE si.state_id = :state
      AND (si.valid_from IS NULL OR si.valid_from <= :as_of)
      AND (si.valid_to IS NULL OR si.valid_to > :as_of)
),
acts AS (
    SELECT * FROM actions WHERE state_id = :state AND date_on <= :as_of AND legal_effect = 'effective'
),
instrument_rows AS (
    SELECT st.instrument_id AS instrument, NULL AS article, 'instrument' AS kind, NULL AS procedure_kind,
           st.status = 'party' AS accepted,
           -- since: the date the obligation binds (entry into force for the state, consent_in_force);
           -- the deposit is deposit_date.  NULL where the KB does not derive the date (in_force_note says why).
           CASE WHEN st.status = 'party' THEN st.in_force_date END AS since,
           CASE WHEN st.status = 'party' THEN st.consent_date END AS deposit_date,
           CASE st.status
               WHEN 'party' THEN 'party since ' || st.consent_date || ' (' || replace(st.consent_type, '_', ' ') || ')'
                   || CASE WHEN st.in_force_date IS NOT NULL
                           THEN '; in force for it ' || CASE WHEN st.in_force_date <= :as_of THEN 'since ' ELSE 'from ' END
                                || st.in_force_date || coalesce(' (article ' || st.in_force_article || ')', '')
                           ELSE '; date of entry into force for it not derived: ' || st.in_force_note END
               WHEN 'signatory' THEN 'signed on ' || st.signature_date || '; not a party to ' || st.abbr
               WHEN 'not_party' THEN 'not a party to ' || st.abbr
               WHEN 'withdrawn' THEN 'withdrew from ' || st.abbr || ' with effect from ' || st.withdrawal_date
               WHEN 'not_applicable' THEN 'not an ILO member: only members can ratify ILO conventions'
               ELSE 'no complete record of ' || st.abbr || ' for this state in the KB'
           END AS reason,
           st.source_id, st.inst_order, 0 AS kind_order, NULL AS proc_order
    FROM st
),
procedure_facts AS (
    SELECT p.*, st.status, st.consent_date, st.in_force_date, st.abbr, st.inst_order, st.source_id AS status_source_id,
           (SELECT max(a.date_on || '|' || a.id) FROM acts a
             WHERE a.instrument_id = p.instrument_id AND a.type = 'competence_declaration' AND a.article = p.article) AS decl_key,
           (SELECT max(a.date_on || '|' || a.id) FROM acts a
             WHERE a.instrument_id = p.instrument_id AND a.type = 'withdrawal_of_competence_declaration' AND a.article = p.article) AS decl_wd_key,
           (SELECT max(a.date_on || '|' || a.id) FROM acts a
             WHERE a.instrument_id = p.instrument_id AND a.type = 'opt_out'
               AND a.article IN (p.article, p.opt_out_article)) AS optout_key,
           -- A withdrawal concerning the procedure's article withdraws the opt-out, whatever the
           -- depositary called the opt-out when it was made.
           (SELECT max(a.date_on || '|' || a.id) FROM acts a
             WHERE a.instrument_id = p.instrument_id
               AND a.type IN ('withdrawal_of_opt_out', 'withdrawal_of_reservation', 'withdrawal_of_declaration')
               AND a.article IN (p.article, p.opt_out_article)) AS optout_wd_key
    FROM procedures p JOIN st ON st.instrument_id = p.instrument_id
),
procedure_state AS (
    SELECT f.*,
           substr(decl_key, 1, 10) AS decl_on,
           decl_wd_key IS NOT NULL AND decl_wd_key >= decl_key AS decl_withdrawn,
           substr(decl_wd_key, 1, 10) AS decl_wd_on,
           substr(optout_key, 1, 10) AS optout_on,
           optout_wd_key IS NOT NULL AND optout_wd_key >= optout_key AS optout_withdrawn,
           substr(optout_wd_key, 1, 10) AS optout_wd_on
    FROM procedure_facts f
),
procedure_rows AS (
    SELECT ps.instrument_id AS instrument, ps.article, 'procedure' AS kind, ps.kind AS procedure_kind,
           CASE
               WHEN ps.status != 'party' THEN 0
               WHEN ps.mode = 'protocol' THEN 1
               WHEN ps.mode = 'opt_in' THEN coalesce(ps.decl_key IS NOT NULL AND NOT ps.decl_withdrawn, 0)
               ELSE coalesce(ps.optout_key IS NULL OR ps.optout_withdrawn, 0)
           END AS accepted,
           -- since: the day the procedure binds: never before the instrument is in force for the state
           -- (NULL when that date is not derived).
           CASE
               WHEN ps.status != 'party' OR ps.in_force_date IS NULL THEN NULL
               WHEN ps.mode = 'protocol' THEN ps.in_force_date
               WHEN ps.mode = 'opt_in' THEN CASE WHEN ps.decl_key IS NOT NULL AND NOT ps.decl_withdrawn THEN max(ps.decl_on, ps.in_force_date) END
               WHEN ps.optout_key IS NULL THEN ps.in_force_date
               WHEN ps.optout_withdrawn THEN max(ps.optout_wd_on, ps.in_force_date)
           END AS since,
           CASE WHEN ps.status = 'party' THEN ps.consent_date END AS deposit_date,
           CASE
               WHEN ps.status = 'not_yet_adopted' THEN ps.title || ': ' || ps.abbr || ' not yet adopted'
               WHEN ps.status != 'party' THEN ps.title || ': not a party to ' || ps.abbr
               WHEN ps.mode = 'protocol' THEN ps.title || ': party since ' || ps.consent_date
               WHEN ps.mode = 'opt_in' AND ps.decl_key IS NULL THEN ps.title || ': no declaration under article ' || ps.article || ' recognising the competence of the committee'
               WHEN ps.mode = 'opt_in' AND ps.decl_withdrawn THEN ps.title || ': declaration under article ' || ps.article || ' withdrawn on ' || ps.decl_wd_on
               WHEN ps.mode = 'opt_in' THEN ps.title || ': declaration under article ' || ps.article || ' made on ' || ps.decl_on
               WHEN ps.optout_key IS NULL THEN ps.title || ': accepted as a party (no opt-out under article ' || ps.opt_out_article || ')'
               WHEN ps.optout_withdrawn THEN ps.title || ': opt-out under article ' || ps.opt_out_article || ' withdrawn on ' || ps.optout_wd_on
               ELSE ps.title || ': opted out under article ' || ps.opt_out_article || ' on ' || ps.optout_on
           END AS reason,
           coalesce(
               (SELECT a.source_id FROM actions a WHERE a.id = CAST(substr(
                   CASE WHEN ps.mode = 'opt_in' THEN coalesce(ps.decl_wd_key, ps.decl_key)
                        WHEN ps.mode = 'opt_out' THEN coalesce(ps.optout_wd_key, ps.optout_key) END, 12) AS INTEGER)),
               ps.status_source_id) AS source_id,
           ps.inst_order, 1 AS kind_order, ps.sort_order AS proc_order
    FROM procedure_state ps
),
reservation_facts AS (
    -- Reservations that are not procedure opt-outs, one row per instrument and article.
    SELECT a.instrument_id, a.article,
           max(CASE WHEN a.type = 'reservation' THEN a.date_on || '|' || a.id END) AS res_key,
           max(CASE WHEN a.type = 'withdrawal_of_reservation' THEN a.date_on || '|' || a.id END) AS wd_key,
           max(CASE WHEN a.type = 'partial_withdrawal_of_reservation' THEN a.date_on END) AS partial_on
    FROM acts a
    WHERE a.type IN ('reservation', 'withdrawal_of_reservation', 'partial_withdrawal_of_reservation')
      AND NOT EXISTS (SELECT 1 FROM procedures p WHERE p.instrument_id = a.instrument_id
                      AND a.article IN (p.article, p.opt_out_article))
    GROUP BY a.instrument_id, a.article
),
reservation_rows AS (
    SELECT r.instrument_id AS instrument, r.article, 'reservation' AS kind, NULL AS procedure_kind,
           coalesce(st.status = 'party' AND r.wd_key IS NOT NULL AND r.wd_key >= r.res_key, 0) AS accepted,
           CASE WHEN st.status = 'party' AND r.wd_key >= r.res_key THEN substr(r.wd_key, 1, 10) END AS since,
           CASE WHEN st.status = 'party' THEN st.consent_date END AS deposit_date,
           CASE
               WHEN r.res_key IS NULL THEN 'withdrawal of a reservation to article ' || coalesce(r.article, '(unspecified)') || ' on ' || substr(r.wd_key, 1, 10)
               WHEN r.wd_key IS NOT NULL AND r.wd_key >= r.res_key THEN
                   'reservation to ' || coalesce('article ' || r.article, 'the instrument') || ' withdrawn on ' || substr(r.wd_key, 1, 10)
               ELSE 'reservation to ' || coalesce('article ' || r.article, 'the instrument (general)') || ' in force since ' || substr(r.res_key, 1, 10)
                    || coalesce('; partly withdrawn on ' || r.partial_on, '')
           END AS reason,
           (SELECT a.source_id FROM actions a WHERE a.id = CAST(substr(coalesce(
               CASE WHEN r.wd_key >= r.res_key THEN r.wd_key END, r.res_key, r.wd_key), 12) AS INTEGER)) AS source_id,
           st.inst_order, 2 AS kind_order, NULL AS proc_order
    FROM reservation_facts r JOIN st ON st.instrument_id = r.instrument_id
),
rows AS (
    SELECT * FROM instrument_rows UNION ALL SELECT * FROM procedure_rows UNION ALL SELECT * FROM reservation_rows
)
SELECT :state AS state, rows.instrument, i.short_title AS instrument_title, rows.article, rows.kind,
       rows.procedure_kind, rows.accepted, rows.since, rows.reason, :as_of AS as_of,
       src.url AS source_url, src.title AS source_title, src.as_at AS source_as_at, src.symbol AS source_symbol,
       rows.deposit_date
FROM rows
JOIN instruments i ON i.id = rows.instrument
LEFT JOIN sources src ON src.id = rows.source_id
ORDER BY rows.inst_order, rows.kind_order, rows.proc_order, rows.article
