-- Status is derived here, never typed.  {consents} and {exits} are filled in from
-- kb/schema.py (CONSENT_TYPES, EXIT_TYPES) when the database is built.
--
-- Rules (docs/DATA_MODEL.md, "How status is derived"):
-- * Every action takes effect on `effective_on` (its effective_date, else its date).
-- * Actions with legal_effect = 'none' change nothing.
-- * A state is a party on day D when it has a consent in effect by D that was not undone:
--   its latest consent is dated on or after the notification of the latest exit
--   (denunciation, withdrawal) that has taken effect by D.  A consent notified on the
--   same day as an exit counts as after it (denounce and re-accede with a reservation).
-- * withdrawn: it was a party and an exit has taken effect since.
-- * signatory: it signed and is neither party nor withdrawn.
-- * not_applicable: an ILO instrument and the state is not an ILO member on D.
-- * not_yet_adopted: before the instrument's adoption date (an interval ending on or before it).
-- * unknown: the KB holds no complete record of this state for this instrument (coverage),
--   except that an ILO ratification recorded singly makes the pair party from its date.
-- * On an ILO instrument, coverage by state (state_coverage): from the day a source states the
--   state's whole set, a listed instrument with no recorded ratification is not_party (its source
--   that statement, known to the source's as-at date: covered_to); before that day, unknown.
-- * not_party: otherwise.

-- A denunciation recorded without its effective date takes effect when the instrument
-- says: the notification date plus the instrument's denunciation_months.
UPDATE actions
SET effective_on = (SELECT date(actions.date_on, '+' || i.denunciation_months || ' months')
                    FROM instruments i WHERE i.id = actions.instrument_id)
WHERE effective_date IS NULL AND type IN ({exits}) AND legal_effect = 'effective'
  AND (SELECT denunciation_months FROM instruments i WHERE i.id = actions.instrument_id) IS NOT NULL;

CREATE VIEW consent_in_force_view AS
-- Entry into force for each state (docs/DATA_MODEL.md, "Entry into force for each state"):
-- for every consent, the date the instrument binds the state by it.
-- * in_force_date = the later of the instrument's own entry_into_force and the date the
--   clause's later rule gives from the state's own deposit (RULE_DATE, kb/db/sql/eif_rule.sql).
--   A consent deposited early (before the last instrument needed) is bound from the
--   instrument's own entry into force (basis general).
-- * Where the later rule speaks only of consents "after its entry into force" (scope
--   after_entry_into_force), a consent deposited before that date whose own delay would end
--   after it is covered by neither paragraph in terms: NULL, basis open_before_entry_into_force.
-- * A months rule landing on a day the month does not have (30 November + 3 months): NULL,
--   basis open_month_end (kb/db/sql/eif_rule.sql says why).
-- * Successions take effect from the date of succession, not the date on the grid: NULL.
-- * Partial consent dates, instruments without a clause or without a full entry_into_force: NULL.
-- * A re-accession after a denunciation is a consent of its own, counted from its own deposit.
-- * bound_until: the effective day of the first exit notified after the consent.
WITH consents AS (
    SELECT a.id AS action_id, a.state_id, a.instrument_id, a.type AS consent_type, a.date AS consent_date,
           i.entry_into_force AS eif, c.instrument_id IS NOT NULL AS has_clause,
           c.general_paragraph, c.later_paragraph, c.later_applies_to, c.later_rule, c.later_n,
           (SELECT min(x.effective_on) FROM actions x
             WHERE x.state_id = a.state_id AND x.instrument_id = a.instrument_id AND x.type IN ({exits})
               AND x.legal_effect = 'effective' AND x.date_on > a.date_on) AS bound_until
    FROM actions a
    JOIN instruments i ON i.id = a.instrument_id
    LEFT JOIN entry_into_force_clauses c ON c.instrument_id = a.instrument_id
    WHERE a.type IN ({consents}) AND a.legal_effect = 'effective'
),
dated AS (
    SELECT k.*,
           CASE WHEN length(k.consent_date) = 10 AND k.has_clause
                THEN RULE_DATE(k.consent_date, k.later_rule, k.later_n) END AS later_date,
           CASE WHEN length(k.consent_date) = 10 AND k.has_clause
                THEN date(k.consent_date, 'start of month', '+' || (k.later_n + 1) || ' months', '-1 day') END AS month_end
    FROM consents k
),
decided AS (
    SELECT d.*,
           CASE
               WHEN length(d.consent_date) != 10 THEN 'partial_date'
               WHEN d.consent_type = 'succession' THEN 'succession'
               WHEN NOT d.has_clause THEN 'no_clause'
               WHEN d.eif IS NULL OR length(d.eif) != 10 THEN 'no_entry_into_force'
               -- a months rule landing on a day the month lacks: decided only when either reading
               -- (the last day of that month, or the first of the next) is on or before the general date
               WHEN d.later_date IS NULL AND date(d.month_end, '+1 day') <= d.eif THEN 'general'
               WHEN d.later_date IS NULL THEN 'open_month_end'
               WHEN d.later_applies_to = 'after_entry_into_force' AND d.consent_date < d.eif AND d.later_date > d.eif
                   THEN 'open_before_entry_into_force'
               WHEN d.later_date <= d.eif THEN 'general'
               ELSE 'later'
           END AS basis
    FROM dated d
)
SELECT action_id, state_id, instrument_id, consent_type, consent_date,
       CASE basis WHEN 'general' THEN eif WHEN 'later' THEN later_date END AS in_force_date,
       basis,
       CASE basis WHEN 'general' THEN general_paragraph WHEN 'later' THEN later_paragraph
                  WHEN 'open_before_entry_into_force' THEN later_paragraph WHEN 'open_month_end' THEN later_paragraph END AS article,
       CASE basis
           WHEN 'general' THEN 'deposited ' || consent_date || ', before the instrument''s own entry into force on '
                               || eif || ' (article ' || general_paragraph || ')'
           WHEN 'later' THEN CASE later_rule
                                 WHEN 'on_deposit' THEN 'on the date of deposit, '
                                 WHEN 'days_after_deposit' THEN later_n || ' days after the deposit of '
                                 WHEN 'months_after_deposit' THEN later_n || ' months after the deposit of '
                                 WHEN 'first_day_of_month_after_days' THEN 'the first day of the month after the ' || later_n || 'th day following the deposit of '
                                 WHEN 'first_day_of_month_after_months' THEN 'the first day of the month following ' || later_n || ' months after the deposit of '
                                 ELSE later_n || ' months after the registration of the ratification of '
                             END || consent_date || ' (article ' || later_paragraph || ')'
           WHEN 'open_before_entry_into_force' THEN 'deposited ' || consent_date || ', after the last instrument needed but before the instrument''s entry into force on '
                               || eif || '; article ' || later_paragraph || ' speaks only of consents after its entry into force, so the text does not give the date'
           WHEN 'open_month_end' THEN 'deposited ' || consent_date || '; ' || later_n || ' months later is a day ' || substr(month_end, 1, 7)
                               || ' does not have (article ' || later_paragraph || '), and the KB has read no statement of how the depositary counts it'
           WHEN 'succession' THEN 'succession: it takes effect from the date of succession, which the depositary''s grid does not give'
           WHEN 'partial_date' THEN 'the date of the consent is known only as ' || consent_date
           WHEN 'no_clause' THEN 'the instrument''s entry-into-force clause has not been read into the KB'
           ELSE 'the instrument''s own entry into force is not recorded as a full date'
       END AS note,
       bound_until
