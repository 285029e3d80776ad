"""Lists a researcher can use: states in name order (never in the order of their codes), search results
paged past the first hundred with their count, dates typed as YYYY-MM-DD (never the browser's date
picker), Datasette's tables inside the desk's frame."""

from __future__ import annotations

import re

import pytest

from kb.web.pages.order import by_name, name_key
from kb.web.params import MAX_PAGE, Refusal, page_number

from .test_pages import get, text


def _names(fragment: str) -> list[str]:
    return [text(n) for n in re.findall(r'<a href="/country/[A-Z]{3}">([^<]+)</a>', fragment)]


def _section(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i:html.index(end, i)]


def test_name_key_folds_accents_and_case():
    names = ["Türkiye", "Angola", "Côte d'Ivoire", "albania", "Cuba", "Chile", "Switzerland", "Tuvalu", "Czechia"]
    assert sorted(names, key=name_key) == ["albania", "Angola", "Chile", "Côte d'Ivoire", "Cuba", "Czechia",
                                           "Switzerland", "Türkiye", "Tuvalu"]
    assert [r["state_name"] for r in by_name([{"state_name": "Angola"}, {"state_name": "Albania"},
                                              {"state_name": None}])] == [None, "Albania", "Angola"]
    # Korean names (Hangul syllables) in dictionary order
    assert sorted(["한국", "가나", "북한", "나미비아"], key=name_key) == ["가나", "나미비아", "북한", "한국"]


def test_party_lists_in_name_order(built_db):
    html = get(built_db, "/instrument/CAT").text
    parties = _names(_section(html, "<caption>Party: states, with dates</caption>", "</table>"))
    assert len(parties) == 175
    assert parties[:5] == ["Afghanistan", "Albania", "Algeria", "Andorra", "Angola"]  # Angola (AGO) after Albania (ALB)
    assert parties == sorted(parties, key=name_key)
    assert parties.index("Chile") < parties.index("Switzerland")
    # the list of states too small for the map
    small = _names(_section(html, '<details class="off-map"', "</details>"))
    assert len(small) == 32 and small == sorted(small, key=name_key)
    # the statements: by state, each state's in date order
    reservations = _section(html, "<caption>Reservations and their withdrawals", "</table>")
    names = _names(reservations)
    assert names == sorted(names, key=name_key)


def test_statements_on_an_article_in_name_order(built_db):
    html = get(built_db, "/instrument/CEDAW/article/29").text
    first = _section(html, '<table class="statements">', "</table>")
    # each row's state (its first cell; the objecting states in the row's last cell are in date order)
    names = [text(n) for n in re.findall(r'<tr id="s-[^"]+" data-state="[A-Z]{3}">\s*<td><a href="/country/[A-Z]{3}">([^<]+)</a>',
                                         first)]
    assert len(names) > 30 and names[:4] == ["Algeria", "Argentina", "Bahamas (The)", "Bahrain"]
    assert names == sorted(names, key=name_key), names


def test_the_map_as_a_table(built_db):
    html = get(built_db, "/instrument/CAT").text
    # the instrument's map: a link past its links, to the page's own tables of the same facts
    assert "<a class=\"skip-map\" href=\"#map-end\">Skip the map's links</a>" in html
    assert '<svg class="map" viewBox="' in html and 'role="group" aria-labelledby="map-t"' in html
    assert ('<p class="map-table" id="map-end" tabindex="-1"><a href="#participants">The same facts as tables and '
            "lists: every state's status, with its dates</a></p>") in html
    assert '<h2 id="participants">' in html
    # a procedure map has no links: a picture (role=img), with its facts as a table, in name order
    maps = get(built_db, "/instrument/CAT/maps").text
    assert 'role="img" aria-labelledby="map-individual-communications-art-22-t"' in maps
    assert "skip-map" not in maps
    table = _section(maps, '<details class="map-table" id="map-individual-communications-art-22-end" tabindex="-1">',
                     "</details>")
    assert "<summary>The map as a table (198)</summary>" in table
    names = [text(n) for n in re.findall(r'<th scope="row">([^<]+)</th>', table)]
    assert len(names) == 198 and names == sorted(names, key=name_key) and names[:2] == ["Afghanistan", "Albania"]
    # each row says what the shape's title says
    rows = dict((text(n), text(w)) for n, w in re.findall(r'<th scope="row">([^<]+)</th><td>([^<]*)</td>', table))
    titles = dict((text(t).split(": ", 1)) for t in re.findall(
        r'data-state="[A-Z]{3}" data-status="[a-z_]+"><title>([^<]*)</title>',
        _section(maps, '<figure class="worldmap procmap" id="map-individual-communications-art-22">', "</svg>")))
    assert len(titles) > 150
    for name, words in titles.items():
        assert rows[name] == words[:1].upper() + words[1:], name


@pytest.mark.parametrize("raw, page", [(None, 1), ("", 1), ("1", 1), (" 2 ", 2), (str(MAX_PAGE), MAX_PAGE)])
def test_page_number(raw, page):
    assert page_number(raw) == page


