-- The words of the provisions a state's reservations, declarations, opt-outs and competence
-- declarations name (statement_articles), each with its paragraphs and sub-paragraphs, in the
-- treaty's order: what a country page shows beside each statement (kb/web/pages/country.py).
-- :state   an alpha-3 code
SELECT tp.instrument_id AS instrument, tp.provision, tp.article, tp.level, tp.title, tp.text, tp.text_after
FROM treaty_provisions tp
WHERE EXISTS (SELECT 1 FROM statement_articles sa
              WHERE sa.state_id = :state AND sa.instrument_id = tp.instrument_id AND sa.scope = 'provision'
                AND sa.type IN ('reservation', 'declaration', 'competence_declaration', 'opt_out')
                AND (tp.provision = sa.provision OR tp.provision GLOB sa.provision || '(*'))
ORDER BY tp.instrument_id, tp.sort_order
