"""The page's language: which one a request asked for, its words (gettext), and its dates and numbers.

The site speaks English at ``/...`` and Korean at ``/ko/...``: ``wrap`` (an ASGI wrapper, installed from
kb/web/pages/__init__.py) takes the language prefix off the path and sets ``LANG`` for the request, so
every route serves both languages and every link the pages build keeps the prefix (common._path).

Words: templates mark them ``{{ _("Parties") }}`` or ``{% trans %}…{% endtrans %}``; ``gettext`` and
``ngettext`` look them up in the catalogue of the request's language, compiled in memory from
``kb/web/locale/<lang>/LC_MESSAGES/messages.po`` the first time it is needed (no compile step to remember).
A language without a catalogue, or a word not yet translated, reads as written (English).

Dates and numbers: ``format_date`` and ``format_number`` by Babel (CLDR) for the request's language;
English dates keep the site's own form ("6 December 2016").  JSON keys and vocabularies stay English.
"""

from __future__ import annotations

import datetime as dt
import threading
from contextvars import ContextVar
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path
from typing import Any, Awaitable, Callable

from ..query.citation import format_date as _english_date

#: The request's language (set by ``wrap``): "en" or one of ``PREFIXED``.
LANG: ContextVar[str] = ContextVar("kb_lang", default="en")
#: The request's path without its language prefix, and its query string (for the other language's links).
PAGE: ContextVar[tuple[str, str] | None] = ContextVar("kb_page", default=None)

#: The site's languages, the default first; each other one is served under /<lang>/.
LANGUAGES = ("en", "ko")
DEFAULT = "en"
PREFIXED = tuple(lang for lang in LANGUAGES if lang != DEFAULT)
#: Each language's name in itself, for the language switch.
NATIVE_NAMES = {"en": "English", "ko": "한국어"}

LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_catalogues: dict[str, Any] = {}
_lock = threading.Lock()


def current_lang() -> str:
    return LANG.get()


def _load(lang: str):  # noqa: ANN202
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not po.exists():
        return NullTranslations()
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)  # fuzzy entries are guesses: they read as written
    buf.seek(0)
    return Translations(buf)


def translations(lang: str | None = None):  # noqa: ANN201
    """The compiled catalogue of a language (of the request's, by default); read once per process."""
    lang = lang or current_lang()
    t = _catalogues.get(lang)
    if t is None:
        with _lock:
            t = _catalogues.get(lang)
            if t is None:
                t = _catalogues[lang] = _load(lang)
    return t


def install(lang: str, catalogue) -> None:  # noqa: ANN001
    """Use ``catalogue`` (a gettext translations object) for ``lang``; None: read its .po again when next asked."""
    with _lock:
        if catalogue is None:
            _catalogues.pop(lang, None)
        else:
            _catalogues[lang] = catalogue


def gettext(message: str) -> str:
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


# --------------------------------------------------------------------------- dates and numbers

def format_date(value: str | None, lang: str | None = None) -> str:
    """A date of the record ('2016-12-06', '1998-06' or '1998') in words of the page's language:
    '6 December 2016' in English (kb.query.citation.format_date), '2016년 12월 6일' in Korean (Babel, CLDR);
    anything else as it is."""
    lang = lang or LANG.get()
    if lang == DEFAULT or not value:
        return _english_date(value)
    parts = str(value).split("-")
    try:
        if len(parts) == 3:
            day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            return _babel_date(day, "long", lang)
        if len(parts) == 2:
            return _babel_skeleton(dt.date(int(parts[0]), int(parts[1]), 1), "yMMMM", lang)
        if len(parts) == 1 and len(parts[0]) == 4:
            return _babel_skeleton(dt.date(int(parts[0]), 1, 1), "y", lang)
    except ValueError:
        return value
    return value


# Babel formats a date in about 40 µs; a country page shows hundreds: each is formatted once per process
# (bounded: the dates a reader can ask about are many).
@lru_cache(maxsize=16384)
def _babel_date(day: dt.date, fmt: str, lang: str) -> str:
    from babel.dates import format_date as babel_date

    return babel_date(day, format=fmt, locale=lang)


@lru_cache(maxsize=4096)
def _babel_skeleton(day: dt.date, skeleton: str, lang: str) -> str:
    from babel.dates import format_skeleton

    return format_skeleton(skeleton, day, locale=lang)


def format_number(value: Any, lang: str | None = None) -> str:
    """A count in the page's language's digits and grouping (Babel, CLDR): 1234 -> '1,234'."""
    if value is None or value == "":
        return ""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=lang or current_lang())


# --------------------------------------------------------------------------- addresses

def split_prefix(path: str) -> tuple[str, str]:
    """('ko', '/country/PRK') for '/ko/country/PRK'; ('en', path) for a path with no language prefix."""
    for lang in PREFIXED:
        p = "/" + lang
        if path == p or path.startswith(p + "/"):
            return lang, path[len(p):] or "/"
    return DEFAULT, path


#: The desk's page families (the first segment of their paths), served in every language.
PAGE_ROOTS = frozenset({"", "country", "instrument", "compare", "search"})
#: What is the same in every language: data (JSON keys and vocabularies stay English), feeds, the database.
DATA_SUFFIXES = (".json", ".csv", ".atom", ".db", ".svg")


def is_page(path: str) -> bool:
    """Whether a site path (without its language prefix) is one of the desk's pages, which a language's
    pages link in that language; data, static files and Datasette's own pages are one for all."""
    bare = path.lstrip("/").split("?", 1)[0].split("#", 1)[0]
    return bare.split("/", 1)[0] in PAGE_ROOTS and not bare.endswith(DATA_SUFFIXES)


def prefix(lang: str | None = None) -> str:
    """The path segment a language's pages start with ('ko/'), or '' for the default language."""
    lang = lang or current_lang()
    return "" if lang == DEFAULT else lang + "/"


def wrap(datasette, app: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:  # noqa: ANN001
    """An ASGI wrapper: /ko/<path> is served as /<path> with LANG 'ko' (and PAGE set for every request)."""

    async def lang_app(scope, receive, send):  # noqa: ANN001, ANN202
        if scope.get("type") != "http":
            return await app(scope, receive, send)
        base = datasette.setting("base_url") or "/"
        full = scope.get("path") or "/"
        path = "/" + full[len(base):] if base != "/" and full.startswith(base) else full
        lang, rest = split_prefix(path)
        if lang != DEFAULT:
            new = base.rstrip("/") + rest
            raw = scope.get("raw_path")
            if raw is not None:  # the raw path keeps its own escaping: cut the same prefix from it
                raw_base = base.rstrip("/").encode() + b"/" + lang.encode()
                raw = raw[len(raw_base):] if raw.startswith(raw_base) else new.encode()
                raw = base.rstrip("/").encode() + (raw or b"/")
            scope = dict(scope, path=new, raw_path=raw if raw is not None else new.encode())
        query = (scope.get("query_string") or b"").decode("latin-1")
        t_lang, t_page = LANG.set(lang), PAGE.set((rest, query))
        try:
            return await app(scope, receive, send)
        finally:
            LANG.reset(t_lang)
            PAGE.reset(t_page)

    return lang_app
