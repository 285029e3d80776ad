"""The research desk in a real browser: the system Chromium driven by Playwright
against `kb serve` in a subprocess.  Never downloads a browser; no network needed
(off-site requests are stubbed or refused).

Skipped when /usr/bin/chromium is missing, unless KB_REQUIRE_BROWSER=1 (then it fails).
A screenshot is saved to test-artifacts/ when the scenario fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
import urllib.request
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CAT_SOURCE = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-9&chapter=4&clang=_en"


def _require_browser() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("KB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KB_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: install the system chromium package")
        pytest.skip(f"{CHROMIUM} is missing (install the chromium package, or set KB_REQUIRE_BROWSER=1 to fail instead)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if os.environ.get("KB_REQUIRE_BROWSER") == "1":
            pytest.fail("KB_REQUIRE_BROWSER=1 but the playwright package is not installed")
        pytest.skip("the playwright package is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_db, tmp_path_factory):
    _require_browser()
    db = tmp_path_factory.mktemp("browser") / "kb.db"
    shutil.copy(built_db, db)
    port = _free_port()
    log = (db.parent / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "kb", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"kb serve did not start: {(db.parent / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    yield from _page(browser, server)


@pytest.fixture
def static_page(browser, static_server):
    yield from _page(browser, static_server)


def _page(browser, server, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})

    def offline(route):
        url = route.request.url
        if url.startswith(server):
            return route.continue_()
        if url.startswith("https://treaties.un.org/"):  # the source link: a local stand-in, no network
            return route.fulfill(status=200, content_type="text/html",
                                 body="<!DOCTYPE html><title>UNTC stand-in</title><h1>UN Treaty Collection (stand-in)</h1>")
        return route.abort()

    context.route("**/*", offline)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors
    yield pg
    context.close()


@contextmanager
def screenshot_on_failure(page, name: str):
    """Save test-artifacts/<name>.png (full page) when the block fails, then re-raise."""
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - the original failure matters more
            pass
        raise


def test_research_desk_scenario(page, server):
    with screenshot_on_failure(page, "test_research_desk_scenario"):
        _scenario(page, server)


def _scenario(page, server):
    from playwright.sync_api import expect

    # Home page: the DPRK at a glance, reachable by keyboard (skip link first).
    page.goto(server + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Treaty ratification knowledge base")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    glance = page.locator("section[aria-labelledby=glance]")
    expect(glance).to_contain_text("Convention on the Rights of Persons with Disabilities")

    # To the country profile.
    page.get_by_role("link", name="Full profile, dates, reservations and sources").click()
    page.wait_for_url(server + "/country/PRK")
    expect(page.get_by_role("heading", level=1)).to_have_text("Democratic People's Republic of Korea")
    expect(page.locator("#i-CRPD")).to_contain_text("Party")
    expect(page.locator("#i-CAT")).to_contain_text("Not a party")
    expect(page.locator("#i-C087")).to_contain_text("Not an ILO member")

    # Change the as-of date with the labelled date picker.
    page.get_by_label("Status as of").fill("2016-01-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/country/PRK?as_of=2016-01-01")
    expect(page.locator("#i-CRPD")).to_contain_text("Signatory")
    expect(page.get_by_role("heading", name="Status on each instrument, 1 January 2016")).to_be_visible()

    # Search for the text of the DPRK's CEDAW reservation, open the instrument from the result.
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Search").click()
    page.get_by_label("Words to find").fill("does not consider itself bound article 29")
    page.get_by_role("button", name="Search").click()
    result = page.locator("table.results tr", has_text="Democratic People's Republic of Korea").filter(
        has_text="Convention on the Elimination of All Forms of Discrimination against Women").first
    expect(result).to_be_visible()
    expect(result.locator("mark").first).to_be_visible()
    result.get_by_role("link", name="Convention on the Elimination of All Forms of Discrimination against Women",
                       exact=True).click()
    page.wait_for_url("**/instrument/CEDAW")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Convention on the Elimination of All Forms of Discrimination against Women")
    expect(page.locator("figure.chart svg")).to_be_visible()

    # The CAT page: count and chart.
    page.goto(server + "/instrument/CAT")
    expect(page.locator("#party-count")).to_contain_text("175 parties on 3 February 2026")
    expect(page.locator("figure.chart svg polyline")).to_have_count(1)

    # A citation and its source link (the UNTC page, stubbed locally).
    page.goto(server + "/country/PRK")
    row = page.locator("#i-CAT")
    row.locator("summary", has_text="Cite").click()
    expect(row.locator("p.citation").first).to_contain_text(
        "As of 3 February 2026, according to the UN Treaty Collection, the Democratic People's Republic of Korea "
        "is not a party to the Convention against Torture")
    link = row.locator(".source a")
    assert link.get_attribute("href") == CAT_SOURCE
    link.click()
    page.wait_for_url(CAT_SOURCE)
    expect(page).to_have_title("UNTC stand-in")

    assert page.console_errors == [], page.console_errors


def test_cat_map_and_compare_page(page, server):
    with screenshot_on_failure(page, "test_cat_map_and_compare_page"):
        _maps_scenario(page, server)


def _maps_scenario(page, server):
    from playwright.sync_api import expect

    # The CAT map: drawn (the shapes have a size), coloured by status, with titles and a legend.
    page.goto(server + "/instrument/CAT")
    fig = page.locator("figure#map")
    expect(fig).to_be_visible()
    france = fig.locator('use[data-state="FRA"]')
    assert france.get_attribute("data-status") == "party"
    expect(france.locator("title")).to_have_text("France: party since 18 February 1986")
    box = france.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10, box
    fills = page.evaluate("""() => Object.fromEntries(['FRA', 'PRK', 'IND'].map(s =>
        [s, getComputedStyle(document.querySelector('figure#map use[data-state="' + s + '"]')).fill]))""")
    assert fills == {"FRA": "rgb(0, 114, 178)", "PRK": "rgb(230, 159, 0)", "IND": "rgb(86, 180, 233)"}, fills
    expect(fig.locator("ul.legend")).to_contain_text("Party: 175")
    expect(fig.locator("details.off-map")).to_contain_text("Andorra: party since 22 September 2006")
    # A state's shape links to its profile.
    fig.locator('a:has(use[data-state="KOR"])').click()
    page.wait_for_url(server + "/country/KOR")

    # The ILO page: no count of parties, members unknown (hatched), NORMLEX linked.
    page.goto(server + "/instrument/C029")
    expect(page.locator("#party-count")).to_contain_text("ILO ratifications are recorded here only where a source for them has been read, state by state.")
    expect(page.locator("figure.chart")).to_have_count(0)
    fill = page.evaluate("""getComputedStyle(document.querySelector('figure#map use[data-state="FRA"]')).fill""")
    assert fill.startswith('url("') and fill.endswith('#kb-unknown")'), fill

    # The comparison page, from the DPRK's profile; then the same with names and an alias.
    page.goto(server + "/country/PRK")
    page.get_by_role("link", name="Compare with KOR, CHN, JPN, MNG, RUS").click()
    page.wait_for_url("**/compare?states=PRK%2CKOR%2CCHN%2CJPN%2CMNG%2CRUS")
    table = page.locator("#compare-status")
    expect(table.locator("thead th")).to_have_count(7)
    expect(page.locator("#c-CAT td[data-state=KOR]")).to_contain_text("Party 9 January 1995")
    expect(page.locator("#c-CAT td[data-state=PRK]")).to_contain_text("Not a party")
    page.get_by_label("States").fill("North Korea, South Korea, United States of America")
    page.get_by_label("Status as of").fill("1999-01-01")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/compare?states=*")
    expect(table.locator("thead th")).to_have_count(4)
    expect(page.locator("#c-CAT td[data-state=USA]")).to_contain_text("Party 21 October 1994")
    expect(page.locator("#c-CRPD td[data-state=PRK]")).to_contain_text("Not yet adopted")  # adopted 13 December 2006
    assert page.console_errors == [], page.console_errors


def test_research_desk_scenario_on_the_static_export(static_page, static_server):
    """The same flow on `kb export-site` served by a plain static server: no search, no other dates."""
    with screenshot_on_failure(static_page, "test_research_desk_scenario_on_the_static_export"):
        _static_scenario(static_page, static_server)


def _static_scenario(page, server):
    from playwright.sync_api import expect

    page.goto(server + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Treaty ratification knowledge base")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    expect(page.locator(".export-note")).to_contain_text("This is a static copy of the knowledge base")
    expect(page.get_by_role("navigation", name="Site").get_by_role("link", name="Search")).to_have_count(0)
    glance = page.locator("section[aria-labelledby=glance]")
    expect(glance).to_contain_text("Convention on the Rights of Persons with Disabilities")
    # The stylesheet is served: the skip link is moved off-screen by kb.css.
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"

    page.get_by_role("link", name="Full profile, dates, reservations and sources").click()
    page.wait_for_url(server + "/country/PRK/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Democratic People's Republic of Korea")
    expect(page.locator("#i-CRPD")).to_contain_text("Party")
    expect(page.locator("#i-CAT")).to_contain_text("Not a party")
    expect(page.locator("#i-C087")).to_contain_text("Not an ILO member")
    # No date picker: the page says that other dates need the live site.
    expect(page.get_by_label("Status as of")).to_have_count(0)
    expect(page.locator("p.as-of")).to_contain_text("Status on other dates needs the live site")

    # The page's rows as JSON.
    page.get_by_role("link", name="JSON", exact=True).click()
    page.wait_for_url(server + "/country/PRK.json")
    assert '"state": "PRK"' in page.content()
    page.go_back()

    # To an instrument from the status table: the CEDAW page with its chart.
    page.locator("#i-CEDAW").get_by_role("link", name="Convention on the Elimination of All Forms of Discrimination "
                                        "against Women", exact=True).click()
    page.wait_for_url(server + "/instrument/CEDAW/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Convention on the Elimination of All Forms of Discrimination against Women")
    expect(page.locator("figure.chart svg")).to_be_visible()

    page.goto(server + "/instrument/CAT")
    expect(page.locator("#party-count")).to_contain_text("175 parties on 3 February 2026")
    expect(page.locator("figure.chart svg polyline")).to_have_count(1)

    page.goto(server + "/country/PRK")
    row = page.locator("#i-CAT")
    row.locator("summary", has_text="Cite").click()
    expect(row.locator("p.citation").first).to_contain_text(
        "As of 3 February 2026, according to the UN Treaty Collection, the Democratic People's Republic of Korea "
        "is not a party to the Convention against Torture")
    link = row.locator(".source a")
    assert link.get_attribute("href") == CAT_SOURCE
    link.click()
    page.wait_for_url(CAT_SOURCE)
    expect(page).to_have_title("UNTC stand-in")

    assert page.console_errors == [], page.console_errors
