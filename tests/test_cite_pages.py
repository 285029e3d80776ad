"""Citations on the site: /cite/<what>.<format> (every style as JSON, one as text, RIS / BibLaTeX /
CSL-JSON downloads, every citation of a page in one file), the Cite control of country, instrument and
article pages, "Cite this database" on the home page, and the metadata reference managers capture."""

from __future__ import annotations

import asyncio
import html as html_lib
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import bibtexparser
import jsonschema
import pytest
import rispy

import kb.query as q
from kb.web.app import make_datasette

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "kb" / "csl" / "schema" / "csl-data.json").read_text())
CO = "PRK/treaty_body/CRPD/2025-08-19/concluding_observations"
CRPD = {"state": "PRK", "instrument": "CRPD", "as_of": "2026-02-03"}


def get_all(db: Path, paths: list[str]):
    async def run():
        ds = make_datasette(db)
        return [await ds.client.get(p) for p in paths]
    return asyncio.run(run())


def get(db: Path, path: str):
    return get_all(db, [path])[0]


def cite_url(what: str, fmt: str, **params: str) -> str:
    return f"/cite/{what}.{fmt}" + ("?" + urlencode(params) if params else "")


@pytest.fixture(scope="module")
def conn(built_db):
    c = q.connect(built_db)
    yield c
    c.close()


# --------------------------------------------------------------------------- /cite/...

