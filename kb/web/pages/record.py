"""Saying only what the record supports: the words a page puts beside a status read for a date after
the instrument's record ends (``beyond_record``), before the instrument was adopted
(``not_yet_adopted``), or resting on a secondary source (``source_kind``).

The facts come from SQL, never from this module: status_on.sql gives ``beyond_record`` and
``source_kind`` as its last columns and the status ``not_yet_adopted``; ``mark()`` only adds the
words a template needs.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from ...query.citation import format_date
from .. import i18n

#: The words of each status, as a reader says them (badges, legends, headings), in English: a page
#: shows them through kb/web/i18n.py's gettext (scripts/i18n.py puts these tables in the catalogue).
STATUS_LABELS = {
    "party": "Party",
    "signatory": "Signatory (not a party)",
    "not_party": "Not a party",
    "withdrawn": "Withdrawn",
    "not_applicable": "Not applicable",
    "not_yet_adopted": "Not yet adopted",
    "unknown": "Unknown",
}

#: An instrument's kind in words ("ilo_convention" is an "ILO convention").
KIND_WORDS = {
    "convention": "convention",
    "covenant": "covenant",
    "optional_protocol": "optional protocol",
    "protocol": "protocol",
    "statute": "statute",
    "ilo_convention": "convention",
    "ilo_protocol": "protocol",
}


def instrument_kind(inst: Mapping) -> str:
    """'UN convention', 'ILO convention', 'UN optional protocol'."""
    kind = inst.get("kind") or ""
    words = KIND_WORDS.get(kind, kind.replace("_", " "))
    regime = inst.get("regime") or ""
    return f"{regime} {i18n.gettext(words)}".strip() if words else regime


SOURCES_SQL = "SELECT url, as_at, kind, note FROM sources"


def is_date(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 10


def source_kinds(rows: Iterable[Mapping]) -> dict[tuple, str]:
    """{(url, as_at): kind} of every source whose kind is recorded (`source.kind`)."""
    out: dict[tuple, str] = {}
    for r in rows:
        kind = r["kind"]
        if kind:
            out[(r["url"], r["as_at"])] = kind
    return out


def mark(rows: list[dict], instruments: Mapping[str, Mapping], kinds: Mapping[tuple, str]) -> list[dict]:
    """Status rows with ``beyond_record``, ``source_kind``, ``secondary`` (bool) and
    ``recorded_on`` (the record's end, for "as recorded on …")."""
    for r in rows:
        r["beyond_record"] = bool(r["beyond_record"])
        kind = r.get("source_kind") or kinds.get((r.get("source_url"), r.get("source_as_at")))
        r["source_kind"] = kind
        # "Not yet adopted" rests on the instrument's adoption date, not on the status source.
        r["secondary"] = kind == "secondary" and r.get("status") != "not_yet_adopted"
        r["recorded_on"] = r.get("known_to") if r["beyond_record"] else None
    return rows


def as_recorded(known_to: str | None) -> str:
    """'as recorded on 14 March 2015'."""
    if not known_to:
        return i18n.gettext("as last recorded")
    return i18n.gettext("as recorded on %(date)s") % {"date": format_date(known_to)}


def record_ends(rows: Iterable[Mapping]) -> list[dict]:
    """The distinct ends of the record that rows shown past them rest on, earliest first:
    [{'known_to': '2015-03-14', 'instruments': ['GENOCIDE', ...]}]."""
    ends: dict[str, list[str]] = {}
    for r in rows:
        if r.get("beyond_record") and r.get("known_to"):
            ends.setdefault(r["known_to"], [])
            if r["instrument"] not in ends[r["known_to"]]:
                ends[r["known_to"]].append(r["instrument"])
    return [{"known_to": k, "instruments": v} for k, v in sorted(ends.items())]


# --------------------------------------------------------------------------- curators' notes in a reader's words

#: The data's field names that curators' notes mention, in a reader's words.
FIELD_WORDS = {
    "monitoring_body": "monitoring body",
    "unts_page": "UNTS page",
    "unts_volume": "UNTS volume",
    "parent": "parent instrument",
    "adopted_place": "place of adoption",
    "adopted": "adoption date",
    "fundamental_since": "date it was counted among the fundamental instruments",
    "fundamental_source": "source for its fundamental status",
    "short_title": "short title",
    "entry_into_force": "entry-into-force date",
    "status_source.as_at": "date of the status record",
    "status_source": "status source",
    "denunciation": "denunciation clause",
    "months": "number of months",
    "url": "link",
}
_NULL_FIELD = re.compile(r"`?\b([a-z_]+(?:\.[a-z_]+)?)`?\s+(?:left\s+)?null:\s*")
_TICKED = re.compile(r"`([^`]+)`")
_SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b|\bnull\b|\bNone\b|\bTrue\b|\bFalse\b|[\[\]{}]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Za-z`'(\"])")


def _field(name: str) -> str:
    return FIELD_WORDS.get(name, name.replace("_", " ").replace(".", " "))


def reader_note(text: str | None) -> str:
    """A curators' note in a reader's words: "monitoring_body null: …" reads "Monitoring body not
    recorded: …", a field named in code reads as its words; a sentence that still speaks the data's
    vocabulary is left out (never shown raw)."""
    out = []
    for sentence in _SENTENCE.split(text or ""):
        s = _NULL_FIELD.sub(lambda m: _field(m.group(1)) + " not recorded: " if m.group(1) in FIELD_WORDS
                            or "_" in m.group(1) else m.group(0), sentence)
        s = _TICKED.sub(lambda m: _field(m.group(1)), s)
        s = re.sub(r"\b[a-z]+(?:_[a-z]+)+\.[a-z]+(?:_[a-z]+)*\b", lambda m: _field(m.group(0)), s)
        s = re.sub(r"^(url|parent)(?= is\b)", lambda m: "The " + _field(m.group(1)), s)
        s = re.sub(r"\b(" + "|".join(k for k in FIELD_WORDS if "_" in k) + r")\b", lambda m: _field(m.group(1)), s)
        s = re.sub(r"\s*\((?:[a-z_]+): \[\]\)", "", s)
        if not s.strip() or _SNAKE.search(s.replace("null and void", "")):
            continue
        out.append(s[:1].upper() + s[1:])
    return " ".join(out)


def reader_words(text: str | None) -> str:
    """A derived list such as "upr review_held 2019-05-09, CRPD review_held 2025-08-12" in words:
    "Universal Periodic Review review held 9 May 2019, CRPD review held 12 August 2025"."""
    from ...query.citation import MANDATES, MECHANISMS

    def word(m: re.Match) -> str:
        token = m.group(0)
        return i18n.gettext(MANDATES.get(token) or MECHANISMS.get(token) or token.replace("_", " "))

    out = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", lambda m: format_date(m.group(0)), text or "")
    out = re.sub(r"\b(?:upr|ohchr|icrc)\b|\b[a-z]+(?:_[a-z]+)+\b", word, out)
    return out


# --------------------------------------------------------------------------- titles in the page's language

def reader_title(english: str, translated: str | None = None) -> str:
    """An instrument's title in the page's language: its official translation where one is recorded
    (the build's instrument_titles), else, outside English, the English title marked as such."""
    if i18n.current_lang() == i18n.DEFAULT:
        return english
    if translated:
        return translated
    marker = i18n.gettext("(English title; no official Korean translation recorded)")
    return f"{english} {marker}"
