"""Why an optional procedure is accepted or not, and which reservation is in force, in the page's language.

kb/db/sql/views.sql and kb/query/sql/obligations_on.sql word these reasons in English ("Inquiry (art. 20):
not a party to CAT", "reservation to article 29 in force since 2001-02-27"); the data keep those words
(JSON, CLI). On a page in another language, ``reason_words`` reads a reason's known forms back into their
parts and words them from the catalogue, the procedure's recorded title kept as it is; an English page, or
a form it does not know, shows the reason as written.
"""

from __future__ import annotations

import re

from .. import i18n

_ARTICLE = r"(?P<article>[0-9A-Za-z().]+)"
_DATE = r"(?P<date>\d{4}-\d{2}-\d{2})"
_PARTLY = r"(?:; partly withdrawn on (?P<partly>\d{4}-\d{2}-\d{2}))?"
#: The forms of views.sql's procedure reasons (after the procedure's title and ": "), each with its message.
FORMS = [
    ("not_yet_adopted", r"(?P<abbr>\S+) not yet adopted"),
    ("not_a_party", r"not a party to (?P<abbr>\S+)"),
    ("party_since", r"party since " + _DATE),
    ("no_declaration", r"no declaration under article " + _ARTICLE + r" recognising the competence of the committee"),
    ("declaration_withdrawn", r"declaration under article " + _ARTICLE + r" withdrawn on " + _DATE),
    ("declaration_made", r"declaration under article " + _ARTICLE + r" made on " + _DATE),
    ("no_opt_out", r"accepted as a party \(no opt-out under article " + _ARTICLE + r"\)"),
    ("opt_out_withdrawn", r"opt-out under article " + _ARTICLE + r" withdrawn on " + _DATE),
    ("opted_out", r"opted out under article " + _ARTICLE + r" on " + _DATE),
    # obligations_on.sql: a reservation in force (and a declaration the depositary records as acting as one)
    ("reservation_withdrawn", r"reservation to article " + _ARTICLE + r" withdrawn on " + _DATE),
    ("reservation_whole_withdrawn", r"reservation to the instrument withdrawn on " + _DATE),
    ("withdrawal_only", r"withdrawal of a reservation to article " + _ARTICLE + r" on " + _DATE),
    ("reservation_article", r"reservation to article " + _ARTICLE + r" in force since " + _DATE + _PARTLY),
    ("reservation_general", r"reservation to the instrument \(general\) in force since " + _DATE + _PARTLY),
    ("declaration_as_reservation", r"declaration acting as a reservation \(it excludes the article's effect\) to "
                                   r"article " + _ARTICLE + r" in force since " + _DATE + _PARTLY),
]
_COMPILED = [(key, re.compile(r"(?:^|(?<=: ))" + pattern + r"$")) for key, pattern in FORMS]


def _messages() -> dict[str, str]:
    _ = i18n.gettext
    return {
        "not_yet_adopted": _("%(abbr)s not yet adopted"),
        "not_a_party": _("not a party to %(abbr)s"),
        "party_since": _("party since %(date)s"),
        "no_declaration": _("no declaration under article %(article)s recognising the competence of the committee"),
        "declaration_withdrawn": _("declaration under article %(article)s withdrawn on %(date)s"),
        "declaration_made": _("declaration under article %(article)s made on %(date)s"),
        "no_opt_out": _("accepted as a party (no opt-out under article %(article)s)"),
        "opt_out_withdrawn": _("opt-out under article %(article)s withdrawn on %(date)s"),
        "opted_out": _("opted out under article %(article)s on %(date)s"),
        "reservation_withdrawn": _("reservation to article %(article)s withdrawn on %(date)s"),
        "reservation_whole_withdrawn": _("reservation to the instrument withdrawn on %(date)s"),
        "withdrawal_only": _("withdrawal of a reservation to article %(article)s on %(date)s"),
        "reservation_article": _("reservation to article %(article)s in force since %(date)s"),
        "reservation_general": _("reservation to the instrument (general) in force since %(date)s"),
        "declaration_as_reservation": _("declaration acting as a reservation (it excludes the article's effect) to "
                                        "article %(article)s in force since %(date)s"),
        "partly": _("%(reason)s; partly withdrawn on %(date)s"),
    }


def reason_words(text: str | None) -> str:
    """A procedure's or a reservation's reason in the page's language ('' for none); English as written."""
    if not text or i18n.current_lang() == i18n.DEFAULT:
        return text or ""
    # A reason that begins a sentence ("No declaration under article 21 …", instrument.py) reads the same.
    lowered = text[:1].lower() + text[1:]
    for key, rx in _COMPILED:
        m = rx.search(text) or rx.search(lowered)
        if m:
            parts = {k: (i18n.format_date(v) if k in ("date", "partly") else v) for k, v in m.groupdict().items()}
            words = _messages()
            out = words[key] % parts
            if parts.get("partly"):
                out = words["partly"] % {"reason": out, "date": parts["partly"]}
            return lowered[:m.start()] + out if m.string is lowered else text[:m.start()] + out
    return text
