"""Citation records in CSL-JSON, the data format of the Citation Style Language
(https://citationstyles.org/), one list of items per citable thing: a state's status on a date,
an engagement event, an instrument, the knowledge base itself.

Each item is what the thing is: a treaty (`type: treaty`, with its United Nations Treaty Series
volume and first page as `container-title`, `volume` and `page`), the depositary's status page
(`webpage`), a UN document (`report`, its symbol as `number`, linked in English by symbol at
https://undocs.org/en/<symbol>).  `issued` is the source's own as-at date.  `accessed` is the
date the knowledge base's data was read from the source, which is that same as-at date: the
build never reads the source (no network), so the build date would claim a visit that did not
happen.  `note` names the knowledge base's version; `abstract` carries the knowledge base's own
sentence (the `plain` citation), which styles do not print and reference managers keep.

Standard library only: kb/csl renders and exchanges these records.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any, Mapping

from .base import QueryError, version as build_version
from .citation import (cite_row, event_citation, event_row, instrument_row, possessive, publisher,
                       source_short_title, state_phrase, status_row, un_symbols, undocs_url)

UNTS = "United Nations Treaty Series"
_VERSION_LANG = re.compile(r"\((Arabic|Chinese|English|French|Russian|Spanish) version\)\s*$")
_LANG = {"Arabic": "ar", "Chinese": "zh", "English": "en", "French": "fr", "Russian": "ru", "Spanish": "es"}
KB_TITLE = "Treaty and convention ratification knowledge base"


def csl_date(value: str | None) -> dict | None:
    """'2026-02-03' -> {'date-parts': [[2026, 2, 3]]}; '1998-06' -> [[1998, 6]]; None -> None."""
    if not value:
        return None
    try:
        return {"date-parts": [[int(p) for p in value[:10].split("-")]]}
    except ValueError:
        return {"literal": value}


def _key(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9:._-]+", "-", "-".join(p for p in parts if p)).strip("-")


def _kb_note(version: str | None) -> str:
    return f"KB version {version}" if version else "KB version not recorded"


def _clean(item: dict) -> dict:
    return {k: v for k, v in item.items() if v not in (None, "", [], {})}


def instrument_item(inst: Mapping[str, Any], version: str | None, with_url: bool = True) -> dict:
    """The instrument as a CSL `treaty`: its title, its adoption as `issued` (with its place), its
    UNTS volume and first page, and its depositary's page."""
    item = {
        "id": _key(inst["id"]),
        "type": "treaty",
        "title": inst["title"],
        "title-short": inst.get("abbreviation") or None,
        "issued": csl_date(inst.get("adopted")),
        "event-place": inst.get("adopted_place"),
        "container-title": UNTS if inst.get("unts_volume") else None,
        "container-title-short": "UNTS" if inst.get("unts_volume") else None,
        "volume": str(inst["unts_volume"]) if inst.get("unts_volume") else None,
        "page": str(inst["unts_page"]) if inst.get("unts_page") else None,
        # OSCOLA's style prints a treaty's series reference from `genre` ('2515 UNTS'), then `page`.
        "genre": f"{inst['unts_volume']} UNTS" if inst.get("unts_volume") else None,
        "note": _kb_note(version),
    }
    if with_url and inst.get("url"):
        item["URL"] = inst["url"]
        item["accessed"] = csl_date(inst.get("status_as_at"))
    return _clean(item)


def source_item(row: Mapping[str, Any], item_id: str, version: str | None, abstract: str | None = None) -> dict:
    """The source a status was read from: the depositary's page (a `webpage`), with its symbol."""
    pub = publisher(row.get("source_title")).removeprefix("the ")
    return _clean({
        "id": item_id,
        "type": "webpage",
        "title": source_short_title(row.get("source_title")) or row.get("source_title"),
        "container-title": "United Nations Treaty Collection" if pub == "UN Treaty Collection" else pub,
        "publisher": "United Nations" if pub.startswith("UN ") else None,
        "number": row.get("source_symbol"),
        "URL": row.get("source_url"),
        "issued": csl_date(row.get("source_as_at")),
        "accessed": csl_date(row.get("source_as_at")),
        "abstract": abstract,
        # a secondary source stands only where no primary one could be read, and the record says so
        "note": _kb_note(version) + ("; secondary source" if row.get("source_kind") == "secondary" else ""),
    })


