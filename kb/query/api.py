"""The functions of kb.query (see the package's docstring)."""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
from typing import Iterable

from .base import QueryError, data_date, day, name_key, rows, sql, version
from .citation import cite_row, event_citation, publisher
from .citation_ko import cite_row_ko
from .csl import (CITE_STYLES, EXPORT_STYLES, check_style, event_record, format_items, instrument_record,
                  instrument_records, kb_record, state_records, status_record)
from .feed import sentence, source_line

#: The languages of the plain citation sentence (`kb cite --lang`).
CITE_LANGUAGES = ("en", "ko")

#: The keys of every object status() returns (and `kb status --format json` prints), in order.
STATUS_KEYS = ("state", "state_name", "instrument", "instrument_title", "as_of", "status", "signature_date",
               "consent_date", "consent_type", "withdrawal_date", "note", "source_url", "source_title",
               "source_as_at", "source_symbol", "known_to", "in_force_date", "in_force", "in_force_article",
               "in_force_note", "beyond_record", "source_kind")


def resolve_state(conn: sqlite3.Connection, name: str) -> str:
    """The alpha-3 id of the state a name means: an alpha-3 code (any case), the depositary's
    name, an alias or its Korean name (북한, 대한민국), in any case and Unicode normal form."""
    row = conn.execute(sql("resolve_state"), {"name": name_key(name)}).fetchone()
    if row:
        return row[0]
    names = [r[0] for r in conn.execute("SELECT name FROM state_names")]
    hint = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    raise QueryError(
        f"unknown state {name!r}" + (f"; did you mean {', '.join(repr(h) for h in hint)}?" if hint else
                                     ": use an ISO 3166-1 alpha-3 code (e.g. PRK), the depositary's name or an alias"),
        "state")


def resolve_instrument(conn: sqlite3.Connection, name: str, any_case: bool = True) -> str:
    """The instrument id `name` means (exactly, or in any case when any_case)."""
    ids = [r[0] for r in conn.execute("SELECT id FROM instruments ORDER BY sort_order")]
    if name in ids:
        return name
    if any_case:
        match = next((i for i in ids if i.upper() == name.upper()), None)
        if match:
            return match
    hint = difflib.get_close_matches(name.upper(), sorted(ids), n=3)
    raise QueryError(f"unknown instrument {name!r}" + (f"; did you mean {', '.join(hint)}?" if hint else "; see `kb instruments`"),
                     "instrument")


