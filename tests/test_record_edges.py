"""The edges of the record: before an instrument's adoption (not_yet_adopted), after its known_to
(beyond_record, in_force unknown unless a later recorded event decides it), the data's date as the
one default, and what every surface (status, panel, obligations, citations, tables) says there."""

from __future__ import annotations

import json
import shutil

import pytest

import kb.query as q
from kb.db.build import build

from .conftest import DATA, TODAY

ROME_PAGE = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-10&chapter=18&clang=_en"

# A later event recorded singly, dated after ROME's known_to (2015-03-14): written into a copy of the
# data for these tests only (the source is a placeholder, not a depositary notification).
LATER_EVENT = """\
instrument: ROME
actions:
  - state: PHL
    type: notification_of_withdrawal
    date: 2018-03-17
    effective_date: 2019-03-17
    source:
      url: https://example.org/later-event
      title: "Fixture source: notification of withdrawal"
      as_at: 2018-03-19
      kind: un_host
"""


@pytest.fixture(scope="module")
def conn(built_db):
    c = q.connect(built_db)
    yield c
    c.close()


@pytest.fixture(scope="module")
def later_db(tmp_path_factory):
    """The real data plus one later event (PHL's withdrawal from ROME, effective 2019-03-17)."""
    root = tmp_path_factory.mktemp("later")
    data = root / "data"
    shutil.copytree(DATA, data)
    (data / "actions" / "ROME.yaml").write_text(LATER_EVENT)
    db = root / "kb.db"
    build(data, db, today=TODAY)
    return db


@pytest.fixture(scope="module")
def later(later_db):
    c = q.connect(later_db)
    yield c
    c.close()


def one(conn, state, inst, as_of):
    rows = q.status(conn, [state], [inst], as_of)
    assert len(rows) == 1
    return rows[0]


def pick(row, *keys):
    return tuple(row[k] for k in keys)


# --------------------------------------------------------------------------- not_yet_adopted

@pytest.mark.parametrize("as_of, status, in_force", [
    ("1990-01-01", "not_yet_adopted", False),
    ("2006-12-19", "not_yet_adopted", False),   # the day before adoption (20 December 2006)
    ("2006-12-20", "not_party", False),         # the day of adoption
    ("2006-12-21", "not_party", False),
])
def test_not_yet_adopted_around_the_adoption_date(conn, as_of, status, in_force):
    row = one(conn, "PRK", "CPED", as_of)
    # Before adoption too the row cites the depositary's status page, which states the adoption.
    assert pick(row, "status", "in_force", "beyond_record", "source_url") == (
        status, in_force, False, "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-16&chapter=4&clang=_en")


def test_not_yet_adopted_before_membership_and_signature(conn):
    # An ILO member since before C029's adoption (28 June 1930): not_yet_adopted, then its status from adoption.
    assert one(conn, "FRA", "C029", "1930-06-27")["status"] == "not_yet_adopted"
    assert one(conn, "FRA", "C029", "1930-06-28")["status"] == "unknown"
    # Membership since 1919 does not cut the time before adoption in two: one interval before it, one from it.
    assert conn.execute("SELECT valid_from, valid_to, status FROM status_intervals WHERE state_id = 'FRA' "
                        "AND instrument_id = 'C029' ORDER BY coalesce(valid_from, '')").fetchall() == [
        (None, "1930-06-28", "not_yet_adopted"), ("1930-06-28", None, "unknown")]
    # CRC (adopted 20 November 1989): the DPRK signed on 23 August 1990.
    assert one(conn, "PRK", "CRC", "1989-11-19")["status"] == "not_yet_adopted"
    assert one(conn, "PRK", "CRC", "1989-11-20")["status"] == "not_party"


def test_status_vocabulary_has_the_term(conn):
    got = conn.execute("SELECT definition FROM vocabulary WHERE vocabulary = 'status' AND term = 'not_yet_adopted'").fetchone()
    assert got == ("The date is before the instrument's adoption: it did not yet exist, so no state could sign or join it.",)