FROM decided;

CREATE VIEW entry_into_force_check AS
-- Self-check against the depositary: the clause for the instrument's own entry into force
-- applied to the recorded consents (all consents by date, the n-th instrument) must give the
-- entry_into_force the depositary's page states.  Where it cannot (e.g. consents of former
-- states are not on the grid), the result says so (tests/test_entry_into_force.py lists why).
WITH ranked AS (
    SELECT a.instrument_id, a.date_on,
           row_number() OVER (PARTITION BY a.instrument_id ORDER BY a.date_on, a.id) AS rank
    FROM actions a
    WHERE a.type IN ({consents}) AND a.legal_effect = 'effective'
),
nth AS (
    SELECT c.instrument_id, c.general_instruments, c.general_rule, c.general_n, c.general_paragraph,
           (SELECT p.entry_into_force FROM instruments p WHERE p.id = c.general_not_before_id) AS not_before,
           -- ILO ratifications are recorded singly, never the whole list: the n-th recorded is not the
           -- n-th registered, so there is nothing to check (not_computable).
           CASE WHEN (SELECT i.regime FROM instruments i WHERE i.id = c.instrument_id) != 'ILO' THEN
           (SELECT r.date_on FROM ranked r WHERE r.instrument_id = c.instrument_id AND r.rank = c.general_instruments)
           END AS nth_deposit,
           (SELECT count(*) FROM ranked r WHERE r.instrument_id = c.instrument_id) AS consents
    FROM entry_into_force_clauses c
)
SELECT i.id AS instrument_id, n.general_paragraph AS article, n.general_instruments AS instruments_needed,
       n.consents AS consents_recorded, n.nth_deposit,
       n.derived, i.entry_into_force AS stated,
       CASE
           WHEN n.derived IS NULL THEN 'not_computable'
           WHEN i.entry_into_force IS NULL OR length(i.entry_into_force) != 10 THEN 'not_computable'
           WHEN n.derived = i.entry_into_force THEN 'match'
           ELSE 'differs'
       END AS result
FROM (SELECT nth.*,
             -- "Subject to the entry into force of the Covenant": never before the awaited instrument.
             CASE WHEN nth_deposit IS NOT NULL
                  THEN max(RULE_DATE(nth_deposit, general_rule, general_n), coalesce(not_before, '')) END AS derived
      FROM nth) n
JOIN instruments i ON i.id = n.instrument_id;

