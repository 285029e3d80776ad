"""Reservations by article on the pages: the article page (its words, the statements on it in force,
withdrawn and not known on a date, the objections, a map), the article x state matrix, their JSON and
CSV, and the links to them from the instrument, country, compare and search pages."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from pathlib import Path

import pytest

from kb import query as q
from kb.web.app import make_datasette

from .test_record_pages import FORBIDDEN, visible


def get(db: Path, *paths: str):
    async def run():
        ds = make_datasette(db)
        return [await ds.client.get(p) for p in paths]
    out = asyncio.run(run())
    return out[0] if len(paths) == 1 else out


def statement(page: str, state: str, ref: str | None = None) -> str:
    """The visible words of a state's statement rows on an article page (those naming `ref`, if given)."""
    rows = re.findall(rf'<tr id="(s-[^"]+)" data-state="{state}">(.*?)</tr>', page, re.S)
    assert rows, f"no statement of {state}"
    return " | ".join(visible(body) for anchor, body in rows if ref is None or anchor.endswith("-" + ref))


def section(page: str, heading: str) -> str:
    """The visible words from an <h3> heading to the next one."""
    m = re.search(rf"<h3>{re.escape(heading)} \(\d+\)</h3>(.*?)(?=<h3>|</section>)", page, re.S)
    return visible(m.group(1)) if m else ""


# --------------------------------------------------------------------------- the article page

def test_cedaw_article_29_china_dprk_cuba_saudi_arabia(built_db):
    page = get(built_db, "/instrument/CEDAW/article/29").text
    text = visible(page)
    assert "CEDAW, article 29" in text
    assert text.count("29(2) Each State Party may at the time of signature or ratification of this Convention or accession "
                      "thereto declare that it does not consider itself bound by paragraph 1 of this article.") == 1
    assert statement(page, "CHN") == (
        "China 29(1) Declaration In force since 4 November 1980 The People's Republic of China does not consider itself "
        "bound by paragraph 1 of article 29 of the Convention. source , as at 3 February 2026 none recorded")
    assert statement(page, "PRK").startswith(
        "Democratic People's Republic of Korea 29 Reservation In force since 27 February 2001 The Government of the "
        "Democratic People’s Republic of Korea does not consider itself bound by the provisions article 29 of [the Convention].")
    # the eleven objections to the DPRK's reservations name articles 2(f) and 9(2) (the United Kingdom's 2(f) only),
    # never article 29: none attaches to the article-29 reservation
    assert statement(page, "PRK").endswith("source , as at 3 February 2026 none recorded")
    assert statement(page, "CUB").startswith("Cuba 29 Reservation In force since 17 July 1980 The Government of the Republic "
                                             "of Cuba makes a specific reservation concerning the provisions of article 29")
    sau = statement(page, "SAU")
    assert sau.startswith("Saudi Arabia The instrument as a whole Reservation In force since 7 September 2000 “1. In case of "
                          "contradiction")
    assert "| Saudi Arabia 29(1) Reservation In force since 7 September 2000" in sau
    whole, para = sau.split(" | ")
    # every objection concerns the reservation on the instrument as a whole; on 29(1) only those that name no
    # article (Sweden's and the United Kingdom's, on the general reservation): the others name 9(2)
    assert whole.endswith("Germany , 19 January 2001; Spain , 22 February 2001; Sweden , 30 March 2001; France , 26 June 2001; "
                          "Portugal , 18 July 2001; Denmark , 10 August 2001; Austria , 21 August 2001; United Kingdom of Great "
                          "Britain and Northern Ireland , 6 September 2001; Netherlands (Kingdom of the) , 18 September 2001; "
                          "Ireland , 2 October 2001; Norway , 9 October 2001; Finland , 8 October 2002")
    assert para.endswith("source , as at 3 February 2026 Sweden , 30 March 2001; United Kingdom of Great Britain and "
                         "Northern Ireland , 6 September 2001")
    assert ("The words as read in Convention on the Elimination of All Forms of Discrimination against Women, English text, "
            "Dutch treaty database (Verdragenbank) copy in statengeneraal/laws-markdown : the text of 18 December 1979.") in text
    assert '<a href="#p-29(1)">29(1)</a>' in page  # a paragraph's statement links the paragraph's words
    # each statement has its own anchor, which the matrix links to
    for anchor in ("s-CHN-1980-11-04-declaration-29-1", "s-PRK-2001-02-27-reservation-29", "s-SAU-2000-09-07-reservation-whole",
                   "s-SAU-2000-09-07-reservation-29-1"):
        assert page.count(f'id="{anchor}"') == 1, anchor


