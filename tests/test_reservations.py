"""Reservations, declarations and objections by article: the references normalised at build time
(statement_articles), the statements in force on a date (statement_status, statement_objections),
`kb reservations`, kb.query.reservations and the stored query, on the real data."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import kb.query as q
from kb.data import validate as V
from kb.data.validate import validate

from .conftest import ROOT, TODAY
from .test_validate import SRC, append, errors

DAY = "2026-02-03"  # the data's date
#: The twelve states that objected to Saudi Arabia's reservations to CEDAW, in the order of their objections.
SAU_OBJECTIONS = [("DEU", "2001-01-19"), ("ESP", "2001-02-22"), ("SWE", "2001-03-30"), ("FRA", "2001-06-26"),
                  ("PRT", "2001-07-18"), ("DNK", "2001-08-10"), ("AUT", "2001-08-21"), ("GBR", "2001-09-06"),
                  ("NLD", "2001-09-18"), ("IRL", "2001-10-02"), ("NOR", "2001-10-09"), ("FIN", "2002-10-08")]


@pytest.fixture(scope="module")
def conn(built_db: Path):
    c = q.connect(built_db)
    yield c
    c.close()


def rows(conn, **kw) -> list[tuple]:
    return [(r["state"], r["article"], r["scope"], r["kind"], r["made_on"], r["withdrawn_on"], r["in_force"])
            for r in q.reservations(conn, **kw)]


# --------------------------------------------------------------------------- the references, derived at build time

def test_statement_articles_derived_from_the_article_as_given(built_db):
    with sqlite3.connect(built_db) as c:
        got = c.execute(
            "SELECT a.state_id, a.type, a.article, sa.article, sa.paragraph, sa.item, sa.provision, sa.scope, sa.how"
            " FROM statement_articles sa JOIN actions a ON a.id = sa.action_id WHERE a.instrument_id = ?"
            " AND a.state_id IN ('CHN', 'PRK', 'SAU') AND a.type != 'objection' ORDER BY sa.id", ("CEDAW",)).fetchall()
        assert got == [
            ("CHN", "declaration", "29(1)", "29", "1", None, "29(1)", "provision", "as_given"),
            ("PRK", "reservation", "2(f)", "2", None, "f", "2(f)", "provision", "as_given"),
            ("PRK", "reservation", "29", "29", None, None, "29", "provision", "as_given"),
            ("PRK", "reservation", "9(2)", "9", "2", None, "9(2)", "provision", "as_given"),
            ("PRK", "withdrawal_of_reservation", "2(f)", "2", None, "f", "2(f)", "provision", "as_given"),
            ("PRK", "withdrawal_of_reservation", "9(2)", "9", "2", None, "9(2)", "provision", "as_given"),
            ("SAU", "reservation", None, None, None, None, None, "whole", "by_hand"),
            ("SAU", "reservation", None, "9", "2", None, "9(2)", "provision", "by_hand"),
            ("SAU", "reservation", None, "29", "1", None, "29(1)", "provision", "by_hand"),
        ]
        typos = c.execute("SELECT sa.instrument_id, a.article, sa.provision FROM statement_articles sa"
                          " JOIN actions a ON a.id = sa.action_id WHERE sa.how = 'typo' ORDER BY 1").fetchall()
        assert typos == [("CAT", "30(l)", "30(1)"), ("CEDAW", "16(f)", "16(1)(f)"), ("CRC", "24(f)", "24(2)(f)"),
                         ("ICCPR", "13(3)", "13")]
        # nothing guessed: a statement whose record names no article has one row, scope unstated, with the reason
        none = c.execute("SELECT count(*), min(note), max(note) FROM statement_articles WHERE how = 'none'").fetchone()
        assert none[1] == none[2] == "the record names no article: read the statement's words"
        assert c.execute("SELECT count(*) FROM statement_articles WHERE scope = 'unstated' AND how = 'none'").fetchone() == (none[0],)
        not_treaty = c.execute("SELECT instrument_id, state_id, scope FROM statement_articles WHERE how = 'not_treaty'"
                               " ORDER BY 1").fetchall()
        # their words name no other article of the instrument: scope general, the reason kept in the note
        assert not_treaty == [("ICCPR", "NOR", "general"), ("OP-CRC-AC", "IDN", "general")]
        # every statement and withdrawal of one has at least one row; each provision exists in the text
        assert c.execute(
            "SELECT count(*) FROM actions a WHERE a.type IN ('reservation', 'declaration', 'objection', 'opt_out',"
            " 'competence_declaration') AND NOT EXISTS (SELECT 1 FROM statement_articles sa WHERE sa.action_id = a.id)"
        ).fetchone() == (0,)
        assert c.execute(
            "SELECT count(*) FROM statement_articles sa WHERE sa.provision IS NOT NULL AND EXISTS (SELECT 1 FROM"
            " treaty_provisions t WHERE t.instrument_id = sa.instrument_id) AND NOT EXISTS (SELECT 1 FROM"
            " treaty_provisions t WHERE t.instrument_id = sa.instrument_id AND t.provision = sa.provision)").fetchone() == (0,)


def test_hand_mapped_statements_name_actions_of_the_data():
    """Each entry of STATEMENT_REFERENCES still names an action of the real data (a stale entry must go)."""
    ds = validate(ROOT / "data", today=TODAY)
    keys = {(r.instrument, r.action.state, r.action.date, r.action.type) for r in ds.actions}
    assert set(V.STATEMENT_REFERENCES) <= keys


def test_normalise_a_reference():
    from kb.data.schema import Action

    def refs(article, instrument="CEDAW"):
        a = Action.model_validate({"state": "FRA", "type": "reservation", "date": "2001-01-01", "article": article,
                                   "source": {"url": "https://example.org", "title": "t", "as_at": "2026-02-03"}})
        return [(r["article"], r["paragraph"], r["item"], r["provision"], r["scope"], r["how"])
                for r in V.statement_references(instrument, a)]

    assert refs("14(3)(d)", "ICCPR") == [("14", "3", "d", "14(3)(d)", "provision", "as_given")]
    assert refs("40(2)(b)(v)", "CRC") == [("40", "2", "b)(v", "40(2)(b)(v)", "provision", "as_given")]
    assert refs("IX", "GENOCIDE") == [("IX", None, None, "IX", "provision", "as_given")]
    assert refs("general") == [(None, None, None, None, "whole", "as_given")]
    assert refs("Preamble") == [(None, None, None, None, "preamble", "as_given")]
    assert refs(None) == [(None, None, None, None, "unstated", "none")]
    with pytest.raises(ValueError, match=r"^'29\(1\), 30' is not a provision"):
        refs("29(1), 30")


def test_reference_to_a_missing_paragraph_is_a_located_error(data_copy):
    n = append(data_copy, "CEDAW", f"  - state: FRA\n    type: reservation\n    date: 2001-01-01\n    article: '16(3)'\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CEDAW.yaml:{n + 3}:14: article: provision 16(3) does not exist in CEDAW (given '16(3)'): article 16 "
        "has 16(1), 16(1)(a), 16(1)(b), 16(1)(c), 16(1)(d), 16(1)(e), 16(1)(f), 16(1)(g), 16(1)(h), 16(2); check the "
        "reference against the depositary's text and data/texts/CEDAW.yaml; a depositary typo is kept as given and "
        "listed in ARTICLE_TYPOS (kb/data/validate.py) with what it means"]


def test_reference_naming_several_provisions_is_refused(data_copy):
    n = append(data_copy, "CEDAW", f"  - state: FRA\n    type: declaration\n    date: 2001-01-01\n    article: '29(1), 30'\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CEDAW.yaml:{n + 3}:14: article: '29(1), 30' is not a provision: write it as the instrument numbers "
        "it, e.g. '29(1)' or '2(f)'; a reference naming several provisions is one action per provision"]


# --------------------------------------------------------------------------- the "done when" cases, on every side of the dates

def test_cedaw_article_29_1_on_the_data_date(conn):
    assert rows(conn, instrument="CEDAW", article="29(1)", states=["CHN", "PRK", "CUB", "SAU"], as_of=DAY) == [
        ("SAU", None, "whole", "reservation", "2000-09-07", None, True),
        ("CUB", "29", "provision", "reservation", "1980-07-17", None, True),
        ("PRK", "29", "provision", "reservation", "2001-02-27", None, True),
        ("CHN", "29(1)", "provision", "declaration", "1980-11-04", None, True),
        ("SAU", "29(1)", "provision", "reservation", "2000-09-07", None, True),
    ]
    china = q.reservations(conn, instrument="CEDAW", article="29(1)", states="China")[0]
    assert (china["article_as_given"], china["kind"], china["in_force_note"], china["objections"]) == (
        "29(1)", "declaration", "in force since 1980-11-04", [])
    assert china["text"].startswith("The People's Republic of China does not consider itself bound by paragraph 1 of article 29")
    # all of article 29(1): 40 statements (13 read from their words), among them the whole-instrument
    # reservation of Saudi Arabia
    got = q.reservations(conn, instrument="CEDAW", article="29(1)")
    assert (len(got), sum(r["reference"] == "from_words" for r in got)) == (40, 13)


def test_cedaw_article_29_1_before_and_on_the_day_made(conn):
    assert rows(conn, instrument="CEDAW", article="29(1)", states=["CHN"], as_of="1980-11-03") == []
    assert rows(conn, instrument="CEDAW", article="29(1)", states=["CHN"], as_of="1980-11-04") == [
        ("CHN", "29(1)", "provision", "declaration", "1980-11-04", None, True)]
    assert rows(conn, instrument="CEDAW", article="29", states=["SAU"], as_of="2000-09-06") == []


def test_cedaw_article_16_finds_its_parts(conn):
    assert rows(conn, instrument="CEDAW", article="16", states=["EGY", "SGP"]) == [
        ("EGY", "16", "provision", "reservation", "1981-09-18", None, True),
        ("SGP", "16(1)(a)", "provision", "reservation", "1995-10-05", None, True),
        ("SGP", "16(1)(c)", "provision", "reservation", "1995-10-05", None, True),
        ("SGP", "16(1)(h)", "provision", "reservation", "1995-10-05", None, True),
        ("SGP", "16(2)", "provision", "reservation", "1995-10-05", None, True),
    ]
    # 16(1)(h) finds article 16 as a whole and the sub-paragraph itself, not 16(2) nor 16(1)(a)
    assert [(s, a) for s, a, *_ in rows(conn, instrument="CEDAW", article="16(1)(h)", states=["EGY", "SGP"])] == [
        ("EGY", "16"), ("SGP", "16(1)(h)")]


def test_singapore_partly_withdrawn_in_2007_and_still_in_force(conn):
    before = q.reservations(conn, instrument="CEDAW", article="16(2)", states="SGP", as_of="2007-07-23")[0]
    on = q.reservations(conn, instrument="CEDAW", article="16(2)", states="SGP", as_of="2007-07-24")[0]
    assert (before["partly_withdrawn_on"], before["in_force"], before["in_force_note"]) == (
        None, True, "in force since 1995-10-05")
    assert (on["partly_withdrawn_on"], on["in_force"], on["withdrawn_on"], on["in_force_note"]) == (
        "2007-07-24", True, None, "in force since 1995-10-05; the statement was partly withdrawn on 2007-07-24")


def test_dprk_2f_and_9_2_in_force_in_2010_withdrawn_on_2015_11_23(conn):
    expect_in_force = [("PRK", "2(f)", "provision", "reservation", "2001-02-27", None, True),
                       ("PRK", "9(2)", "provision", "reservation", "2001-02-27", None, True),
                       ("PRK", "29", "provision", "reservation", "2001-02-27", None, True)]
    assert rows(conn, instrument="CEDAW", states="PRK", as_of="2010-01-01") == expect_in_force
    assert rows(conn, instrument="CEDAW", states="PRK", as_of="2015-11-22") == expect_in_force
    assert rows(conn, instrument="CEDAW", states="PRK", as_of="2015-11-23") == [
        ("PRK", "2(f)", "provision", "reservation", "2001-02-27", "2015-11-23", False),
        ("PRK", "9(2)", "provision", "reservation", "2001-02-27", "2015-11-23", False),
        ("PRK", "29", "provision", "reservation", "2001-02-27", None, True)]
    assert rows(conn, instrument="CEDAW", states="PRK", as_of="2001-02-26") == []
    assert rows(conn, instrument="CEDAW", states="PRK", as_of="2001-02-27") == expect_in_force
    now = q.reservations(conn, instrument="CEDAW", states="PRK", article="9(2)")[0]
    assert (now["in_force"], now["in_force_note"]) == (False, "withdrawn with effect from 2015-11-23")


def test_objections_to_saudi_arabia(conn):
    # the general reservation and the one to 9(2): all twelve (ten name 9(2) or 9 in their words, two no
    # article); 29(1): only the two whose words name no article (France's says that reservation conforms
    # to article 29(2))
    got = {r["article"]: [(o["state"], o["date"], o["withdrawn_on"]) for o in r["objections"]]
           for r in q.reservations(conn, instrument="CEDAW", states="SAU")}
    assert got == {None: [(s, d, None) for s, d in SAU_OBJECTIONS], "9(2)": [(s, d, None) for s, d in SAU_OBJECTIONS],
                   "29(1)": [("SWE", "2001-03-30", None), ("GBR", "2001-09-06", None)]}
    # on the day of the first objection, only Germany's (on the general reservation and 9(2)); the day before, none
    first = q.reservations(conn, instrument="CEDAW", states="SAU", as_of="2001-01-19")
    assert [[o["state"] for o in r["objections"]] for r in first] == [["DEU"], ["DEU"], []]
    assert [r["objections"] for r in q.reservations(conn, instrument="CEDAW", states="SAU", as_of="2001-01-18")] == [[], [], []]
    deu = q.reservations(conn, instrument="CEDAW", states="SAU")[0]["objections"][0]
    assert deu["text"].startswith("With regard to the reservations made by Saudi Arabia upon ratification:")
    assert deu["source_url"] == "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-8&chapter=4&clang=_en"


def test_keys_and_source_fields(conn):
    r = q.reservations(conn, instrument="CEDAW", states="SAU", article="9(2)")
    assert [tuple(x) for x in r] == [q.RESERVATION_KEYS, q.RESERVATION_KEYS]
    assert [(x["article"], x["scope"]) for x in r] == [(None, "whole"), ("9(2)", "provision")]
    x = r[1]
    assert (x["article_as_given"], x["reference"], x["source_as_at"], x["known_to"], x["beyond_record"], x["key"]) == (
        None, "by_hand", "2026-02-03", "2026-02-03", False, "CEDAW/SAU/2000-09-07/reservation")
    assert x["source_title"] == ("UN Treaty Collection, Chapter IV, IV-8: Convention on the Elimination of All Forms of "
                                 "Discrimination against Women, status")


def test_past_the_record_in_force_is_not_known(conn):
    r = q.reservations(conn, instrument="CEDAW", states="PRK", article="29", as_of="2026-06-01")[0]
    assert (r["in_force"], r["beyond_record"], r["in_force_note"]) == (
        None, True, "made on 2001-02-27; not withdrawn as recorded on 2026-02-03: the record is not known after that date")


def test_withdrawal_naming_no_article_leaves_in_force_undetermined(conn, built_db):
    with sqlite3.connect(built_db) as c:
        got = c.execute("SELECT s.state_id, s.provision, s.undetermined_from FROM statement_status s"
                        " WHERE s.instrument_id = 'CAT' AND s.state_id = 'CHL' AND s.undetermined_from IS NOT NULL"
                        " ORDER BY s.ref_id LIMIT 1").fetchall()
    assert got, "Chile's CAT withdrawal naming no article is matched to its statement whose words name none"
    state, _, since = got[0]
    r = [x for x in q.reservations(conn, instrument="CAT", states=state) if x["scope"] == "general"][0]
    assert r["in_force"] is None
    assert "names no article: the record does not say whether it undoes this statement" in r["in_force_note"]


def test_refusals(conn):
    with pytest.raises(q.QueryError, match=r"^article 99 does not exist in CEDAW \(articles 1-30\)$"):
        q.reservations(conn, instrument="CEDAW", article="99")
    with pytest.raises(q.QueryError, match=r"^16\(3\) does not exist in CEDAW: article 16 has no such paragraph"):
        q.reservations(conn, instrument="CEDAW", article="16(3)")
    with pytest.raises(q.QueryError, match=r"^'art\. 16' is not an article reference"):
        q.reservations(conn, article="art. 16")
    assert q.article_reference(" 29 (1) ") == "29(1)"


# --------------------------------------------------------------------------- the command line

def test_cli_json_is_the_api(cli, built_db, conn):
    r = cli("reservations", "PRK", "--instrument", "CEDAW", "--as-of", "2010-01-01", "--format", "json", "--db", str(built_db))
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == q.reservations(conn, states="PRK", instrument="CEDAW", as_of="2010-01-01")


def test_cli_table_and_csv(cli, built_db):
    r = cli("reservations", "SAU", "--instrument", "CEDAW", "--db", str(built_db))
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split() == ["state", "instrument", "article", "article", "as", "given", "kind", "made", "on",
                                "withdrawn", "on", "in", "force", "objections", "text"]
    assert lines[2].startswith("SAU    CEDAW       whole instrument                    reservation  2000-09-07")
    assert "DEU, ESP, SWE, FRA, PRT, DNK, AUT, GBR, NLD, IRL, NOR, FIN" in lines[2]
    r = cli("reservations", "SAU", "--instrument", "CEDAW", "--article", "9(2)", "--format", "csv", "--db", str(built_db))
    assert r.output.count("\nSAU,") == 2
    assert "DEU 2001-01-19; ESP 2001-02-22; SWE 2001-03-30;" in r.output


def test_cli_refuses_a_malformed_question(cli, built_db):
    r = cli("reservations", "--instrument", "CEDAW", "--article", "99", "--db", str(built_db))
    assert r.exit_code == 2
    assert "Error: Invalid value for --article: article 99 does not exist in CEDAW (articles 1-30)" in r.output
    r = cli("reservations", "--article", "16", "--as-of", "2026-13-01", "--db", str(built_db))
    assert r.exit_code == 2 and "--as-of" in r.output


# --------------------------------------------------------------------------- the article page

def _get(built_db, *paths):
    import asyncio

    from kb.web.app import make_datasette

    async def run():
        ds = make_datasette(built_db)
        return [await ds.client.get(p) for p in paths]
    return asyncio.run(run())


def test_article_page(built_db):
    import re

    page, before, gone, no_text, lower = _get(
        built_db, "/instrument/CEDAW/article/9", "/instrument/CEDAW/article/9?as_of=2015-11-22",
        "/instrument/CEDAW/article/99", "/instrument/C187/article/1", "/instrument/cedaw/article/9?as_of=2010-01-01")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert "CEDAW, article 9" in text
    assert "9(2) States Parties shall grant women equal rights with men with respect to the nationality of their children." in text
    assert "In force (" in text and "Withdrawn, or recorded without legal effect (1)" in text
    assert "Withdrawn with effect from 23 November 2015" in text
    assert "Withdrawn, or recorded without legal effect" not in re.sub(r"<[^>]+>", " ", before.text)
    assert gone.status_code == 404 and "CEDAW has no article &#39;99&#39;: its articles are 1 to 30." in gone.text
    assert no_text.status_code == 404 and "holds no text of C187" in no_text.text
    assert lower.status_code == 302 and lower.headers["location"] == "/instrument/CEDAW/article/9?as_of=2010-01-01"