def status_record(conn: sqlite3.Connection, state_id: str, instrument_id: str, as_of: str) -> list[dict]:
    """The CSL items citing a state's status on an instrument on a date: the treaty, then the
    depositary's page the status was read from (or, with no source, the instrument's own record)."""
    inst = instrument_row(conn, instrument_id)
    if inst is None:
        raise QueryError(f"unknown instrument {instrument_id!r}", "instrument")
    row = status_row(conn, state_id, instrument_id, as_of)
    if row is None:
        raise QueryError(f"no status for {state_id!r} on {instrument_id!r} on {as_of}")
    version = build_version(conn)
    sentence = cite_row(conn, state_id, instrument_id, as_of, "plain")
    if not row.get("source_url"):
        # not yet adopted, or unknown: the instrument's own record is the source
        item = instrument_item(inst, version)
        item["abstract"] = sentence
        return [item]
    same_url = row.get("source_url") == inst.get("url")
    page = source_item(row, _key(state_id, instrument_id, as_of), version, sentence)
    items = [instrument_item(inst, version, with_url=not same_url), page]
    notice = notification_item(row.get("source_symbol"), inst, version)
    if notice:
        page.pop("number", None)  # the notification's own item carries it
        items.append(notice)
    return items


_CN = re.compile(r"^C\.N\.\d+\.(\d{4})\.")


def notification_item(symbol: str | None, inst: Mapping[str, Any], version: str | None) -> dict | None:
    """The depositary notification (C.N.<n>.<year>.TREATIES-…) the source cites, as its own item, so
    that every style prints its symbol (OSCOLA and Bluebook print no `number` of a web page, Bluebook
    none of a report either).  The KB
    holds its symbol, not its link: the item has none.  Its year is the one the symbol states."""
    m = _CN.match(symbol or "")
    if not m:
        return None
    return _clean({
        "id": _key(symbol),
        "type": "report",
        # the symbol in the title, not in `number`: Bluebook's style prints no number but a statute's
        "title": f"Depositary notification {symbol}",
        "author": [{"literal": inst["depositary"]}] if inst.get("depositary") else None,
        "issued": {"date-parts": [[int(m.group(1))]]},
        "note": _kb_note(version),
    })


def instrument_record(conn: sqlite3.Connection, instrument_id: str) -> list[dict]:
    inst = instrument_row(conn, instrument_id)
    if inst is None:
        raise QueryError(f"unknown instrument {instrument_id!r}", "instrument")
    return [instrument_item(inst, build_version(conn))]


def _document_title(e: Mapping[str, Any]) -> str | None:
    """An English title for a treaty body's document, worded from the record ('Concluding observations
    on the initial report of the Democratic People's Republic of Korea'); None where the record does not say."""
    state = state_phrase(e["state_name"])
    if e["mechanism"] == "treaty_body" and e["kind"] == "concluding_observations" and e.get("report"):
        return f"Concluding observations on the {e['report']} of {state}"
    if e["mechanism"] == "treaty_body" and e["kind"] == "list_of_issues" and e.get("report"):
        return f"List of issues in relation to the {e['report']} of {state}"
    if e["mechanism"] == "treaty_body" and e["kind"] == "report_submitted" and e.get("report"):
        return f"{possessive(state)[0].upper()}{possessive(state)[1:]} {e['report']}"
    return None


def event_record(conn: sqlite3.Connection, key: str) -> list[dict]:
    """The CSL items citing an engagement event: the UN document it names, by symbol, in English (a
    `report`), and the copy the knowledge base read where that is another link."""
    sentence = event_citation(conn, key, "plain")  # raises the unknown-key error
    e = event_row(conn, key)
    version = build_version(conn)
    url = e.get("source_url")
    docs = un_symbols(e.get("symbol")) or un_symbols(e.get("source_symbol"))
    body = e.get("monitoring_body") if e["mechanism"] == "treaty_body" else None
    items = []
    for sym in docs:
        if sym == (e.get("symbol") or "").strip() or len(docs) == 1:
            title = _document_title(e) or sym
        else:
            title = sym
        items.append(_clean({
            "id": _key(sym),
            "type": "report",
            "title": title,
            "author": [{"literal": body}] if body else None,
            "publisher": "United Nations",
            "number": sym,
            "URL": undocs_url(sym),
            "issued": csl_date(e.get("date")),
            "language": "en",
            "abstract": sentence,
            "note": _kb_note(version),
        }))
    if url and all(undocs_url(s) != url for s in docs):
        items.append(_clean({
            "id": _key(key),
            "type": "webpage",
            "title": e.get("source_title"),
            "number": e.get("source_symbol"),
            "URL": url,
            "issued": csl_date(e.get("source_as_at")),
            "accessed": csl_date(e.get("source_as_at")),
            "language": _source_language(e.get("source_title")),
            "abstract": None if items else sentence,
            "note": _kb_note(version) + (f"; {e['source_note']}" if e.get("source_note") else ""),
        }))
    return items


