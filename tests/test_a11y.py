"""Every page family for every reader, in the system Chromium: axe-core finds no serious or critical
violation, no page is wider than a phone's 390 px viewport, and the map, the compare form and the
date field are used by keyboard.

axe-core is the copy bundled in the axe-playwright-python package, injected into the page (nothing is
downloaded; every off-site request is refused, as in tests/test_browser.py). Phone screenshots are
saved to test-artifacts/phone/ on every run.
"""

from __future__ import annotations

import pytest

from tests.test_browser import ARTIFACTS, _page, browser, screenshot_on_failure, server  # noqa: F401 - fixtures

#: One page of each family: the desk's pages and Datasette's own (a database, a table, a stored query).
PAGES = [
    "/",
    "/country/PRK",
    "/country/PRK?as_of=2016-01-01",
    "/instrument",
    "/instrument/CAT",
    "/instrument/C029",
    "/instrument/CAT/maps",
    "/instrument/CEDAW/article/29",
    "/compare?states=PRK,KOR,CHN,JPN,MNG,RUS",
    "/search?q=torture",
    "/search?q=reservation&page=2",
    "/kb",
    "/kb/states",
    "/kb/status_on?states=PRK",
    # The Korean pages (kb/web/i18n.py): the same families at /ko/...
    "/ko/",
    "/ko/country/PRK",
    "/ko/instrument/CAT",
    "/ko/instrument/CEDAW/article/29",
    "/ko/compare",
    "/ko/search?q=torture",
]
PHONE = {"width": 390, "height": 844}
BLOCKING = ("serious", "critical")


def _name(url: str) -> str:
    return url.strip("/").replace("/", "_").replace("?", "_").replace("=", "-").replace("&", "_").replace(",", "-") \
        or "home"


@pytest.fixture
def page(browser, server):  # noqa: F811
    yield from _page(browser, server)


@pytest.fixture
def phone(browser, server):  # noqa: F811
    yield from _page(browser, server, viewport=PHONE)