def test_not_yet_adopted_citation(conn):
    assert q.cite(conn, "PRK", "CPED", "1990-01-01") == (
        "On 1 January 1990, the International Convention for the Protection of All Persons from Enforced Disappearance "
        "had not yet been adopted (it was adopted on 20 December 2006). Depositary's record: "
        "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-16&chapter=4&clang=_en. "
        f"KB version {q.version(conn)}.")
    from kb.query.citation import cite_row

    oscola = cite_row(conn, "PRK", "CPED", "1990-01-01", style="oscola")  # the country page's Cite box
    assert oscola.startswith("On 1 January 1990, the International Convention for the Protection of All Persons from "
                             "Enforced Disappearance had not yet been adopted (it was adopted on 20 December 2006). <https://")
    # In the exchange formats the sentence travels as the abstract of the depositary's record.
    bib = q.cite(conn, "PRK", "CPED", "1990-01-01", style="bibtex")
    assert bib.startswith("@misc{CPED,\n") and "had not yet been adopted" in bib
    assert "AB  - On 1 January 1990, the International Convention" in q.cite(conn, "PRK", "CPED", "1990-01-01", style="ris")
    assert "not a party" not in q.cite(conn, "PRK", "CPED", "1990-01-01")


def test_not_yet_adopted_obligations(conn):
    rows = q.obligations(conn, "PRK", "1980-01-01")
    cat = [r for r in rows if r["instrument"] == "CAT"]
    assert [(r["kind"], r["accepted"], r["reason"], r["beyond_record"]) for r in cat] == [
        ("instrument", False, "not yet adopted: CAT was adopted on 1984-12-10", False),
        ("procedure", False, "Inquiry (art. 20; opt-out under art. 28): CAT not yet adopted", False),
        ("procedure", False, "Inter-State communications (art. 21): CAT not yet adopted", False),
        ("procedure", False, "Individual communications (art. 22): CAT not yet adopted", False),
    ]


def test_adoption_is_a_status_change(conn):
    rows = q.changes(conn, "PRK", "2006-12-20", "2006-12-20")
    assert [(r["instrument"], r["detail"]) for r in rows] == [("CPED", "not_yet_adopted → not_party")]


# --------------------------------------------------------------------------- beyond the record

@pytest.mark.parametrize("as_of, in_force, beyond", [
    ("2015-03-13", True, False),
    ("2015-03-14", True, False),   # known_to: the UNTC table's own date
    ("2015-03-15", None, True),    # after it: still a party as recorded, whether bound is unknown
    ("2019-03-16", None, True),    # the day before its recorded withdrawal takes effect (2019-03-17)
])
def test_known_to_edges(conn, as_of, in_force, beyond):
    row = one(conn, "PHL", "ROME", as_of)
    assert pick(row, "status", "consent_date", "in_force_date", "in_force", "beyond_record", "known_to", "source_kind") == (
        "party", "2011-08-30", "2011-11-01", in_force, beyond, "2015-03-14", None)
    assert list(row) == list(q.STATUS_KEYS)


def test_not_party_beyond_the_record_is_not_known_to_be_unbound(conn):
    assert pick(one(conn, "PRK", "ROME", "2015-03-14"), "status", "in_force", "beyond_record") == ("not_party", False, False)
    assert pick(one(conn, "PRK", "ROME", "2015-03-15"), "status", "in_force", "beyond_record") == ("not_party", None, True)


@pytest.mark.parametrize("as_of, status, in_force, withdrawal, source", [
    ("2015-03-14", "party", True, None, ROME_PAGE),
    ("2018-03-17", "party", None, None, ROME_PAGE),        # the notification: no effect yet
    ("2019-03-16", "party", None, None, ROME_PAGE),        # the day before it takes effect
    ("2019-03-17", "withdrawn", False, "2019-03-17", "https://example.org/later-event"),  # a later event decides
    ("2019-03-18", "withdrawn", False, "2019-03-17", "https://example.org/later-event"),
])
def test_a_later_event_decides(later, as_of, status, in_force, withdrawal, source):
    row = one(later, "PHL", "ROME", as_of)
    assert pick(row, "status", "in_force", "withdrawal_date", "source_url", "beyond_record", "known_to") == (
        status, in_force, withdrawal, source, as_of > "2015-03-14", "2015-03-14")
    assert row["source_kind"] == ("un_host" if status == "withdrawn" else None)


