"""The comparison page /compare (kb/web/pages/compare.py)."""

from __future__ import annotations

import html as html_lib
import re

import pytest

import kb.query as q

from .test_pages import get, text

DEFAULT = ["PRK", "KOR", "CHN", "JPN", "MNG", "RUS"]


def columns(html: str) -> list[str]:
    head = re.search(r'<table class="compare" id="compare-status">.*?<thead>(.*?)</thead>', html, re.S).group(1)
    return re.findall(r'<th scope="col" data-state="([A-Z]{3})">', head)


def status_cells(html: str) -> dict[tuple[str, str], str]:
    body = re.search(r'<table class="compare" id="compare-status">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    out = {}
    for iid, row in re.findall(r'<tr id="c-([^"]+)">(.*?)</tr>', body, re.S):
        for sid, status in re.findall(r'<td data-state="([A-Z]{3})" data-status="([a-z_]*)">', row):
            out[(iid, sid)] = status
    return out


@pytest.fixture(scope="module")
def conn(built_db):
    return q.connect(built_db)


def test_default_states_every_cell_as_kb_status(built_db, conn):
    r = get(built_db, "/compare")
    assert r.status_code == 200
    assert columns(r.text) == DEFAULT
    cells = status_cells(r.text)
    want = {(x["instrument"], x["state"]): x["status"] for x in q.status(conn, DEFAULT, as_of="2026-02-03")}
    assert cells == want and len(cells) == 6 * 34
    row = text(re.search(r'<tr id="c-CAT">(.*?)</tr>', r.text, re.S).group(1))
    assert row.startswith("Convention against Torture CAT Not a party Party 9 January 1995 (accession) Party 4 October 1988")
    assert cells[("C029", "PRK")] == "not_applicable" and cells[("C029", "KOR")] == "party"
    assert cells[("C105", "KOR")] == "unknown"


def test_names_aliases_and_a_past_date(built_db, conn):
    r = get(built_db, "/compare?states=North%20Korea,south%20korea,People%27s%20Republic%20of%20China,jpn,PRK&as_of=1994-12-31")
    assert r.status_code == 200
    assert columns(r.text) == ["PRK", "KOR", "CHN", "JPN"]  # duplicates named once
    cells = status_cells(r.text)
    adopted = dict(conn.execute("SELECT id, adopted FROM instruments").fetchall())
    # Before an instrument's adoption no state could be a party to it: "not yet adopted" (the contract's status).
    assert cells == {(x["instrument"], x["state"]): "not_yet_adopted" if "1994-12-31" < adopted[x["instrument"]] else x["status"]
                     for x in q.status(conn, ["PRK", "KOR", "CHN", "JPN"], as_of="1994-12-31")}
    assert cells[("OP-CEDAW", "KOR")] == "not_yet_adopted" and cells[("C187", "JPN")] == "not_yet_adopted"
    assert cells[("CAT", "KOR")] == "not_party" and cells[("CAT", "CHN")] == "party"
    assert 'value="PRK, KOR, CHN, JPN"' in r.text


def test_procedures_and_reservations_from_obligations(built_db, conn):
    html = get(built_db, "/compare?states=KOR,PRK").text
    proc = re.search(r'<table class="compare" id="compare-procedures">(.*?)</table>', html, re.S).group(1)
    row = text(re.search(r"<tr>\s*<th[^>]*>Individual communications \(art\. 22\) <span class=\"muted\">\(CAT\)</span>.*?</tr>",
                         proc, re.S).group(0))
    assert row == "Individual communications (art. 22) (CAT) Accepted since 9 November 2007 Not accepted not a party to CAT"
    res = text(re.search(r'<section aria-labelledby="reservations-h">(.*?)</section>', html, re.S).group(1))
    from kb.web.pages.record import reader_words

    for o in q.obligations(conn, "KOR", as_of="2026-02-03"):  # the reason with its dates written out
        if o["kind"] == "reservation" and not o["accepted"] and not o["reason"].startswith("withdrawal of"):
            assert f"{o['instrument_title']} : {reader_words(o['reason'])}" in res
    assert "reservation to article 22 in force since 10 April 1990" in res
    assert "withdrawal of a reservation" not in res


def test_links_to_the_same_rows(built_db, conn):
    html = get(built_db, "/compare?states=PRK,KOR&as_of=2016-01-01").text
    links = [html_lib.unescape(h) for h in re.findall(r'href="([^"]+)"', html)]
    j = next(h for h in links if "/status_on.json" in h)
    assert j == "/kb/status_on.json?as_of=2016-01-01&states=PRK%2CKOR&instruments="
    r = get(built_db, j + "&_shape=array")
    assert r.status_code == 200
    assert [(x["state"], x["instrument"], x["status"]) for x in r.json()] == \
        [(x["state"], x["instrument"], x["status"]) for x in q.status(conn, ["PRK", "KOR"], as_of="2016-01-01")]
    assert any("/status_on.csv" in h for h in links) and any("/panel.csv" in h for h in links)
    assert any(h == "/kb/obligations_on.json?state=KOR&as_of=2016-01-01" for h in links)


def test_country_pages_link_to_it(built_db):
    html = get(built_db, "/country/FRA").text
    assert '<a href="/compare?states=FRA%2CPRK%2CKOR%2CCHN%2CJPN%2CMNG%2CRUS">Compare with PRK, KOR, CHN, JPN, MNG, RUS</a>' in html
    assert '<a href="/compare?states=PRK%2CKOR%2CCHN%2CJPN%2CMNG%2CRUS&amp;as_of=2010-01-01">Compare with KOR' in \
        get(built_db, "/country/PRK?as_of=2010-01-01").text


def test_bad_input(built_db):
    r = get(built_db, "/compare?states=PRK,Narnia,Atlantis")
    assert r.status_code == 404
    assert "No state is known by the id or name &#39;Narnia&#39;, &#39;Atlantis&#39;." in r.text
    r = get(built_db, "/compare?states=" + ",".join(["PRK", "KOR", "CHN", "JPN", "MNG", "RUS", "FRA", "DEU", "USA", "GBR",
                                                       "IND", "BRA", "ZAF"]))
    assert r.status_code == 400 and "Compare at most 12 states at a time (13 were named)." in r.text
    assert get(built_db, "/compare?as_of=2016-02-30").status_code == 400
