"""Reservations by article in a real browser (the system Chromium, as tests/test_browser.py drives it): from
the instrument page to the matrix, from a cell to the statement beside the article's words, the map, and
another date. A screenshot is saved to test-artifacts/ when the scenario fails."""

from __future__ import annotations

from .test_browser import browser, page, screenshot_on_failure, server  # noqa: F401 - fixtures


def test_article_page_and_matrix(page, server):  # noqa: F811
    with screenshot_on_failure(page, "test_article_page_and_matrix"):
        _scenario(page, server)


def _scenario(page, server):
    from playwright.sync_api import expect

    # The instrument page links the matrix and each article with its count.
    page.goto(server + "/instrument/CEDAW")
    by_article = page.locator("#by-article")
    expect(by_article.get_by_role("link", name="art. 29", exact=True)).to_be_visible()
    by_article.get_by_role("link", name="Every state's reservations and declarations, article by article").click()
    page.wait_for_url(server + "/instrument/CEDAW/reservations")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Convention on the Elimination of All Forms of Discrimination against Women: reservations and declarations, "
        "article by article")
    prk = page.locator("#state-PRK")
    expect(prk.get_by_role("link", name="Democratic People's Republic of Korea")).to_be_visible()
    expect(prk.locator("del", has_text="2(f) res.")).to_be_visible()  # withdrawn in 2015, struck through

    # A cell leads to the statement, beside the article's words.
    prk.get_by_role("link", name="29 res.").click()
    page.wait_for_url(server + "/instrument/CEDAW/article/29#s-PRK-2001-02-27-reservation-29")
    expect(page.get_by_role("heading", level=1)).to_have_text("CEDAW, article 29")
    row = page.locator("#s-PRK-2001-02-27-reservation-29")
    expect(row).to_be_in_viewport()
    expect(row).to_contain_text("In force since 27 February 2001")
    # the objections to the DPRK's reservations name articles 2(f) and 9(2), never article 29
    expect(row.locator("td").last).to_have_text("none recorded")
    expect(page.locator("#p-29\\(1\\)")).to_contain_text("Any dispute between two or more States Parties")
    china = page.locator("#s-CHN-1980-11-04-declaration-29-1")
    expect(china).to_contain_text("Declaration")

    # The map: the DPRK with a statement in force, drawn from the shared shapes.
    expect(page.locator("figure.worldmap svg.map")).to_be_visible()
    expect(page.locator('figure.worldmap use[data-state="PRK"][data-status="statement"]')).to_have_count(1)
    assert page.locator('figure.worldmap use[data-status="statement"]').count() > 20

    # Another date: article 9 after the DPRK's withdrawal.
    page.goto(server + "/instrument/CEDAW/article/9")
    page.get_by_label("Status as of").fill("2016-01-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/instrument/CEDAW/article/9?as_of=2016-01-01")
    withdrawn = page.locator("h3", has_text="Withdrawn, or recorded without legal effect")
    expect(withdrawn).to_be_visible()
    expect(page.locator("#s-PRK-2001-02-27-reservation-9-2")).to_contain_text("Withdrawn with effect from 23 November 2015")
    expect(page.locator('figure.worldmap use[data-state="PRK"]')).to_have_attribute("data-status", "statement_withdrawn")

    # JSON twin of the page's rows.
    response = page.request.get(server + "/instrument/CEDAW/article/9.json?as_of=2016-01-01")
    assert response.status == 200
    assert [r["in_force"] for r in response.json() if r["state"] == "PRK"] == [False]
    assert page.console_errors == []
