"""ILO ratifications recorded singly (data/actions/C*.yaml, P029.yaml): a pair with a recorded
ratification reads `party` from its registration date; the day before, and every pair no source
decides, stays `unknown`; the DPRK stays `not_applicable`. Entry into force follows the clause the KB
holds (12 months after registration) and gives the dates the sources state."""

from __future__ import annotations

import re
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
    assert seen == 52


def test_ilo_counts_by_source_kind():
    kinds: dict[str, int] = {}
    for _, a in _ilo_actions():
        kinds[a["source"]["kind"]] = kinds.get(a["source"]["kind"], 0) + 1
    assert kinds == {"un_host": 33, "un_mirror": 3, "secondary": 16}


# ---------------------------------------------------------------- coverage by state (data/coverage.yaml)

def _day(d: str, delta: int) -> str:
    import datetime as dt
    return (dt.date.fromisoformat(d) + dt.timedelta(days=delta)).isoformat()


def _cols(r: dict) -> tuple:
    return (r["status"], r["known_to"], r["beyond_record"], r["in_force"], r["source_kind"])


DOL = "https://webarchive.library.unt.edu/eot2008/20080917135359/http:/www.dol.gov/ilab/map/countries/ILO_int-org.htm"


def test_complete_coverage_on_each_side_of_the_source_s_date(conn):
    # The United States' labour ministry, 17 September 2008: two of the eight core Conventions ratified,
    # C105 and C182. The set is stated on the source's own as-at date.
    stated = "2008-09-17"
    assert _cols(status(conn, "USA", "C029", _day(stated, -1))) == ("unknown", "2025-02-01", 0, None, None)
    r = status(conn, "USA", "C029", stated)
    assert _cols(r) == ("not_party", stated, 0, 0, "secondary")
    assert (r["source_url"], r["source_as_at"]) == (DOL, stated)
    # the day after the source's as-at date: the last recorded status, "as recorded" on that date
    assert _cols(status(conn, "USA", "C029", _day(stated, 1))) == ("not_party", stated, 1, None, "secondary")
    assert _cols(status(conn, "USA", "C029", "2026-02-03")) == ("not_party", stated, 1, None, "secondary")
    # the ratifications the source names come from their own records, before and after the date alike
    for d in (_day(stated, -1), stated, _day(stated, 1)):
        r = status(conn, "USA", "C105", d)
        assert (r["status"], r["consent_date"], r["source_kind"]) == ("party", "1991", "un_host")
    # every one of the eight is decided from the date; the instruments it does not speak of stay unknown
    rows = q.status(conn, states=["USA"], instruments=list(ILO), as_of=stated)
    assert {r["instrument"]: r["status"] for r in rows} == {
        "C029": "not_party", "C087": "not_party", "C098": "not_party", "C100": "not_party", "C105": "party",
        "C111": "not_party", "C138": "not_party", "C182": "party",
        "C155": "unknown", "C187": "unknown", "P029": "not_yet_adopted"}


def test_partial_coverage_leaves_what_the_source_marks_ratified_unknown(conn):
    # The ILO's table as at 14 February 1997, row 'Afghanistan -- X -- -- X X --': the four not ratified
    # are not_party from that day; the three marked ratified have no registration date in the KB and stay
    # unknown (never not_party), as does everything the table does not speak of.
    stated = "1997-02-14"
    for ins in ("C029", "C087", "C098", "C138"):
        assert status(conn, "AFG", ins, _day(stated, -1))["status"] == "unknown"
        assert _cols(status(conn, "AFG", ins, stated)) == ("not_party", stated, 0, 0, "un_host")
        assert _cols(status(conn, "AFG", ins, _day(stated, 1))) == ("not_party", stated, 1, None, "un_host")
    for ins in ("C105", "C100", "C111", "C155"):
        for d in (_day(stated, -1), stated, _day(stated, 1), "2026-02-03"):
            assert status(conn, "AFG", ins, d)["status"] == "unknown", (ins, d)
    # adopted after the table's date: the table does not speak of them
    for ins in ("C182", "C187", "P029"):
        assert status(conn, "AFG", ins, stated)["status"] == "not_yet_adopted"
        assert status(conn, "AFG", ins, "2026-02-03")["status"] == "unknown"


def test_no_coverage_stays_unknown_on_every_date(conn):
    for d in ("1997-02-14", "2008-09-17", "2026-02-03"):
        assert _cols(status(conn, "KOR", "C105", d)) == ("unknown", "2025-02-01", int(d > "2025-02-01"), None, None)


