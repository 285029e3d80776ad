"""The language switch in a real browser (the system Chromium, as tests/test_browser.py drives it): the
same page, its date and the place on it, in Korean and back."""

from __future__ import annotations

from .test_browser import browser, page, screenshot_on_failure, server  # noqa: F401 - fixtures


def test_language_switch_keeps_page_date_and_place(page, server):  # noqa: F811
    with screenshot_on_failure(page, "language-switch"):
        page.goto(server + "/country/PRK?as_of=2016-01-01#i-CAT")
        assert page.get_attribute("html", "lang") == "en"
        assert page.inner_text("h1") == "Democratic People's Republic of Korea"
        page.click("nav.lang-switch a[hreflang=ko]")
        page.wait_for_url("**/ko/country/PRK?as_of=2016-01-01#i-CAT")
        assert page.get_attribute("html", "lang") == "ko"
        assert page.inner_text("h1") == "북한 (Democratic People's Republic of Korea)"
        assert "2016년 1월 1일" in page.inner_text("main")
        # a link on the Korean page stays in Korean, with the date
        assert page.get_attribute("#i-CAT a[href*='/instrument/CAT']", "href").startswith("/ko/instrument/CAT")
        page.click("nav.lang-switch a[hreflang=en]")
        page.wait_for_url("**/country/PRK?as_of=2016-01-01#i-CAT")
        assert page.get_attribute("html", "lang") == "en"
        assert page.console_errors == []
