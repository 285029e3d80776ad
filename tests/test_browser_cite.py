"""The Cite control in a real browser (system Chromium through Playwright, as tests/test_browser.py):
opening Cite fetches the CSL styles, each Copy button puts its citation on the clipboard (clipboard
permissions granted to the site's origin), and the sentence is copied as shown.  Screenshot on failure."""

from __future__ import annotations

import kb.query as q

from .test_browser import browser, page, screenshot_on_failure, server  # noqa: F401 - the fixtures


def test_copy_a_citation(page, server, built_db):  # noqa: F811
    from playwright.sync_api import expect

    conn = q.connect(built_db)
    oscola = q.cite(conn, "PRK", "CRPD", style="oscola")
    plain = q.cite(conn, "PRK", "CRPD")
    from kb.query import csl

    kb_bibtex = csl.format_items(csl.kb_record(conn, server + "/"), "bibtex")  # the site's own address
    conn.close()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    with screenshot_on_failure(page, "test_copy_a_citation"):
        page.goto(server + "/country/PRK")
        row = page.locator("#i-CRPD")
        row.locator("summary", has_text="Cite").click()
        style = row.locator('.cite-style[data-style="oscola"]')
        # fetched from /cite/status.json: the server's first citation loads the processor and the style files
        expect(style.locator("p.citation")).to_have_text(oscola, timeout=60_000)
        expect(row.locator(".cite-styles")).to_be_hidden()  # the links stand in only without JavaScript
        style.get_by_role("button", name="Copy").click()
        expect(style.get_by_role("button", name="Copied")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == oscola
        expect(row.locator(".cite-status")).to_have_text("Copied")

        sentence = row.locator('.cite-style[data-style="plain"]')
        sentence.get_by_role("button", name="Copy").click()
        assert page.evaluate("navigator.clipboard.readText()") == plain

        # "Cite this database" on the home page: the BibLaTeX entry as shown.
        page.goto(server + "/")
        entry = page.locator('section[aria-labelledby="cite-h"] .cite-style[data-style="bibtex"]')
        entry.get_by_role("button", name="Copy").click()
        assert page.evaluate("navigator.clipboard.readText()") == kb_bibtex
        assert page.console_errors == []


def test_without_javascript_the_styles_are_links(browser, server):  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    try:
        with screenshot_on_failure(pg, "test_without_javascript_the_styles_are_links"):
            pg.goto(server + "/country/PRK")
            row = pg.locator("#i-CRPD")
            row.locator("summary", has_text="Cite").click()
            assert row.locator("button.copy").first.is_hidden()  # nothing that cannot work
            row.get_by_role("link", name="OSCOLA").click()
            assert "2515 UNTS 3" in pg.locator("body").inner_text()
    finally:
        context.close()
