-- A state's reservations, declarations, opt-outs and competence declarations made by a date, one row per
-- statement and provision it names (statement_status, kb/db/sql/views.sql), with whether each is in force
-- on the date by the rule of reservations.sql, without the objections (the article pages list them): what a
-- country page shows beside the words of each article (kb/web/pages/country.py).
-- tests/test_reservation_pages.py checks that these rows agree with those of reservations.sql.
-- :state   an alpha-3 code
-- :as_of   YYYY-MM-DD
SELECT s.instrument_id AS instrument,
       s.provision AS article,
       s.article AS article_number,
       s.article_as_given,
       s.scope,
       s.type AS kind,
       s.made_on,
       CASE WHEN s.withdrawn_on <= :as_of THEN s.withdrawn_on END AS withdrawn_on,
       CASE WHEN s.partly_withdrawn_on <= :as_of THEN s.partly_withdrawn_on END AS partly_withdrawn_on,
       CASE
           WHEN s.legal_effect = 'none' OR s.withdrawn_on <= :as_of THEN 0
           WHEN s.undetermined_from <= :as_of OR :as_of > i.status_as_at THEN NULL
           ELSE 1
       END AS in_force,
       s.legal_effect = 'none' AS no_effect,
       s.legal_effect != 'none' AND coalesce(s.withdrawn_on > :as_of, 1) AND s.undetermined_from <= :as_of AS undetermined,
       :as_of > i.status_as_at AS beyond_record,
       i.status_as_at AS known_to,
       a.text,
       a.summary,
       a.key,
       src.url AS source_url,
       src.title AS source_title,
       src.as_at AS source_as_at,
       src.symbol AS source_symbol
FROM statement_status s
JOIN actions a ON a.id = s.action_id
JOIN instruments i ON i.id = s.instrument_id
JOIN sources src ON src.id = a.source_id
LEFT JOIN treaty_provisions tp ON tp.instrument_id = s.instrument_id AND tp.provision = s.provision
WHERE s.state_id = :state AND s.type != 'objection' AND s.date_on <= :as_of
ORDER BY i.sort_order, s.instrument_id,
         CASE s.scope WHEN 'whole' THEN 0 WHEN 'preamble' THEN 1 WHEN 'provision' THEN 2 ELSE 3 END,
         tp.sort_order, s.provision, s.date_on, s.type, s.ref_id