def _names(values: Iterable[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    return list(values)


def status(conn: sqlite3.Connection, states: Iterable[str] | str = (), instruments: Iterable[str] | str = (),
           as_of: str | None = None) -> list[dict]:
    """Status of states on instruments on a date (default: the data's date, data_date()): one dict per
    state × instrument, with the keys STATUS_KEYS, exactly as `kb status --format json` prints them.
    No states or no instruments means all of them.  `beyond_record` is True when the date is after the
    instrument's `known_to`: the status is then the last recorded, and `in_force` None (unknown) unless
    a later recorded event decides it."""
    as_of = day(as_of, conn=conn)
    ids = [resolve_state(conn, s) for s in _names(states)]
    insts = [resolve_instrument(conn, i, any_case=False) for i in _names(instruments)]
    out = rows(conn, sql("status_on"), {"as_of": as_of, "states": ",".join(ids), "instruments": ",".join(insts)})
    for r in out:
        r["in_force"] = None if r["in_force"] is None else bool(r["in_force"])
        r["beyond_record"] = bool(r["beyond_record"])
    return out


#: The keys of every object reservations() returns (and `kb reservations --format json` prints), in order.
RESERVATION_KEYS = ("state", "state_name", "instrument", "article", "article_as_given", "scope", "reference",
                    "reference_note", "kind", "made_on", "withdrawn_on", "partly_withdrawn_on", "in_force",
                    "in_force_note", "as_of", "text", "summary", "objections", "source_url", "source_title",
                    "source_as_at", "source_symbol", "source_kind", "known_to", "beyond_record", "key")

_REFERENCE = re.compile(r"^(\d+|[IVXLC]+)((?:\([0-9a-zA-Z]+\))*)$")


def article_reference(value: str) -> str:
    """An article reference as a reservation cites it, spaces removed ('29 (1)' -> '29(1)'); QueryError
    for anything else."""
    ref = re.sub(r"\s+", "", value or "")
    if not _REFERENCE.match(ref):
        raise QueryError(f"{value!r} is not an article reference: write the article, then each paragraph or "
                         "sub-paragraph in brackets, e.g. 16, 29(1) or 2(f)", "article")
    return ref


def reservations(conn: sqlite3.Connection, states: Iterable[str] | str = (), instrument: str | None = None,
                 article: str | None = None, as_of: str | None = None) -> list[dict]:
    """Reservations, declarations, opt-outs and competence declarations on a date (default: the data's
    date), one dict per statement and article it names (keys RESERVATION_KEYS), exactly as
    `kb reservations --format json` prints them.  `article` is the normalised reference (None for the
    instrument as a whole, scope 'whole', where its words name no article, scope 'general', or where
    the record has no words, scope 'unstated');
    `article_as_given` the depositary's. Asking for an article ('29(1)') finds the statements on it, on
    what it is part of (article 29), on its parts ('29(1)(a)') and on the instrument as a whole.
    `in_force` is None where the record cannot tell (a withdrawal naming no article, or a date past
    the instrument's `known_to`); `objections`: each with state, date, withdrawn_on, text, source and
    opposes_entry_into_force (read from its words: true, false where they say it does not preclude the
    instrument's entry into force between the two states, null where they say neither)."""
    as_of = day(as_of, conn=conn)
    ids = [resolve_state(conn, s) for s in _names(states)]
    inst = resolve_instrument(conn, instrument, any_case=False) if instrument else ""
    ref = article_reference(article) if article else ""
    if ref and inst:
        lead = re.match(r"^[^(]+", ref).group(0)
        articles = [r[0] for r in conn.execute(
            "SELECT provision FROM treaty_provisions WHERE instrument_id = ? AND level = 0 ORDER BY sort_order", (inst,))]
        if articles and lead not in articles:
            raise QueryError(f"article {lead} does not exist in {inst} (articles {articles[0]}-{articles[-1]})", "article")
        if articles and not conn.execute("SELECT 1 FROM treaty_provisions WHERE instrument_id = ? AND provision = ?",
                                         (inst, ref)).fetchone():
            raise QueryError(f"{ref} does not exist in {inst}: article {lead} has no such paragraph or sub-paragraph "
                             "(see its text, treaty_provisions)", "article")
    out = rows(conn, sql("reservations"), {"as_of": as_of, "states": ",".join(ids), "instrument": inst, "article": ref})
    for r in out:
        r["in_force"] = None if r["in_force"] is None else bool(r["in_force"])
        r["beyond_record"] = bool(r["beyond_record"])
        r["objections"] = json.loads(r["objections"]) if r["objections"] else []
    return out


#: The keys of every object panel() returns (and `kb panel --format json` prints), in order.
PANEL_KEYS = ("state", "instrument", "year", "as_of", "status", "consent_date", "known_to", "beyond_record")


def _year(value: int | str, param: str) -> int:
    text = str(value).strip()
    if not (text.isdigit() and len(text) == 4):
        raise QueryError(f"{value!r} is not a year: write it YYYY (e.g. 1966)", param)
    return int(text)


def panel(conn: sqlite3.Connection, states: Iterable[str] | str = (), instruments: Iterable[str] | str = (),
          from_year: int | str = 1945, to_year: int | str | None = None) -> list[dict]:
    """A country-year panel: one dict per state × instrument × year (keys PANEL_KEYS), the status on
    31 December of each year from `from_year` to `to_year` (inclusive; default: the year of the data's date), leaving
    out the years before an instrument's adoption; exactly as `kb panel --format json` prints it.
    No states or no instruments means all of them.  The SQL is kb/query/sql/panel.sql."""
    first = _year(from_year, "from")
    last = _year(to_year if to_year is not None else data_date(conn)[:4], "to")
    if last < first:
        raise QueryError(f"--to {last} is before --from {first}", "to")
    ids = [resolve_state(conn, s) for s in _names(states)]
    insts = [resolve_instrument(conn, i, any_case=False) for i in _names(instruments)]
    out = rows(conn, sql("panel"), {"from": first, "to": last, "states": ",".join(ids), "instruments": ",".join(insts)})
    for r in out:
        r["beyond_record"] = bool(r["beyond_record"])
    return out


def obligations(conn: sqlite3.Connection, state: str, as_of: str | None = None) -> list[dict]:
    """Every obligation of every instrument for a state on a date (default: the data's date), accepted
    or not (`kb obligations`)."""
    as_of = day(as_of, conn=conn)
    out = rows(conn, sql("obligations_on"), {"state": resolve_state(conn, state), "as_of": as_of})
    for r in out:
        r["accepted"] = bool(r["accepted"])
        r["beyond_record"] = bool(r["beyond_record"])
    return out


def changes(conn: sqlite3.Connection, state: str, since: str, until: str | None = None) -> list[dict]:
    """Status transitions and actions of a state between two dates, inclusive (`kb changes`; `until`
    defaults to the data's date)."""
    since = day(since, "since")
    until = day(until, "until", conn=conn)
    if until < since:
        raise QueryError(f"--until {until} is before --since {since}", "until")
    return rows(conn, sql("changes"), {"state": resolve_state(conn, state), "since": since, "until": until})


def asks(conn: sqlite3.Connection, state: str) -> list[dict]:
    """What a state was asked to accept, its response, and whether it did (`kb asks`)."""
    out = rows(conn, sql("asks"), {"state": resolve_state(conn, state)})
    for r in out:
        r["by"] = json.loads(r["by"])
        r["instruments"] = r["instruments"].split(",") if r["instruments"] else []
        r["fulfilled"] = bool(r["fulfilled"])
        r["engagement"] = r["engagement"].split(", ") if r["engagement"] else []
        r["evidence"] = json.loads(r["evidence"]) if r["evidence"] else []
        r["done_events"] = r["done_events"].split(",") if r["done_events"] else []
    return out


#: The keys of every object engagement() returns (and `kb engagement --format json` prints), in order.
ENGAGEMENT_KEYS = ("date", "end_date", "mechanism", "instrument", "mandate", "kind", "symbol", "report", "summary",
                   "source_url", "source_kind", "source_title", "source_as_at", "source_symbol", "treaty_body",
                   "quote", "note", "key")


def engagement(conn: sqlite3.Connection, state: str) -> list[dict]:
    """A state's engagement with UN mechanisms, newest first (`kb engagement`): reports, reviews,
    concluding observations, UPR reviews, visits held, refused or unanswered, each with its source
    and the source's kind (un_host, un_mirror, secondary)."""
    return rows(conn, sql("engagement"), {"state": resolve_state(conn, state)})


def reporting_status(conn: sqlite3.Connection, state: str, as_of: str | None = None) -> list[dict]:
    """For each treaty with a UN treaty body the state is party to on a date: last report, last review,
    last concluding observations, next report due where a source states it, and `overdue`
    ('overdue', 'not_yet_due' or 'unknown': never 'overdue' from silence) (`kb reporting`; default date:
    the data's date)."""
    as_of = day(as_of, conn=conn)
    return rows(conn, sql("reporting_status"), {"state": resolve_state(conn, state), "as_of": as_of})


def cite_event(conn: sqlite3.Connection, key: str, style: str = "plain") -> str:
    """A citation of one engagement event (its `key`, as `kb engagement` lists it), with its source,
    the source's kind and its as-at date (`kb cite-event`).  style: one of CITE_STYLES ('plain' is
    the knowledge base's sentence; the UN document it names is cited by symbol, in English)."""
    check_style(style)
    if style == "plain":
        return event_citation(conn, key, style)
    return format_items(event_record(conn, key), style)


def instruments(conn: sqlite3.Connection) -> list[dict]:
    """The instruments and their ids (`kb instruments`)."""
    return rows(conn, sql("instruments"))


def cite(conn: sqlite3.Connection, state: str, instrument: str, as_of: str | None = None, style: str = "plain",
         lang: str = "en") -> str:
    """A citation of a state's status on an instrument, with the source and its as-at date (`kb cite`).
    style: one of CITE_STYLES: 'plain' (the knowledge base's sentence), 'oscola', 'bluebook',
    'chicago', 'apa' (the official CSL styles), 'ris', 'bibtex' (BibLaTeX), 'csl-json'.
    lang: one of CITE_LANGUAGES: 'en', or 'ko' (the plain sentence in Korean).
    Default date: the data's date."""
    check_style(style)
    if lang not in CITE_LANGUAGES:
        raise QueryError(f"unknown language {lang!r}: use one of {', '.join(CITE_LANGUAGES)}", "lang")
    if lang != "en" and style != "plain":
        raise QueryError(f"the {style} style is given in English only: a citation in {lang!r} is the plain sentence "
                         "(style plain)", "style")
    as_of = day(as_of, conn=conn)
    state_id = resolve_state(conn, state)
    inst = resolve_instrument(conn, instrument)
    if lang == "ko":
        return cite_row_ko(conn, state_id, inst, as_of)
    if style == "plain":
        return cite_row(conn, state_id, inst, as_of, style)
    return format_items(status_record(conn, state_id, inst, as_of), style)


def cite_instrument(conn: sqlite3.Connection, instrument: str, style: str = "oscola") -> str:
    """A citation of an instrument itself, with its UNTS reference (`kb cite-instrument`); style as
    for cite, except 'plain' (the instrument has no sentence of its own)."""
    check_style(style)
    if style == "plain":
        raise QueryError("an instrument has no plain sentence: use one of "
                         + ", ".join(s for s in CITE_STYLES if s != "plain"), "style")
    return format_items(instrument_record(conn, resolve_instrument(conn, instrument)), style)


def cite_kb(conn: sqlite3.Connection, style: str = "apa") -> str:
    """A citation of the knowledge base itself, with the version `kb info` shows (`kb cite-kb`)."""
    check_style(style)
    if style == "plain":
        v = version(conn)
        return f"Treaty and convention ratification knowledge base, version {v or 'not recorded'}."
    return format_items(kb_record(conn), style)


def info(conn: sqlite3.Connection) -> dict:
    """What this build is (`kb info --format json`): its version, digests, the status sources'
    as-at dates (grouped by publisher and date, with the instruments each covers), and counts."""
    b = dict(conn.execute("SELECT key, value FROM build_info").fetchall())
    groups: dict[tuple, dict] = {}
    for r in rows(conn, sql("info_sources")):
        k = (publisher(r["source_title"]).removeprefix("the "), r["as_at"])
        groups.setdefault(k, {"source": k[0], "as_at": k[1], "instruments": []})["instruments"].append(r["instrument"])
    count = lambda q: conn.execute(q).fetchone()[0]  # noqa: E731
    return {
        "version": version(conn),
        "kb_version": b.get("kb_version"),
        "data_digest": b.get("data_digest"),
        "code_digest": b.get("code_digest"),
        "status_as_at": sorted(groups.values(), key=lambda g: (g["as_at"], g["source"]), reverse=True),
        "counts": {
            "instruments": count("SELECT count(*) FROM instruments"),
            "states": count("SELECT count(*) FROM states"),
            "actions": count("SELECT count(*) FROM actions"),
            "imported_actions": count("SELECT count(*) FROM actions WHERE origin = 'imported'"),
            "curated_actions": count("SELECT count(*) FROM actions WHERE origin = 'curated'"),
            "imported_actions_superseded": int(b.get("superseded_imported_actions") or 0),
        },
    }


def feed(conn: sqlite3.Connection, state: str | None = None, instrument: str | None = None, limit: int = 50) -> list[dict]:
    """The latest actions, newest first by the date the KB first recorded them, then by action
    date (the site's change feeds): each row with `sentence` and `source_line` worded for readers."""
    sid = resolve_state(conn, state) if state else ""
    iid = resolve_instrument(conn, instrument) if instrument else ""
    out = rows(conn, sql("feed"), {"state": sid, "instrument": iid, "limit": int(limit)})
    for r in out:
        r["sentence"] = sentence(r)
        r["source_line"] = source_line(r)
    return out


def cite_all(conn: sqlite3.Connection, state: str | None = None, instrument: str | None = None,
             as_of: str | None = None, style: str = "ris") -> str:
    """Every citation of a country page (state=: its status on each instrument on the date, and
    each engagement event) or of an instrument page (instrument=: the instrument, and each state's
    status on it), in one file for a reference manager (`kb cite-all`).  style: 'ris', 'bibtex'
    (BibLaTeX) or 'csl-json'.  Default date: the data's date."""
    if style not in EXPORT_STYLES:
        raise QueryError(f"an export of all citations is written as one of {', '.join(EXPORT_STYLES)}, "
                         f"not {style!r}", "style")
    if (state is None) == (instrument is None):
        raise QueryError("name either a state or an instrument, not both and not neither", "state")
    as_of = day(as_of, conn=conn)
    if state is not None:
        items = state_records(conn, resolve_state(conn, state), as_of)
    else:
        items = instrument_records(conn, resolve_instrument(conn, instrument), as_of)
    return format_items(items, style)
