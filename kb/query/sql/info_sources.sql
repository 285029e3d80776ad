-- The status sources of the instruments and their as-at dates, for `kb info` (one row per
-- instrument, in the KB's order).
SELECT i.id AS instrument, i.status_as_at AS as_at, s.title AS source_title, s.url AS source_url
FROM instruments i JOIN sources s ON s.id = i.status_source_id
ORDER BY i.sort_order