def test_coverage_rows_in_the_views(conn):
    # the panel and latest_status take the pair's record date from the coverage
    rows = q.panel(conn, states=["USA"], instruments=["C029"], from_year=2007, to_year=2009)
    assert [(r["year"], r["status"], r["known_to"], r["beyond_record"]) for r in rows] == [
        (2007, "unknown", "2025-02-01", 0), (2008, "not_party", "2008-09-17", 1), (2009, "not_party", "2008-09-17", 1)]
    got = conn.execute("SELECT status, known_to, covered_to FROM latest_status WHERE state_id = 'USA' AND instrument_id = 'C029'").fetchone()
    assert tuple(got) == ("not_party", "2008-09-17", "2008-09-17")
    got = conn.execute("SELECT status, known_to, covered_to FROM latest_status WHERE state_id = 'USA' AND instrument_id = 'C105'").fetchone()
    assert tuple(got) == ("party", "2025-02-01", None)


def test_obligations_say_as_recorded_on_the_coverage_s_date(conn):
    rows = [r for r in q.obligations(conn, "USA", as_of="2020-01-01") if r["instrument"] == "C029"]
    assert [(r["accepted"], r["reason"], r["beyond_record"]) for r in rows] == [
        (False, "not a party to C029, as recorded on 2008-09-17", True)]


def test_the_dprk_stays_not_applicable_and_is_not_covered(conn):
    assert conn.execute("SELECT count(*) FROM state_coverage WHERE state_id = 'PRK'").fetchone()[0] == 0
    for ins in ILO:
        assert status(conn, "PRK", ins, "2026-02-03")["status"] == "not_applicable"


BAD_COVERAGE = """coverage:
  - state: XXX
    date: 2008-09-18
    instruments: [C029, C999, CAT, C029]
    ratified: [C105]
    source:
      url: https://example.org/profile
      title: Example profile
      as_at: 2008-09-17
  - state: KOR
    date: "2022"
    instruments: [C029]
    source:
      url: https://example.org/profile
      title: Example profile
      as_at: "2022"
      kind: un_host
  - state: KOR
    date: 2022-01-01
    instruments: [C029, C105, C155]
    ratified: [C105]
    source:
      url: https://example.org/profile
      title: Example profile
      as_at: 2022-01-01
      kind: un_host
"""


def test_bad_coverage_gets_located_errors_all_at_once(data_copy):
    from kb.data.errors import DataErrors
    from kb.data.validate import validate

    from .conftest import TODAY
    (data_copy / "coverage.yaml").write_text(BAD_COVERAGE)
    with pytest.raises(DataErrors) as exc:
        validate(data_copy, today=TODAY)
    got = [str(p) for p in exc.value.problems]
    assert got == EXPECTED_COVERAGE_ERRORS



EXPECTED_COVERAGE_ERRORS = [
    "data/coverage.yaml:2:12: state 'XXX' is not in states.yaml: use an ISO 3166-1 alpha-3 code listed there",
    "data/coverage.yaml:3:11: date 2008-09-18 is after the source's as-at date 2008-09-17: a source cannot state a set for a day after its own date: check both dates",
    "data/coverage.yaml:4:25: instrument 'C999' is not in treaties.yaml",
    "data/coverage.yaml:4:31: CAT is not an ILO instrument: coverage by state is for ILO instruments; a UN instrument's record is complete per instrument (complete_for in treaties.yaml)",
    "data/coverage.yaml:4:36: 'C029' is listed twice: list each instrument once",
    "data/coverage.yaml:5:16: 'C105' is named ratified but is not in `instruments`: add it there or remove it here",
    "data/coverage.yaml:7:7: source: missing required key 'kind': say what kind of copy it is (un_host, un_mirror or secondary)",
    'data/coverage.yaml:11:11: date 2022 is not a full date: write the day on which the source states the set (YYYY-MM-DD)',
    'data/coverage.yaml:16:14: as_at 2022 is not a full date: a coverage needs the day its source speaks for (YYYY-MM-DD)',
    'data/coverage.yaml:20:19: C029 is not named ratified, but a ratification by KOR of 2021-04-20 is recorded at data/actions/C029.yaml:16: the source and the record disagree: check both, then add C029 to `ratified` or correct the record',
    'data/coverage.yaml:20:25: the source names C105 ratified by KOR on 2022-01-01, but no ratification recorded in data/actions/C105.yaml is dated on or before that day (recorded: none): record it with its own date and source, or leave C105 out of `instruments`',
    'data/coverage.yaml:20:31: C155 is not named ratified, but a ratification by KOR of 2008 is recorded at data/actions/C155.yaml:16: the source and the record disagree: check both, then add C155 to `ratified` or correct the record',
]


