"""Entry into force for each state: the clause as data, the date derived in SQL, the open cases,
the self-check against the depositary's own entry-into-force dates, and dates stated by other sources."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.schema import CreateTable

import kb.query as q
from kb.data import schema as S
from kb.db import models as M
from kb.db.build import rule_date_sql, views_sql

HERE = Path(__file__).parent
CONSENTS = "('ratification', 'accession', 'succession', 'acceptance', 'approval', 'formal_confirmation', 'definitive_signature')"


@pytest.fixture(scope="module")
def conn(built_db):
    c = q.connect(built_db)
    yield c
    c.close()


def one(conn, sql, *args):
    return conn.execute(sql, args).fetchone()


# --------------------------------------------------------------------------- the rule arithmetic

def rule_date(rule: str, n: int, d: str) -> str | None:
    expr = rule_date_sql("?1", "?2", "?3")
    return sqlite3.connect(":memory:").execute(f"SELECT {expr}", (d, rule, n)).fetchone()[0]


@pytest.mark.parametrize("rule, n, deposit, expected", [
    ("days_after_deposit", 30, "2016-12-06", "2017-01-05"),        # CRPD art. 45(2): the thirtieth day after
    ("days_after_deposit", 30, "2001-02-27", "2001-03-29"),        # CEDAW art. 27(2)
    ("days_after_deposit", 90, "1989-01-31", "1989-05-01"),        # Genocide art. XIII: the ninetieth day following
    ("days_after_deposit", 30, "2020-02-15", "2020-03-16"),        # across a leap day
    ("months_after_deposit", 3, "1981-09-14", "1981-12-14"),       # ICCPR art. 49(2)
    ("months_after_deposit", 1, "2014-11-10", "2014-12-10"),       # OP-CRC-SC art. 14(2)
    ("months_after_deposit", 3, "2013-10-31", "2014-01-31"),       # the 31st exists three months on
    ("months_after_deposit", 3, "1979-11-30", None),               # 30 February: open (never SQLite's 2 March)
    ("months_after_deposit", 1, "2005-01-31", None),               # 31 February: open
    ("months_after_deposit", 3, "2019-11-29", "2020-02-29"),       # 29 February 2020 exists ...
    ("months_after_deposit", 3, "2018-11-29", None),               # ... 29 February 2019 does not
    ("months_after_deposit", 12, "2019-02-28", "2020-02-28"),
    ("months_after_registration", 12, "2015-06-30", "2016-06-30"),  # ILO: twelve months after registration
    ("months_after_registration", 12, "2016-02-29", None),
    ("on_deposit", 0, "1968-11-01", "1968-11-01"),                 # Refugee Protocol art. VIII(2)
    ("first_day_of_month_after_days", 60, "2002-04-11", "2002-07-01"),  # Rome art. 126: D+60 = 10 June -> 1 July
    ("first_day_of_month_after_days", 60, "2003-01-01", "2003-04-01"),  # D+60 = 2 March -> 1 April
    ("first_day_of_month_after_days", 60, "2003-03-02", "2003-06-01"),  # D+60 = 1 May (a 1st) -> 1 June
    ("first_day_of_month_after_months", 3, "2003-03-14", "2003-07-01"),  # ICMW art. 87: 14 June -> 1 July
    ("first_day_of_month_after_months", 3, "2003-11-30", "2004-03-01"),  # the month is February whatever its length
    ("first_day_of_month_after_months", 3, "2003-03-01", "2003-07-01"),
])
def test_every_rule_kind(rule, n, deposit, expected):
    assert rule_date(rule, n, deposit) == expected


def test_rule_vocabulary_is_closed_and_defined():
    assert set(S.EifRule.__args__) == set(S.VOCABULARIES["entry into force rule"])
    assert set(S.EifScope.__args__) == set(S.VOCABULARIES["entry into force scope"])
    assert set(S.InForceBasis.__args__) == set(S.VOCABULARIES["in force basis"])


def test_sqlite_month_arithmetic_is_not_used():
    # The reason the rule is written out: SQLite normalises 30 November + 3 months to 2 March.
    assert sqlite3.connect(":memory:").execute("SELECT date('1979-11-30', '+3 months')").fetchone()[0] == "1980-03-01"
    assert "'+3 months'" not in views_sql()


# --------------------------------------------------------------------------- the view on synthetic data

SOURCE = dict(id=1, url="https://example.org/t", title="Synthetic treaty text", as_at="2000-01-01")


def synthetic(instrument: dict, clause: dict | None, actions: list[tuple]) -> sqlite3.Connection:
    """A database with one instrument, its clause and the given actions (state, type, date[, effective]),
    the views created as the build creates them, and consent_in_force filled from its view."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for table in M.Base.metadata.sorted_tables:
        conn.execute(str(CreateTable(table).compile(dialect=sqlite_dialect())))
    conn.execute("INSERT INTO sources (id, url, title, as_at) VALUES (:id, :url, :title, :as_at)", SOURCE)
    inst = dict(id="T", title="T", short_title="T", kind="convention", regime="UN", depositary="SG", adopted="1999-01-01",
                url="https://example.org/t", status_source_id=1, status_as_at="2026-01-01", complete_for_all=1, sort_order=0)
    inst.update(instrument)
    conn.execute(f"INSERT INTO instruments ({', '.join(inst)}) VALUES ({', '.join('?' * len(inst))})", list(inst.values()))
    if clause:
        row = dict(instrument_id="T", article="9", general_paragraph="9(1)", general_instruments=3, general_text="...",
                   later_paragraph="9(2)", later_text="...", source_id=1)
        row.update(clause)
        conn.execute(f"INSERT INTO entry_into_force_clauses ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                     list(row.values()))
    for s in sorted({a[0] for a in actions}):  # AAA, BBB, ...: distinct alpha-2 codes
        conn.execute("INSERT INTO states (id, alpha2, name, short_name, kind) VALUES (?, ?, ?, ?, 'state')", (s, s[:2], s, s))
    conn.execute("INSERT INTO coverage (instrument_id, state_id) SELECT 'T', id FROM states")
    for i, a in enumerate(actions, 1):
        state, typ, date = a[:3]
        eff = a[3] if len(a) > 3 else None
        full = S.date_bounds(date)[1]
        conn.execute("INSERT INTO actions (id, key, state_id, instrument_id, type, date, effective_date, date_on, effective_on,"
                     " legal_effect, origin, source_id, file) VALUES (?, ?, ?, 'T', ?, ?, ?, ?, ?, 'effective', 'curated', 1, 'x')",
                     (i, f"{state}/{date}/{typ}", state, typ, date, eff, full, eff or full))
    for stmt in views_sql().split(";\n\n"):
        if stmt.strip():
            conn.execute(stmt)
    conn.execute("INSERT INTO consent_in_force SELECT * FROM consent_in_force_view")
    return conn


def derived(conn) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in conn.execute(
        "SELECT s.id || '/' || c.consent_date, c.in_force_date, c.basis, c.article FROM consent_in_force c"
        " JOIN states s ON s.id = c.state_id ORDER BY c.action_id")}


