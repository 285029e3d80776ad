"""ILO ratifications recorded singly (data/actions/C*.yaml, P029.yaml): a pair with a recorded
ratification reads `party` from its registration date; the day before, and every pair no source
decides, stays `unknown`; the DPRK stays `not_applicable`. Entry into force follows the clause the KB
holds (12 months after registration) and gives the dates the sources state."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import kb.query as q
from kb.query.citation import format_citation, instrument_row, status_row

ROOT = Path(__file__).resolve().parent.parent
ILO = ("C029", "C087", "C098", "C100", "C105", "C111", "C138", "C155", "C182", "C187", "P029")


@pytest.fixture(scope="module")
def conn(built_db):
    c = q.connect(built_db)
    yield c
    c.close()


def status(conn, state: str, instrument: str, as_of: str) -> dict:
    rows = q.status(conn, states=[state], instruments=[instrument], as_of=as_of)
    assert len(rows) == 1
    return rows[0]


def test_kor_c029_on_3_february_2026(conn):
    r = status(conn, "KOR", "C029", "2026-02-03")
    assert (r["status"], r["consent_date"], r["consent_type"], r["in_force_date"]) == (
        "party", "2021-04-20", "ratification", "2022-04-20")
    assert r["source_url"] == "https://mofa.go.kr/eng/brd/m_5650/view.do?seq=318854"
    assert r["source_kind"] == "secondary"
    assert r["in_force_article"] == "28(3)"
    # past the ILO record's date (the membership list of 1 February 2025): as recorded
    assert r["beyond_record"] is True and r["in_force"] is None


# state, instrument, registration date, entry into force the sources state (or derive from "one year after")
FULL_DATES = [
    ("KOR", "C029", "2021-04-20", "2022-04-20"),
    ("KOR", "C087", "2021-04-20", "2022-04-20"),
    ("KOR", "C098", "2021-04-20", "2022-04-20"),
    ("CHN", "C029", "2022-08-12", "2023-08-12"),
    ("CHN", "C105", "2022-08-12", "2023-08-12"),
    ("JPN", "C105", "2022-07-19", "2023-07-19"),
    ("JPN", "C138", "2000-06-05", "2001-06-05"),
    ("JPN", "C182", "2001-06-18", "2002-06-18"),
    ("RUS", "P029", "2019-01-17", "2020-01-17"),
]


@pytest.mark.parametrize("state,instrument,registered,in_force", FULL_DATES)
def test_party_from_registration_unknown_the_day_before(conn, state, instrument, registered, in_force):
    import datetime as dt
    day_before = (dt.date.fromisoformat(registered) - dt.timedelta(days=1)).isoformat()
    assert status(conn, state, instrument, day_before)["status"] == "unknown"
    r = status(conn, state, instrument, registered)
    assert (r["status"], r["consent_date"], r["in_force_date"], r["in_force"]) == ("party", registered, in_force, 0)
    bound = status(conn, state, instrument, in_force)
    assert (bound["status"], bound["in_force"]) == ("party", 1)
    eve = (dt.date.fromisoformat(in_force) - dt.timedelta(days=1)).isoformat()
    assert status(conn, state, instrument, eve)["in_force"] == 0


def test_year_only_registration_counts_from_the_last_day_of_the_year(conn):
    assert status(conn, "RUS", "C087", "1956-12-30")["status"] == "unknown"
    r = status(conn, "RUS", "C087", "1956-12-31")
    assert (r["status"], r["consent_date"], r["in_force_date"], r["in_force"]) == ("party", "1956", None, None)
    assert r["in_force_note"] == "the date of the consent is known only as 1956"
    assert r["source_kind"] == "un_host"


def test_entry_into_force_not_derived_where_the_convention_s_own_is_known_only_as_a_year(conn):
    # Japan registered C187 on 24 July 2007, before the Convention itself entered into force; the KB
    # holds that date only as "2009", so it derives no date for Japan
    r = status(conn, "JPN", "C187", "2010-01-01")
    assert (r["status"], r["consent_date"], r["in_force_date"], r["in_force"]) == ("party", "2007-07-24", None, None)


def test_pairs_no_source_decides_stay_unknown(conn):
    # No source read decides the ROK's C105, Mongolia's C111, C138 and C182, Japan's C029 (registered before
    # the ILO membership the KB records for Japan) and C111, China's C087, or any P029 but Russia's
    for state, instrument in [("KOR", "C105"), ("MNG", "C111"), ("MNG", "C138"), ("MNG", "C182"), ("JPN", "C029"),
                              ("JPN", "C111"), ("CHN", "C087"),
                              ("CHN", "P029"), ("KOR", "P029"), ("JPN", "P029"), ("MNG", "P029")]:
        r = status(conn, state, instrument, "2026-02-03")
        assert (r["status"], r["source_url"], r["in_force"]) == ("unknown", None, None), (state, instrument)


def test_dprk_stays_not_applicable(conn):
    for instrument in ILO:
        assert status(conn, "PRK", instrument, "2026-02-03")["status"] == "not_applicable"


def test_compare_states_ilo_rows(conn):
    rows = q.status(conn, states=["PRK", "KOR", "CHN", "JPN", "MNG", "RUS"], instruments=["C029", "C105"],
                    as_of="2026-02-03")
    got = {(r["state"], r["instrument"]): r["status"] for r in rows}
    assert got == {
        ("PRK", "C029"): "not_applicable", ("PRK", "C105"): "not_applicable",
        ("KOR", "C029"): "party", ("KOR", "C105"): "unknown",
        ("CHN", "C029"): "party", ("CHN", "C105"): "party",
        ("JPN", "C029"): "unknown", ("JPN", "C105"): "party",
        ("MNG", "C029"): "party", ("MNG", "C105"): "party",
        ("RUS", "C029"): "party", ("RUS", "C105"): "party",
    }


def test_citation_past_the_source_says_as_recorded_by_that_source_on_its_date(conn):
    row = status_row(conn, "KOR", "C029", "2026-02-03")
    text = format_citation(row, instrument_row(conn, "C029"), "2026-02-03")
    assert text.startswith(
        "As recorded by Ministry of Foreign Affairs of the Republic of Korea on 21 April 2021, the Republic of Korea "
        "had been a party to the Forced Labour Convention, 1930 (No. 29) (Geneva, 28 June 1930) since 20 April 2021 "
        "(ratification); it was to enter into force for it on 20 April 2022 (article 28(3)). The knowledge base "
        "records no later event for the Republic of Korea on this instrument, so it cannot say whether this still "
        "held on 3 February 2026.")
    row = status_row(conn, "RUS", "C087", "2026-02-03")
    assert format_citation(row, instrument_row(conn, "C087"), "2026-02-03").startswith(
        "As recorded by NORMLEX (ILO) in 2025, the Russian Federation had been a party")


def _ilo_actions():
    for ins in ILO:
        path = ROOT / "data" / "actions" / f"{ins}.yaml"
        if path.exists():
            for a in yaml.safe_load(path.read_text())["actions"]:
                yield ins, a


def test_every_ilo_ratification_is_sourced_with_its_kind():
    seen = 0
    for ins, a in _ilo_actions():
        seen += 1
        assert a["type"] == "ratification", (ins, a["state"])
        src = a["source"]
        assert src["kind"] in ("un_host", "un_mirror", "secondary"), (ins, a["state"])
        assert src["url"].startswith("http") and src["note"], (ins, a["state"])
        # the source speaks on or after the registration it states
        assert str(src["as_at"]) >= str(a["date"])[:len(str(src["as_at"]))], (ins, a["state"])
        if src["kind"] == "secondary":
            assert src["note"].startswith("Secondary source"), (ins, a["state"])
    assert seen == 38


def test_ilo_counts_by_source_kind():
    kinds: dict[str, int] = {}
    for _, a in _ilo_actions():
        kinds[a["source"]["kind"]] = kinds.get(a["source"]["kind"], 0) + 1
    assert kinds == {"un_host": 28, "un_mirror": 2, "secondary": 8}
