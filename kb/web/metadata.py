"""What the site says about the database: licence, sources, table and column descriptions
(read from the database's own table_docs, written by the build from the models), facets and the
stored queries (the SQL texts of kb.query)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from ..query import sql as query_sql

LICENSE = "CC BY 4.0 (compilation); code Apache-2.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
SOURCE = "UN Treaty Collection (status as at 3 February 2026); ILO member States (February 2025); UN Charter tables (March 2015)"
SOURCE_URL = "https://treaties.un.org/Pages/Treaties.aspx?id=4&subid=A&clang=_en"

FACETS = {
    "actions": ["type", "instrument_id", "origin", "legal_effect"],
    "status_intervals": ["status", "instrument_id"],
    "latest_status": ["status", "instrument_id"],
    "states": ["kind"],
    "instruments": ["regime", "kind"],
    "memberships": ["organization", "member"],
    "vocabulary": ["vocabulary"],
    "consent_in_force": ["basis", "instrument_id"],
    "treaty_provisions": ["instrument_id"],
}

FTS = {
    "actions": ("actions_fts", "id"),  # ?_search= over reservation, declaration and footnote texts
    "treaty_provisions": ("treaty_provisions_fts", "id"),  # ?_search= over the treaties' texts
}

SORT = {
    "actions": "date",
    "instruments": "sort_order",
    "treaty_provisions": "id",
}


def canned_queries() -> dict[str, Any]:
    return {
        "status_on": {
            "title": "Status on a date",
            "description": "Status of states on instruments on a date (YYYY-MM-DD). "
                           "states / instruments: comma-separated ids, or empty for all. in_force_date: the date the instrument "
                           "binds the state; in_force: 1 bound on the date, 0 not (yet), empty unknown. The same SQL as `kb status`.",
            "sql": query_sql("status_on"),
        },
        "obligations_on": {
            "title": "Obligations of a state on a date",
            "description": "Every obligation of every instrument for one state (alpha-3) on a date: instruments, "
                           "optional procedures and reservations, accepted or not, with the reason; since: the date the obligation "
                           "binds, deposit_date: the deposit. The same SQL as `kb obligations`.",
            "sql": query_sql("obligations_on"),
        },
        "panel": {
            "title": "Country-year panel",
            "description": "One row per state × instrument × year: the status on 31 December of each year from `from` to "
                           "`to` (YYYY), and the consent date; years before an instrument's adoption are left out. "
                           "states / instruments: comma-separated ids, or empty for all. The same SQL as `kb panel`; "
                           "codebook in docs/PANEL.md. Use .csv for the whole panel (JSON pages are capped).",
            "sql": query_sql("panel"),
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
        "engagement": {
            "title": "Engagement with UN mechanisms, for a state",
            "description": "A state's (alpha-3) reports, reviews, concluding observations, UPR reviews and visits held, "
                           "refused or unanswered, newest first, each with its source and the source's kind. The same SQL as `kb engagement`.",
            "sql": query_sql("engagement"),
        },
        "reporting_status": {
            "title": "Reporting status of a state on a date",
            "description": "For each treaty with a UN treaty body the state (alpha-3) is a party to on the date (YYYY-MM-DD): "
                           "last report, last review, last concluding observations, next report due where a source states it, "
                           "and overdue / not_yet_due / unknown (never overdue from silence). The same SQL as `kb reporting`.",
            "sql": query_sql("reporting_status"),
        },
        "reservations": {
            "title": "Reservations, declarations and objections by article",
            "description": "Reservations, declarations, opt-outs and competence declarations on a date (YYYY-MM-DD), one row "
                           "per statement and article it names: article (normalised, e.g. 29(1); empty for the instrument as "
                           "a whole or where the record names none, see scope), article_as_given (the depositary's), "
                           "in_force (1, 0, empty: not determined), the words and the objections (JSON: state, date). "
                           "states: comma-separated ids or empty for all; instrument: an id or empty; article: e.g. 16 finds "
                           "16(1)(h), 29(1) finds article 29 as a whole, and both find statements on the whole instrument. "
                           "The same SQL as `kb reservations`.",
            "sql": query_sql("reservations"),
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


def table_docs(db_path: Path) -> dict[str, dict[str, Any]]:
    """{table: {"description": ..., "columns": {column: description}}} from the database's table_docs."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT table_name, column_name, description FROM table_docs ORDER BY rowid").fetchall()
    except sqlite3.DatabaseError:  # not built by this version: no descriptions, the site still works
        rows = []
    finally:
        conn.close()
    out: dict[str, dict[str, Any]] = {}
    for table, column, description in rows:
        entry = out.setdefault(table, {"description": "", "columns": {}})
        if column:
            entry["columns"][column] = description
        else:
            entry["description"] = description
    return out


def metadata(db_path: Path) -> dict[str, Any]:
    db_name = Path(db_path).stem
    tables: dict[str, Any] = {}
    for name, doc in table_docs(Path(db_path)).items():
        entry: dict[str, Any] = {"description": doc["description"]}
        if doc["columns"]:
            entry["columns"] = doc["columns"]
        if name in FACETS:
            entry["facets"] = FACETS[name]
        if name in SORT:
            entry["sort"] = SORT[name]
        if name in FTS:
            entry["fts_table"], entry["fts_pk"] = FTS[name]
        tables[name] = entry
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
