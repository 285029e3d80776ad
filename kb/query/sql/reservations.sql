-- Reservations, declarations, opt-outs and competence declarations by article, on a date: one row
-- per statement and normalised reference (statement_articles, statement_status and
-- statement_objections in kb/db/sql/views.sql).  Used by `kb reservations`, kb.query.reservations
-- and the stored query "reservations": one text, one truth.
-- :as_of        YYYY-MM-DD; statements made after it are left out, withdrawals after it not counted
-- :states       comma-separated alpha-3 codes, or '' for all
-- :instrument   an instrument id, or '' for all
-- :article      a provision as a reservation cites it ('29(1)', '16'), or '' for all: it finds the
--               statements on that provision, on the article or paragraph it is part of, on its own
--               parts ('16' finds '16(1)(h)'), and on the instrument as a whole
-- Columns are a public contract: new ones are added at the end.
-- MATERIALIZED: the statements and their objections are derived once for the whole answer, not
-- once per row (statement_objections groups, which SQLite cannot push a row's filter into).
WITH s AS MATERIALIZED (
    SELECT * FROM statement_status
    WHERE type != 'objection' AND date_on <= :as_of
      AND (:states = '' OR instr(',' || :states || ',', ',' || state_id || ',') > 0)
      AND (:instrument = '' OR instrument_id = :instrument)
      AND (:article = ''
           OR scope = 'whole'
           OR (scope = 'provision' AND (provision = :article OR :article GLOB provision || '(*'
                                        OR provision GLOB :article || '(*')))
),
obj AS MATERIALIZED (
    SELECT o.ref_id,
           json_group_array(json_object('state', o.objecting_state_id, 'date', o.objected_on,
                                        'withdrawn_on', CASE WHEN o.withdrawn_on <= :as_of THEN o.withdrawn_on END,
                                        'article_as_given', o.article_as_given,
                                        'text', coalesce(o.text, o.summary), 'source_url', os.url,
                                        'opposes_entry_into_force', CASE o.opposes_entry_into_force WHEN 1 THEN json('true')
                                                                         WHEN 0 THEN json('false') END)) AS objections
    FROM (SELECT so.* FROM statement_objections so
          WHERE so.objected_date_on <= :as_of AND so.action_id IN (SELECT action_id FROM s)
          ORDER BY so.ref_id, so.objected_date_on, so.objecting_state_id) o
    JOIN sources os ON os.id = o.source_id
    GROUP BY o.ref_id
)
SELECT s.state_id AS state,
       st.name AS state_name,
       s.instrument_id AS instrument,
       s.provision AS article,
       s.article_as_given,
       s.scope,
       s.how AS reference,
       s.reference_note,
       s.type AS kind,
       s.made_on,
       CASE WHEN s.withdrawn_on <= :as_of THEN s.withdrawn_on END AS withdrawn_on,
       CASE WHEN s.partly_withdrawn_on <= :as_of THEN s.partly_withdrawn_on END AS partly_withdrawn_on,
       CASE
           WHEN s.legal_effect = 'none' THEN 0
           WHEN s.withdrawn_on <= :as_of THEN 0
           WHEN s.undetermined_from <= :as_of THEN NULL
           WHEN :as_of > i.status_as_at THEN NULL
           ELSE 1
       END AS in_force,
       CASE
           WHEN s.legal_effect = 'none' THEN 'recorded by the depositary without legal effect'
           WHEN s.withdrawn_on <= :as_of THEN 'withdrawn with effect from ' || s.withdrawn_on
           WHEN s.undetermined_from <= :as_of THEN 'made on ' || s.made_on || '; a withdrawal of ' || s.undetermined_from
                || ' names no article: the record does not say whether it undoes this statement'
           WHEN :as_of > i.status_as_at THEN 'made on ' || s.made_on || '; not withdrawn as recorded on ' || i.status_as_at
                || ': the record is not known after that date'
           ELSE 'in force since ' || s.made_on
                || CASE WHEN s.partly_withdrawn_on <= :as_of THEN '; the statement was partly withdrawn on ' || s.partly_withdrawn_on ELSE '' END
       END AS in_force_note,
       :as_of AS as_of,
       a.text,
       a.summary,
       coalesce(obj.objections, '[]') AS objections,
       src.url AS source_url,
       src.title AS source_title,
       src.as_at AS source_as_at,
       src.symbol AS source_symbol,
       src.kind AS source_kind,
       i.status_as_at AS known_to,
       :as_of > i.status_as_at AS beyond_record,
       a.key
FROM s
JOIN actions a ON a.id = s.action_id
JOIN states st ON st.id = s.state_id
JOIN instruments i ON i.id = s.instrument_id
JOIN sources src ON src.id = a.source_id
LEFT JOIN treaty_provisions tp ON tp.instrument_id = s.instrument_id AND tp.provision = s.provision
LEFT JOIN obj ON obj.ref_id = s.ref_id
ORDER BY i.sort_order, s.instrument_id,
         CASE s.scope WHEN 'whole' THEN 0 WHEN 'preamble' THEN 1 WHEN 'provision' THEN 2 ELSE 3 END,
         tp.sort_order, s.provision, s.state_id, s.date_on, s.type, s.ref_id
