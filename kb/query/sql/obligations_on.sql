-- Every obligation of every instrument for one state on one date: the instrument itself,
-- its optional procedures, and the articles the state has reserved.  Used by
-- `kb obligations` and by the stored query "obligations_on": one text, one truth.
-- :state   alpha-3 code
-- :as_of   YYYY-MM-DD
WITH st AS (
    SELECT si.*, i.short_title, i.id AS abbr, i.regime, i.sort_order AS inst_order, i.adopted,
           coalesce(si.covered_to, i.status_as_at) AS known_to,
           -- past known_to, and the status not decided by a later event: "as recorded on known_to"
           (:as_of > coalesce(si.covered_to, i.status_as_at)
            AND (si.valid_from IS NULL OR si.valid_from <= coalesce(si.covered_to, i.status_as_at))) AS as_recorded,
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
               WHEN 'not_yet_adopted' THEN 'not yet adopted: ' || st.abbr || ' was adopted on ' || st.adopted
               ELSE 'no complete record of ' || st.abbr || ' for this state in the KB'
           END || CASE WHEN st.as_recorded THEN ', as recorded on ' || st.known_to ELSE '' END AS reason,
           st.source_id, st.inst_order, 0 AS kind_order, NULL AS proc_order
    FROM st
),
procedure_rows AS (
    -- Acceptance of each optional procedure: the table procedure_intervals, which the build
    -- fills from the view procedure_intervals_view (kb/db/sql/views.sql), one lookup per procedure.
    SELECT pi.instrument_id AS instrument, pi.article, 'procedure' AS kind, pi.procedure_kind,
           pi.accepted, pi.since, pi.deposit_date, pi.reason, pi.source_id,
           st.inst_order, 1 AS kind_order, pi.procedure_order AS proc_order
    FROM st JOIN procedure_intervals pi ON pi.state_id = st.state_id AND pi.instrument_id = st.instrument_id
    WHERE (pi.valid_from IS NULL OR pi.valid_from <= :as_of)
      AND (pi.valid_to IS NULL OR pi.valid_to > :as_of)
),
excluding AS (
    -- Declarations that act as reservations: the depositary heads them "Declaration", but their words
    -- exclude the article's legal effect for the state ("does not consider itself bound by paragraph 1
    -- of article 29"). They count as reservations for the obligation; their kind stays the heading.
    SELECT a.id, a.instrument_id, a.article FROM acts a
    WHERE a.type = 'declaration' AND a.article IS NOT NULL
      AND (lower(a.text) LIKE '%not consider itself bound%' OR lower(a.text) LIKE '%not consider themselves bound%'
           OR lower(a.text) LIKE '%not be bound by%' OR lower(a.text) LIKE '%not bound by%')
),
reservation_facts AS (
    -- Reservations that are not procedure opt-outs (and declarations that act as reservations), one
    -- row per instrument and article.
    SELECT a.instrument_id, a.article,
           max(CASE WHEN a.type = 'reservation' OR a.id IN (SELECT id FROM excluding) THEN a.date_on || '|' || a.id END) AS res_key,
           max(CASE WHEN a.type = 'withdrawal_of_reservation'
                      OR (a.type = 'withdrawal_of_declaration' AND EXISTS (SELECT 1 FROM excluding x
                          WHERE x.instrument_id = a.instrument_id AND x.article = a.article))
                    THEN a.date_on || '|' || a.id END) AS wd_key,
           max(CASE WHEN a.type = 'partial_withdrawal_of_reservation' THEN a.date_on END) AS partial_on,
           max(CASE WHEN a.id IN (SELECT id FROM excluding) THEN a.date_on || '|' || a.id END) AS decl_key
    FROM acts a
    WHERE (a.type IN ('reservation', 'withdrawal_of_reservation', 'partial_withdrawal_of_reservation')
           OR (a.type IN ('declaration', 'withdrawal_of_declaration')
               AND EXISTS (SELECT 1 FROM excluding x WHERE x.instrument_id = a.instrument_id AND x.article = a.article)))
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
               ELSE CASE WHEN r.decl_key = r.res_key THEN 'declaration acting as a reservation (it excludes the article''s effect) to '
                         ELSE 'reservation to ' END
                    || coalesce('article ' || r.article, 'the instrument (general)') || ' in force since ' || substr(r.res_key, 1, 10)
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
       rows.deposit_date,
       -- 1 when :as_of is after the instrument's known_to (the status source's as-at date; for a status
       -- read from coverage by state, that source's date)
       :as_of > coalesce((SELECT st.known_to FROM st WHERE st.instrument_id = rows.instrument), i.status_as_at) AS beyond_record
FROM rows
JOIN instruments i ON i.id = rows.instrument
LEFT JOIN sources src ON src.id = rows.source_id
ORDER BY rows.inst_order, rows.kind_order, rows.proc_order, rows.article