def test_early_deposit_is_bound_from_the_instruments_own_entry_into_force():
    clause = dict(general_rule="days_after_deposit", general_n=30, later_applies_to="after_nth_instrument",
                  later_rule="days_after_deposit", later_n=30)
    conn = synthetic({"entry_into_force": "2001-01-31"}, clause, [
        ("AAA", "ratification", "2000-06-01"), ("BBB", "ratification", "2000-12-01"),
        ("CCC", "accession", "2001-01-01"),    # the third instrument: 2001-01-01 + 30 days = 2001-01-31
        ("DDD", "ratification", "2001-01-01"),  # same day as the third, after it: its own 30 days end on the same date
        ("EEE", "ratification", "2001-01-10"),  # after the third, before the entry into force: its own delay
        ("FFF", "accession", "2001-03-01"),
    ])
    assert derived(conn) == {
        "AAA/2000-06-01": ("2001-01-31", "general", "9(1)"),
        "BBB/2000-12-01": ("2001-01-31", "general", "9(1)"),
        "CCC/2001-01-01": ("2001-01-31", "general", "9(1)"),
        "DDD/2001-01-01": ("2001-01-31", "general", "9(1)"),
        "EEE/2001-01-10": ("2001-02-09", "later", "9(2)"),
        "FFF/2001-03-01": ("2001-03-31", "later", "9(2)"),
    }
    assert conn.execute("SELECT derived, result FROM entry_into_force_check").fetchone() == ("2001-01-31", "match")


