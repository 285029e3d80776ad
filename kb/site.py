"""The Datasette site: metadata generated from the models, stored queries, and
the plugin hooks that keep the site safe to publish."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import models as M
from .build import query_sql

LICENSE = "CC BY 4.0 (compilation); code Apache-2.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
SOURCE = "UN Treaty Collection (status as at 3 February 2026); ILO member States (February 2025); UN Charter tables (March 2015)"
SOURCE_URL = "https://treaties.un.org/Pages/Treaties.aspx?id=4&subid=A&clang=_en"

VIEW_DOCS = {
    "status_events": "Derived: one row per state, instrument and day on which something that can change status takes effect.",
    "status_intervals_view": "Derived: the definition of status_intervals (the table is filled from this view at build time).",
    "latest_status": "Derived: each pair's status at the end of the record (valid_to IS NULL), with the date the record is known to.",
    "reconciliation": "Counts stated by the sources (expected_counts) against counts derived from the data.",
    "ask_target_status": "Derived: for each thing an ask concerns, the first day after the ask on which the data shows it done.",
    "ask_status": "Derived: each ask with its fulfilment (fulfilled, partly_fulfilled, open, not_tracked), date and days taken.",
}

FACETS = {
    "actions": ["type", "instrument_id", "origin", "legal_effect"],
    "status_intervals": ["status", "instrument_id"],
    "latest_status": ["status", "instrument_id"],
    "states": ["kind"],
    "instruments": ["regime", "kind"],
    "memberships": ["organization", "member"],
    "vocabulary": ["vocabulary"],
}

FTS = {
    "actions": ("actions_fts", "id"),  # ?_search= over reservation, declaration and footnote texts
}

SORT = {
    "actions": "date",
    "instruments": "sort_order",
}


def canned_queries() -> dict[str, Any]:
    return {
        "status_on": {
            "title": "Status on a date",
            "description": "Status of states on instruments on a date (YYYY-MM-DD). "
                           "states / instruments: comma-separated ids, or empty for all. The same SQL as `kb status`.",
            "sql": query_sql("status_on"),
        },
        "obligations_on": {
            "title": "Obligations of a state on a date",
            "description": "Every obligation of every instrument for one state (alpha-3) on a date: instruments, "
                           "optional procedures and reservations, accepted or not, with the reason. The same SQL as `kb obligations`.",
            "sql": query_sql("obligations_on"),
        },
        "changes": {
            "title": "What changed for a state between two dates",
            "description": "Status transitions and actions of one state (alpha-3) between two dates (inclusive). "
                           "The same SQL as `kb changes`.",
            "sql": query_sql("changes"),
        },
        "asks": {
            "title": "Asked versus done, for a state",
            "description": "What a state (alpha-3) was asked to accept, by whom, its response, and whether it did "
                           "(derived). The same SQL as `kb asks`.",
            "sql": query_sql("asks"),
        },
        "open_asks": {
            "title": "Open asks",
            "description": "Asks whose asked action the KB does not show as done (optionally for one state, alpha-3).",
            "sql": "SELECT date, state_id AS state, document_id AS document, symbol, ref, by, text, targets AS instruments,\n"
                   "       response, fulfilment, done\nFROM ask_status\n"
                   "WHERE fulfilment IN ('open', 'partly_fulfilled') AND (:state = '' OR state_id = :state)\n"
                   "ORDER BY date, document_id, ask_id",
        },
        "asks_fulfilled": {
            "title": "Asks fulfilled, with the time taken",
            "description": "Asks whose asked action was done after they were made, with the date and the days it took.",
            "sql": "SELECT date, state_id AS state, document_id AS document, symbol, ref, by, text, targets AS instruments,\n"
                   "       response, fulfilled_date, days_to_fulfil\nFROM ask_status\n"
                   "WHERE fulfilment = 'fulfilled' AND (:state = '' OR state_id = :state)\n"
                   "ORDER BY date, document_id, ask_id",
        },
        "signed_not_ratified": {
            "title": "States that signed but never ratified",
            "description": "Signatories (not parties) of an instrument (id, or empty for all) at the end of the record.",
            "sql": "SELECT l.instrument_id AS instrument, l.state_id AS state, s.name, l.signature_date, l.known_to\n"
                   "FROM latest_status l JOIN states s ON s.id = l.state_id\n"
                   "WHERE l.status = 'signatory' AND (:instrument = '' OR l.instrument_id = :instrument)\n"
                   "ORDER BY l.instrument_id, l.signature_date",
        },
        "not_parties_on": {
            "title": "Who was not a party to an instrument on a date",
            "description": "States whose status on the date (YYYY-MM-DD) was anything but party, for one instrument (id).",
            "sql": "SELECT si.state_id AS state, s.name, si.status, si.signature_date\n"
                   "FROM status_intervals si JOIN states s ON s.id = si.state_id\n"
                   "WHERE si.instrument_id = :instrument AND si.status != 'party'\n"
                   "  AND (si.valid_from IS NULL OR si.valid_from <= :as_of) AND (si.valid_to IS NULL OR si.valid_to > :as_of)\n"
                   "ORDER BY si.status, s.name",
        },
        "parties_on": {
            "title": "Who was a party to an instrument on a date",
            "description": "Parties to one instrument (id) on a date (YYYY-MM-DD), with consent dates.",
            "sql": "SELECT si.state_id AS state, s.name, si.consent_date, si.consent_type\n"
                   "FROM status_intervals si JOIN states s ON s.id = si.state_id\n"
                   "WHERE si.instrument_id = :instrument AND si.status = 'party'\n"
                   "  AND (si.valid_from IS NULL OR si.valid_from <= :as_of) AND (si.valid_to IS NULL OR si.valid_to > :as_of)\n"
                   "ORDER BY si.consent_date",
        },
        "obligations_not_accepted": {
            "title": "Obligations a state has not accepted",
            "description": "The obligations_on rows with accepted = 0, for one state (alpha-3) on a date.",
            "sql": "SELECT * FROM (\n" + query_sql("obligations_on") + "\n) WHERE accepted = 0",
        },
    }


def metadata(db_name: str = "kb") -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for table in M.Base.metadata.sorted_tables:
        entry: dict[str, Any] = {
            "description": M.TABLE_DOCS.get(table.name, ""),
            "columns": {c.name: c.comment or "" for c in table.columns},
        }
        if table.name in FACETS:
            entry["facets"] = FACETS[table.name]
        if table.name in SORT:
            entry["sort"] = SORT[table.name]
        if table.name in FTS:
            entry["fts_table"], entry["fts_pk"] = FTS[table.name]
        tables[table.name] = entry
    for view, doc in VIEW_DOCS.items():
        tables[view] = {"description": doc}
        if view in FACETS:
            tables[view]["facets"] = FACETS[view]
    common = {"license": LICENSE, "license_url": LICENSE_URL, "source": SOURCE, "source_url": SOURCE_URL}
    return {
        "title": "Treaty ratification knowledge base",
        "description": "Which human-rights obligations states have accepted, which not, since when — "
                       "derived from dated, sourced events. Status on any date; every fact cites its source.",
        **common,
        "databases": {
            db_name: {
                "description": "Built from the curated YAML in data/. Status is derived by SQL views, never typed.",
                **common,
                "tables": tables,
                "queries": canned_queries(),
            }
        },
    }


PUBLIC_MAX_LENGTH = 1_000_000
PUBLIC_MAX_RESPONSE = 20_000_000

#: Settings of `kb serve --public` on top of SETTINGS: why each one is there is in the README.
PUBLIC_SETTINGS = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 200,
    "max_returned_rows": 1000,
    "max_csv_mb": 20,
    "allow_facet": True,
    "allow_signed_tokens": False,
    "default_allow_sql": True,
    "num_sql_threads": 3,
}

SETTINGS = {
    "default_page_size": 100,
    "sql_time_limit_ms": 2000,
    "facet_time_limit_ms": 500,
    "allow_download": True,
    "suggest_facets": False,
    "default_cache_ttl": 60,
}


def make_datasette(db_path: Path, public: bool = False, **kwargs: Any):
    """A Datasette instance serving db_path (immutable) with our metadata and plugins.

    public=True applies PUBLIC_SETTINGS and a lower cap on the size of values a query
    may build (PUBLIC_MAX_LENGTH)."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from . import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="kb")
    try:  # the research desk pages (country, instrument, home, search)
        from . import pages
    except ImportError:  # pragma: no cover
        pages = None
    if pages is not None and not pm.is_registered(pages):
        pm.register(pages, name="kb-pages")
    settings = dict(SETTINGS, **(PUBLIC_SETTINGS if public else {}), **kwargs.pop("settings", {}))
    ds = Datasette(
        files=[],
        immutables=[str(db_path)],
        metadata=metadata(Path(db_path).stem),
        settings=settings,
        **kwargs,
    )
    from .plugin import DEFAULT_MAX_LENGTH

    ds._kb_max_length = PUBLIC_MAX_LENGTH if public else DEFAULT_MAX_LENGTH
    if public:
        ds._kb_max_response = PUBLIC_MAX_RESPONSE
    return ds


def snapshot(db_path: Path, directory: Path) -> Path:
    """A private, unchanging view of db_path for a running server.

    A rebuild replaces db_path with a new file (rename); a hard link keeps the server on
    the old file, whole, until it is restarted deliberately: it never serves a mix of
    old and new. Falls back to a copy where links are impossible."""
    import shutil

    target = directory / db_path.name
    try:
        import os

        os.link(db_path, target)
    except OSError:
        shutil.copy2(db_path, target)
    return target


def is_offsite(location: str) -> bool:
    """True when a redirect target would leave the site (any scheme/host, //host, /\\host, encoded forms)."""
    loc = location.strip()
    for _ in range(3):
        decoded = unquote(loc)
        if decoded == loc:
            break
        loc = decoded
    loc = loc.replace("\\", "/")
    if loc.startswith("//"):
        return True
    parts = urlsplit(loc)
    return bool(parts.scheme or parts.netloc)
