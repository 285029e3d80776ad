-- The articles of an instrument's text, each with the number of states whose reservation, declaration,
-- opt-out or competence declaration on it (or on a paragraph or sub-paragraph of it) is in force on a
-- date, and the number whose statement the record cannot say is in force; then one row (article NULL)
-- for the statements on the instrument as a whole, which concern every article.  The rule of "in force"
-- is that of reservations.sql (statement_status, kb/db/sql/views.sql): made by the date, with legal
-- effect, not withdrawn by it; not known (NULL there) once a withdrawal naming no article is dated by
-- it, or when the date is past the instrument's record.  tests/test_reservation_pages.py checks that
-- these counts are those of the rows of reservations.sql for every instrument.
-- :instrument   an instrument id
-- :as_of        YYYY-MM-DD
WITH s AS (
    SELECT st.state_id, st.scope, st.article,
           CASE
               WHEN st.legal_effect = 'none' OR st.withdrawn_on <= :as_of THEN 0
               WHEN st.undetermined_from <= :as_of OR :as_of > i.status_as_at THEN NULL
               ELSE 1
           END AS in_force
    FROM statement_status st JOIN instruments i ON i.id = st.instrument_id
    WHERE st.instrument_id = :instrument AND st.type != 'objection' AND st.date_on <= :as_of
)
SELECT tp.provision AS article,
       tp.title,
       tp.sort_order,
       count(DISTINCT CASE WHEN s.in_force = 1 THEN s.state_id END) AS states_in_force,
       count(DISTINCT CASE WHEN s.in_force IS NULL AND s.state_id IS NOT NULL THEN s.state_id END) AS states_not_known,
       count(DISTINCT s.state_id) AS states_made
FROM treaty_provisions tp
LEFT JOIN s ON s.scope = 'provision' AND s.article = tp.provision
WHERE tp.instrument_id = :instrument AND tp.level = 0
GROUP BY tp.provision
UNION ALL
SELECT NULL, NULL, -1,
       count(DISTINCT CASE WHEN s.in_force = 1 THEN s.state_id END),
       count(DISTINCT CASE WHEN s.in_force IS NULL THEN s.state_id END),
       count(DISTINCT s.state_id)
FROM s WHERE s.scope = 'whole'
ORDER BY sort_order