CREATE VIEW status_events AS
-- One row per state, instrument and day on which something that can change status takes effect.
WITH ev AS (
    SELECT state_id, instrument_id, effective_on AS on_date,
           CASE WHEN type = 'signature' THEN effective_on || '|' || id END AS sign_key,
           CASE WHEN type IN ({consents}) THEN effective_on || '|' || type || '|' || id END AS consent_key,
           CASE WHEN type IN ({exits}) THEN date_on || '|' || id END AS exit_key,
           NULL AS join_key, NULL AS leave_on
    FROM actions
    WHERE legal_effect = 'effective' AND (type = 'signature' OR type IN ({consents}) OR type IN ({exits}))
    UNION ALL
    -- A membership that began or ended before the convention's adoption counts from the adoption
    -- (the keys keep their own dates): no interval of constant status is cut in two.
    SELECT m.state_id, i.id, CASE WHEN m.since_on < i.adopted AND length(i.adopted) = 10 THEN i.adopted ELSE m.since_on END,
           NULL, NULL, NULL, m.since_on || '|' || m.id, NULL
    FROM memberships m JOIN instruments i ON i.regime = 'ILO'
    WHERE m.organization = 'ILO' AND m.member = 1
    UNION ALL
    SELECT m.state_id, i.id, CASE WHEN m.until_on < i.adopted AND length(i.adopted) = 10 THEN i.adopted ELSE m.until_on END,
           NULL, NULL, NULL, NULL, m.until_on
    FROM memberships m JOIN instruments i ON i.regime = 'ILO'
    WHERE m.organization = 'ILO' AND m.member = 1 AND m.until_on IS NOT NULL
    UNION ALL
    -- The day a source states a state's whole ILO record (coverage by state) starts an interval.
    SELECT sc.state_id, sc.instrument_id, sc.from_on, NULL, NULL, NULL, NULL, NULL
    FROM state_coverage sc
    UNION ALL
    -- The adoption date is a point in every pair's timeline: before it, not_yet_adopted.
    SELECT s.id, i.id, i.adopted, NULL, NULL, NULL, NULL, NULL
    FROM states s CROSS JOIN instruments i
    WHERE length(i.adopted) = 10
)
SELECT state_id, instrument_id, on_date,
       min(sign_key) AS sign_key, max(consent_key) AS consent_key, max(exit_key) AS exit_key,
       max(join_key) AS join_key, max(leave_on) AS leave_on
FROM ev
GROUP BY state_id, instrument_id, on_date;

