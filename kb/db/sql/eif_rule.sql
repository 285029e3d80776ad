-- The date an entry-into-force rule gives from a date of deposit D: one expression, used by
-- views.sql for each state's consent (the later rule) and for the self-check (the general
-- rule applied to the n-th instrument).  The build puts it in place of RULE_DATE(D, RULE, N).
-- Months are counted on the calendar, never by SQLite's date(D, '+N months') (which turns
-- 30 November + 3 months into 2 March): N months after D is the same day of the month N months
-- later.  When that month has no such day (30 November + 3 months), the texts do not say which
-- day is meant and the KB has read no statement of how the depositary counts: the expression
-- gives NULL, and views.sql records the case (basis open_month_end) instead of guessing.
CASE RULE
    WHEN 'on_deposit' THEN D
    WHEN 'days_after_deposit' THEN date(D, '+' || N || ' days')
    WHEN 'first_day_of_month_after_days' THEN date(D, '+' || N || ' days', 'start of month', '+1 month')
    WHEN 'first_day_of_month_after_months' THEN date(D, 'start of month', '+' || (N + 1) || ' months')
    WHEN 'months_after_deposit' THEN CASE
        WHEN CAST(substr(D, 9, 2) AS INTEGER) <= CAST(strftime('%d', date(D, 'start of month', '+' || (N + 1) || ' months', '-1 day')) AS INTEGER)
        THEN date(D, 'start of month', '+' || N || ' months', '+' || (CAST(substr(D, 9, 2) AS INTEGER) - 1) || ' days') END
    WHEN 'months_after_registration' THEN CASE
        WHEN CAST(substr(D, 9, 2) AS INTEGER) <= CAST(strftime('%d', date(D, 'start of month', '+' || (N + 1) || ' months', '-1 day')) AS INTEGER)
        THEN date(D, 'start of month', '+' || N || ' months', '+' || (CAST(substr(D, 9, 2) AS INTEGER) - 1) || ' days') END
END