def test_cedaw_article_16_egypt_and_singapore(built_db):
    page = get(built_db, "/instrument/CEDAW/article/16").text
    assert statement(page, "EGY").startswith("Egypt 16 Reservation In force since 18 September 1981 [.....] In respect of "
                                             "article 16 Reservation to the text of article 16 concerning the equality of men")
    sgp = statement(page, "SGP").split(" | ")
    assert [s.split(" Reservation ")[0] for s in sgp] == ["Singapore 16(1)(a)", "Singapore 16(1)(c)", "Singapore 16(1)(h)",
                                                          "Singapore 16(2)"]
    assert all(" Reservation In force since 5 October 1995; partly withdrawn on 24 July 2007 " in s for s in sgp)


def test_dprk_2f_and_9_2_on_every_side_of_the_withdrawal(built_db):
    before, on, first, gone = get(built_db, "/instrument/CEDAW/article/2?as_of=2010-01-01",
                                  "/instrument/CEDAW/article/9?as_of=2015-11-22",
                                  "/instrument/CEDAW/article/9?as_of=2001-02-27",
                                  "/instrument/CEDAW/article/9?as_of=2015-11-23")
    assert statement(before.text, "PRK").startswith(
        "Democratic People's Republic of Korea 2(f) Reservation In force since 27 February 2001 Reservation made upon "
        "accession to paragraph (f) of article 2")
    assert "Democratic People's Republic of Korea 9(2) Reservation In force since 27 February 2001" in section(on.text, "In force")
    assert "Democratic People's Republic of Korea 9(2) Reservation In force since 27 February 2001" in section(first.text, "In force")
    assert "Democratic People's Republic of Korea" not in section(gone.text, "In force")
    assert ("Democratic People's Republic of Korea 9(2) Reservation Withdrawn with effect from 23 November 2015"
            in section(gone.text, "Withdrawn, or recorded without legal effect"))
    assert '<tr id="s-PRK' not in get(built_db, "/instrument/CEDAW/article/9?as_of=2001-02-26").text


def test_article_map(built_db):
    page = get(built_db, "/instrument/CEDAW/article/9?as_of=2010-01-01").text
    text = visible(page)
    assert "States with a reservation or declaration on this article (or on the instrument as a whole) in force on the date: 16." in text
    assert ('data-state="PRK" data-status="statement"><title>Democratic People&#39;s Republic of Korea: reservation (9(2)): '
            'in force since 27 February 2001</title>') in page
    # France's reservation names article 9 in its words ("article 9 of the Convention must not be interpreted as ...")
    assert 'data-state="FRA" data-status="statement"><title>France: reservation (9): in force since 14 December 1983</title>' in page
    assert 'data-state="DEU" data-status="party_none"><title>Germany: party, none recorded on this article</title>' in page
    assert 'data-state="USA" data-status="not_a_party"><title>United States of America: not a party</title>' in page
    later = get(built_db, "/instrument/CEDAW/article/9?as_of=2016-01-01").text
    assert ('data-state="PRK" data-status="statement_withdrawn"><title>Democratic People&#39;s Republic of Korea: '
            'reservation (9(2)): withdrawn with effect from 23 November 2015</title>') in later
    assert "A reservation or declaration on it in force: <strong>" in page


def test_article_page_refusals(built_db):
    missing, no_text, bad_date, paragraph = get(
        built_db, "/instrument/CEDAW/article/99", "/instrument/C187/article/1", "/instrument/CEDAW/article/9?as_of=2015-02-30",
        "/instrument/CEDAW/article/29(1)?as_of=2010-01-01")
    assert missing.status_code == 404
    assert "CEDAW has no article '99': its articles are 1 to 30." in visible(missing.text)
    assert no_text.status_code == 404
    assert "The knowledge base holds no text of C187, so it has no article pages." in visible(no_text.text)
    assert get(built_db, "/instrument/C029/article/1").status_code == 200  # C029's text is in the knowledge base
    assert bad_date.status_code == 400 and "must be written YYYY-MM-DD" in visible(bad_date.text)
    assert paragraph.status_code == 302
    assert paragraph.headers["location"] == "/instrument/CEDAW/article/29?as_of=2010-01-01#p-29(1)"


