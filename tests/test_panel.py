"""The country-year panel: kb/query/sql/panel.sql, kb.query.panel(), `kb panel` and the stored query."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3

import pytest

import kb.query as q

from .test_pages import get


@pytest.fixture(scope="module")
def conn(built_db):
    return q.connect(built_db)


@pytest.fixture(scope="module")
def full(conn):
    return q.panel(conn, from_year=1966, to_year=2025)


def test_shape_of_the_full_panel(conn, full):
    assert list(full[0]) == list(q.PANEL_KEYS) == ["state", "instrument", "year", "as_of", "status", "consent_date", "known_to",
                                                   "beyond_record"]
    adopted = {r["id"]: int(r["adopted"][:4]) for r in q.instruments(conn)}
    n_states = conn.execute("SELECT count(*) FROM states").fetchone()[0]
    assert n_states == 198
    assert len(full) == n_states * sum(2025 - max(1966, y) + 1 for y in adopted.values()) == 274230
    assert len({(r["state"], r["instrument"], r["year"]) for r in full}) == len(full)
    for r in full:  # no year before the instrument's adoption
        assert r["year"] >= adopted[r["instrument"]]
        assert r["as_of"] == f"{r['year']}-12-31"
    assert min(r["year"] for r in full if r["instrument"] == "CPED") == 2006


def test_random_cells_agree_with_status_on(conn, full):
    rng = random.Random(15)
    for r in rng.sample(full, 300):
        s = q.status(conn, r["state"], r["instrument"], as_of=r["as_of"])
        assert len(s) == 1
        assert (r["status"], r["consent_date"], r["known_to"]) == (s[0]["status"], s[0]["consent_date"], s[0]["known_to"]), r


def test_depositary_grid_consent_in_year_y_is_party_in_y_not_in_y_minus_1(built_db, full):
    cell = {(r["state"], r["instrument"], r["year"]): r for r in full}
    firsts = sqlite3.connect(built_db).execute("""
        SELECT state_id, instrument_id, min(consent_date) FROM status_intervals
        WHERE status = 'party' AND consent_date IS NOT NULL GROUP BY state_id, instrument_id""").fetchall()
    checked = 0
    for state, inst, consent in firsts:
        y = int(consent[:4])
        if (state, inst, y) not in cell:
            continue
        assert cell[(state, inst, y)]["status"] == "party", (state, inst, consent)
        assert cell[(state, inst, y)]["consent_date"] == consent
        before = cell.get((state, inst, y - 1))
        if before is not None:
            assert before["status"] != "party", (state, inst, consent, before)
            checked += 1
    assert checked > 2500
    # named cells
    assert cell[("KOR", "CAT", 1994)]["status"] == "not_party"
    assert cell[("KOR", "CAT", 1995)] ["status"] == "party" and cell[("KOR", "CAT", 1995)]["consent_date"] == "1995-01-09"
    assert cell[("PRK", "CRPD", 2015)]["status"] == "signatory" and cell[("PRK", "CRPD", 2016)]["status"] == "party"
    assert cell[("PRK", "C029", 2020)]["status"] == "not_applicable" and cell[("FRA", "C029", 2020)]["status"] == "unknown"


def test_cli(cli, built_db):
    r = cli("panel", "North Korea", "KOR", "--instrument", "CAT", "--from", "1994", "--to", "1995", "--db", str(built_db))
    assert r.exit_code == 0
    assert r.output == ("state,instrument,year,as_of,status,consent_date,known_to,beyond_record\n"
                        "KOR,CAT,1994,1994-12-31,not_party,,2026-02-03,false\n"
                        "KOR,CAT,1995,1995-12-31,party,1995-01-09,2026-02-03,false\n"
                        "PRK,CAT,1994,1994-12-31,not_party,,2026-02-03,false\n"
                        "PRK,CAT,1995,1995-12-31,not_party,,2026-02-03,false\n")
    r = cli("panel", "PRK", "--instrument", "CRPD", "--from", "2000", "--to", "2016", "--format", "json", "--db", str(built_db))
    rows = json.loads(r.output)
    assert [x["year"] for x in rows] == [2006 + i for i in range(11)]  # adopted 13 December 2006
    assert rows[-1] == {"state": "PRK", "instrument": "CRPD", "year": 2016, "as_of": "2016-12-31", "status": "party",
                        "consent_date": "2016-12-06", "known_to": "2026-02-03", "beyond_record": False}


@pytest.mark.parametrize("args, message", [
    (["--from", "19x", "--to", "2000"], "Error: Invalid value for --from: '19x' is not a year: write it YYYY (e.g. 1966)"),
    (["--from", "2000", "--to", "1990"], "Error: Invalid value for --to: --to 1990 is before --from 2000"),
    (["Narnia", "--from", "2000", "--to", "2001"],
     "Error: Invalid value for STATE: unknown state 'Narnia'; did you mean 'Mauritania', 'Romania', 'Nigeria'?"),
    (["--instrument", "CTA", "--from", "2000", "--to", "2001"],
     "Error: Invalid value for --instrument: unknown instrument 'CTA'; did you mean CAT?"),
    (["--to", "2001"], "Error: Missing option '--from'."),
])
def test_cli_bad_input(cli, built_db, args, message):
    r = cli("panel", *args, "--db", str(built_db))
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[-1] == message


def test_stored_query_is_the_same_sql(built_db, conn):
    r = get(built_db, "/kb/panel.csv?from=2014&to=2016&states=PRK,FRA&instruments=CRPD,CAT")
    assert r.status_code == 200
    got = list(csv.DictReader(io.StringIO(r.text)))
    want = q.panel(conn, ["PRK", "FRA"], ["CRPD", "CAT"], 2014, 2016)
    assert [{k: (v if v != "" else None) for k, v in g.items()} for g in got] == \
        [{k: (str(int(v)) if isinstance(v, bool) else str(v) if v is not None else None) for k, v in w.items()} for w in want]
    assert len(got) == 12
