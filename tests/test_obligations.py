"""Obligations: instruments, procedures and reservations, accepted or not, on any date."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from kb.query import sql as query_sql


def obligations(db, state, as_of):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute(query_sql("obligations_on"), {"state": state, "as_of": as_of})]


def pick(rows, instrument, kind, article=None):
    found = [r for r in rows if r["instrument"] == instrument and r["kind"] == kind and r["article"] == article]
    assert len(found) == 1, (instrument, kind, article, found)
    r = found[0]
    return bool(r["accepted"]), r["since"], r["reason"]


@pytest.mark.parametrize("as_of,article,expected", [
    ("2010-01-01", "2(f)", (False, None, "reservation to article 2(f) in force since 2001-02-27")),
    ("2010-01-01", "9(2)", (False, None, "reservation to article 9(2) in force since 2001-02-27")),
    ("2026-02-03", "2(f)", (True, "2015-11-23", "reservation to article 2(f) withdrawn on 2015-11-23")),
    ("2015-11-23", "9(2)", (True, "2015-11-23", "reservation to article 9(2) withdrawn on 2015-11-23")),
    ("2026-02-03", "29", (False, None, "reservation to article 29 in force since 2001-02-27")),
])
def test_prk_cedaw_reservations(built_db, as_of, article, expected):
    assert pick(obligations(built_db, "PRK", as_of), "CEDAW", "reservation", article) == expected


def test_prk_instruments_and_procedures(built_db):
    rows = obligations(built_db, "PRK", "2026-02-03")
    assert pick(rows, "CAT", "instrument") == (False, None, "not a party to CAT")
    assert pick(rows, "ICCPR", "instrument") == (
        True, "1981-12-14", "party since 1981-09-14 (accession); in force for it since 1981-12-14 (article 49(2))")
    assert pick(rows, "CRPD", "instrument") == (
        True, "2017-01-05", "party since 2016-12-06 (ratification); in force for it since 2017-01-05 (article 45(2))")
    crpd = [r for r in rows if r["instrument"] == "CRPD" and r["kind"] == "instrument"][0]
    assert crpd["deposit_date"] == "2016-12-06"
    # The ILO member list is as at 2025-02-01: on a later date the instrument row says so.
    assert pick(rows, "C087", "instrument") == (
        False, None, "not an ILO member: only members can ratify ILO conventions, as recorded on 2025-02-01")
    assert pick(obligations(built_db, "PRK", "2025-02-01"), "C087", "instrument") == (
        False, None, "not an ILO member: only members can ratify ILO conventions")
    accepted, since, reason = pick(rows, "CAT", "procedure", "22")
    assert (accepted, since) == (False, None) and reason.endswith(": not a party to CAT")
    accepted, since, reason = pick(rows, "ICCPR", "procedure", "41")
    assert (accepted, since) == (False, None)
    assert reason.endswith(": no declaration under article 41 recognising the competence of the committee")
    assert pick(rows, "CPED", "instrument") == (False, None, "not a party to CPED")
    assert {r["kind"] for r in rows} == {"instrument", "procedure", "reservation"}
    assert all(r["source_url"] for r in rows)


def test_prk_crpd_before_ratification(built_db):
    rows = obligations(built_db, "PRK", "2016-01-01")
    assert pick(rows, "CRPD", "instrument") == (False, None, "signed on 2013-07-03; not a party to CRPD")
    # Deposited, not yet in force for it: accepted, binding from the date to come.
    rows = obligations(built_db, "PRK", "2016-12-20")
    assert pick(rows, "CRPD", "instrument") == (
        True, "2017-01-05", "party since 2016-12-06 (ratification); in force for it from 2017-01-05 (article 45(2))")


def test_since_is_not_derived_for_a_succession(built_db):
    cze = obligations(built_db, "CZE", "2026-02-03")
    row = [r for r in cze if r["instrument"] == "ICCPR" and r["kind"] == "instrument"][0]
    assert (row["accepted"], row["since"], row["deposit_date"]) == (True, None, "1993-02-22")
    assert row["reason"] == ("party since 1993-02-22 (succession); date of entry into force for it not derived: succession: "
                             "it takes effect from the date of succession, which the depositary's grid does not give")


def test_opt_out_and_opt_in(built_db):
    chn = obligations(built_db, "CHN", "2026-02-03")
    accepted, since, reason = pick(chn, "CAT", "procedure", "20")
    assert (accepted, since) == (False, None) and reason.endswith("opted out under article 28 on 1988-10-04")
    deu = obligations(built_db, "DEU", "2026-02-03")
    assert pick(deu, "CAT", "procedure", "22")[:2] == (True, "2001-10-19")
    # A procedure binds no earlier than the instrument does for the state: ratified 1990-10-01, in force 1990-10-31.
    assert pick(deu, "CAT", "procedure", "20")[:2] == (True, "1990-10-31")
    # Declared on ratification (2009-09-24), binding from the Convention's own entry into force.
    assert pick(deu, "CPED", "procedure", "31")[:2] == (True, "2010-12-23")


def test_cli_obligations_json(cli, built_db):
    r = cli("obligations", "PRK", "--as-of", "2010-01-01", "--db", str(built_db), "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.output)
    assert list(rows[0]) == ["state", "instrument", "instrument_title", "article", "kind", "procedure_kind", "accepted",
                             "since", "reason", "as_of", "source_url", "source_title", "source_as_at", "source_symbol",
                             "deposit_date", "beyond_record"]
    row = [x for x in rows if x["instrument"] == "CEDAW" and x["article"] == "2(f)"][0]
    assert row["accepted"] is False and row["kind"] == "reservation"


def test_cli_changes(cli, built_db):
    r = cli("changes", "PRK", "--since", "2016-01-01", "--until", "2016-12-31", "--db", str(built_db), "--format", "json")
    rows = json.loads(r.output)
    assert [(x["date"], x["instrument"], x["change"], x["from_status"], x["to_status"]) for x in rows] == [
        ("2016-12-06", "CRPD", "ratification", None, None),
        ("2016-12-06", "CRPD", "status", "signatory", "party"),
    ]
    r = cli("changes", "PRK", "--since", "2020-01-01", "--until", "2019-01-01", "--db", str(built_db))
    assert r.exit_code == 2 and "--until 2019-01-01 is before --since 2020-01-01" in r.output


def test_procedure_intervals_equal_the_rules_evaluated_on_each_date(built_db):
    """procedure_intervals (built once) gives, for every state and date, the procedure rows that the
    rules evaluated on the day give (tests/data/obligations_on_per_date.sql, the earlier text of
    obligations_on.sql), and the instrument page's one lookup gives the same rows."""
    per_date = (Path(__file__).parent / "data" / "obligations_on_per_date.sql").read_text()
    conn = sqlite3.connect(f"file:{built_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    keys = ("instrument", "article", "procedure_kind", "accepted", "since", "deposit_date", "reason",
            "source_url", "source_as_at", "source_symbol")
    states = [r[0] for r in conn.execute("SELECT id FROM states ORDER BY id")]
    instruments = [r[0] for r in conn.execute("SELECT DISTINCT instrument_id FROM procedures ORDER BY 1")]
    # Days on which acceptance changes, and the day before each, besides fixed dates.
    changes = [r[0] for r in conn.execute(
        "SELECT DISTINCT valid_from FROM procedure_intervals WHERE valid_from IS NOT NULL ORDER BY 1")]
    changes = changes[:: max(1, len(changes) // 6)][:6]
    dates = ["1980-01-01", "1995-06-30", "2010-01-01", "2026-02-03"] + changes
    dates += [str(date.fromisoformat(d) - timedelta(days=1)) for d in changes]
    compared = 0
    for as_of in dates:
        page: dict[str, list] = {}
        for inst in instruments:
            for r in conn.execute(query_sql("procedure_acceptance_on"), {"instrument": inst, "as_of": as_of}):
                page.setdefault(r["state"], []).append(tuple(r[k] for k in keys))
        for state in states:
            def rows(sql):
                return sorted((tuple(r[k] for k in keys) for r in conn.execute(sql, {"state": state, "as_of": as_of})
                               if r["kind"] == "procedure"), key=repr)
            now = rows(query_sql("obligations_on"))
            assert now == rows(per_date), (state, as_of)
            assert now == sorted(page.get(state, []), key=repr), (state, as_of)
            compared += len(now)
    assert compared > 10_000
    conn.close()