def _source_language(title: str | None) -> str | None:
    """'... (Spanish version)' -> 'es' (so that styles leave its title's case alone); None otherwise."""
    m = _VERSION_LANG.search(title or "")
    return _LANG[m.group(1)] if m else None


def kb_record(conn: sqlite3.Connection, url: str | None = None) -> list[dict]:
    """The knowledge base itself (a `dataset`), with the version `kb info` shows; url: where it is
    served, when the citation is asked of a site (no access date: an answer that is the same every
    day, cached and exported, cannot know the reader's day)."""
    version = build_version(conn)
    data_date = version.split("+")[0] if version else None
    return [_clean({
        "URL": url,
        "id": _key("treaty-kb", version or ""),
        "type": "dataset",
        "title": KB_TITLE,
        "version": version,
        "issued": csl_date(data_date),
        "medium": "SQLite database",
        "note": _kb_note(version),
    })]


#: Every style a citation can be asked for: the knowledge base's own sentence, the CSL styles
#: (rendered by kb/csl with the official style files) and the exchange formats.
CITE_STYLES = ("plain", "oscola", "bluebook", "chicago", "apa", "ris", "bibtex", "csl-json")


def check_style(style: str) -> None:
    if style not in CITE_STYLES:
        raise QueryError(f"unknown style {style!r}: use one of {', '.join(CITE_STYLES)}", "style")


def format_items(items: list[dict], style: str) -> str:
    """The items in a CSL style or an exchange format (kb/csl, imported only here)."""
    check_style(style)
    if style in ("ris", "bibtex", "csl-json"):
        from kb.csl.exchange import WRITERS

        return WRITERS[style](items)
    from kb.csl.render import render

    return render(items, style)


#: The formats an export of many citations is written in (a footnote of hundreds of items is no citation).
EXPORT_STYLES = ("ris", "bibtex", "csl-json")


def _unique(items: list[dict]) -> list[dict]:
    """Items by id, the first of each: a treaty cited by many rows is one entry in a reference manager."""
    seen: dict[str, dict] = {}
    for item in items:
        seen.setdefault(item["id"], item)
    return list(seen.values())


def _column(conn: sqlite3.Connection, text: str, params: dict, name: str) -> list:
    cur = conn.execute(text, params)
    i = [d[0] for d in cur.description].index(name)
    return [r[i] for r in cur.fetchall()]


def state_records(conn: sqlite3.Connection, state_id: str, as_of: str) -> list[dict]:
    """Every citation a country page offers, in one list: the state's status on each instrument on
    the date (the treaty, then its source), then each engagement event (newest first, as listed)."""
    from .base import sql

    items: list[dict] = []
    for instrument_id in _column(conn, sql("status_on"), {"as_of": as_of, "states": state_id, "instruments": ""},
                                 "instrument"):
        items += status_record(conn, state_id, instrument_id, as_of)
    for key in _column(conn, sql("engagement"), {"state": state_id}, "key"):
        items += event_record(conn, key)
    return _unique(items)


def instrument_records(conn: sqlite3.Connection, instrument_id: str, as_of: str) -> list[dict]:
    """Every citation an instrument page offers, in one list: the instrument, then each state's
    status on it on the date (its source; the treaty once)."""
    from .base import sql

    items = instrument_record(conn, instrument_id)
    for state_id in _column(conn, sql("status_on"), {"as_of": as_of, "states": "", "instruments": instrument_id},
                            "state"):
        items += status_record(conn, state_id, instrument_id, as_of)
    return _unique(items)