def test_compare_page_tells_not_party_from_unknown(built_db):
    from .test_compare import status_cells
    from .test_pages import get, text
    html = get(built_db, "/compare?states=PRK,KOR,USA&as_of=2020-01-01").text
    cells = status_cells(html)
    assert (cells[("C029", "PRK")], cells[("C029", "KOR")], cells[("C029", "USA")]) == ("not_applicable", "unknown", "not_party")
    assert (cells[("C105", "KOR")], cells[("C105", "USA")]) == ("unknown", "party")
    cell = re.search(r'<tr id="c-C029">.*?<td data-state="USA" data-status="not_party">(.*?)</td>', html, re.S).group(1)
    # the United States' C029 rests on a source of 17 September 2008, earlier than the row's own record
    assert text(cell) == "Not a party secondary source as recorded on 17 September 2008"
    cell = re.search(r'<tr id="c-C029">.*?<td data-state="KOR" data-status="unknown">(.*?)</td>', html, re.S).group(1)
    assert text(cell) == "Unknown"
    # on the data's date the row is past its own record (1 February 2025) and says so once, in its heading
    html = get(built_db, "/compare?states=PRK,KOR,USA").text
    head = re.search(r'<tr id="c-C029">\s*<th scope="row">(.*?)</th>', html, re.S).group(1)
    assert text(head).endswith("as recorded on 1 February 2025, where its record ends")


def test_country_page_tells_not_party_from_unknown(built_db):
    from .test_pages import get, row, text
    html = get(built_db, "/country/USA?as_of=2020-01-01").text
    assert "not a party" in text(row(html, "C029"))
    assert "as recorded on 17 September 2008" in text(row(html, "C029"))
    assert "unknown" in text(row(html, "C155"))


# Entry into force as the sources state it, beside the date the KB derives from the clause (12 months after
# registration): state, instrument, the date stated, the words of the source's note that state it.
STATED_IN_FORCE = [
    ("KOR", "C029", "2022-04-20", "the Conventions will enter into force one year after the date of the deposit (April 20, 2022)"),
    ("KOR", "C087", "2022-04-20", "the Conventions will enter into force one year after the date of the deposit (April 20, 2022)"),
    ("KOR", "C098", "2022-04-20", "the Conventions will enter into force one year after the date of the deposit (April 20, 2022)"),
    ("JPN", "C105", "2023-07-19", "同条約の日本での発効は1年後の2023年7月19日です"),
    ("JPN", "C182", "2002-06-18", "翌2002年(平成14年)6月18日に効力が発生した"),
    ("CHL", "C029", "1934-05-31", "entrando en vigor para nuestro país el 31 de mayo de 1934"),
    ("CHL", "P029", "2022-01-19", "entrará en vigor para la República de Chile el 19 de enero de 2022"),
]


@pytest.mark.parametrize("state,instrument,stated,words", STATED_IN_FORCE)
def test_entry_into_force_derived_is_the_date_the_source_states(conn, state, instrument, stated, words):
    notes = [a["source"]["note"] for ins, a in _ilo_actions() if ins == instrument and a["state"] == state]
    assert len(notes) == 1 and words in notes[0]
    r = status(conn, state, instrument, stated)
    assert (r["in_force_date"], r["in_force"]) == (stated, 1)
    assert r["in_force_note"].startswith("12 months after the registration of the ratification of ")
    assert status(conn, state, instrument, _day(stated, -1))["in_force"] == 0


def test_instrument_page_and_map_keep_the_instrument_s_record_end(built_db):
    from .test_pages import get
    html = get(built_db, "/instrument/C029?as_of=2020-01-01").text
    # 2020 is within the instrument's record (to 1 February 2025): no notice that it ended
    assert 'id="beyond-record"' not in html
    # the covered states' own record ends are named where they are shown
    assert "United States of America: not a party (as recorded on 17 September 2008)" in html
    assert "Afghanistan: not a party (as recorded on 14 February 1997)" in html
    assert "Republic of Korea: unknown (no record in the KB)" in html
    html = get(built_db, "/instrument/C029").text
    assert 'id="beyond-record"' in html and "Status as recorded on 1 February 2025" in html


def test_citation_of_a_covered_not_party_past_its_source(conn):
    row = status_row(conn, "USA", "C029", "2020-01-01")
    assert format_citation(row, instrument_row(conn, "C029"), "2020-01-01").startswith(
        "As recorded by United States Department of Labor on 17 September 2008, the United States of America was not "
        "a party to the Forced Labour Convention, 1930 (No. 29) (Geneva, 28 June 1930). The knowledge base records no "
        "later event for the United States of America on this instrument, so it cannot say whether this still held on "
        "1 January 2020.")
