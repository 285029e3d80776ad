-- The instruments and their ids, in the KB's order.  Used by `kb instruments`.
SELECT id, short_title, regime, kind, parent_id AS parent, adopted, entry_into_force, mtdsg,
       status_as_at AS known_to
FROM instruments
ORDER BY sort_order