def test_beyond_record_in_the_panel(conn):
    rows = {r["year"]: r for r in q.panel(conn, ["PHL"], ["ROME"], 2014, 2015)}
    assert pick(rows[2014], "status", "known_to", "beyond_record") == ("party", "2015-03-14", False)
    assert pick(rows[2015], "status", "known_to", "beyond_record") == ("party", "2015-03-14", True)
    assert list(rows[2015]) == list(q.PANEL_KEYS)


def test_beyond_record_in_obligations(conn, later):
    def rome(c, as_of):
        r = [x for x in q.obligations(c, "PHL", as_of) if x["instrument"] == "ROME"][0]
        return r["accepted"], r["reason"], r["beyond_record"]

    assert rome(conn, "2015-03-14") == (
        True, "party since 2011-08-30 (ratification); in force for it since 2011-11-01 (article 126(2))", False)
    assert rome(conn, "2015-03-15") == (
        True, "party since 2011-08-30 (ratification); in force for it since 2011-11-01 (article 126(2)), "
              "as recorded on 2015-03-14", True)
    # Decided by the later event: no "as recorded" (the record of it is that event's).
    assert rome(later, "2019-03-17") == (False, "withdrew from ROME with effect from 2019-03-17", True)


def test_citation_beyond_the_record(conn, later):
    version = q.version(conn)
    # Before the notice of withdrawal the data records (17 March 2018), nothing later is recorded for the pair.
    assert q.cite(conn, "PHL", "ROME", "2017-01-01") == (
        "As recorded by the UN Treaty Collection on 14 March 2015, the Philippines had been a party to the Rome Statute "
        "of the International Criminal Court (Rome, 17 July 1998; United Nations, Treaty Series, vol. 2187) since "
        "30 August 2011 (ratification); it entered into force for it on 1 November 2011 (article 126(2)). The knowledge "
        "base records no later event for the Philippines on this instrument, so it cannot say whether this still held "
        f"on 1 January 2017. Source: {ROME_PAGE} (status as at 14 March 2015). KB version {version}.")
    # On known_to itself: as before, dated by the source.
    assert q.cite(conn, "PHL", "ROME", "2015-03-14").startswith(
        "As of 14 March 2015, according to the UN Treaty Collection, the Philippines has been a party")
    lv = q.version(later)
    assert q.cite(later, "PHL", "ROME", "2019-03-16") == (
        "As recorded by the UN Treaty Collection on 14 March 2015, the Philippines had been a party to the Rome Statute "
        "of the International Criminal Court (Rome, 17 July 1998; United Nations, Treaty Series, vol. 2187) since "
        "30 August 2011 (ratification); it entered into force for it on 1 November 2011 (article 126(2)). After that "
        "date the knowledge base records only, for the Philippines on this instrument, a notification of withdrawal on "
        "17 March 2018 (taking effect on 17 March 2019), so it cannot otherwise say whether this still held on "
        f"16 March 2019. Source: {ROME_PAGE} (status as at 14 March 2015). KB version {lv}.")
    # The later event decides: its own source is cited.
    assert q.cite(later, "PHL", "ROME", "2020-01-01") == (
        "On 1 January 2020, according to Fixture source, the Philippines had withdrawn from the Rome Statute of the "
        "International Criminal Court (Rome, 17 July 1998; United Nations, Treaty Series, vol. 2187) with effect from "
        "17 March 2019 (it had been a party since 30 August 2011, by ratification). This status rests on a later event "
        "the knowledge base records; its record of the instrument is otherwise as at 14 March 2015. "
        f"Source: https://example.org/later-event (status as at 19 March 2018). KB version {lv}.")
    from kb.query.citation import cite_row

    for text in (cite_row(conn, "PHL", "ROME", "2017-01-01", "oscola"), q.cite(conn, "PHL", "ROME", "2017-01-01", style="bibtex"),
                 q.cite(conn, "PHL", "ROME", "2017-01-01", style="ris"), q.cite(conn, "PHL", "ROME", "2017-01-01", style="csl-json")):
        assert "As recorded by the UN Treaty Collection on 14 March 2015" in text
        assert "cannot say whether this still held on 1 January 2017" in text


# --------------------------------------------------------------------------- the data's date