@pytest.mark.parametrize("raw", ["0", "-1", "x", "1.5", "2e3", str(MAX_PAGE + 1), "١٢", "9" * 40])
def test_page_number_refused(raw):
    with pytest.raises(Refusal) as e:
        page_number(raw)
    assert e.value.param == "page"
    assert e.value.message == "page must be a whole number from 1 to 10000 (for example 2)"


def test_search_results_paged_past_the_first_hundred(built_db):
    # 822 actions: the 790 of the treaties' own records and the 32 of the Genocide Convention's and the Refugee
    # instruments' (5, 19 and 8) imported from the 2015 capture
    first = get(built_db, "/search?q=reservation")
    assert first.status_code == 200
    assert '<h2 id="ra">Actions (822, 1 to 100 shown)</h2>' in first.text
    assert "<p>Results 1 to 100 of 822 (page 1 of 9).</p>" in first.text
    assert '<a rel="next" href="/search?q=reservation&amp;page=2">Next 100</a>' in first.text
    assert 'rel="prev"' not in first.text
    second = get(built_db, "/search?q=reservation&page=2")
    assert '<h2 id="ra">Actions (822, 101 to 200 shown)</h2>' in second.text
    assert '<a rel="prev" href="/search?q=reservation">Previous 100</a>' in second.text
    assert '<a rel="next" href="/search?q=reservation&amp;page=3">Next 100</a>' in second.text
    last = get(built_db, "/search?q=reservation&page=9")
    assert "<p>Results 801 to 822 of 822 (page 9 of 9).</p>" in last.text and 'rel="next"' not in last.text
    # every result once across the pages, none repeated
    ids: list[str] = []
    for n in range(1, 10):
        ids += re.findall(r'<tr class="[^"]*">\s*<td><a href="/country/([A-Z]{3})">', get(built_db, f"/search?q=reservation&page={n}").text)
    assert len(ids) == 822
    # the type filter is kept in the links
    typed = get(built_db, "/search?q=reservation&type=reservation").text
    assert "type=reservation&amp;page=2" in typed or "Results" not in typed


def test_search_page_refusals(built_db):
    r = get(built_db, "/search?q=reservation&page=10")
    assert r.status_code == 404
    assert '<p class="error" role="alert">There are only 9 pages of results for this search (822 actions).</p>' in r.text
    for bad in ("0", "x", "-2", "100000"):
        r = get(built_db, f"/search?q=reservation&page={bad}")
        assert r.status_code == 400, bad
        assert ('<p class="error" role="alert">Page must be a whole number from 1 to 10000 (for example 2).</p>'
                in r.text), bad
    # a short list has no page links
    r = get(built_db, "/search?q=article+29+korea")
    assert r.status_code == 200 and '<h2 id="ra">Actions (4)</h2>' in r.text and 'class="paging"' not in r.text


@pytest.mark.parametrize("path", ["/country/PRK", "/instrument/CAT", "/compare", "/instrument/CAT/maps"])
def test_dates_are_typed_as_written_never_in_the_browsers_locale(built_db, path):
    html = get(built_db, path).text
    assert 'type="date"' not in html
    assert ('<input type="text" id="as_of" name="as_of" value="2026-02-03" required pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}" '
            'maxlength="10" size="11" autocomplete="off" spellcheck="false" aria-describedby="as_of-format" '
            'title="A date written YYYY-MM-DD, for example 2016-12-06">') in html
    assert '<span class="format-hint" id="as_of-format">YYYY-MM-DD</span>' in html


def test_a_malformed_date_is_refused_in_words(built_db):
    r = get(built_db, "/country/PRK?as_of=02/03/2026")
    assert r.status_code == 400
    assert "must be written YYYY-MM-DD" in r.text


def test_datasette_pages_in_the_desks_frame(built_db):
    r = get(built_db, "/kb/states")
    assert r.status_code == 200
    html = r.text
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<nav aria-label="Site">' in html and '<a href="/country/PRK">DPRK profile</a>' in html
    assert '<li><a href="/kb">Tables &amp; queries</a></li>' in html
    assert '<main id="main" class="content" tabindex="-1">' in html
    assert '<link rel="stylesheet" href="/-/kb-static/kb-datasette.css">' in html
    # the column descriptions folded away, not above the table
    assert '<details class="column-descriptions">\n<summary>What each column means (6)</summary>' in html
    assert html.index('<details class="column-descriptions">') < html.index('<table class="rows-and-columns">')
    # every filter control labelled
    for control in re.findall(r"<(?:select|input)\b[^>]*>", html):
        if 'type="hidden"' in control or 'type="submit"' in control or 'type="checkbox"' in control:
            continue
        assert "aria-label=" in control or 'id="_search"' in control, control
    css = get(built_db, "/-/kb-static/kb-datasette.css")
    assert css.status_code == 200 and ".table-wrapper { overflow-x: auto" in css.text


def test_pages_load_the_table_sorter(built_db):
    html = get(built_db, "/instrument/CAT").text
    assert '<script src="/-/kb-static/kb-sort.js" defer></script>' in html
    js = get(built_db, "/-/kb-static/kb-sort.js")
    assert js.status_code == 200 and "aria-sort" in js.text
