-- The treaties' words matching a full-text query (treaty_provisions_fts, kb/db/sql/fts.sql), best first:
-- each provision with its instrument, its article (for a link to the article's page) and a snippet with
-- the matches between char(2) and char(3).  Used by the search page (kb/web/pages/search.py).
-- :m       an FTS5 query (search.fts_query: every word quoted)
-- :limit   at most this many rows
SELECT tp.instrument_id AS instrument, i.short_title AS instrument_title, tp.article, tp.provision, tp.level,
       snippet(treaty_provisions_fts, -1, char(2), char(3), '…', 24) AS snip,
       (SELECT count(*) FROM treaty_provisions_fts WHERE treaty_provisions_fts MATCH :m) AS total
FROM treaty_provisions_fts
JOIN treaty_provisions tp ON tp.id = treaty_provisions_fts.rowid
JOIN instruments i ON i.id = tp.instrument_id
WHERE treaty_provisions_fts MATCH :m
ORDER BY rank, i.sort_order, tp.sort_order
LIMIT :limit
