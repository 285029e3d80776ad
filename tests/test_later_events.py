"""Later events on the five instruments recorded in full only to 14 March 2015 (GENOCIDE, REFUGEES,
REFUGEES-P, ROME, TIP): each withdrawal and a sample of accessions, on the day before and on the day
the event takes effect; and every action dated after its instrument's known_to cites a source of that
date or later, labelled with its kind.

`in_force` is asserted only where the status interval in effect began after known_to (a later event
decides it); before a later withdrawal takes effect, the state's party interval began before known_to."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import kb.query as q
from kb.data import schema as S

ROOT = Path(__file__).resolve().parent.parent
FIVE = ("GENOCIDE", "REFUGEES", "REFUGEES-P", "ROME", "TIP")
KNOWN_TO = "2015-03-14"


@pytest.fixture(scope="module")
def conn(built_db):
    c = q.connect(built_db)
    yield c
    c.close()


def status(conn, state: str, instrument: str, as_of: str) -> dict:
    rows = q.status(conn, states=[state], instruments=[instrument], as_of=as_of)
    assert len(rows) == 1
    return rows[0]


# --------------------------------------------------------------------------- withdrawals

# state, notified, takes effect, consent date in effect until then
WITHDRAWALS = [
    ("BDI", "2016-10-27", "2017-10-27", "2004-09-21"),
    ("PHL", "2018-03-17", "2019-03-17", "2011-08-30"),
    ("HUN", "2025-06-02", "2026-06-02", "2001-11-30"),
]


@pytest.mark.parametrize("state,notified,effective,consent", WITHDRAWALS)
def test_withdrawal_day_before_it_takes_effect(conn, state, notified, effective, consent):
    day_before = {"BDI": "2017-10-26", "PHL": "2019-03-16", "HUN": "2026-06-01"}[state]
    r = status(conn, state, "ROME", day_before)
    assert (r["status"], r["consent_date"], r["withdrawal_date"], r["known_to"]) == ("party", consent, None, KNOWN_TO)
    # Still a party the day after the notice: the withdrawal takes effect a year later (article 127(1)).
    r = status(conn, state, "ROME", notified)
    assert (r["status"], r["withdrawal_date"]) == ("party", None)


@pytest.mark.parametrize("state,notified,effective,consent", WITHDRAWALS)
def test_withdrawal_on_the_day_it_takes_effect(conn, state, notified, effective, consent):
    r = status(conn, state, "ROME", effective)
    assert (r["status"], r["consent_date"], r["withdrawal_date"], r["in_force"]) == ("withdrawn", consent, effective, False)
    assert r["known_to"] == KNOWN_TO
    assert r["source_as_at"] >= notified[:7]


def test_philippines_withdrawal_cites_the_un_statement(conn):
    r = status(conn, "PHL", "ROME", "2019-03-17")
    assert r["source_symbol"] == "ST/LEG/SER.A/853"
    assert r["source_as_at"] == "2018-03"
    assert r["source_url"] == ("https://github.com/huyn8/untreaties2/blob/727a034f58535770c523b8dec60d0b85fbafab05/"
                               "2018/2018-3.txt")


@pytest.mark.parametrize("state,notice,revoked", [("ZAF", "2016-10-19", "2017-03-07"), ("GMB", "2016-11-10", "2017-02-10")])
def test_revoked_notices_change_nothing(conn, state, notice, revoked):
    consent = {"ZAF": "2000-11-27", "GMB": "2002-06-28"}[state]
    for day in (notice, revoked, "2018-01-01"):
        r = status(conn, state, "ROME", day)
        assert (r["status"], r["consent_date"], r["withdrawal_date"]) == ("party", consent, None)
        assert r["note"] == f"notification_of_withdrawal of {notice} (no legal effect)"
    row = conn.execute("SELECT a.type, s.symbol FROM actions a JOIN sources s ON s.id = a.source_id "
                       "WHERE a.state_id = ? AND a.instrument_id = 'ROME' AND a.date = ?", (state, revoked)).fetchone()
    assert row == ("communication", {"ZAF": "C.N.121.2017.TREATIES-XVIII.10", "GMB": "SG/SM/18443"}[state])


# --------------------------------------------------------------------------- states that joined later

# state, instrument, status the day before, deposit, consent type, entry into force for it as the source states it
JOINED = [
    ("UKR", "ROME", "signatory", "2024-10-25", "ratification", "2025-01-01"),
    ("ARM", "ROME", "signatory", "2023-11-14", "ratification", "2024-02-01"),
    ("SLV", "ROME", "not_party", "2016-03-03", "accession", "2016-06-01"),
    ("TKM", "GENOCIDE", "not_party", "2018-12-26", "accession", "2019-03-26"),
    ("BEN", "GENOCIDE", "not_party", "2017-11-02", "accession", "2018-01-31"),
    ("DMA", "GENOCIDE", "not_party", "2019-05-13", "accession", "2019-08-11"),
    ("SSD", "REFUGEES", "not_party", "2018-12-10", "accession", "2019-03-10"),
    ("SSD", "REFUGEES-P", "not_party", "2018-12-10", "accession", "2018-12-10"),
]


def _day_before(d: str) -> str:
    import datetime as dt
    return (dt.date.fromisoformat(d) - dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize("state,instrument,before,deposit,ctype,in_force_date", JOINED)
def test_joined_later(conn, state, instrument, before, deposit, ctype, in_force_date):
    r = status(conn, state, instrument, _day_before(deposit))
    assert (r["status"], r["consent_date"]) == (before, None)
    r = status(conn, state, instrument, deposit)
    assert (r["status"], r["consent_date"], r["consent_type"], r["in_force_date"]) == ("party", deposit, ctype, in_force_date)
    assert r["in_force"] is (in_force_date == deposit)
    r = status(conn, state, instrument, in_force_date)
    assert (r["status"], r["in_force"]) == ("party", True)
    if in_force_date != deposit:
        r = status(conn, state, instrument, _day_before(in_force_date))
        assert (r["status"], r["in_force"]) == ("party", False)


def test_ukraine_rome_statute_in_force_by_article_126_2(conn):
    r = status(conn, "UKR", "ROME", "2024-12-31")
    assert (r["status"], r["in_force"], r["in_force_date"], r["in_force_article"]) == ("party", False, "2025-01-01", "126(2)")
    assert r["in_force_note"] == "the first day of the month after the 60th day following the deposit of 2024-10-25 (article 126(2))"
    r = status(conn, "UKR", "ROME", "2025-01-01")
    assert (r["status"], r["in_force"]) == ("party", True)


def test_palestine_accession_missing_from_the_2015_table(conn):
    assert status(conn, "PSE", "ROME", "2015-01-01")["status"] == "not_party"
    r = status(conn, "PSE", "ROME", "2015-01-02")
    assert (r["status"], r["consent_type"], r["in_force"], r["in_force_date"]) == ("party", "accession", False, "2015-04-01")


# --------------------------------------------------------------------------- sources of later events

def test_every_later_action_cites_a_source_of_its_date_or_later(conn):
    rows = conn.execute(
        "SELECT a.instrument_id, a.state_id, a.type, a.date, s.as_at, s.kind, s.url "
        "FROM actions a JOIN instruments i ON i.id = a.instrument_id JOIN sources s ON s.id = a.source_id "
        "WHERE a.date_on > i.status_as_at ORDER BY a.instrument_id, a.date, a.state_id").fetchall()
    assert rows, "no later events recorded"
    late = []
    for inst, state, typ, date, as_at, kind, url in rows:
        if S.date_bounds(as_at)[1] < S.date_bounds(date)[0]:
            late.append(f"{inst} {state} {typ} {date}: source as_at {as_at} ({url})")
    assert late == []
    five = [(r[0], r[1], r[2], r[3]) for r in rows if r[0] in FIVE]
    assert {
        ("ROME", "SLV", "accession", "2016-03-03"), ("ROME", "BDI", "notification_of_withdrawal", "2016-10-27"),
        ("ROME", "ZAF", "notification_of_withdrawal", "2016-10-19"), ("ROME", "ZAF", "communication", "2017-03-07"),
        ("ROME", "GMB", "notification_of_withdrawal", "2016-11-10"), ("ROME", "GMB", "communication", "2017-02-10"),
        ("ROME", "PHL", "notification_of_withdrawal", "2018-03-17"), ("ROME", "ARM", "ratification", "2023-11-14"),
        ("ROME", "UKR", "ratification", "2024-10-25"), ("ROME", "HUN", "notification_of_withdrawal", "2025-06-02"),
        ("GENOCIDE", "BEN", "accession", "2017-11-02"), ("GENOCIDE", "TKM", "accession", "2018-12-26"),
        ("GENOCIDE", "DMA", "accession", "2019-05-13"),
        ("REFUGEES", "SSD", "accession", "2018-12-10"), ("REFUGEES-P", "SSD", "accession", "2018-12-10"),
    } <= set(five)
    # A later source says what kind of copy it is (the depositary's own status table was not it).
    assert [r for r in rows if r[0] in FIVE and r[5] is None] == []


def test_the_five_keep_their_record_date_and_say_how_later_events_were_added(conn):
    got = dict(conn.execute(f"SELECT id, status_as_at FROM instruments WHERE id IN {FIVE}").fetchall())
    assert got == {i: KNOWN_TO for i in FIVE}
    treaties = {i["id"]: i for i in yaml.safe_load((ROOT / "data" / "treaties.yaml").read_text())["instruments"]}
    for i in FIVE:
        assert treaties[i]["note"].startswith("Recorded in full to 14 March 2015; "), i
    assert "no later event could be sourced" in treaties["TIP"]["note"]


def test_curated_later_actions_carry_kind_and_a_note(built_db):
    for i in FIVE:
        path = ROOT / "data" / "actions" / f"{i}.yaml"
        if not path.exists():
            continue
        for a in yaml.safe_load(path.read_text())["actions"]:
            if S.date_bounds(str(a["date"]))[0] > KNOWN_TO or a["state"] == "PSE":
                assert a["source"].get("kind") in ("un_host", "un_mirror", "secondary"), (i, a["state"])
                assert a["source"].get("note"), (i, a["state"])


def test_a_month_dated_source_never_speaks_for_a_status_it_predates(conn):
    # The UN Statement of March 2018 records the Philippines' notice; the withdrawal took effect a year later.
    # As of March 2018 the Philippines was still a party, so the citation speaks for the day asked, not the source's.
    v = q.version(conn)
    tail = ("the Philippines had withdrawn from the Rome Statute of the International Criminal Court (Rome, 17 July 1998; "
            "United Nations, Treaty Series, vol. 2187) with effect from 17 March 2019 (it had been a party since "
            "30 August 2011, by ratification). This status rests on a later event the knowledge base records; its record "
            "of the instrument is otherwise as at 14 March 2015. Source: https://github.com/huyn8/untreaties2/blob/"
            "727a034f58535770c523b8dec60d0b85fbafab05/2018/2018-3.txt (ST/LEG/SER.A/853; status as at March 2018). "
            f"KB version {v}.")
    for day, words in (("2019-03-17", "17 March 2019"), ("2026-02-03", "3 February 2026")):
        assert q.cite(conn, "PHL", "ROME", day, "plain") == f"On {words}, according to the United Nations, " + tail
    # The country page's citations are worded by the same rule.
    from kb.query.citation import citations_for_state
    assert citations_for_state(conn, "PHL", "2026-02-03", ("plain",))["ROME"]["plain"] == (
        "On 3 February 2026, according to the United Nations, " + tail)


def test_source_day_of_partial_dates():
    from kb.query.citation import source_day
    assert source_day("2018-03", "2026-02-03") == "2018-03-31"
    assert source_day("2016-12", "2026-02-03") == "2016-12-31"
    assert source_day("2024-02", "2026-02-03") == "2024-02-29"
    assert source_day("2017", "2026-02-03") == "2017-12-31"
    assert source_day("2018-03", "2018-03-20") == "2018-03-20"
    assert source_day("2016-10-27", "2026-02-03") == "2016-10-27"
