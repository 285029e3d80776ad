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
    "/kb/status_on?state=PRK",
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
        # each named with its state's status.
        assert fig.locator("svg.map").get_attribute("role") == "group"
        kor = fig.locator('a:has(use[data-state="KOR"])')
        assert kor.get_attribute("aria-label") == "Republic of Korea: party since 9 January 1995"
        # A link past the map's links, shown when focused, leads to the same facts as a table.
        skip = fig.locator("a.skip-map")
        skip.focus()
        expect(skip).to_be_visible()
        expect(skip).to_have_text("Skip the map's links")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "map-end"
        table = fig.locator("details.map-table")
        expect(table.locator("summary")).to_have_text("The map as a table (198)")
        page.keyboard.press("Tab")  # to the summary
        page.keyboard.press("Enter")  # opens it
        expect(table.locator("table")).to_be_visible()
        names = table.locator("tbody th").all_inner_texts()
        assert names[:4] == ["Afghanistan", "Albania", "Algeria", "Andorra"], names[:4]
        kor_row = table.locator("tbody tr").filter(has=page.get_by_role("link", name="Republic of Korea", exact=True))
        expect(kor_row).to_contain_text("Party since 9 January 1995")
        # A shape takes the focus and shows it; Enter follows its link.
        kor.focus()
        assert page.evaluate("getComputedStyle(document.activeElement.querySelector('use')).strokeWidth") == "1.2px"
        page.keyboard.press("Enter")
        page.wait_for_url(server + "/country/KOR")