def test_every_style_as_json_is_what_kb_cite_prints(built_db, conn):
    r = get(built_db, cite_url("status", "json", state="North Korea", instrument="crpd"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/json; charset=utf-8"
    body = r.json()
    assert list(body["styles"]) == ["plain", "oscola", "bluebook", "chicago", "apa"]
    for style, text in body["styles"].items():
        assert text == q.cite(conn, "PRK", "CRPD", "2026-02-03", style), style
    assert body["names"]["chicago"] == "Chicago (notes)"
    # the names resolved, the data's date filled in
    assert body["downloads"] == {
        "ris": "/cite/status.ris?state=PRK&instrument=CRPD&as_of=2026-02-03",
        "bibtex": "/cite/status.bib?state=PRK&instrument=CRPD&as_of=2026-02-03",
        "csl-json": "/cite/status.csl.json?state=PRK&instrument=CRPD&as_of=2026-02-03"}


def test_one_style_as_text(built_db, conn):
    r = get(built_db, cite_url("status", "txt", style="oscola", **CRPD))
    assert r.status_code == 200 and r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.text == q.cite(conn, "PRK", "CRPD", style="oscola") + "\n"
    assert "2515 UNTS 3" in r.text and "accessed 3 February 2026" in r.text
    r = get(built_db, cite_url("status", "txt", **CRPD))  # default: the sentence
    assert r.text == q.cite(conn, "PRK", "CRPD") + "\n"


def test_downloads_read_back(built_db, conn):
    ris, bib, cslj = get_all(built_db, [cite_url("status", fmt, **CRPD) for fmt in ("ris", "bib", "csl.json")])
    assert ris.headers["content-type"] == "application/x-research-info-systems; charset=utf-8"
    assert ris.headers["content-disposition"] == 'attachment; filename="PRK-CRPD-2026-02-03.ris"'
    page = rispy.loads(ris.text)[1]
    assert page["urls"][0].startswith("https://treaties.un.org/") and page["access_date"] == "2026/02/03"
    assert bib.headers["content-type"] == "application/x-bibtex; charset=utf-8"
    assert bib.headers["content-disposition"] == 'attachment; filename="PRK-CRPD-2026-02-03.bib"'
    library = bibtexparser.parse_string(bib.text)
    assert library.failed_blocks == [] and library.entries[1]["urldate"] == "2026-02-03"
    assert cslj.headers["content-type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    items = json.loads(cslj.text)
    jsonschema.validate(items, SCHEMA)
    assert items == json.loads(q.cite(conn, "PRK", "CRPD", style="csl-json"))


def test_an_event_and_the_instrument_and_the_kb(built_db, conn):
    ev, inst, kb = get_all(built_db, [cite_url("event", "json", key=CO), cite_url("instrument", "txt", instrument="CAT",
                                                                                    style="bluebook"),
                                      cite_url("kb", "bib")])
    assert ev.json()["styles"]["oscola"] == q.cite_event(conn, CO, "oscola")
    assert "CRPD/C/PRK/CO/1 <https://undocs.org/en/CRPD/C/PRK/CO/1>" in ev.json()["styles"]["oscola"]
    assert inst.text == q.cite_instrument(conn, "CAT", "bluebook") + "\n"
    assert kb.headers["content-disposition"] == f'attachment; filename="treaty-kb-{q.version(conn)}.bib"'
    entry = bibtexparser.parse_string(kb.text).entries[0]
    assert entry["version"] == q.version(conn) and entry["url"] == "http://localhost/"


def test_the_kb_citation_names_only_a_host_name(built_db):
    async def run():
        ds = make_datasette(built_db)
        good = await ds.client.get("/cite/kb.ris", headers={"host": "kb.example.org:8001"})
        bad = await ds.client.get("/cite/kb.ris", headers={"host": "x}y"})
        return good, bad
    good, bad = asyncio.run(run())
    assert rispy.loads(good.text)[0]["urls"] == ["http://kb.example.org:8001/"]
    assert "urls" not in rispy.loads(bad.text)[0]


def test_every_citation_of_a_page_in_one_file(built_db, conn):
    country, instrument = get_all(built_db, [cite_url("all", "csl.json", state="PRK"),
                                             cite_url("all", "ris", instrument="CRPD", as_of="2026-02-03")])
    assert country.headers["content-disposition"] == 'attachment; filename="PRK-2026-02-03-citations.csl.json"'
    assert json.loads(country.text) == json.loads(q.cite_all(conn, state="PRK", style="csl-json"))
    assert rispy.loads(instrument.text) == rispy.loads(q.cite_all(conn, instrument="CRPD", style="ris"))


@pytest.mark.parametrize("path, status, param, error", [
    (cite_url("status", "json", state="Narnia", instrument="CRPD"), 400, "state",
     "state: no state is known by 'Narnia'; send an ISO 3166-1 alpha-3 code (for example PRK), the depositary's name "
     "or an alias (for example North Korea)"),
    (cite_url("status", "ris", state="PRK"), 400, "instrument",
     "instrument is required: send an instrument id listed at /instrument (for example CAT)"),
    (cite_url("status", "bib", state="PRK", instrument="CRPD", as_of="2026-02-30"), 400, "as_of",
     "as_of must be a date written YYYY-MM-DD (for example 2026-02-03)"),
    (cite_url("status", "txt", style="mla", **CRPD), 400, "style",
     "style must be one of plain, oscola, bluebook, chicago, apa (the exchange formats are the .ris, .bib and "
     ".csl.json addresses)"),
    (cite_url("event", "json"), 400, "key",
     "key is required: send an engagement event's key, as a country page's Cite links name it (for example "
     "PRK/treaty_body/CRPD/2025-08-19/concluding_observations)"),
    (cite_url("event", "json", key="x" * 301), 400, "key",
     "key must be an engagement event's key, at most 300 characters"),
    (cite_url("event", "ris", key="nope"), 404, "key",
     "unknown engagement event 'nope': see the `key` column of `kb engagement STATE`"),
    (cite_url("instrument", "txt", instrument="CAT"), 400, "style",
     "an instrument has no sentence of its own: ask for style oscola, bluebook, chicago or apa"),
    (cite_url("all", "ris"), 400, "state", "name either a state or an instrument, not both and not neither"),
    (cite_url("all", "bib", state="PRK", instrument="CAT"), 400, "state",
     "name either a state or an instrument, not both and not neither"),
    (cite_url("all", "json", state="PRK"), 400, "format", "every citation of a page is written as .ris, .bib or .csl.json"),
])
def test_bad_input_is_a_json_refusal(built_db, path, status, param, error):
    r = get(built_db, path)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert r.json() == {"ok": False, "error": error, "param": param}


def test_an_unknown_format_is_not_a_citation(built_db):
    assert get(built_db, "/cite/status.pdf?state=PRK&instrument=CAT").status_code == 404


# --------------------------------------------------------------------------- the Cite control

def cite_boxes(page: str) -> list[str]:
    return re.findall(r'<details class="cite".*?</details>', page, re.S)


def test_country_rows_and_events_offer_every_style_and_download(built_db, conn):
    page = get(built_db, "/country/PRK").text
    boxes = cite_boxes(page)
    rows = q.status(conn, states=["PRK"])
    events = q.engagement(conn, "PRK")
    assert len(boxes) == len([r for r in rows if r["status"] != "not_yet_adopted"]) + len(events)
    crpd = next(b for b in boxes if "instrument=CRPD&amp;" in b)
    assert 'data-cite="/cite/status.json?state=PRK&amp;instrument=CRPD&amp;as_of=2026-02-03"' in crpd
    # the sentence inline (selectable without JavaScript), with a Copy button JavaScript shows
    assert f'<p class="citation">{html_lib.escape(q.cite(conn, "PRK", "CRPD"), quote=False)}</p>' in crpd.replace("&#39;", "'")
    assert '<button type="button" class="copy" hidden>Copy</button>' in crpd
    for style in ("oscola", "bluebook", "chicago", "apa"):
        assert f'href="/cite/status.txt?state=PRK&amp;instrument=CRPD&amp;as_of=2026-02-03&amp;style={style}"' in crpd
    for suffix in ("ris", "bib", "csl.json"):
        assert f'href="/cite/status.{suffix}?state=PRK&amp;instrument=CRPD&amp;as_of=2026-02-03" download' in crpd
    co = next(b for b in boxes if "concluding_observations" in b and "2025-08-19" in b)
    assert 'data-cite="/cite/event.json?key=PRK%2Ftreaty_body%2FCRPD%2F2025-08-19%2Fconcluding_observations"' in co
    assert 'href="/cite/all.ris?state=PRK&amp;as_of=2026-02-03" download>RIS</a>' in page
    # the hand-written OSCOLA and BibTeX are gone from the page: the styles are the CSL records'
    assert "@misc{" not in page and "howpublished" not in page
    assert '<script src="/-/kb-static/kb-cite.js" defer' in page


def test_instrument_and_article_pages_cite_the_instrument(built_db):
    inst, art = get_all(built_db, ["/instrument/CRPD", "/instrument/CRPD/article/16"])
    for page in (inst.text, art.text):
        (box,) = [b for b in cite_boxes(page) if "/cite/instrument.json" in b]
        assert 'data-cite="/cite/instrument.json?instrument=CRPD"' in box
        assert 'href="/cite/instrument.ris?instrument=CRPD" download' in box
    assert 'href="/cite/all.bib?instrument=CRPD&amp;as_of=2026-02-03" download>BibTeX</a>' in inst.text
    assert ("The citation styles cite the instrument as a whole: add the pinpoint to article 16 as your style writes "
            "it (OSCOLA: art 16).") in art.text


def test_home_cites_the_database_in_every_format(built_db, conn):
    page = get(built_db, "/").text
    section = page.split('<h2 id="cite-h">Cite this database</h2>', 1)[1].split("</section>", 1)[0]
    from kb.query import csl

    items = csl.kb_record(conn, "http://localhost/")  # the site's own address, as the request named it
    assert items[0]["URL"] == "http://localhost/" and "accessed" not in items[0]
    for style in ("plain", "oscola", "bluebook", "chicago", "apa", "ris", "bibtex", "csl-json"):
        m = re.search(rf'data-style="{style}">.*?class="citation">(.*?)</(p|pre)>', section, re.S)
        assert m, style
        want = q.cite_kb(conn, "plain") if style == "plain" else csl.format_items(items, style)
        assert html_lib.unescape(m.group(1)) == want, style
    assert '<a href="/cite/kb.ris" download>Download</a>' in section


# --------------------------------------------------------------------------- metadata

def meta(page: str) -> list[tuple[str, str]]:
    return [(n, html_lib.unescape(c)) for n, c in re.findall(r'<meta name="((?:citation_|DC\.)[^"]+)" content="([^"]*)">', page)]


def test_pages_carry_the_metadata_reference_managers_capture(built_db, conn):
    v = q.version(conn)
    country, inst, art, home = (r.text for r in get_all(
        built_db, ["/country/PRK?as_of=2020-01-01", "/instrument/CAT", "/instrument/CEDAW/article/29", "/"]))
    assert meta(country) == [
        ("citation_title", "Democratic People's Republic of Korea: treaty status on 1 January 2020"),
        ("citation_publisher", "Treaty and convention ratification knowledge base"),
        ("citation_date", "2026/02/03"),
        ("citation_abstract", "The status of Democratic People's Republic of Korea on each treaty and convention on "
                              "1 January 2020, derived from the depositaries' records, each with its source, and its "
                              "engagement with UN human rights mechanisms."),
        ("citation_language", "en"),
        ("DC.title", "Democratic People's Republic of Korea: treaty status on 1 January 2020"),
        ("DC.publisher", "Treaty and convention ratification knowledge base"),
        ("DC.date", "2026-02-03"),
        ("DC.type", "Dataset"),
        ("DC.description", "The status of Democratic People's Republic of Korea on each treaty and convention on "
                           "1 January 2020, derived from the depositaries' records, each with its source, and its "
                           "engagement with UN human rights mechanisms."),
        ("DC.language", "en"),
        ("DC.relation", f"KB version {v}"),
    ]
    assert dict(meta(inst))["citation_title"] == ("Convention against Torture and Other Cruel, Inhuman or Degrading "
                                                  "Treatment or Punishment: status of states on 3 February 2026")
    assert dict(meta(art))["citation_title"] == "CEDAW, article 29: reservations and declarations on 3 February 2026"
    assert dict(meta(home))["citation_title"] == "Treaty and convention ratification knowledge base"
    ld = json.loads(html_lib.unescape(re.search(r'<script type="application/ld\+json">(.*?)</script>', home).group(1)))
    assert ld["@type"] == "Dataset" and ld["version"] == v and ld["dateModified"] == "2026-02-03"
    assert ld["distribution"] == [{"@type": "DataDownload", "encodingFormat": "application/vnd.sqlite3",
                                   "contentUrl": f"/download/kb-{v}.db"}]


# --------------------------------------------------------------------------- the static export

ELSEWHERE = ("The citation styles (OSCOLA, Bluebook, Chicago, APA) and the RIS, BibTeX and CSL-JSON files need a "
             "server: they are on the live site, and from the command line (kb cite, kb cite-all).")


def test_a_static_copy_keeps_the_sentence_and_says_where_the_styles_are(exported_site, conn):
    country = (exported_site / "country/PRK/index.html").read_text()
    inst = (exported_site / "instrument/CAT/index.html").read_text()
    home = (exported_site / "index.html").read_text()
    for page in (country, inst):
        assert "/cite/" not in page and "data-cite=" not in page  # no address a static host cannot answer
    assert country.count(ELSEWHERE) == 1  # said once, above the rows
    crpd = next(b for b in cite_boxes(country) if "Convention on the Rights of Persons with Disabilities" in b)
    assert html_lib.unescape(re.search(r'<p class="citation">(.*?)</p>', crpd).group(1)) == q.cite(conn, "PRK", "CRPD")
    assert '<button type="button" class="copy" hidden>Copy</button>' in crpd
    (box,) = cite_boxes(inst)
    assert ELSEWHERE in box  # the instrument has no sentence: its box says where its styles are
    assert "Cite this database" in home and (exported_site / "-/kb-static/kb-cite.js").exists()


# --------------------------------------------------------------------------- an event's own page

def test_an_event_page_names_its_document_as_a_report(built_db, conn):
    r, upr, missing = get_all(built_db, [f"/event/{CO}", "/event/PRK/upr/2024-11-07/review_held", "/event/nope"])
    assert r.status_code == 200
    page = r.text
    assert "<h1>Concluding observations on the initial report (CRPD/C/PRK/1) of the Democratic People&#39;s Republic " \
           "of Korea</h1>" in page
    assert meta(page) == [
        ("citation_title", "Concluding observations on the initial report (CRPD/C/PRK/1) of the Democratic People's "
                           "Republic of Korea"),
        ("citation_technical_report_institution", "Committee on the Rights of Persons with Disabilities"),
        ("citation_technical_report_number", "CRPD/C/PRK/CO/1"),
        ("citation_publisher", "United Nations"),
        ("citation_date", "2025/08/19"),
        ("citation_public_url", "https://undocs.org/en/CRPD/C/PRK/CO/1"),
        ("citation_abstract", "The Committee on the Rights of Persons with Disabilities adopted its concluding "
                              "observations on the Democratic People's Republic of Korea's initial report "
                              "(CRPD/C/PRK/1) on 19 August 2025 (CRPD/C/PRK/CO/1)."),
        ("citation_language", "en"),
        ("DC.title", "Concluding observations on the initial report (CRPD/C/PRK/1) of the Democratic People's "
                     "Republic of Korea"),
        ("DC.creator", "Committee on the Rights of Persons with Disabilities"),
        ("DC.publisher", "United Nations"),
        ("DC.date", "2025-08-19"),
        ("DC.identifier", "CRPD/C/PRK/CO/1"),
        ("DC.language", "en"),
        ("DC.relation", f"KB version {q.version(conn)}"),
    ]
    (box,) = cite_boxes(page)
    assert html_lib.unescape(re.search(r'<p class="citation">(.*?)</p>', box).group(1)) == q.cite_event(conn, CO)
    assert '<a href="https://undocs.org/en/CRPD/C/PRK/CO/1"' in page
    # an event that names no UN document: the page, dated as the others
    assert dict(meta(upr.text))["DC.type"] == "Dataset" and dict(meta(upr.text))["citation_date"] == "2026/02/03"
    assert "<h1>Democratic People&#39;s Republic of Korea: review held, 7 November 2024</h1>" in upr.text
    assert missing.status_code == 404 and "No engagement event has the key &#39;nope&#39;." in missing.text


def test_the_country_page_links_each_event_page(built_db):
    page = get(built_db, "/country/PRK").text
    assert f'<a href="/event/{CO}">The event\'s own page</a>' in page