# --------------------------------------------------------------------------- JSON and CSV

def test_article_json_is_the_api(built_db):
    import sqlite3

    r = get(built_db, "/instrument/CEDAW/article/9.json?as_of=2010-01-01")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json; charset=utf-8"
    conn = sqlite3.connect(built_db)
    conn.row_factory = sqlite3.Row
    assert r.json() == q.reservations(conn, instrument="CEDAW", article="9", as_of="2010-01-01")
    assert [(x["state"], x["article"], x["in_force"]) for x in r.json() if x["state"] in ("PRK", "SAU")] == [
        ("SAU", None, True), ("PRK", "9(2)", True), ("SAU", "9(2)", True)]
    # the instrument's id in any case, as the page data elsewhere
    assert get(built_db, "/instrument/cedaw/article/9.json?as_of=2010-01-01").json() == r.json()


def test_article_csv(built_db):
    r = get(built_db, "/instrument/CEDAW/article/9.csv?as_of=2015-11-23")
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'inline; filename="CEDAW-article-9-2015-11-23.csv"'
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == list(q.RESERVATION_KEYS)
    prk = [x for x in rows if x["state"] == "PRK"][0]
    assert (prk["article"], prk["in_force"], prk["withdrawn_on"], prk["in_force_note"]) == (
        "9(2)", "false", "2015-11-23", "withdrawn with effect from 2015-11-23")
    assert prk["objections"].startswith("ESP 2001-07-05; SWE 2001-07-25; AUT 2001-08-21;")


@pytest.mark.parametrize("path, status, body", [
    ("/instrument/CEDAW/article/9.json?as_of=2015-13-01", 400,
     {"ok": False, "error": "as_of must be a date written YYYY-MM-DD (for example 2026-02-03)", "param": "as_of"}),
    ("/instrument/CEDAW/reservations.csv?as_of=yesterday", 400,
     {"ok": False, "error": "as_of must be a date written YYYY-MM-DD (for example 2026-02-03)", "param": "as_of"}),
    ("/instrument/CEDAW/article/99.json", 404, {"ok": False, "error": "CEDAW has no article '99': its articles are 1 to 30."}),
    ("/instrument/C187/article/1.csv", 404,
     {"ok": False, "error": "The knowledge base holds no text of C187, so it has no articles."}),
    ("/instrument/NOPE/reservations.json", 404,
     {"ok": False, "error": "no instrument has the id 'NOPE'; send an id listed at /instrument (for example CAT)", "param": "id"}),
])
def test_data_refusals(built_db, path, status, body):
    r = get(built_db, path)
    assert (r.status_code, r.headers["content-type"], r.json()) == (status, "application/json; charset=utf-8", body)


# --------------------------------------------------------------------------- the matrix

def matrix_row(page: str, state: str) -> list[str]:
    m = re.search(rf'<tr id="state-{state}">(.*?)</tr>', page, re.S)
    assert m, state
    return [c.strip() for c in re.findall(r"<td>(.*?)</td>", m.group(1), re.S)]


def test_cedaw_matrix(built_db):
    page = get(built_db, "/instrument/CEDAW/reservations?as_of=2015-11-23").text
    heads = [visible(h) for h in re.findall(r'<th scope="col" id="col-[^"]+">(.*?)</th>', page, re.S)]
    # the articles read from the statements' words: a column per article named, the statements that name none
    # ("in general") and the preamble
    assert heads == ["The instrument as a whole in force: 1", "art. 1 in force: 3", "art. 2 in force: 15", "art. 4 in force: 2",
                     "art. 5 in force: 5", "art. 7 in force: 2", "art. 9 in force: 15", "art. 10 in force: 1",
                     "art. 11 in force: 7", "art. 13 in force: 2", "art. 15 in force: 7", "art. 16 in force: 21",
                     "art. 29 in force: 37", "In general: no article named in force: 12", "The preamble in force: 1"]
    prk = matrix_row(page, "PRK")
    assert [visible(c) for c in prk] == ["", "", "2(f) res.", "", "", "", "9(2) res.", "", "", "", "", "", "29 res.", "", ""]
    assert prk[2] == ('<a href="/instrument/CEDAW/article/2?as_of=2015-11-23#s-PRK-2001-02-27-reservation-2-f" '
                      'title="Reservation (2(f)): withdrawn with effect from 23 November 2015" class="in-force-0">'
                      '<del>2(f) res.</del></a>')
    assert prk[6] == ('<a href="/instrument/CEDAW/article/9?as_of=2015-11-23#s-PRK-2001-02-27-reservation-9-2" '
                      'title="Reservation (9(2)): withdrawn with effect from 23 November 2015" class="in-force-0">'
                      '<del>9(2) res.</del></a>')
    assert prk[12] == ('<a href="/instrument/CEDAW/article/29?as_of=2015-11-23#s-PRK-2001-02-27-reservation-29" '
                      'title="Reservation (29): in force since 27 February 2001" class="in-force-1">29 res.</a>')
    assert matrix_row(page, "SAU")[0] == (
        '<a href="/country/SAU?as_of=2015-11-23#statements-CEDAW" title="Reservation (the instrument as a whole): in force '
        'since 7 September 2000" class="in-force-1">res.</a>')
    assert [visible(c) for c in matrix_row(page, "CHN")][12] == "29(1) decl."
    assert [visible(c) for c in matrix_row(page, "SGP")][11] == "16(1)(a) res. 16(1)(c) res. 16(1)(h) res. 16(2) res."
    before = get(built_db, "/instrument/CEDAW/reservations?as_of=2001-02-26").text
    assert 'id="state-PRK"' not in before


