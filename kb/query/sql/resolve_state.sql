-- The state a name means: an alpha-3 code (any case), the depositary's name, the short
-- name or an alias (case-insensitive).  Used by the CLI and the site alike.
-- :name  what the user typed
SELECT id AS state_id FROM states WHERE id = upper(:name)
UNION ALL
SELECT state_id FROM state_names WHERE name = :name COLLATE NOCASE
LIMIT 1