def test_after_its_entry_into_force_leaves_the_gap_open():
    # OP-CRC-AC/SC shape: three months after the tenth instrument; one month for a state "after its entry into force".
    clause = dict(general_rule="months_after_deposit", general_n=3, later_applies_to="after_entry_into_force",
                  later_rule="months_after_deposit", later_n=1)
    conn = synthetic({"entry_into_force": "2002-04-12"}, clause, [
        ("AAA", "ratification", "2001-06-01"), ("BBB", "ratification", "2001-12-01"), ("CCC", "ratification", "2002-01-12"),
        ("DDD", "ratification", "2002-02-01"),  # +1 month = 2002-03-01, before the entry into force: both readings agree
        ("EEE", "accession", "2002-03-20"),     # +1 month = 2002-04-20, after it: the text does not say
        ("FFF", "accession", "2002-04-12"),     # on the day of entry into force: after it, by its own delay
    ])
    got = derived(conn)
    assert got["DDD/2002-02-01"] == ("2002-04-12", "general", "9(1)")
    assert got["EEE/2002-03-20"] == (None, "open_before_entry_into_force", "9(2)")
    assert got["FFF/2002-04-12"] == ("2002-05-12", "later", "9(2)")
    note = one(conn, "SELECT note FROM consent_in_force WHERE state_id = 'EEE'")[0]
    assert note == ("deposited 2002-03-20, after the last instrument needed but before the instrument's entry into force on "
                    "2002-04-12; article 9(2) speaks only of consents after its entry into force, so the text does not give the date")
    # The same deposit under "after the deposit of the n-th instrument" wording takes its own delay.
    clause["later_applies_to"] = "after_nth_instrument"
    conn = synthetic({"entry_into_force": "2002-04-12"}, clause, [("EEE", "accession", "2002-03-20")])
    assert derived(conn)["EEE/2002-03-20"] == ("2002-04-20", "later", "9(2)")


def test_month_end_succession_partial_date_and_missing_clause():
    clause = dict(general_rule="months_after_deposit", general_n=3, later_applies_to="after_nth_instrument",
                  later_rule="months_after_deposit", later_n=3)
    conn = synthetic({"entry_into_force": "1976-03-23"}, clause, [
        ("AAA", "ratification", "1975-11-30"),  # 30 February 1976 but both readings fall before 23 March 1976
        ("BBB", "accession", "1979-11-30"),     # 30 February 1980: open
        ("CCC", "succession", "1993-02-22"),
        ("DDD", "accession", "1990-05"),
    ])
    got = derived(conn)
    assert got["AAA/1975-11-30"] == ("1976-03-23", "general", "9(1)")
    assert got["BBB/1979-11-30"] == (None, "open_month_end", "9(2)")
    assert got["CCC/1993-02-22"] == (None, "succession", None)
    assert got["DDD/1990-05"] == (None, "partial_date", None)
    assert one(conn, "SELECT note FROM consent_in_force WHERE state_id = 'BBB'")[0] == (
        "deposited 1979-11-30; 3 months later is a day 1980-02 does not have (article 9(2)), "
        "and the KB has read no statement of how the depositary counts it")
    conn = synthetic({"entry_into_force": "1976-03-23"}, None, [("AAA", "ratification", "1980-01-01")])
    assert derived(conn) == {"AAA/1980-01-01": (None, "no_clause", None)}
    conn = synthetic({"entry_into_force": "2009"}, clause, [("AAA", "ratification", "2010-01-01")])
    assert derived(conn) == {"AAA/2010-01-01": (None, "no_entry_into_force", None)}


