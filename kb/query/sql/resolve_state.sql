-- The state a name means: an alpha-3 code (any case), the depositary's name, the short
-- name, an alias or its name in another of the site's languages (CLDR's, or a curated alias:
-- 북한, 대한민국), in any case.  Used by the CLI and the site alike.
-- :name  what the user typed, as kb.query's name_key writes it (Unicode NFC, case-folded,
--        spaces collapsed); what was typed as it is finds the same states as before
SELECT id AS state_id FROM states WHERE id = upper(:name)
UNION ALL
SELECT state_id FROM state_names WHERE name = :name COLLATE NOCASE
UNION ALL
SELECT state_id FROM state_names WHERE name_key = :name
LIMIT 1