def test_matrix_links_reach_their_statements(built_db):
    page = get(built_db, "/instrument/CEDAW/reservations?as_of=2010-01-01").text
    links = sorted(set(re.findall(r'href="(/instrument/CEDAW/article/[^"#]+)#(s-[^"]+)"', page)))
    assert len(links) > 40
    paths = sorted({p for p, _ in links})
    pages = dict(zip(paths, get(built_db, *paths)))
    for path, anchor in links:
        assert f'<tr id="{anchor}"' in pages[path].text, (path, anchor)


def test_matrix_json_csv_and_no_statements(built_db):
    import sqlite3

    j, c, none = get(built_db, "/instrument/CEDAW/reservations.json?as_of=2010-01-01",
                     "/instrument/CEDAW/reservations.csv?as_of=2010-01-01", "/instrument/CEDAW/reservations?as_of=1979-01-01")
    conn = sqlite3.connect(built_db)
    conn.row_factory = sqlite3.Row
    assert j.json() == q.reservations(conn, instrument="CEDAW", as_of="2010-01-01")
    rows = list(csv.DictReader(io.StringIO(c.text)))
    assert len(rows) == len(j.json()) and list(rows[0]) == list(q.RESERVATION_KEYS)
    assert c.headers["content-disposition"] == 'inline; filename="CEDAW-reservations-2010-01-01.csv"'
    assert "No reservation or declaration on this instrument is recorded by 1 January 1979." in visible(none.text)


READER_PAGES = ["/instrument/CEDAW/article/29", "/instrument/CEDAW/article/9?as_of=2016-01-01",
                "/instrument/CEDAW/article/16?as_of=2030-01-01", "/instrument/CEDAW/reservations",
                "/instrument/CEDAW/reservations?as_of=2030-01-01", "/instrument/GENOCIDE/reservations",
                "/instrument/CEDAW/article/99", "/country/FRA", "/country/SAU?as_of=2030-01-01", "/country/PRK",
                "/compare?states=PRK,SAU,FRA&as_of=2030-01-01", "/search?q=nationality"]


@pytest.mark.parametrize("path", READER_PAGES)
def test_pages_speak_a_readers_words(built_db, path):
    text = visible(get(built_db, path).text)
    text = re.sub(r"\b(?:https?://|www\.)\S+", " ", text)
    found = sorted({m.group(0) for p in FORBIDDEN for m in re.finditer(p, text)})
    assert found == [], f"{path}: {found}"


# --------------------------------------------------------------------------- links: the instrument page

@pytest.mark.parametrize("as_of", ["2010-01-01", "2026-02-03", "2030-01-01"])
def test_article_counts_are_those_of_the_reservations_rows(built_db, as_of):
    """article_counts.sql applies the rule of reservations.sql: the same counts, for every instrument with a text."""
    import sqlite3

    from kb.query import sql

    conn = sqlite3.connect(built_db)
    conn.row_factory = sqlite3.Row
    for (iid,) in conn.execute("SELECT DISTINCT instrument_id FROM treaty_provisions").fetchall():
        counts = {r["article"]: (r["states_in_force"], r["states_not_known"], r["states_made"])
                  for r in conn.execute(sql("article_counts"), {"instrument": iid, "as_of": as_of})}
        rows = q.reservations(conn, instrument=iid, as_of=as_of)
        expect = {}
        for key in counts:
            mine = [r for r in rows if (r["scope"] == "whole" if key is None else
                                        r["scope"] == "provision" and re.match(r"[^(]+", r["article"]).group(0) == key)]
            expect[key] = (len({r["state"] for r in mine if r["in_force"] is True}),
                           len({r["state"] for r in mine if r["in_force"] is None}), len({r["state"] for r in mine}))
        assert counts == expect, iid