def test_reaccession_counts_from_the_new_consent():
    clause = dict(general_rule="months_after_deposit", general_n=3, later_applies_to="after_nth_instrument",
                  later_rule="months_after_deposit", later_n=3)
    conn = synthetic({"entry_into_force": "1976-03-23", "adopted": "1966-12-16"}, clause, [
        ("AAA", "accession", "1980-11-14"),
        ("AAA", "denunciation", "1998-05-26", "1998-08-26"),
        ("AAA", "accession", "1998-05-26"),     # re-accession on the day of the denunciation
    ])
    rows = conn.execute("SELECT consent_date, in_force_date, basis, bound_until FROM consent_in_force ORDER BY action_id").fetchall()
    assert rows == [("1980-11-14", "1981-02-14", "later", "1998-08-26"), ("1998-05-26", "1998-08-26", "later", None)]
    # Between the re-accession and the denunciation's effect the status row carries the new consent (not yet in
    # force), and the earlier consent still binds: status_on.sql says in_force true.
    conn.execute("INSERT INTO status_intervals (state_id, instrument_id, valid_from, valid_to, status, signature_date, consent_date,"
                 " consent_type, withdrawal_date, signature_action_id, consent_action_id, withdrawal_action_id, source_id,"
                 " in_force_date, covered_to) SELECT * FROM status_intervals_view")
    on = {d: conn.execute(q.sql("status_on"), {"as_of": d, "states": "AAA", "instruments": "T"}).fetchone() for d in
          ("1998-06-15", "1998-09-01")}
    cols = [c[0] for c in conn.execute(q.sql("status_on"), {"as_of": "1998-06-15", "states": "AAA", "instruments": "T"}).description]
    pick = lambda r: {k: v for k, v in zip(cols, r) if k in ("status", "consent_date", "in_force_date", "in_force")}  # noqa: E731
    assert pick(on["1998-06-15"]) == {"status": "party", "consent_date": "1998-05-26", "in_force_date": "1998-08-26", "in_force": 1}
    assert pick(on["1998-09-01"]) == {"status": "party", "consent_date": "1998-05-26", "in_force_date": "1998-08-26", "in_force": 1}


# --------------------------------------------------------------------------- the real data

def status(conn, state, instrument, as_of):
    return q.status(conn, states=[state], instruments=[instrument], as_of=as_of)[0]


@pytest.mark.parametrize("instrument, expected", [
    ("ICCPR", "1981-12-14"), ("ICESCR", "1981-12-14"), ("CRC", "1990-10-21"), ("CEDAW", "2001-03-29"),
    ("OP-CRC-SC", "2014-12-10"), ("CRPD", "2017-01-05"),
])
def test_prk_in_force_dates(conn, instrument, expected):
    row = status(conn, "PRK", instrument, "2026-02-03")
    assert (row["status"], row["in_force_date"], row["in_force"]) == ("party", expected, True)


def test_prk_crpd_between_deposit_and_entry_into_force(conn):
    row = status(conn, "PRK", "CRPD", "2016-12-20")
    assert (row["status"], row["consent_date"], row["in_force_date"], row["in_force"]) == (
        "party", "2016-12-06", "2017-01-05", False)
    assert (row["in_force_article"], row["in_force_note"]) == ("45(2)", "30 days after the deposit of 2016-12-06 (article 45(2))")
    assert status(conn, "PRK", "CRPD", "2017-01-04")["in_force"] is False
    assert status(conn, "PRK", "CRPD", "2017-01-05")["in_force"] is True
    # not a party: false; unknown: null
    assert status(conn, "PRK", "CAT", "2026-02-03")["in_force"] is False
    assert status(conn, "FRA", "C087", "2026-02-03")["in_force"] is None


def test_reaccession_keeps_the_state_bound_without_a_gap(conn):
    # Trinidad and Tobago denounced the ICCPR-OP1 and re-acceded on 26 May 1998 (the denunciation took effect
    # three months later); the re-accession is counted from its own deposit, and the first accession binds meanwhile.
    rows = conn.execute("SELECT consent_date, in_force_date, basis, bound_until FROM consent_in_force"
                        " WHERE state_id = 'TTO' AND instrument_id = 'ICCPR-OP1' ORDER BY consent_date").fetchall()
    assert rows == [("1980-11-14", "1981-02-14", "later", "1998-08-26"), ("1998-05-26", "1998-08-26", "later", "2000-06-27")]
    # The data dates the re-accession's effect to the denunciation's (1998-08-26): until then the first accession binds.
    mid = status(conn, "TTO", "ICCPR-OP1", "1998-06-15")
    assert (mid["status"], mid["consent_date"], mid["in_force_date"], mid["in_force"]) == ("party", "1980-11-14", "1981-02-14", True)
    after = status(conn, "TTO", "ICCPR-OP1", "1998-09-01")
    assert (after["status"], after["consent_date"], after["in_force_date"], after["in_force"]) == ("party", "1998-05-26", "1998-08-26", True)
    assert status(conn, "TTO", "ICCPR-OP1", "2026-02-03")["in_force"] is False  # withdrawn