def _axe(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        for n in v["nodes"]:
            lines.append(f"{v['id']} ({v['impact']}): {', '.join(map(str, n['target']))} — {v['help']} ({v['helpUrl']})")
    return "\n".join(lines)


@pytest.mark.parametrize("url", PAGES, ids=_name)
def test_no_serious_or_critical_axe_violation(page, server, url):
    with screenshot_on_failure(page, f"a11y-{_name(url)}"):
        r = page.goto(server + url)
        assert r.status == 200, url
        blocking = [v for v in _axe(page) if v["impact"] in BLOCKING]
        assert blocking == [], f"{url}:\n{_report(blocking)}"


@pytest.mark.parametrize("url", PAGES, ids=_name)
def test_no_page_is_wider_than_a_phone(phone, server, url):
    r = phone.goto(server + url)
    assert r.status == 200, url
    width = phone.evaluate("document.documentElement.scrollWidth")
    (ARTIFACTS / "phone").mkdir(parents=True, exist_ok=True)
    tall = phone.evaluate("document.documentElement.scrollHeight") > 12_000  # the first screens only
    phone.screenshot(path=str(ARTIFACTS / "phone" / f"{_name(url)}.png"), full_page=not tall)
    wide = phone.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                     && !e.closest('.table-wrap, .table-wrapper, .scroll, .skip-link, .skip-map, .world-defs'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert width <= PHONE["width"], f"{url} is {width} px wide on a {PHONE['width']} px phone; too wide: {wide}"


def test_the_map_by_keyboard_and_as_a_table(page, server):
    from playwright.sync_api import expect

    with screenshot_on_failure(page, "a11y-map-keyboard"):
        page.goto(server + "/instrument/CAT")
        fig = page.locator("figure#map")
        # The map's links are a group (links inside role=img would be hidden from assistive technology),
        # each named by its shape's title.
        assert fig.locator("svg.map").get_attribute("role") == "group"
        expect(fig.get_by_role("link", name="Republic of Korea: party since 9 January 1995", exact=True)).to_have_count(1)
        # A link past the map's links, shown when focused, leads to the page's tables of the same facts.
        skip = fig.locator("a.skip-map")
        skip.focus()
        expect(skip).to_be_visible()
        expect(skip).to_have_text("Skip the map's links")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "map-end"
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("The same facts as tables and lists: every state's status, with its dates")
        page.keyboard.press("Enter")
        page.wait_for_url(server + "/instrument/CAT#participants")
        # A shape takes the focus and shows it; Enter follows its link.
        kor = fig.locator('a:has(use[data-state="KOR"])')
        kor.focus()
        assert page.evaluate("getComputedStyle(document.activeElement.querySelector('use')).strokeWidth") == "1.2px"
        page.keyboard.press("Enter")
        page.wait_for_url(server + "/country/KOR")

        # A procedure's map (no links): its facts as a folded table, opened by keyboard.
        page.goto(server + "/instrument/CAT/maps")
        details = page.locator("#map-individual-communications-art-22-end")
        details.locator("summary").focus()
        page.keyboard.press("Enter")
        table = details.locator("table")
        expect(table).to_be_visible()
        assert table.locator("tbody th").all_inner_texts()[:2] == ["Afghanistan", "Albania"]
        france = page.locator('#map-individual-communications-art-22 use[data-state="FRA"] title').text_content()
        expect(table.get_by_role("row", name="France " + france.split(": ", 1)[1].capitalize())).to_have_count(1)


def _iso(words: str) -> str:
    import datetime as dt

    return dt.datetime.strptime(" ".join(words.split()[:3]), "%d %B %Y").date().isoformat()


def test_tables_sort_by_date_and_name_by_keyboard(page, server):
    from playwright.sync_api import expect

    with screenshot_on_failure(page, "a11y-sort"):
        page.goto(server + "/instrument/CAT")
        table = page.locator("table", has=page.locator("caption", has_text="Party: states, with dates"))
        names = table.locator("tbody th").all_inner_texts()
        assert names[:3] == ["Afghanistan", "Albania", "Algeria"]  # served in name order
        header = table.locator("thead th", has_text="Consent to be bound")
        button = header.get_by_role("button", name="Consent to be bound")
        button.focus()
        page.keyboard.press("Enter")
        expect(header).to_have_attribute("aria-sort", "ascending")
        dates = [_iso(t) for t in table.locator("tbody td:nth-child(3)").all_inner_texts()]
        assert len(dates) == 175 and dates == sorted(dates)
        page.keyboard.press("Enter")
        expect(header).to_have_attribute("aria-sort", "descending")
        dates = [_iso(t) for t in table.locator("tbody td:nth-child(3)").all_inner_texts()]
        assert dates == sorted(dates, reverse=True)
        # back to names, in the page's language's order; only one column says it is sorted
        state = table.locator("thead th", has_text="State")
        state.get_by_role("button").click()
        expect(state).to_have_attribute("aria-sort", "ascending")
        expect(header).not_to_have_attribute("aria-sort", "descending")
        assert table.locator("tbody th").all_inner_texts() == names
        assert page.console_errors == [], page.console_errors


def test_compare_and_date_fields_by_keyboard(page, server):
    from playwright.sync_api import expect

    with screenshot_on_failure(page, "a11y-compare-keyboard"):
        page.goto(server + "/compare")
        page.get_by_label("States").focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("North Korea, France")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "as_of"
        assert page.evaluate("document.activeElement.type") == "text"  # never the browser's date picker
        expect(page.locator("#as_of-format")).to_have_text("YYYY-MM-DD")
        page.keyboard.press("Control+A")
        page.keyboard.type("1999-01-01")
        page.keyboard.press("Enter")
        page.wait_for_url("**/compare?states=*")
        expect(page.locator("#c-CAT td[data-state=FRA]")).to_contain_text("Party 18 February 1986")
        assert "as_of=1999-01-01" in page.url
        # a date written another way is stopped by the field, with the format in words
        page.goto(server + "/country/PRK")
        field = page.get_by_label("Status as of")
        field.fill("02/03/2026")
        page.keyboard.press("Enter")
        assert page.url == server + "/country/PRK"  # not sent
        assert page.evaluate("document.querySelector('#as_of').validity.patternMismatch") is True
        field.fill("2016-01-01")
        page.keyboard.press("Enter")
        page.wait_for_url("**/country/PRK?as_of=2016-01-01")