def test_data_date_is_the_default(conn):
    assert q.data_date(conn) == "2026-02-03"
    assert {r["as_of"] for r in q.status(conn, ["PRK"], ["CAT", "ROME"])} == {"2026-02-03"}
    assert {r["as_of"] for r in q.obligations(conn, "PRK")} == {"2026-02-03"}
    assert q.cite(conn, "PRK", "CAT") == q.cite(conn, "PRK", "CAT", "2026-02-03")
    assert q.changes(conn, "PRK", "2016-01-01") == q.changes(conn, "PRK", "2016-01-01", "2026-02-03")
    assert q.reporting_status(conn, "PRK") == q.reporting_status(conn, "PRK", "2026-02-03")
    assert q.panel(conn, ["PRK"], ["CAT"], 2025)[-1]["year"] == 2026
    assert q.sql("data_date").strip().endswith("AS data_date")


def test_cli_default_date_and_help(cli, built_db):
    r = cli("status", "PRK", "--instrument", "CAT", "--db", str(built_db), "--format", "json")
    assert json.loads(r.output)[0]["as_of"] == "2026-02-03"
    help_text = " ".join(cli("status", "--help").output.split())
    assert "Default: the data's date (the latest as-at date of its status sources; `kb info`), never today." in help_text


# --------------------------------------------------------------------------- what tables say

def test_status_table_words_and_warning(cli, built_db):
    out = cli("status", "PHL", "--instrument", "ROME", "--instrument", "CPED", "--as-of", "1990-01-01",
              "--db", str(built_db)).output.splitlines()
    assert [__import__("re").split(r"\s{2,}", line) for line in out[2:]] == [
        ["PHL", "CPED", "not yet adopted"], ["PHL", "ROME", "not yet adopted"]]
    out = cli("status", "PHL", "--instrument", "ROME", "--db", str(built_db)).output.splitlines()
    assert out[0].split() == ["state", "instrument", "status", "signed", "consented", "by", "in", "force", "from",
                              "withdrawal", "note", "recorded", "to"]
    # On the data's date the Philippines' withdrawal (effective 17 March 2019), a later recorded event, decides.
    assert out[2].split() == ["PHL", "ROME", "withdrawn", "2000-12-28", "2011-08-30", "ratification", "2011-11-01",
                              "2019-03-17", "2015-03-14"]


def test_csv_booleans_as_json_writes_them(cli, built_db):
    lines = cli("status", "PHL", "--instrument", "ROME", "--db", str(built_db), "--format", "csv").output.splitlines()
    head, row = lines[0].split(","), next(__import__("csv").reader([lines[1]]))
    got = dict(zip(head, row))
    assert (got["in_force"], got["beyond_record"], got["source_kind"]) == ("false", "true", "un_mirror")
    lines = cli("obligations", "PRK", "--as-of", "2020-01-01", "--db", str(built_db), "--format", "csv").output
    assert ",False," not in lines and ",True," not in lines and ",true," in lines and ",false," in lines


def test_obligations_table_says_yes_and_no(cli, built_db):
    out = cli("obligations", "PRK", "--db", str(built_db)).output
    assert out.splitlines()[0].split() == ["instrument", "article", "kind", "accepted", "since", "reason"]
    for bad in ("True", "False", "None", "null"):
        assert bad not in out
    assert "ICCPR                instrument   yes" in out


def test_changes_table_cuts_long_texts_json_keeps_them(cli, built_db):
    args = ("changes", "PRK", "--since", "1997-08-25", "--until", "1997-08-25", "--db", str(built_db))
    table = cli(*args).output.splitlines()
    assert table[2].endswith("Notification of withdrawal from the Covenant, dated 23 August 1997, received by…")
    assert table[2].split()[2:5] == ["notification", "of", "withdrawal"]
    full = json.loads(cli(*args, "--format", "json").output)[0]["detail"]
    assert full == (
        "Notification of withdrawal from the Covenant, dated 23 August 1997, received by the Secretary-General on "
        "25 August 1997. The Secretary-General considers that withdrawal is not possible unless all States Parties "
        "agree; the Democratic People's Republic of Korea remains a party. (no legal effect)")


