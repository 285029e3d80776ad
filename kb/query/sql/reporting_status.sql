-- Reporting status on a date, for each treaty with a UN treaty body that the state is a party to on
-- that date: the last report received, the last review and the last concluding observations recorded
-- by then, the next report a source states as due, and whether a report is overdue.
-- overdue: 'overdue' only where a source states a due date that has passed with no submission
-- recorded; 'not_yet_due' where a stated due date is still ahead; 'unknown' otherwise (no source
-- states a report due after the last one, or the date is known only to the year or month).  Never
-- 'overdue' from silence.  Used by `kb reporting`, kb.query.reporting_status, the country page and
-- the stored query "reporting_status".
-- :state  alpha-3 code    :as_of  YYYY-MM-DD
WITH treaties AS (
    SELECT i.id AS instrument_id, i.short_title, i.monitoring_body, i.sort_order, si.consent_date
    FROM status_intervals si JOIN instruments i ON i.id = si.instrument_id
    WHERE si.state_id = :state AND si.status = 'party' AND i.regime = 'UN' AND i.monitoring_body IS NOT NULL
      AND (si.valid_from IS NULL OR si.valid_from <= :as_of) AND (si.valid_to IS NULL OR si.valid_to > :as_of)
),
known AS (  -- events certainly over by the date
    SELECT e.*, s.url AS source_url FROM engagement_events e JOIN sources s ON s.id = e.source_id
    WHERE e.state_id = :state AND e.mechanism = 'treaty_body' AND e.date_to <= :as_of
),
deadlines AS (
    SELECT d.*, s.url AS source_url,
           CASE WHEN d.submitted_to IS NOT NULL AND d.submitted_to <= :as_of THEN 'submitted'
                WHEN d.submitted_from IS NOT NULL AND d.submitted_from <= :as_of THEN 'unknown'
                WHEN d.due_to < :as_of THEN 'overdue'
                WHEN d.due_from > :as_of THEN 'not_yet_due'
                ELSE 'unknown' END AS state_on
    FROM reporting_deadlines d JOIN sources s ON s.id = d.source_id
    WHERE d.state_id = :state
),
pending AS (  -- the first deadline not known to be met, per treaty
    SELECT * FROM (
        SELECT d.*, row_number() OVER (PARTITION BY d.instrument_id ORDER BY d.due_from, d.event_id) AS n
        FROM deadlines d WHERE d.state_on != 'submitted')
    WHERE n = 1
)
SELECT t.instrument_id AS instrument, t.short_title AS instrument_title, t.monitoring_body AS treaty_body,
       :as_of AS as_of, t.consent_date AS party_since,
       r.date AS last_report_date, r.report AS last_report, r.symbol AS last_report_symbol, r.source_url AS last_report_source_url,
       v.date AS last_review_date, v.report AS last_review_report, v.symbol AS last_review_symbol, v.source_url AS last_review_source_url,
       c.date AS last_co_date, c.symbol AS last_co_symbol, c.source_url AS last_co_source_url,
       p.due AS next_due, p.report AS next_due_report, p.source_url AS next_due_source_url,
       coalesce(CASE p.state_on WHEN 'overdue' THEN 'overdue' WHEN 'not_yet_due' THEN 'not_yet_due' END, 'unknown') AS overdue,
       CASE p.state_on
           WHEN 'overdue' THEN 'The ' || p.report || ' was due in ' || p.due || ' (' || coalesce(p.symbol, 'source') || '); no submission recorded by ' || :as_of || '.'
           WHEN 'not_yet_due' THEN 'The ' || p.report || ' is due in ' || p.due || '.'
           WHEN 'unknown' THEN CASE WHEN p.submitted_from IS NOT NULL AND p.submitted_from <= :as_of
                                    THEN 'The ' || p.report || ' was received in ' || p.submitted || ': whether that was by ' || :as_of || ' is not known.'
                                    ELSE 'The ' || p.report || ' was due in ' || p.due || ': the source gives no day, so on ' || :as_of || ' it cannot be said whether it was overdue.' END
           ELSE 'No source read states a report due after the last one recorded: whether a report is overdue is unknown.'
       END AS overdue_reason
FROM treaties t
LEFT JOIN known r ON r.id = (SELECT k.id FROM known k WHERE k.instrument_id = t.instrument_id AND k.kind = 'report_submitted' ORDER BY k.date_to DESC, k.id DESC LIMIT 1)
LEFT JOIN known v ON v.id = (SELECT k.id FROM known k WHERE k.instrument_id = t.instrument_id AND k.kind = 'review_held' ORDER BY k.date_to DESC, k.id DESC LIMIT 1)
LEFT JOIN known c ON c.id = (SELECT k.id FROM known k WHERE k.instrument_id = t.instrument_id AND k.kind = 'concluding_observations' ORDER BY k.date_to DESC, k.id DESC LIMIT 1)
LEFT JOIN pending p ON p.instrument_id = t.instrument_id
ORDER BY t.sort_order
