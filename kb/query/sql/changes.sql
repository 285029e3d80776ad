-- What changed for a state between two dates (both inclusive):
-- status transitions derived from status_intervals, and the actions dated in the period.
-- Used by `kb changes` and by the stored query "changes": one text, one truth.  `detail` is the
-- full text: only the command's table cuts it.
-- :state  alpha-3 code;  :since, :until  YYYY-MM-DD
WITH transitions AS (
    SELECT si.instrument_id, si.valid_from AS date, si.status AS to_status,
           lag(si.status) OVER (PARTITION BY si.instrument_id ORDER BY si.valid_from) AS from_status,
           si.source_id
    FROM status_intervals si
    WHERE si.state_id = :state
)
SELECT date, instrument_id AS instrument, 'status' AS change, from_status, to_status, NULL AS article,
       from_status || ' → ' || to_status AS detail, src.url AS source_url, src.as_at AS source_as_at
FROM transitions t LEFT JOIN sources src ON src.id = t.source_id
WHERE t.date >= :since AND t.date <= :until AND t.from_status IS NOT t.to_status
UNION ALL
SELECT a.date, a.instrument_id, a.type, NULL, NULL, a.article,
       coalesce(a.summary, a.text, a.footnote_text, a.type) || CASE WHEN a.legal_effect = 'none' THEN ' (no legal effect)' ELSE '' END,
       src.url, src.as_at
FROM actions a LEFT JOIN sources src ON src.id = a.source_id
WHERE a.state_id = :state AND a.date_on >= :since AND a.date_on <= :until
ORDER BY 1, 2, 3