def test_changes_text_is_not_cut_in_sql(conn):
    long = conn.execute("SELECT a.state_id, a.date, length(a.text) FROM actions a WHERE a.summary IS NULL "
                        "AND length(a.text) > 400 ORDER BY a.id LIMIT 1").fetchone()
    if long is None:
        pytest.skip("no action text longer than 400 characters without a summary")
    state, date, n = long
    rows = [r for r in q.changes(conn, state, date[:10] if len(date) >= 10 else "1900-01-01", "2026-02-03")
            if r["change"] != "status" and len(r["detail"]) >= n]
    assert rows


# --------------------------------------------------------------------------- event citations

def test_event_possessives_and_symbols(conn):
    text = q.cite_event(conn, "PRK/treaty_body/CRPD/2022-10-10/list_of_issues")
    assert text.startswith("The Committee on the Rights of Persons with Disabilities' list of issues on the Democratic "
                           "People's Republic of Korea's initial report (CRPD/C/PRK/1) is dated 10 October 2022 "
                           "(CRPD/C/PRK/Q/1).")
    assert "; UN document CRPD/C/PRK/Q/1: https://undocs.org/en/CRPD/C/PRK/Q/1." in text
    assert "Disabilities's" not in q.cite_event(conn, "PRK/treaty_body/CRPD/2023-12-13/replies")
    two = q.cite_event(conn, "PRK/treaty_body/CEDAW/2017-11-08/review_held", style="oscola")
    assert two.startswith(
        "Committee on the Elimination of Discrimination against Women, ‘CEDAW/C/SR.1554’ (United Nations 2017) "
        "CEDAW/C/SR.1554 <https://undocs.org/en/CEDAW/C/SR.1554>; Committee on the Elimination of Discrimination "
        "against Women, ‘CEDAW/C/SR.1555’ (United Nations 2017) CEDAW/C/SR.1555 <https://undocs.org/en/CEDAW/C/SR.1555>; ")
    bib = q.cite_event(conn, "PRK/treaty_body/CEDAW/2017-11-08/review_held", style="bibtex")
    assert "  url = {https://undocs.org/en/CEDAW/C/SR.1554},\n" in bib and "  number = {CEDAW/C/SR.1555},\n" in bib
    # A range of summary records is not one document: no link.
    assert "undocs.org" not in q.cite_event(conn, "PRK/treaty_body/CRC/1998-05-20/review_held")
    # No event symbol (the source's symbol is not the event's document): no link.
    assert "undocs.org" not in q.cite_event(conn, "PRK/treaty_body/CRPD/2025-08-12/review_held")


def test_event_fallback_sentences(conn):
    assert q.cite_event(conn, "PRK/special_procedure/sr_dprk/2022-08/visit_unanswered").startswith(
        "In August 2022, the day after taking office (1 August 2022) Special Rapporteur Elizabeth Salmón wrote to the "
        "DPRK requesting a visit")
    assert q.cite_event(conn, "PRK/commission_of_inquiry/2013-07/non_cooperation").startswith(
        "Recorded for July 2013: AFP (July 2013): COI chair Michael Kirby said")
    assert q.cite_event(conn, "PRK/ohchr/2006-12-06/cooperation").startswith(
        "On 6 December 2006, to explore technical cooperation, the High Commissioner invited")


def test_possessive():
    from kb.query.citation import possessive

    assert possessive("the Philippines") == "the Philippines'"
    assert possessive("Mongolia") == "Mongolia's"


def test_site_csv_is_what_the_cli_writes(cli, built_db):
    # /country/<ISO3>.csv is `kb status <ISO3> --format csv` on the same date: booleans true/false, never True/False.
    import asyncio

    from kb.web.app import make_datasette

    async def fetch(path):
        return (await make_datasette(built_db).client.get(path)).text

    site = asyncio.run(fetch("/country/PHL.csv?as_of=2026-02-03"))
    assert site == cli("status", "PHL", "--as-of", "2026-02-03", "--db", str(built_db), "--format", "csv").output
    rome = [line for line in site.splitlines() if line.startswith("PHL,Philippines,ROME,")][0]
    assert ",false,126(2)," in rome and rome.endswith(",true,un_mirror")
    assert "True" not in site and "False" not in site
