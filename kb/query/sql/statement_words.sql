-- The words of the provisions a state's reservations, declarations, opt-outs and competence
-- declarations name (statement_articles), each with its paragraphs and sub-paragraphs, in the
-- treaty's order: what a country page shows beside each statement (kb/web/pages/country.py).
-- :state   an alpha-3 code
SELECT DISTINCT tp.instrument_id AS instrument, tp.provision, tp.article, tp.level, tp.title, tp.text, tp.text_after,
       tp.sort_order
FROM statement_articles sa
JOIN treaty_provisions tp ON tp.instrument_id = sa.instrument_id AND tp.article = sa.article
                         AND (tp.provision = sa.provision OR tp.provision GLOB sa.provision || '(*')
WHERE sa.state_id = :state AND sa.scope = 'provision'
  AND sa.type IN ('reservation', 'declaration', 'competence_declaration', 'opt_out')
ORDER BY tp.instrument_id, tp.sort_order