def test_open_cases_as_documented(conn):
    counts = dict(conn.execute("SELECT basis, count(*) FROM consent_in_force GROUP BY basis").fetchall())
    # ILO ratifications recorded singly: 19 with a full date (later), 31 known only by year (partial_date), Brazil's
    # C182, registered before the Convention's own entry into force (open_before_entry_into_force), and Japan's
    # C187, whose clause was not read (no_clause)
    assert counts == {"general": 469, "later": 2534, "open_before_entry_into_force": 8, "open_month_end": 10, "succession": 115,
                      "partial_date": 31, "no_clause": 1}
    gap = conn.execute("SELECT instrument_id, state_id, consent_date FROM consent_in_force"
                       " WHERE basis = 'open_before_entry_into_force' ORDER BY instrument_id, consent_date").fetchall()
    assert gap == [("C182", "BRA", "2000-02-02"), ("ICMW", "MLI", "2003-06-05"), ("OP-CEDAW", "BOL", "2000-09-27"), ("OP-CEDAW", "SVK", "2000-11-17"),
                   ("OP-CEDAW", "MLI", "2000-12-05"), ("OP-CRC-AC", "KEN", "2002-01-28"), ("OP-CRC-AC", "AUT", "2002-02-01"),
                   ("OP-CRC-SC", "VNM", "2001-12-20")]
    month_end = conn.execute("SELECT instrument_id, state_id, consent_date FROM consent_in_force"
                             " WHERE basis = 'open_month_end' ORDER BY instrument_id, state_id").fetchall()
    assert month_end == [("ICCPR", "SLV", "1979-11-30"), ("ICESCR", "SLV", "1979-11-30"), ("OP-CRC-AC", "BEN", "2005-01-31"),
                         ("OP-CRC-AC", "SRB", "2003-01-31"), ("OP-CRC-SC", "BEN", "2005-01-31"), ("OP-CRC-SC", "BFA", "2006-03-31"),
                         ("OP-CRC-SC", "ECU", "2004-01-30"), ("OP-CRC-SC", "LIE", "2013-01-30"), ("OP-CRC-SC", "MHL", "2019-01-29"),
                         ("OP-ICESCR", "FIN", "2014-01-31")]
    # The scopes the data gives: the four instruments whose later rule speaks only of "after its entry into force".
    scoped = [r[0] for r in conn.execute("SELECT instrument_id FROM entry_into_force_clauses"
                                         " WHERE later_applies_to = 'after_entry_into_force' AND instrument_id NOT LIKE 'C0%'"
                                         " AND instrument_id NOT LIKE 'C1%' AND instrument_id != 'P029' ORDER BY 1")]
    assert scoped == ["ICMW", "OP-CEDAW", "OP-CRC-AC", "OP-CRC-SC"]


def test_every_consent_has_a_row_and_every_party_row_a_date_or_a_reason(conn):
    n = one(conn, f"SELECT count(*) FROM actions WHERE type IN {CONSENTS} AND legal_effect = 'effective'")[0]
    assert one(conn, "SELECT count(*) FROM consent_in_force")[0] == n
    assert one(conn, "SELECT count(*) FROM consent_in_force WHERE in_force_date IS NULL AND basis IN ('general', 'later')")[0] == 0
    assert one(conn, "SELECT count(*) FROM consent_in_force WHERE in_force_date < consent_date")[0] == 0
    assert one(conn, "SELECT count(*) FROM status_intervals si JOIN consent_in_force c ON c.action_id = si.consent_action_id"
                     " WHERE si.in_force_date IS NOT c.in_force_date")[0] == 0


# --------------------------------------------------------------------------- the self-check