def test_instrument_page_links_its_articles(built_db):
    page, ilo, later = get(built_db, "/instrument/CEDAW?as_of=2010-01-01", "/instrument/C187", "/instrument/CEDAW?as_of=2030-01-01")
    block = re.search(r'<div class="by-article" id="by-article">(.*?)</div>', page.text, re.S).group(1)
    assert '<a href="/instrument/CEDAW/reservations?as_of=2010-01-01">' in block
    assert '<li><a href="/instrument/CEDAW/article/9?as_of=2010-01-01">art. 9</a>: <strong>16</strong></li>' in block
    assert '<li><a href="/instrument/CEDAW/article/3?as_of=2010-01-01">art. 3</a></li>' in block
    assert ("besides these, statements on the instrument as a whole, which concern every article, are in force for 1 states."
            in visible(block))
    assert "The knowledge base holds no text of this instrument, so it has no article pages." in visible(ilo.text)
    # past the record: not known, never zero
    assert '<li><a href="/instrument/CEDAW/article/9?as_of=2030-01-01">art. 9</a> <span class="muted">(16 not known)</span></li>' in later.text


# --------------------------------------------------------------------------- links: country pages

def test_country_page_shows_each_reservation_beside_its_article(built_db):
    import sqlite3

    page, later = get(built_db, "/country/PRK?as_of=2010-01-01", "/country/PRK?as_of=2015-11-23")
    sect = re.search(r'<section aria-labelledby="statements">(.*?)</section>', page.text, re.S).group(1)
    rows = re.findall(r'<tr id="st-([^"]+)">(.*?)</tr>', sect, re.S)
    assert [a for a, _ in rows] == ["PRK-2001-02-27-reservation-2-f", "PRK-2001-02-27-reservation-9-2",
                                    "PRK-2001-02-27-reservation-29"]
    first = rows[0][1]
    assert '<a href="/instrument/CEDAW/article/2?as_of=2010-01-01#s-PRK-2001-02-27-reservation-2-f">article 2(f)</a>' in first
    assert visible(first).startswith("article 2(f) Reservation In force since 27 February 2001 Reservation made upon accession "
                                     "to paragraph (f) of article 2 of the Convention.")
    assert ("<summary>The article's words (2(f))</summary>" in first
            and "2(f) To take all appropriate measures, including legislation, to modify or abolish existing laws, "
                "regulations, customs and practices which constitute discrimination against women;" in visible(first))
    assert "9(2) States Parties shall grant women equal rights with men with respect to the nationality of their children." in visible(rows[1][1])
    assert visible(rows[2][1]).count("29(") == 3
    assert 'id="statements-CEDAW"' in sect
    gone = re.search(r'<tr id="st-PRK-2001-02-27-reservation-9-2">(.*?)</tr>', later.text, re.S).group(1)
    assert "Withdrawn with effect from 23 November 2015" in visible(gone)
    none = get(built_db, "/country/PRK?as_of=2001-02-26").text
    assert "No reservation or declaration of DPR Korea is recorded by 26 February 2001." in visible(none)
    # the whole instrument links the matrix's row of the state
    sau = get(built_db, "/country/SAU").text
    assert '<a href="/instrument/CEDAW/reservations#state-SAU">The instrument as a whole</a>' in sau


@pytest.mark.parametrize("as_of", ["2010-01-01", "2026-02-03", "2030-01-01"])
def test_state_statements_agree_with_reservations(built_db, as_of):
    """state_statements.sql applies the rule of reservations.sql: the same rows, in force or not, for every state."""
    import sqlite3

    from kb.query import sql

    conn = sqlite3.connect(built_db)
    conn.row_factory = sqlite3.Row
    cols = ("instrument", "article", "scope", "kind", "made_on", "withdrawn_on", "partly_withdrawn_on", "in_force", "key")
    everyone = q.reservations(conn, as_of=as_of)
    for (sid,) in conn.execute("SELECT DISTINCT state_id FROM statement_articles").fetchall():
        mine = [tuple(dict(r)[c] for c in cols) for r in conn.execute(sql("state_statements"), {"state": sid, "as_of": as_of})]
        expect = [tuple(r[c] for c in cols) for r in everyone if r["state"] == sid]
        expect = [t[:7] + (None if t[7] is None else int(t[7]),) + t[8:] for t in expect]
        assert sorted(mine, key=repr) == sorted(expect, key=repr), sid


