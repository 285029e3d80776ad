-- The data's date: the latest as-at date of a status source that records status (an instrument
-- with a complete record for some state), else the latest of any status source.  The date
-- every question is asked on when none is given: `kb status`, `kb.query.*` with as_of=None and
-- the site.  Today's date is never the silent default.
SELECT coalesce(
    (SELECT max(i.status_as_at) FROM instruments i
      WHERE length(i.status_as_at) = 10
        AND EXISTS (SELECT 1 FROM coverage c WHERE c.instrument_id = i.id)),
    (SELECT max(status_as_at) FROM instruments WHERE length(status_as_at) = 10)) AS data_date
