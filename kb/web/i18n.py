"""The words a reader sees, in the reader's language.

Every word the pages show goes through one of these functions: the templates call them as
`{{ _("Parties") }}` and `{% trans %}…{% endtrans %}` (installed on the pages' Jinja environment), the
page modules as `gettext("Parties")` / `ngettext("%(num)s party", "%(num)s parties", n)`.

The language of the request being answered is the context variable `LANG` (an ISO 639-1 code, 'en'
unless the request set it: `token = LANG.set("ko")` … `LANG.reset(token)`). English is the language
the words are written in, so it needs no catalogue. Another language reads its catalogue
`kb/web/locale/<lang>/LC_MESSAGES/messages.po` (kept as text in the repository, compiled in memory on
first use, once per process; Babel is imported only then); a word the catalogue lacks reads as written.
"""

from __future__ import annotations

import gettext as _gettext
import threading
from contextvars import ContextVar
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LANG = "en"

LANG: ContextVar[str] = ContextVar("kb_web_lang", default=DEFAULT_LANG)

_loaded: dict[str, _gettext.NullTranslations] = {}
_lock = threading.Lock()


def current_lang() -> str:
    """The language of the request being answered ('en' unless it was set)."""
    return LANG.get()


def languages() -> list[str]:
    """The languages with a catalogue in the repository, English first."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return [DEFAULT_LANG] + [lang for lang in found if lang != DEFAULT_LANG]


def translations(lang: str | None = None) -> _gettext.NullTranslations:
    """The catalogue of `lang` (the current language if None); English and a language without a
    catalogue read as written."""
    lang = lang or current_lang()
    got = _loaded.get(lang)
    if got is None:
        with _lock:
            got = _loaded.get(lang)
            if got is None:
                got = _loaded[lang] = _load(lang)
    return got


def _load(lang: str) -> _gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT_LANG or not po.is_file():
        return _gettext.NullTranslations()
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)  # a fuzzy (unchecked) translation is never shown
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def gettext(message: str) -> str:
    """`message` in the current language ('' stays '': it is not a message)."""
    return translations().gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` that agrees with the number `n`, in the current language."""
    return translations().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, where the same English word needs a different translation
    in `context`."""
    return translations().pgettext(context, message) if message else message


def install(env) -> None:
    """Install these functions on a Jinja environment with the i18n extension (new-style: the
    template's `_("%(n)s parties", n=3)` formats after translating, and escapes the values)."""
    env.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext)
