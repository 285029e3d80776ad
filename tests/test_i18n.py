"""Korean beside English: the page's language from its address (/ko/...), its links, its alternates and
its dates (kb/web/i18n.py)."""

from __future__ import annotations

import asyncio
import re
from gettext import NullTranslations
from pathlib import Path

import pytest

from kb.web import i18n
from kb.web.app import make_datasette


def get_all(db: Path, *paths: str):
    async def run():
        ds = make_datasette(db)
        return [await ds.client.get(p) for p in paths]
    return asyncio.run(run())


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


PAGES = ["/", "/country/PRK", "/instrument", "/instrument/CAT", "/instrument/CAT/maps", "/instrument/CAT/article/1",
         "/compare?states=PRK,KOR", "/search?q=torture"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_family_in_both_languages(built_db, path):
    en, ko = get_all(built_db, path, "/ko" + path)
    assert (en.status_code, ko.status_code) == (200, 200)
    assert (html_lang(en.text), html_lang(ko.text)) == ("en", "ko")
    want = {"en": path, "ko": "/ko" + path, "x-default": path}
    assert alternates(en.text) == alternates(ko.text) == want
    # the switch names each language in itself, and links the other one
    assert f'<a href="/ko{path}" hreflang="ko" lang="ko" data-keep-anchor>한국어</a>' in en.text.replace("&amp;", "&")
    assert f'<a href="{path}" hreflang="en" lang="en" data-keep-anchor>English</a>' in ko.text.replace("&amp;", "&")


def test_korean_pages_link_in_korean_and_keep_the_date(built_db):
    (ko,) = get_all(built_db, "/ko/country/PRK?as_of=2016-01-01")
    own = re.sub(r'<link rel="alternate" hreflang[^>]*>|<nav class="lang-switch".*?</nav>', "", ko.text, flags=re.S)
    links = re.findall(r'href="(/[^"]*)"', own)
    pages = [h for h in links if h.startswith(("/country/", "/instrument/", "/compare", "/search"))
             and not h.split("?")[0].endswith((".json", ".csv", ".atom"))]
    assert not pages, f"links out of Korean: {pages[:5]}"
    assert "/ko/instrument/CAT?as_of=2016-01-01" in [h.replace("&amp;", "&") for h in links]
    # static files are one for both languages
    assert '/-/kb-static/kb.css' in ko.text and "/ko/-/" not in ko.text
    assert alternates(ko.text)["en"] == "/country/PRK?as_of=2016-01-01"


def test_korean_dates_and_english_dates(built_db):
    en, ko = get_all(built_db, "/country/PRK", "/ko/country/PRK")
    assert "17 September 1991" in en.text and "1991년 9월 17일" in ko.text
    assert "1991년" not in en.text


def test_redirect_stays_in_korean(built_db):
    (r,) = get_all(built_db, "/ko/country?state=KOR")
    assert r.status_code == 302 and r.headers["location"] == "/ko/country/KOR"


def test_json_twins_keep_english_keys(built_db):
    en, ko = get_all(built_db, "/country/PRK.json", "/ko/country/PRK.json")
    assert ko.status_code == 200 and ko.json() == en.json()


def test_prefix_is_a_whole_segment(built_db):
    (r,) = get_all(built_db, "/kolkata")
    assert r.status_code == 404
    assert i18n.split_prefix("/ko") == ("ko", "/")
    assert i18n.split_prefix("/kob/x") == ("en", "/kob/x")
    assert i18n.split_prefix("/ko/country/PRK") == ("ko", "/country/PRK")


def test_format_date():
    assert i18n.format_date("2016-12-06", "ko") == "2016년 12월 6일"
    assert i18n.format_date("1998-06", "ko") == "1998년 6월"
    assert i18n.format_date("1998", "ko") == "1998년"
    assert i18n.format_date("2016-12-06", "en") == "6 December 2016"
    assert i18n.format_date("2016-12-06") == "6 December 2016"  # no request: English
    assert i18n.format_date("not a date", "ko") == "not a date"
    assert i18n.format_date(None, "ko") == ""
    assert i18n.format_number(1234567, "ko") == "1,234,567"


class _Catalogue(NullTranslations):
    def gettext(self, message):  # noqa: ANN001
        return {"Language": "언어"}.get(message, message)


def test_words_are_looked_up_in_the_page_language(built_db):
    i18n.install("ko", _Catalogue())
    try:
        en, ko = get_all(built_db, "/country/PRK", "/ko/country/PRK")
    finally:
        i18n.install("ko", None)
    assert 'aria-label="언어"' in ko.text and 'aria-label="Language"' in en.text


def test_catalogue_compiled_from_po(tmp_path, monkeypatch):
    po = tmp_path / "ko" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Parties"\nmsgstr "당사국"\n\n#, fuzzy\nmsgid "Signatories"\nmsgstr "서명국"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.install("ko", None)
    try:
        t = i18n.translations("ko")
        assert t.gettext("Parties") == "당사국"
        assert t.gettext("Signatories") == "Signatories"  # fuzzy: a guess, read as written
        token = i18n.LANG.set("ko")
        try:
            assert i18n.gettext("Parties") == "당사국"
        finally:
            i18n.LANG.reset(token)
        assert i18n.gettext("Parties") == "Parties"
    finally:
        i18n.install("ko", None)


def test_korean_pages_name_states_in_korean(built_db):
    en, ko = get_all(built_db, "/instrument/CAT/article/20", "/ko/instrument/CAT/article/20")
    assert '<a href="/ko/country/CHN">중국</a>' in ko.text
    assert '<a href="/country/CHN">China</a>' in en.text and "중국" not in en.text


def test_korean_compare_and_home_name_states_in_korean(built_db):
    compare, home = get_all(built_db, "/ko/compare?states=PRK,KOR", "/ko/")
    assert '<a href="/ko/country/PRK">북한</a>' in compare.text and '<h3 id="r-KOR">대한민국' in compare.text
    assert '<option value="FRA">프랑스 (FRA)</option>' in home.text