CREATE VIEW status_intervals_view AS
-- Every state x instrument pair, cut into intervals [valid_from, valid_to) of constant status.
-- valid_from NULL = since the beginning of time; valid_to NULL = to the end of the record.
WITH running AS (
    SELECT e.state_id, e.instrument_id, e.on_date AS valid_from,
           lead(e.on_date) OVER w AS valid_to,
           min(e.sign_key) OVER r AS sign_key,
           max(e.consent_key) OVER r AS consent_key,
           max(e.exit_key) OVER r AS exit_key,
           max(e.join_key) OVER r AS join_key,
           max(e.leave_on) OVER r AS leave_on,
           row_number() OVER w AS n
    FROM status_events e
    WINDOW w AS (PARTITION BY e.state_id, e.instrument_id ORDER BY e.on_date),
           r AS (PARTITION BY e.state_id, e.instrument_id ORDER BY e.on_date
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
first_event AS (
    SELECT state_id, instrument_id, min(on_date) AS on_date FROM status_events GROUP BY state_id, instrument_id
),
spans AS (
    -- The interval before the first event, for every pair (the whole of time if there is none).
    SELECT s.id AS state_id, i.id AS instrument_id, NULL AS valid_from, f.on_date AS valid_to,
           NULL AS sign_key, NULL AS consent_key, NULL AS exit_key, NULL AS join_key, NULL AS leave_on
    FROM states s CROSS JOIN instruments i
    LEFT JOIN first_event f ON f.state_id = s.id AND f.instrument_id = i.id
    UNION ALL
    SELECT state_id, instrument_id, valid_from, valid_to, sign_key, consent_key, exit_key, join_key, leave_on
    FROM running
),
flags AS (
    SELECT sp.*,
           i.regime,
           CASE WHEN length(i.adopted) = 10 THEN i.adopted END AS adopted_on,
           substr(sp.consent_key, 1, 10) AS consent_on,
           substr(sp.exit_key, 1, 10) AS exit_notified,
           (sp.join_key IS NOT NULL AND (sp.leave_on IS NULL OR substr(sp.join_key, 1, 10) > sp.leave_on)) AS ilo_member,
           i.status_source_id,
           -- coverage by state: the latest source that stated the pair's whole record on or before the interval
           CASE WHEN i.regime = 'ILO' AND sp.valid_from IS NOT NULL THEN
               (SELECT sc.id FROM state_coverage sc
                 WHERE sc.state_id = sp.state_id AND sc.instrument_id = sp.instrument_id AND sc.from_on <= sp.valid_from
                 ORDER BY sc.from_on DESC, sc.known_to DESC, sc.id LIMIT 1)
           END AS coverage_id
    FROM spans sp JOIN instruments i ON i.id = sp.instrument_id
),
derived AS (
    SELECT f.*,
           CASE
               WHEN f.valid_to IS NOT NULL AND f.valid_to <= f.adopted_on THEN 'not_yet_adopted'
               WHEN f.regime = 'ILO' AND NOT f.ilo_member THEN 'not_applicable'
               -- An ILO ratification recorded singly, from its own source, decides its pair from its
               -- date (the ILO registers ratifications one by one and has no signature step): party,
               -- or withdrawn after a recorded denunciation. Before it, and for the conventions the
               -- KB records nothing of, the pair stays unknown unless the state is covered.
               WHEN f.regime = 'ILO' AND f.consent_key IS NOT NULL
                    AND (f.exit_notified IS NULL OR f.consent_on >= f.exit_notified) THEN 'party'
               WHEN f.regime = 'ILO' AND f.consent_key IS NOT NULL AND f.exit_key IS NOT NULL THEN 'withdrawn'
               -- a source stated the state's whole set on or before this interval, and no ratification is recorded
               WHEN f.regime = 'ILO' AND f.coverage_id IS NOT NULL THEN 'not_party'
               -- looked up only where needed (CASE stops at the first match): not before adoption
               WHEN NOT EXISTS (SELECT 1 FROM coverage c WHERE c.instrument_id = f.instrument_id AND c.state_id = f.state_id)
                   THEN 'unknown'
               WHEN f.consent_key IS NOT NULL AND (f.exit_notified IS NULL OR f.consent_on >= f.exit_notified) THEN 'party'
               WHEN f.exit_key IS NOT NULL THEN 'withdrawn'
               WHEN f.sign_key IS NOT NULL THEN 'signatory'
               ELSE 'not_party'
           END AS status,
           CAST(substr(f.sign_key, 12) AS INTEGER) AS signature_action_id,
           CAST(substr(f.consent_key, instr(substr(f.consent_key, 12), '|') + 12) AS INTEGER) AS consent_action_id,
           substr(f.consent_key, 12, instr(substr(f.consent_key, 12), '|') - 1) AS consent_type,
           CAST(substr(f.exit_key, 12) AS INTEGER) AS exit_action_id
    FROM flags f
)
SELECT d.state_id, d.instrument_id, d.valid_from, d.valid_to, d.status,
       sa.date AS signature_date,
       CASE WHEN d.status IN ('party', 'withdrawn') THEN ca.date END AS consent_date,
       CASE WHEN d.status IN ('party', 'withdrawn') THEN d.consent_type END AS consent_type,
       CASE WHEN d.status = 'withdrawn' THEN coalesce(xa.effective_date, xa.date) END AS withdrawal_date,
       d.signature_action_id,
       CASE WHEN d.status IN ('party', 'withdrawn') THEN d.consent_action_id END AS consent_action_id,
       CASE WHEN d.status = 'withdrawn' THEN d.exit_action_id END AS withdrawal_action_id,
       CASE d.status
           WHEN 'party' THEN ca.source_id
           WHEN 'withdrawn' THEN xa.source_id
           WHEN 'signatory' THEN sa.source_id
           WHEN 'not_party' THEN coalesce(sc.source_id, d.status_source_id)
           -- the depositary's status page heads the instrument with its adoption (place and date)
           WHEN 'not_yet_adopted' THEN d.status_source_id
           WHEN 'not_applicable' THEN (SELECT m.source_id FROM memberships m
                                       WHERE m.state_id = d.state_id AND m.organization = 'ILO'
                                       ORDER BY m.member, m.since_on DESC LIMIT 1)
       END AS source_id,
       CASE WHEN d.status IN ('party', 'withdrawn') THEN cif.in_force_date END AS in_force_date,
       sc.known_to AS covered_to
FROM derived d
LEFT JOIN state_coverage sc ON sc.id = d.coverage_id AND d.status = 'not_party'
LEFT JOIN actions sa ON sa.id = d.signature_action_id
LEFT JOIN actions ca ON ca.id = d.consent_action_id
LEFT JOIN actions xa ON xa.id = d.exit_action_id
LEFT JOIN consent_in_force cif ON cif.action_id = d.consent_action_id;

CREATE VIEW latest_status AS
-- The status each pair has at the end of the record (the source's as-at date onward).
SELECT si.*, coalesce(si.covered_to, i.status_as_at) AS known_to
FROM status_intervals si JOIN instruments i ON i.id = si.instrument_id
WHERE si.valid_to IS NULL;

CREATE VIEW reconciliation AS
-- Counts stated by the sources against counts derived from the actions and status views.
SELECT e.instrument_id, e.as_of, e.measure, e.basis, e.value AS expected,
       CASE e.measure
           WHEN 'parties' THEN (
               SELECT count(*) FROM status_intervals si
               WHERE si.instrument_id = e.instrument_id AND si.status = 'party'
                 AND (si.valid_from IS NULL OR si.valid_from <= e.as_of)
                 AND (si.valid_to IS NULL OR si.valid_to > e.as_of))
           WHEN 'signatories' THEN (
               -- Signed by as_of, signature not undone: the state has not withdrawn (UNTC brackets such signatures).
               SELECT count(DISTINCT a.state_id) FROM actions a
               WHERE a.instrument_id = e.instrument_id AND a.type = 'signature' AND a.date_on <= e.as_of
                 AND a.legal_effect = 'effective'
                 AND NOT EXISTS (SELECT 1 FROM status_intervals si
                                 WHERE si.state_id = a.state_id AND si.instrument_id = a.instrument_id
                                   AND si.status = 'withdrawn'
                                   AND (si.valid_from IS NULL OR si.valid_from <= e.as_of)
                                   AND (si.valid_to IS NULL OR si.valid_to > e.as_of)))
           WHEN 'participants' THEN (
               SELECT count(DISTINCT a.state_id) FROM actions a
               WHERE a.instrument_id = e.instrument_id AND a.date_on <= e.as_of
                 AND (a.type = 'signature' OR a.type IN ({consents})))
       END AS derived,
       e.source_id
FROM expected_counts e;

CREATE VIEW ask_target_status AS
-- Derived, never typed: for each thing an ask concerns, the first day after the ask on which the
-- KB's own data shows the asked action done (NULL: not done as far as the KB knows).
-- An engagement target (mechanism and event_kind set) is done by the first engagement event of that
-- kind, by that mechanism (and under that treaty, or by that mandate), that began on or after the ask.
SELECT t.id AS target_id, t.ask_id, t.instrument_id, t.organization, a.action, a.article,
       d.addressee_id AS state_id, d.date_on AS asked_on,
       t.event_kind IS NOT NULL
         OR a.action IN ('ratify', 'sign', 'accept_procedure', 'withdraw_reservation', 'join_organization') AS tracked,
       CASE WHEN t.event_kind IS NOT NULL THEN (
               SELECT e.date FROM engagement_events e
               WHERE e.state_id = d.addressee_id AND e.mechanism = t.mechanism AND e.kind = t.event_kind
                 AND (t.instrument_id IS NULL OR e.instrument_id = t.instrument_id)
                 AND (t.mandate IS NULL OR e.mandate = t.mandate)
                 AND e.date_from >= d.date_on
               ORDER BY e.date_from, e.id LIMIT 1)
       ELSE CASE a.action
           WHEN 'ratify' THEN (
               SELECT min(si.valid_from) FROM status_intervals si
               WHERE si.state_id = d.addressee_id AND si.instrument_id = t.instrument_id
                 AND si.status = 'party' AND si.valid_from >= d.date_on)
           WHEN 'sign' THEN (
               SELECT min(si.valid_from) FROM status_intervals si
               WHERE si.state_id = d.addressee_id AND si.instrument_id = t.instrument_id
                 AND si.status IN ('signatory', 'party') AND si.valid_from >= d.date_on)
           WHEN 'accept_procedure' THEN (
               SELECT min(x.date_on) FROM actions x
               WHERE x.state_id = d.addressee_id AND x.instrument_id = t.instrument_id AND x.legal_effect = 'effective'
                 AND (x.type = 'competence_declaration'
                      OR x.type IN ('withdrawal_of_opt_out', 'withdrawal_of_reservation', 'withdrawal_of_declaration'))
                 AND (a.article IS NULL OR x.article = a.article) AND x.date_on >= d.date_on)
           WHEN 'withdraw_reservation' THEN (
               SELECT min(x.date_on) FROM actions x
               WHERE x.state_id = d.addressee_id AND x.instrument_id = t.instrument_id AND x.legal_effect = 'effective'
                 AND x.type IN ('withdrawal_of_reservation', 'partial_withdrawal_of_reservation')
                 AND (a.article IS NULL OR x.article = a.article) AND x.date_on >= d.date_on)
           WHEN 'join_organization' THEN (
               SELECT min(m.since_on) FROM memberships m
               WHERE m.state_id = d.addressee_id AND m.organization = t.organization AND m.member = 1
                 AND m.since_on >= d.date_on)
       END END AS done_on,
       t.mechanism, t.mandate, t.event_kind,
       CASE WHEN t.event_kind IS NOT NULL THEN coalesce(t.instrument_id, t.mandate, t.mechanism) || ' ' || t.event_kind
            ELSE coalesce(t.instrument_id, t.organization) END AS label,
       CASE WHEN t.event_kind IS NOT NULL THEN (
               SELECT e.key FROM engagement_events e
               WHERE e.state_id = d.addressee_id AND e.mechanism = t.mechanism AND e.kind = t.event_kind
                 AND (t.instrument_id IS NULL OR e.instrument_id = t.instrument_id)
                 AND (t.mandate IS NULL OR e.mandate = t.mandate)
                 AND e.date_from >= d.date_on
               ORDER BY e.date_from, e.id LIMIT 1) END AS done_event
FROM ask_targets t JOIN asks a ON a.id = t.ask_id JOIN ask_documents d ON d.id = a.document_id;

CREATE VIEW ask_evidence AS
-- Derived: what counts against an engagement target not (yet) done: events of the same mechanism
-- (and treaty, or mandate) of a kind in {evidence}, on or after the ask's date.  A 'communication' is
-- shown as such (a letter sent; no answer read), never as a refusal.
SELECT t.ask_id, t.target_id, t.label AS target, e.id AS event_id, e.key AS event_key, e.date, e.kind,
       e.mechanism, e.instrument_id AS instrument, e.mandate, e.symbol, e.summary,
       s.url AS source_url, s.kind AS source_kind, s.as_at AS source_as_at
FROM ask_target_status t
JOIN engagement_events e ON e.state_id = t.state_id AND e.mechanism = t.mechanism
     AND (t.instrument_id IS NULL OR e.instrument_id = t.instrument_id)
     AND (t.mandate IS NULL OR e.mandate = t.mandate)
     AND e.kind IN ({evidence}) AND e.date_to >= t.asked_on
JOIN sources s ON s.id = e.source_id
WHERE t.event_kind IS NOT NULL AND t.done_on IS NULL;

CREATE VIEW ask_status AS
-- Derived: an ask is fulfilled when everything it tracks is done after it was made.  Instrument rows
-- of a cooperate/other ask are context, not tracked; its engagement targets are.  An ask with nothing
-- tracked is not_tracked, with the reason (the ask's own, else a default).  Lists are built from
-- ordered subqueries so that they follow the order the ask names its targets in.
SELECT a.id AS ask_id, a.key, d.addressee_id AS state_id, d.date AS date, d.id AS document_id, d.symbol,
       d.title AS document_title, a.ref, a.by, a.text, a.action, a.article, a.response,
       (SELECT group_concat(x.label, ',') FROM (SELECT coalesce(instrument_id, organization) AS label FROM ask_targets
         WHERE ask_id = a.id AND event_kind IS NULL ORDER BY id) x) AS targets,
       CASE WHEN coalesce(max(t.tracked), 0) = 0 THEN 'not_tracked'
            WHEN sum(t.tracked) = sum(t.tracked AND t.done_on IS NOT NULL) THEN 'fulfilled'
            WHEN sum(t.tracked AND t.done_on IS NOT NULL) > 0 THEN 'partly_fulfilled'
            ELSE 'open' END AS fulfilment,
       CASE WHEN max(t.tracked) AND sum(t.tracked) = sum(t.tracked AND t.done_on IS NOT NULL)
            THEN max(CASE WHEN t.tracked THEN t.done_on END) END AS fulfilled_date,
       CASE WHEN max(t.tracked) AND sum(t.tracked) = sum(t.tracked AND t.done_on IS NOT NULL)
            THEN CAST(julianday(max(CASE WHEN t.tracked THEN t.done_on END)) - julianday(d.date_on) AS INTEGER) END AS days_to_fulfil,
       (SELECT group_concat(x.label || ' ' || x.done_on, ', ') FROM (SELECT label, done_on FROM ask_target_status
         WHERE ask_id = a.id AND tracked AND done_on IS NOT NULL ORDER BY target_id) x) AS done,
       d.url AS document_url,
       (SELECT group_concat(x.label, ', ') FROM (SELECT label FROM ask_target_status
         WHERE ask_id = a.id AND event_kind IS NOT NULL ORDER BY target_id) x) AS engagement_targets,
       CASE WHEN coalesce(max(t.tracked), 0) = 0 THEN coalesce(a.not_tracked_reason,
            CASE WHEN a.action IN ('cooperate', 'other') THEN 'No engagement event is named that would fulfil it.'
                 ELSE 'The ask names no instrument or organization.' END) END AS not_tracked_reason,
       (SELECT json_group_array(json_object('date', ev.date, 'kind', ev.kind, 'target', ev.target, 'symbol', ev.symbol,
                                            'summary', ev.summary, 'event', ev.event_key, 'source_url', ev.source_url,
                                            'source_kind', ev.source_kind))
        FROM (SELECT * FROM ask_evidence ev WHERE ev.ask_id = a.id ORDER BY ev.date, ev.event_id) ev) AS evidence,
       (SELECT group_concat(x.done_event, ',') FROM (SELECT done_event FROM ask_target_status
         WHERE ask_id = a.id AND done_event IS NOT NULL ORDER BY target_id) x) AS done_events,
       d.incomplete AS document_incomplete
FROM asks a
JOIN ask_documents d ON d.id = a.document_id
LEFT JOIN ask_target_status t ON t.ask_id = a.id
GROUP BY a.id;

CREATE VIEW reporting_deadlines AS
-- Derived: every report a source states as due (report_due), matched to the recorded submission of
-- the same report (same state, treaty and `report`).  submitted_from/submitted_to: the first and last
-- day the submission's date can mean (NULL: no submission recorded).  Nothing is assumed from silence.
SELECT e.id AS event_id, e.key AS event_key, e.state_id, e.instrument_id, e.report, e.date AS due,
       e.date_from AS due_from, e.date_to AS due_to, e.symbol, e.source_id,
       r.date AS submitted, r.date_from AS submitted_from, r.date_to AS submitted_to, r.symbol AS submitted_symbol
FROM engagement_events e
LEFT JOIN engagement_events r ON r.id = (
    SELECT x.id FROM engagement_events x
    WHERE x.state_id = e.state_id AND x.instrument_id = e.instrument_id AND x.kind = 'report_submitted'
      AND x.report = e.report
    ORDER BY x.date_from, x.id LIMIT 1)
WHERE e.kind = 'report_due';

CREATE VIEW procedure_intervals_view AS
-- Derived, never typed: each state's acceptance of each optional procedure as intervals
-- [valid_from, valid_to) of constant acceptance, the definition of the table
-- procedure_intervals (filled at build time, after status_intervals).  Acceptance can only
-- change on a day a status interval starts or a declaration, opt-out or withdrawal of one
-- takes its date: each such day is a point, evaluated with the rules below, and holds until
-- the next point.  kb/query/sql/obligations_on.sql reads the table: `kb obligations`, the
-- stored queries and the pages give the same answer.
WITH points AS (
    SELECT si.state_id, p.id AS procedure_id, coalesce(si.valid_from, '') AS d
    FROM procedures p JOIN status_intervals si ON si.instrument_id = p.instrument_id
    UNION
    SELECT a.state_id, p.id, a.date_on
    FROM procedures p JOIN actions a ON a.instrument_id = p.instrument_id
    WHERE a.legal_effect = 'effective'
      AND a.type IN ('competence_declaration', 'withdrawal_of_competence_declaration', 'opt_out',
                     'withdrawal_of_opt_out', 'withdrawal_of_reservation', 'withdrawal_of_declaration')
      AND a.article IN (p.article, p.opt_out_article)
),
procedure_facts AS MATERIALIZED (
    SELECT pt.state_id, pt.d, p.*, si.status, si.consent_date, si.in_force_date, p.instrument_id AS abbr,
           si.source_id AS status_source_id,
           (SELECT max(a.date_on || '|' || a.id) FROM actions a
             WHERE a.state_id = pt.state_id AND a.instrument_id = p.instrument_id AND a.date_on <= pt.d
               AND a.legal_effect = 'effective'
               AND a.type = 'competence_declaration' AND a.article = p.article) AS decl_key,
           (SELECT max(a.date_on || '|' || a.id) FROM actions a
             WHERE a.state_id = pt.state_id AND a.instrument_id = p.instrument_id AND a.date_on <= pt.d
               AND a.legal_effect = 'effective'
               AND a.type = 'withdrawal_of_competence_declaration' AND a.article = p.article) AS decl_wd_key,
           (SELECT max(a.date_on || '|' || a.id) FROM actions a
             WHERE a.state_id = pt.state_id AND a.instrument_id = p.instrument_id AND a.date_on <= pt.d
               AND a.legal_effect = 'effective'
               AND a.type = 'opt_out' AND a.article IN (p.article, p.opt_out_article)) AS optout_key,
           -- A withdrawal concerning the procedure's article withdraws the opt-out, whatever the
           -- depositary called the opt-out when it was made.
           (SELECT max(a.date_on || '|' || a.id) FROM actions a
             WHERE a.state_id = pt.state_id AND a.instrument_id = p.instrument_id AND a.date_on <= pt.d
               AND a.legal_effect = 'effective'
               AND a.type IN ('withdrawal_of_opt_out', 'withdrawal_of_reservation', 'withdrawal_of_declaration')
               AND a.article IN (p.article, p.opt_out_article)) AS optout_wd_key
    FROM points pt
    JOIN procedures p ON p.id = pt.procedure_id
    JOIN status_intervals si ON si.state_id = pt.state_id AND si.instrument_id = p.instrument_id
         AND (si.valid_from IS NULL OR si.valid_from <= pt.d) AND (si.valid_to IS NULL OR si.valid_to > pt.d)
),
procedure_state AS (
    SELECT f.*,
           substr(decl_key, 1, 10) AS decl_on,
           decl_wd_key IS NOT NULL AND decl_wd_key >= decl_key AS decl_withdrawn,
           substr(decl_wd_key, 1, 10) AS decl_wd_on,
           substr(optout_key, 1, 10) AS optout_on,
           optout_wd_key IS NOT NULL AND optout_wd_key >= optout_key AS optout_withdrawn,
           substr(optout_wd_key, 1, 10) AS optout_wd_on
    FROM procedure_facts f
)
SELECT ps.state_id, ps.instrument_id, ps.id AS procedure_id, ps.article, ps.kind AS procedure_kind,
       nullif(ps.d, '') AS valid_from,
       lead(ps.d) OVER (PARTITION BY ps.state_id, ps.id ORDER BY ps.d) AS valid_to,
       CASE
           WHEN ps.status != 'party' THEN 0
           WHEN ps.mode = 'protocol' THEN 1
           WHEN ps.mode = 'opt_in' THEN coalesce(ps.decl_key IS NOT NULL AND NOT ps.decl_withdrawn, 0)
           ELSE coalesce(ps.optout_key IS NULL OR ps.optout_withdrawn, 0)
       END AS accepted,
       -- since: the day the procedure binds: never before the instrument is in force for the state
       -- (NULL when that date is not derived).
       CASE
           WHEN ps.status != 'party' OR ps.in_force_date IS NULL THEN NULL
           WHEN ps.mode = 'protocol' THEN ps.in_force_date
           WHEN ps.mode = 'opt_in' THEN CASE WHEN ps.decl_key IS NOT NULL AND NOT ps.decl_withdrawn THEN max(ps.decl_on, ps.in_force_date) END
           WHEN ps.optout_key IS NULL THEN ps.in_force_date
           WHEN ps.optout_withdrawn THEN max(ps.optout_wd_on, ps.in_force_date)
       END AS since,
       CASE WHEN ps.status = 'party' THEN ps.consent_date END AS deposit_date,
       CASE
           WHEN ps.status = 'not_yet_adopted' THEN ps.title || ': ' || ps.abbr || ' not yet adopted'
           WHEN ps.status != 'party' THEN ps.title || ': not a party to ' || ps.abbr
           WHEN ps.mode = 'protocol' THEN ps.title || ': party since ' || ps.consent_date
           WHEN ps.mode = 'opt_in' AND ps.decl_key IS NULL THEN ps.title || ': no declaration under article ' || ps.article || ' recognising the competence of the committee'
           WHEN ps.mode = 'opt_in' AND ps.decl_withdrawn THEN ps.title || ': declaration under article ' || ps.article || ' withdrawn on ' || ps.decl_wd_on
           WHEN ps.mode = 'opt_in' THEN ps.title || ': declaration under article ' || ps.article || ' made on ' || ps.decl_on
           WHEN ps.optout_key IS NULL THEN ps.title || ': accepted as a party (no opt-out under article ' || ps.opt_out_article || ')'
           WHEN ps.optout_withdrawn THEN ps.title || ': opt-out under article ' || ps.opt_out_article || ' withdrawn on ' || ps.optout_wd_on
           ELSE ps.title || ': opted out under article ' || ps.opt_out_article || ' on ' || ps.optout_on
       END AS reason,
       coalesce(
           (SELECT a.source_id FROM actions a WHERE a.id = CAST(substr(
               CASE WHEN ps.mode = 'opt_in' THEN coalesce(ps.decl_wd_key, ps.decl_key)
                    WHEN ps.mode = 'opt_out' THEN coalesce(ps.optout_wd_key, ps.optout_key) END, 12) AS INTEGER)),
           ps.status_source_id) AS source_id,
       ps.sort_order AS procedure_order
FROM procedure_state ps;

-- Statements by article, by date.  statement_articles (filled by the build from each statement's
-- `article` as given) holds one row per reference of a statement or of a withdrawal of one.
-- statement_withdrawal_matches pairs each statement reference with each later withdrawal by the
-- same state that can undo it, and says what the withdrawal does to it:
--   withdrawn        the withdrawal names the same provision, one that contains it, or the whole instrument
--   partly           a partial withdrawal, a withdrawal of a part that names no article, or of a part
--                    (a paragraph) of the provision reserved
--   not_determined   the withdrawal names no article (or the statement names none: scope unstated or
--                    general): the record does not say whether it undoes this statement; nothing is guessed
CREATE VIEW statement_withdrawal_matches AS
SELECT st.id AS ref_id, st.action_id, w.action_id AS withdrawal_action_id, wa.effective_on AS withdrawn_on,
       CASE
           WHEN w.scope = 'part' OR w.type = 'partial_withdrawal_of_reservation' THEN 'partly'
           WHEN w.scope IN ('unstated', 'general') OR st.scope IN ('unstated', 'general', 'part') THEN 'not_determined'
           WHEN w.scope = 'whole' THEN 'withdrawn'
           WHEN st.scope = 'whole' THEN 'partly'
           WHEN st.scope = 'preamble' OR w.scope = 'preamble' THEN CASE WHEN st.scope = w.scope THEN 'withdrawn' END
           WHEN st.provision = w.provision OR st.provision GLOB w.provision || '(*' THEN 'withdrawn'
           WHEN w.provision GLOB st.provision || '(*' THEN 'partly'
       END AS effect
FROM statement_articles st
JOIN actions sa ON sa.id = st.action_id
JOIN statement_articles w ON w.state_id = st.state_id AND w.instrument_id = st.instrument_id
JOIN actions wa ON wa.id = w.action_id
WHERE st.type IN ('reservation', 'declaration', 'objection', 'competence_declaration', 'opt_out')
  AND wa.legal_effect = 'effective'
  AND wa.effective_on >= sa.date_on
  AND (   (w.type IN ('withdrawal_of_reservation', 'partial_withdrawal_of_reservation') AND st.type IN ('reservation', 'opt_out'))
       OR (w.type = 'withdrawal_of_declaration' AND st.type IN ('declaration', 'opt_out'))
       OR w.type = 'withdrawal_of_' || st.type)
  AND (st.type != 'objection' OR wa.target_state_id IS sa.target_state_id);

-- statement_status: each statement reference with the dates that decide whether it is in force on a
-- day D (kb/query/sql/reservations.sql applies them): made on date_on; withdrawn from withdrawn_on;
-- partly withdrawn from partly_withdrawn_on (still in force); not determined from undetermined_from
-- (a withdrawal that names no article).  In force on D: date_on <= D, legal_effect 'effective',
-- not withdrawn by D, and NULL (not determined) once undetermined_from <= D.
CREATE VIEW statement_status AS
SELECT st.id AS ref_id, st.action_id, st.instrument_id, st.state_id, st.type, st.article, st.paragraph, st.item,
       st.provision, st.scope, st.how, st.note AS reference_note, a.article AS article_as_given, a.date AS made_on,
       a.date_on, a.legal_effect, a.target_state_id,
       (SELECT min(m.withdrawn_on) FROM statement_withdrawal_matches m WHERE m.ref_id = st.id AND m.effect = 'withdrawn') AS withdrawn_on,
       (SELECT min(m.withdrawn_on) FROM statement_withdrawal_matches m WHERE m.ref_id = st.id AND m.effect = 'partly') AS partly_withdrawn_on,
       (SELECT min(m.withdrawn_on) FROM statement_withdrawal_matches m WHERE m.ref_id = st.id AND m.effect = 'not_determined') AS undetermined_from
FROM statement_articles st JOIN actions a ON a.id = st.action_id
WHERE st.type IN ('reservation', 'declaration', 'objection', 'competence_declaration', 'opt_out');

-- statement_objections: each statement reference (not an objection) with every objection another
-- state made to the same state's statements on the instrument on or after it: an objection that
-- names no article (scope unstated or general, or the whole instrument) concerns all of them, one
-- that names a provision the statements on a provision that overlaps it and those that name no
-- article or the whole instrument (an objection to "the reservations" names one of them).
-- opposes_entry_into_force: whether the objection's words oppose the instrument's entry into force
-- between the two states (1), say that it does not preclude it (0), or do not say (NULL).  objected_on is the objection's date; withdrawn_on the
-- withdrawal of the objection, if any (statement_status of the objection).
CREATE VIEW statement_objections AS
SELECT st.ref_id, st.action_id, o.action_id AS objection_action_id, o.state_id AS objecting_state_id,
       o.made_on AS objected_on, o.date_on AS objected_date_on, min(o.withdrawn_on) AS withdrawn_on,
       oa.article AS article_as_given, oa.text, oa.summary, oa.source_id,
       (SELECT max(x.opposes_entry_into_force) FROM statement_articles x WHERE x.action_id = o.action_id) AS opposes_entry_into_force
FROM statement_status st
JOIN statement_status o ON o.type = 'objection' AND o.target_state_id = st.state_id AND o.instrument_id = st.instrument_id
                        AND o.date_on >= st.date_on
JOIN actions oa ON oa.id = o.action_id
WHERE st.type != 'objection'
  AND (o.scope IN ('unstated', 'whole', 'general') OR st.scope IN ('unstated', 'whole', 'general')
       OR (st.scope = 'provision' AND o.scope = 'provision'
           AND (st.provision = o.provision OR st.provision GLOB o.provision || '(*' OR o.provision GLOB st.provision || '(*')))
GROUP BY st.ref_id, o.action_id;