# --------------------------------------------------------------------------- links: search

def test_search_finds_the_treaties_words(built_db):
    page, typed, nothing = get(built_db, "/search?q=nationality+children", "/search?q=nationality+children&type=reservation",
                               "/search?q=zzzxq")
    sect = re.search(r'<section aria-labelledby="rt">(.*?)</section>', page.text, re.S).group(1)
    assert visible(sect).startswith("Treaty texts (4) ")
    assert ('<li><a href="/instrument/CEDAW/article/9#p-9(2)">Convention on the Elimination of All Forms of Discrimination '
            'against Women, article 9(2)</a>: <span class="snippet">States Parties shall grant women equal rights with men '
            'with respect to the <mark>nationality</mark> of their <mark>children</mark>.</span></li>') in sect
    assert 'aria-labelledby="rt"' not in typed.text
    assert "No article of the treaties' texts matches." in visible(nothing.text)


# --------------------------------------------------------------------------- links: the compare page

def compare_row(page: str, instrument: str) -> list[str]:
    m = re.search(rf'<tr id="cs-{instrument}">(.*?)</tr>', page, re.S)
    assert m, instrument
    return [visible(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", m.group(1), re.S)]


def test_compare_counts_reservations_in_force(built_db):
    page, later, early = get(built_db, "/compare?states=PRK,SAU,CHN,USA&as_of=2010-01-01",
                             "/compare?states=PRK,SAU,CHN,USA&as_of=2030-01-01", "/compare?states=PRK&as_of=1975-01-01")
    # the United States signed CEDAW and made no statement on it
    assert compare_row(page.text, "CEDAW") == ["3 in force", "1 in force", "1 in force", "none recorded"]
    assert ('<a href="/country/PRK?as_of=2010-01-01#statements-CEDAW">3 in force</a>' in page.text)
    assert compare_row(later.text, "CEDAW") == ["1 made, in force not known", "1 made, in force not known",
                                                "1 made, in force not known", "none recorded"]
    assert compare_row(page.text, "ICERD")[0] == "not a party"
    assert ("None of these states made a reservation or declaration by 1 January 1975."
            in visible(early.text))
    assert compare_row(page.text, "ICCPR")[0] == "none recorded"


def test_a_paragraphs_rows_and_hostile_addresses(built_db):
    import sqlite3

    para, bad, long, script = get(built_db, "/instrument/CEDAW/article/29(1).json", "/instrument/CEDAW/article/16(3).json",
                                  "/instrument/CEDAW/article/" + "9" * 3000, "/instrument/CEDAW/article/%3Cscript%3E")
    conn = sqlite3.connect(built_db)
    conn.row_factory = sqlite3.Row
    assert para.json() == q.reservations(conn, instrument="CEDAW", article="29(1)")
    assert bad.status_code == 404 and bad.json()["error"] == "CEDAW has no article '16(3)': its articles are 1 to 30."
    assert long.status_code == 404
    # the address is shown escaped, never as markup: the page's only script is its own (the language switch's), as on
    # any other refused article
    plain = get(built_db, "/instrument/CEDAW/article/99")
    assert script.status_code == 404 and "&lt;script&gt;" in script.text
    assert script.text.count("<script>") == plain.text.count("<script>") == 1
    # an instrument's id in another case, with an article that must stay quoted
    question, lower = get(built_db, "/instrument/cedaw/article/%3F.json", "/instrument/cedaw/article/29(1).json")
    assert (question.status_code, question.json()["error"]) == (404, "CEDAW has no article '?': its articles are 1 to 30.")
    assert lower.json() == para.json()


def test_new_pages_make_one_trip(built_db):
    from .test_page_batch import trips

    ds = make_datasette(built_db, cache_mb=0)
    assert trips(ds, ["/instrument/CEDAW/reservations", "/instrument/CEDAW/article/29?as_of=2010-01-01"]) == [1, 1]
