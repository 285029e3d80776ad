-- Full-text search (SQLite FTS5), run by the build after the tables are filled.
-- Used by the /search page (kb/web/pages/search.py) and by Datasette's ?_search= on actions
-- (metadata: "fts_table": "actions_fts", "fts_pk": "id").
-- actions_fts is an external-content index over actions (rowid = actions.id, an
-- INTEGER PRIMARY KEY, so stable); instruments_fts stores its own copy of the
-- titles, keyed by the text id (instruments has no integer key).
CREATE VIRTUAL TABLE actions_fts USING fts5(
    text, summary, footnote_text,
    content='actions', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
INSERT INTO actions_fts(actions_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE instruments_fts USING fts5(
    id UNINDEXED, title, short_title, tokenize='unicode61 remove_diacritics 2');
INSERT INTO instruments_fts (id, title, short_title) SELECT id, title, short_title FROM instruments;

-- treaty_provisions_fts: the treaties' texts, an external-content index over treaty_provisions
-- (rowid = treaty_provisions.id). Used by Datasette's ?_search= on treaty_provisions.
CREATE VIRTUAL TABLE treaty_provisions_fts USING fts5(
    title, text, text_after,
    content='treaty_provisions', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
INSERT INTO treaty_provisions_fts(treaty_provisions_fts) VALUES ('rebuild');