FORMER = yaml.safe_load((HERE / "data" / "former_state_consents.yaml").read_text())["consents"]
# Why the self-check cannot run on an instrument, where it cannot.
CANNOT = {i: "ILO: ratifications are recorded singly, never the whole list, so there is no grid to count"
          for i in ("C029", "P029", "C087", "C098", "C100", "C105", "C111", "C138", "C155", "C182")}
CANNOT["C187"] = "no entry-into-force clause was read for C187 (no copy of its text was found), so there is no rule"
INSTRUMENTS = [i["id"] for i in yaml.safe_load((HERE.parent / "data" / "treaties.yaml").read_text())["instruments"]]


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_self_check_against_the_depositary(conn, instrument):
    if instrument in CANNOT:
        pytest.skip(CANNOT[instrument])
    row = one(conn, "SELECT derived, stated, result, instruments_needed, nth_deposit FROM entry_into_force_check"
                    " WHERE instrument_id = ?", instrument)
    assert row is not None, f"{instrument} has no clause: add it to CANNOT with the reason, or read the clause"
    derived_, stated, result, needed, nth = row
    former = [c for c in FORMER if c["instrument"] == instrument]
    if not former:
        assert (result, derived_) == ("match", stated)
        return
    # The grid alone cannot: consents of former states are missing. Say so, then reproduce the date with them.
    assert result == "differs"
    dates = sorted([r[0] for r in conn.execute(f"SELECT date_on FROM actions WHERE instrument_id = ? AND type IN {CONSENTS}"
                                               " AND legal_effect = 'effective'", (instrument,))]
                   + [str(c["date"]) for c in former])
    clause = one(conn, "SELECT general_rule, general_n FROM entry_into_force_clauses WHERE instrument_id = ?", instrument)
    assert rule_date(clause[0], clause[1], dates[needed - 1]) == stated


def test_former_state_consents_are_read_from_the_grids_footnotes(conn):
    for c in FORMER:
        inst, state, typ = c["footnote_on"].split("/")
        text = one(conn, "SELECT footnote_text FROM actions WHERE instrument_id = ? AND state_id = ? AND type = ?",
                   inst, state, typ)[0]
        assert c["quote"] in " ".join(text.split()), c


def test_self_check_results(conn):
    results = dict(conn.execute("SELECT result, count(*) FROM entry_into_force_check GROUP BY result").fetchall())
    assert results == {"match": 18, "differs": 5, "not_computable": 10}


# --------------------------------------------------------------------------- dates stated by other sources

CHECKS = yaml.safe_load((HERE / "data" / "in_force_checks.yaml").read_text())["checks"]


@pytest.mark.parametrize("check", CHECKS, ids=[f"{c['state']}-{c['instrument']}" for c in CHECKS])
def test_dates_stated_by_other_sources(conn, check):
    assert check["source"]["url"].startswith("http") and check["snippet"]
    row = status(conn, check["state"], check["instrument"], "2026-02-03")
    assert row["in_force_date"] == str(check["in_force_date"])


# --------------------------------------------------------------------------- bad input

def test_bad_clauses_are_reported_with_their_place(data_copy, cli):
    path = data_copy / "treaties.yaml"
    good = path.read_text()
    bad = good.replace("        rule: on_deposit\n        n: 0\n", "        rule: on_deposit\n        n: 3\n", 1)
    bad = bad.replace("        applies_to: after_nth_instrument\n", "        applies_to: after_the_nth\n", 1)
    path.write_text(bad)
    r = cli("validate", "--data", str(data_copy), "--today", "2026-11-28")
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        "data/treaties.yaml:47:21: applies_to: 'after_the_nth' is not allowed; use one of 'after_nth_instrument' or 'after_entry_into_force'",
        "data/treaties.yaml:1988:7: entry_into_force_clause: n is 0 exactly when the rule is on_deposit",
        "2 errors found; nothing was built.",
    ]
    path.write_text(good.replace("        not_before: ICCPR\n", "        not_before: ICCPX\n", 1))
    r = cli("validate", "--data", str(data_copy), "--today", "2026-11-28")
    assert r.exit_code == 1
    assert r.output.splitlines()[0].endswith(": not_before 'ICCPX' is not an instrument id in treaties.yaml")
