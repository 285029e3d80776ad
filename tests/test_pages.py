"""The research desk pages (kb/web/pages/), through Datasette's in-process client."""

from __future__ import annotations

import asyncio
import html as html_lib
import re
import shutil
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from kb.db.build import build
from kb.query import cite
from kb.web.app import make_datasette

from .conftest import TODAY


def get(db: Path, path: str):
    async def run():
        ds = make_datasette(db)
        return await ds.client.get(path)
    return asyncio.run(run())


def row(html: str, instrument: str) -> str:
    """The status-table row of one instrument on a country page."""
    m = re.search(rf'<tr id="i-{re.escape(instrument)}"[^>]*>(.*?)</tr>', html, re.S)
    assert m, f"no row for {instrument}"
    return m.group(1)


def text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip())


@pytest.fixture(scope="module")
def fts_db(built_db, tmp_path_factory) -> Path:
    """The real data (the build adds the full-text index of kb/db/sql/fts.sql)."""
    return built_db


class Page(HTMLParser):
    """Headings, labels, form controls and links of a page."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.label_for: set[str] = set()
        self.controls: list[dict] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a)
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    return p


# --------------------------------------------------------------------------- home

def test_home(built_db):
    r = get(built_db, "/")
    assert r.status_code == 200
    html = r.text
    glance = text(html[html.index('id="glance"'):html.index('id="search-h"')])
    assert "Party to (7)" in glance and "Convention on the Rights of Persons with Disabilities since 6 December 2016" in glance
    assert "Not a party to (16)" in glance and "Convention against Torture" in glance
    assert "Not applicable (11)" in glance and "Freedom of Association" in glance
    page = parse(html)
    assert "/country/PRK" in page.links and "/instrument/CAT" in page.links
    assert "/kb.db" in page.links and "/kb/status_on" in page.links and "/kb/actions" in page.links
    assert '<form class="search" method="get" action="/search"' in html


# --------------------------------------------------------------------------- country

def test_country_prk(built_db):
    r = get(built_db, "/country/PRK")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Democratic People&#39;s Republic of Korea</h1>" in html
    assert '<input type="text" id="as_of" name="as_of" value="2026-02-03"' in html  # the data's date, not today
    crpd = text(row(html, "CRPD"))
    assert "Party" in crpd and "6 December 2016 (ratification)" in crpd and "3 July 2013" in crpd
    assert "Not a party" in text(row(html, "CAT"))
    c087 = text(row(html, "C087"))
    assert "Not applicable" in c087 and "Not an ILO member" in c087
    iccpr = text(row(html, "ICCPR"))
    assert "Its notification of withdrawal of 25 August 1997 has no legal effect." in iccpr
    # memberships, with sources
    members = text(html[html.index('id="memberships"'):html.index('id="status"')])
    assert "UN Member 17 September 1991" in members and "ILO Not a member" in members
    assert "Wikipedia: Member states of the International Labour Organization (as at 1 February 2025)" in members
    # the citation of each status is the one kb/query/citation.py writes, escaped
    conn = sqlite3.connect(f"file:{built_db}?mode=ro", uri=True)
    for inst in ("CAT", "ICCPR", "CRPD", "C087"):
        assert str(escape(cite(conn, "PRK", inst, "2026-02-03"))) in row(html, inst)
    # each status row links its source
    assert 'href="https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&amp;mtdsg_no=IV-9&amp;chapter=4&amp;clang=_en"' in row(html, "CAT")
    # timeline: the 1997 notification flagged, texts collapsed
    timeline = html[html.index('id="timeline"'):]
    assert "notification of withdrawal" in timeline and "No legal effect" in timeline
    assert "<details>" in timeline and "does not consider itself bound" in timeline


def test_country_obligations(built_db):
    html = get(built_db, "/country/PRK").text
    section = text(html[html.index('id="obligations"'):html.index('id="timeline"')])
    conn = sqlite3.connect(f"file:{built_db}?mode=ro", uri=True)
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'procedures'").fetchone():
        assert "not available" in section
        return
    assert "reservation to article 29 in force since 27 February 2001" in section
    assert "reservation to article 2(f) withdrawn on 23 November 2015" in section


def test_country_as_of(built_db):
    r = get(built_db, "/country/PRK?as_of=2016-01-01")
    assert r.status_code == 200
    crpd = text(row(r.text, "CRPD"))
    assert "Signatory" in crpd and "3 July 2013" in crpd and "ratification" not in crpd
    assert 'value="2016-01-01"' in r.text
    assert "On 1 January 2016, according to the UN Treaty Collection" in r.text


def test_country_redirects(built_db):
    r = get(built_db, "/country/prk")
    assert r.status_code == 302 and r.headers["location"] == "/country/PRK"
    r = get(built_db, "/country/prk?as_of=2016-01-01")
    assert r.headers["location"] == "/country/PRK?as_of=2016-01-01"
    r = get(built_db, "/country/North%20Korea")
    assert r.status_code == 302 and r.headers["location"] == "/country/PRK"
    r = get(built_db, "/country?state=DPRK")
    assert r.status_code == 302 and r.headers["location"] == "/country/PRK"


def test_unknown_country_and_instrument(built_db):
    r = get(built_db, "/country/XXX")
    assert r.status_code == 404 and "Unknown state" in r.text and "&#39;XXX&#39;" in r.text
    r = get(built_db, "/instrument/NOPE")
    assert r.status_code == 404 and "Unknown instrument" in r.text
    r = get(built_db, "/country/PRK?as_of=2026-02-30")
    assert r.status_code == 400 and "YYYY-MM-DD" in r.text
    r = get(built_db, "/country?state=Atlantis")
    assert r.status_code == 404


# --------------------------------------------------------------------------- instrument

def test_instrument_cat(built_db):
    r = get(built_db, "/instrument/CAT")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment</h1>" in html
    facts = text(html[html.index('<dl class="facts">'):html.index("</dl>")])
    assert "Adopted 10 December 1984, New York" in facts
    assert "UNTS reference UNTS vol. 1465, p. 85" in facts
    assert "Entry into force 26 June 1987" in facts and "MTDSG IV-9" in facts
    assert "Monitoring body Committee against Torture" in facts and "Secretary-General of the United Nations" in facts
    assert re.search(r'id="party-count"><strong>175</strong> parties on 3 February 2026', html)
    # the chart: an inline SVG whose last point is the 175 parties of 2026-02-03
    assert "<svg" in html and "<polyline" in html and 'role="img"' in html
    assert "<tr><td>2026-02-03</td><td>175</td></tr>" in html
    assert "<tr><td>1987-12-31</td><td>" in html
    # parties and signatories, states with no action, reservations and objections
    participants = text(html[html.index('id="participants"'):html.index('id="procedures"')])
    assert "Party (175)" in participants and "Signatory (not a party) (4)" in participants
    assert "Not a party (19)" in participants and "Democratic People's Republic of Korea" in participants
    procedures = text(html[html.index('id="procedures"'):html.index('id="reservations"')])
    assert "Competence declarations" in procedures
    if "Individual communications (art. 22)" in procedures:  # procedures table built
        assert re.search(r"Individual communications \(art\. 22\) opt in: article 22\. Accepted by \d+ of the parties", procedures)
    res = html[html.index('id="reservations"'):]
    assert "Objections (" in res and "<details>" in res


def test_instrument_as_of_and_redirect(built_db):
    r = get(built_db, "/instrument/CAT?as_of=1990-01-01")
    assert r.status_code == 200
    n = int(re.search(r'id="party-count"><strong>(\d+)</strong>', r.text).group(1))
    assert 0 < n < 175
    r = get(built_db, "/instrument/cat?as_of=1990-01-01")
    assert r.status_code == 302 and r.headers["location"] == "/instrument/CAT?as_of=1990-01-01"


def test_instrument_list(built_db):
    r = get(built_db, "/instrument")
    assert r.status_code == 200 and "/instrument/CRPD" in r.text


# --------------------------------------------------------------------------- search

def test_search_fts(fts_db):
    r = get(fts_db, "/search?q=does+not+consider+itself+bound+article+29")
    assert r.status_code == 200
    assert "The full-text index is not built" not in r.text
    assert "/country/PRK" in r.text and "Convention on the Elimination of All Forms of Discrimination against Women" in r.text
    assert "<mark>" in r.text
    r = get(fts_db, "/search?q=torture")
    assert "/instrument/CAT" in r.text
    # FTS syntax in the query is taken as words, never an error
    r = get(fts_db, '/search?q=NEAR(%22article%22+OR+*')
    assert r.status_code == 200 and "could not be run" not in r.text


def test_search_without_index(built_db):
    r = get(built_db, "/search?q=article+29+korea")
    assert r.status_code == 200 and "/country/PRK" in r.text
    r = get(built_db, "/search")
    assert r.status_code == 200 and '<label for="q">' in r.text
    r = get(built_db, "/search?q=%22%22")
    assert r.status_code == 400


# --------------------------------------------------------------------------- every page

PAGES = ["/", "/country/PRK", "/country/PRK?as_of=2016-01-01", "/instrument/CAT", "/instrument/C087",
         "/instrument", "/search?q=article", "/country/XXX"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page(built_db, path):
    r = get(built_db, path)
    html = r.text
    page = parse(html)
    # skip link, one h1 first, headings never skip a level
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    for a, b in zip(page.headings, page.headings[1:]):
        assert b <= a + 1, (path, page.headings)
    # every input has a label
    for c in page.controls:
        assert c.get("id") in page.label_for, (path, c)
    # licence, sources and their as-at dates
    footer = text(html[html.index('<footer'):])
    assert "CC BY 4.0" in footer
    assert "UN Treaty Collection: status as at 3 February 2026" in footer
    assert "UN Treaty Collection: status as at 14 March 2015" in footer
    # security headers, and nothing loaded from elsewhere
    assert "script-src 'self' 'unsafe-inline'" in r.headers["content-security-policy"]
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', html)


def test_static_css(built_db):
    r = get(built_db, "/-/kb-static/kb.css")
    assert r.status_code == 200 and ".skip-link" in r.text


# --------------------------------------------------------------------------- escaping

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_stored_xss_renders_as_text(data_copy, tmp_path):
    from .test_validate import SRC, append

    block = (f"  - state: PRK\n    type: reservation\n    date: 2001-02-27\n    article: \"16\"\n"
             f"    text: '{EVIL} unmistakablesearchword'\n    summary: '<b>bold</b>'\n" + SRC)
    append(data_copy, "CEDAW", block)
    db = tmp_path / "kb.db"
    build(data_copy, db, today=TODAY)
    for path in ("/country/PRK", "/instrument/CEDAW", "/search?q=unmistakablesearchword"):
        html = get(db, path).text
        assert "unmistakablesearchword" in html, path
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold</b>" not in html, path
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, path


def test_country_page_shows_asked_versus_done(built_db):
    ds = make_datasette(built_db)
    html = asyncio.run(ds.client.get("/country/PRK")).text
    assert '<h2 id="asks">Asked versus done</h2>' in html
    assert "A/HRC/13/13" in html and "Fulfilled 6 December 2016" in html


def test_instrument_page_shows_asks(built_db):
    ds = make_datasette(built_db)
    html = asyncio.run(ds.client.get("/instrument/CRPD")).text
    assert '<h2 id="asks">Asked versus done</h2>' in html and "Done 6 December 2016" in html
    cat = asyncio.run(ds.client.get("/instrument/CAT")).text
    assert '<h2 id="asks">Asked versus done</h2>' in cat and "Not done" in cat
