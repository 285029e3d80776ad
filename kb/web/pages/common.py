"""What every page of the research desk shares: templates, helpers, the footer, the as-of date.

One truth: status is never computed in kb/web.  Every status shown is read from SQL (the
status_intervals table, and the query texts of kb.query that `kb status`, `kb obligations`
and the stored queries run).  Pages only fetch rows, group them for display and render them
with autoescaping Jinja templates (data text is never marked safe).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable
from urllib.parse import urlencode

from datasette.utils.asgi import Response
from jinja2 import Environment, FileSystemLoader, pass_context
from markupsafe import Markup, escape

from ...query import citation as C
from ...query.citation_ko import note_sentences_ko
from .. import i18n
from ...query import sql as query_sql
from ...query.base import name_key
from .cells import GLOBALS as CELLS
from .cells import excerpt
from . import record
from .reasons import reason_words
from .record import STATUS_LABELS

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

WEB = Path(__file__).resolve().parent.parent
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"

HOME_STATE = "PRK"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SEARCH_LIMIT = 100

STATUS_ORDER = ["party", "signatory", "withdrawn", "not_party", "not_applicable", "not_yet_adopted", "unknown"]

RESERVATION_TYPES = ("reservation", "withdrawal_of_reservation", "partial_withdrawal_of_reservation")
DECLARATION_TYPES = ("declaration", "withdrawal_of_declaration")
OBJECTION_TYPES = ("objection", "withdrawal_of_objection")
COMPETENCE_TYPES = ("competence_declaration", "withdrawal_of_competence_declaration", "opt_out", "withdrawal_of_opt_out")

# The data's as-at date, the default date of every page: kb/query/sql/data_date.sql, the text
# `kb status` and kb.query read for the same default.
DEFAULT_AS_OF_SQL = query_sql("data_date")

# The number of parties at each year-end up to :end, the as-of date or the record's end
# (the instrument's known_to) if that is earlier: a count past the record is not drawn.
PARTIES_OVER_TIME_SQL = """
WITH RECURSIVE bounds AS (
    SELECT CAST(substr(min(valid_from), 1, 4) AS INTEGER) - 1 AS y0
    FROM status_intervals
    WHERE instrument_id = :instrument AND status = 'party' AND valid_from IS NOT NULL
),
years(y) AS (
    SELECT y0 FROM bounds WHERE y0 IS NOT NULL AND printf('%04d-12-31', y0) < :end
    UNION ALL
    SELECT y + 1 FROM years WHERE printf('%04d-12-31', y + 1) < :end
),
points(d) AS (
    SELECT printf('%04d-12-31', y) FROM years
    UNION
    SELECT :end
)
SELECT d AS date,
       (SELECT count(*) FROM status_intervals si
         WHERE si.instrument_id = :instrument AND si.status = 'party'
           AND (si.valid_from IS NULL OR si.valid_from <= d)
           AND (si.valid_to IS NULL OR si.valid_to > d)) AS parties
FROM points
ORDER BY d
"""

ACTION_COLUMNS = """
a.id, a.key, a.state_id, st.name AS state_name, a.instrument_id, i.short_title AS instrument_title,
a.type, a.date, a.effective_date, a.legal_effect, a.article, a.target_state_id, ts.name AS target_state_name,
a.text, a.summary, a.footnote_text, a.unverified, a.origin,
src.url AS source_url, src.title AS source_title, src.as_at AS source_as_at, src.symbol AS source_symbol,
src.footnote AS source_footnote, src.note AS source_note
"""
ACTION_JOINS = """
JOIN states st ON st.id = a.state_id
JOIN instruments i ON i.id = a.instrument_id
LEFT JOIN states ts ON ts.id = a.target_state_id
LEFT JOIN sources src ON src.id = a.source_id
"""


# --------------------------------------------------------------------------- templates

def _words(text: str | None) -> str:
    """English words of a vocabulary in the page's language ('' and None stay empty: gettext('') is the
    catalogue's header)."""
    return i18n.gettext(text) if text else (text or "")


def _status_label(status: str | None) -> str:
    # A status this site has no words for yet is still said in words, never as its code.
    return _words(STATUS_LABELS.get(status or "", (status or "").replace("_", " ").capitalize()))


def common_source(rows, prefix: str = "source_") -> dict | None:
    """The source most rows of a table share (the same page and as-at date), to state once
    above the table; each row then names only what differs (kb_macros.html row_source)."""
    counts: dict[tuple, int] = {}
    first: dict[tuple, dict] = {}
    for r in rows:
        key = (r.get(prefix + "url"), r.get(prefix + "as_at"))
        if key[0]:
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, r)
    if not counts:
        return None
    key = max(counts, key=lambda k: counts[k])
    r = first[key]
    return {"url": key[0], "as_at": key[1], "title": r.get(prefix + "title")}


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(Environment):
    """Jinja's environment, with ``row.column`` on a dict looked up as ``row['column']`` first.

    Jinja tries ``getattr(row, 'column')`` and, when that raises AttributeError, ``row['column']``;
    the rows pages render are dicts, so every cell paid for a raised exception. A plain dict has no
    attributes but its methods, so looking up a name that is not one of them as an item first gives
    the same answers: ``groups.items()`` is still the method, a missing key still undefined."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def undocs_links(symbol: str | None) -> Markup | str:
    """A symbol field with each UN document it names linked in the UN's official document system, in
    English ('CRPD/C/PRK/CO/1' -> a link to https://undocs.org/en/CRPD/C/PRK/CO/1); a field that names no
    single document (a range of summary records, free text) is shown as it is."""
    if not symbol:
        return ""
    symbols = C.un_symbols(symbol)
    # The link's title in the page's language (an apostrophe needs no escape inside a double-quoted attribute).
    title = Markup(str(escape(i18n.gettext("%(symbol)s in the UN's official document system (English)")))
                   .replace("&#39;", "'"))
    links = [Markup('<a href="{}" rel="noopener" hreflang="en" title="{}">{}</a>').format(
        C.undocs_url(s), title % {"symbol": s}, s) for s in symbols]
    if not links:
        return symbol
    out, rest = Markup(""), symbol
    for s, link in zip(symbols, links):  # each symbol linked where it stands in the field
        before, _, rest = rest.partition(s)
        out += escape(before) + link
    return out + escape(rest)


@pass_context
def state_name(context, state_id: str | None, english: str | None = None) -> str:
    """A state's name in the page's language (CLDR's, from the build's state_names), else the English name
    given (the depositary's), else the id: {{ r.state|state_name(r.state_name) }}."""
    return context.get("local_names", {}).get(state_id) or english or state_id or ""


def _env() -> Environment:
    env = _Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                       extensions=["jinja2.ext.i18n"])
    # Words a reader sees are marked for translation: {{ _("Parties") }}, {% trans %}…{% endtrans %}.
    # They are looked up in the catalogue of the request's language (kb/web/i18n.py); without one
    # (or for a word not yet translated) they read as written (English).
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    env.filters["date"] = i18n.format_date  # in the page's language: "6 December 2016", "2016년 12월 6일"
    env.filters["number"] = i18n.format_number
    env.filters["state_name"] = state_name
    env.filters["human"] = lambda v: _words(C.humanize(v))
    env.filters["status_label"] = _status_label
    env.filters["as_recorded"] = record.as_recorded
    env.filters["instrument_kind"] = record.instrument_kind
    env.filters["reader_note"] = record.reader_note
    env.filters["reader_words"] = record.reader_words
    env.filters["reason_words"] = reason_words  # reasons.py: views.sql's words, in the page's language
    env.filters["reader_title"] = lambda english, inst: _reader_title(english, inst)  # defined below
    env.filters["note_text"] = lambda v: C.note_sentences(v) if i18n.current_lang() != "ko" else note_sentences_ko(v)
    env.filters["mechanism"] = lambda v: _words(C.MECHANISMS.get(v or "", v or ""))
    env.filters["mandate"] = lambda v: _words(C.MANDATES.get(v or "", v or ""))
    env.filters["source_kind"] = lambda v: f"({_words(C.SOURCE_KINDS[v])})" if v in C.SOURCE_KINDS else ""
    env.filters["common_source"] = common_source
    env.filters["excerpt"] = excerpt
    env.filters["undocs_links"] = undocs_links
    env.globals.update(CELLS)
    return env


ENV = _env()


def compile_templates() -> None:
    """Compile every template once (at server start), so that no reader's request pays for it."""
    for name in ENV.list_templates(extensions=["html"]):
        ENV.get_template(name)


def render(name: str, status: int = 200, **context: Any) -> Response:
    # A page's links to country pages keep the date asked for: "{{ country_path }}{{ id }}{{ as_of_q }}"
    # is path('/country/' ~ id, {'as_of': requested}) without a call per link (a page has a thousand).
    requested = context.get("requested")
    context.setdefault("as_of_q", "?" + urlencode({"as_of": requested}) if requested else "")
    context.update(language_context(context.get("base_url", "/")))
    return Response.html(ENV.get_template(name).render(**context), status=status)


def language_context(base_url: str = "/") -> dict:
    """The page's language (<html lang>) and the same page in each language, with its query (the date asked
    about): <link rel="alternate" hreflang> and the language switch (kb_base.html)."""
    lang = i18n.current_lang()
    page = i18n.PAGE.get()
    alternates = []
    if page is not None:
        rest, query = page
        for other in i18n.LANGUAGES:
            href = base_url + i18n.prefix(other) + rest.lstrip("/") + ("?" + query if query else "")
            alternates.append({"lang": other, "href": href, "name": i18n.NATIVE_NAMES[other], "current": other == lang})
    return {"lang": lang, "alternates": alternates,
            "default_alternate": next((a for a in alternates if a["lang"] == i18n.DEFAULT), None)}


# --------------------------------------------------------------------------- helpers

def _db(datasette):
    return datasette.get_database()


async def _rows(db, sql: str, params: dict | tuple | None = None) -> list[dict]:
    res = await db.execute(sql, params or {})
    return [dict(r) for r in res.rows]


class Reader:
    """A page's queries, run one after the other on one connection in the database's thread (_batch)."""

    def __init__(self, conn) -> None:  # noqa: ANN001
        self.conn = conn

    def rows(self, sql: str, params: dict | tuple | None = None) -> list[dict]:
        # Plain tuples zipped with the column names: dict(sqlite3.Row) costs five times as much.
        cur = self.conn.cursor()
        cur.row_factory = None
        cur.execute(sql, params or {})
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def one(self, sql: str, params: dict | tuple | None = None) -> dict | None:
        rows = self.rows(sql, params)
        return rows[0] if rows else None


#: Threads that run the pages' queries (_batch), apart from Datasette's SQL threads.
PAGE_THREADS = 2


def _page_executor(datasette) -> "ThreadPoolExecutor":
    executor = getattr(datasette, "_kb_page_executor", None)
    if executor is None:
        from concurrent.futures import ThreadPoolExecutor

        executor = datasette._kb_page_executor = ThreadPoolExecutor(PAGE_THREADS, thread_name_prefix="kb-pages")
    return executor


async def _page_trip(db, run: Callable[[sqlite3.Connection], Any]) -> Any:
    """run(conn) on one of the pages' own threads and connections (prepared as Datasette prepares
    its own: same limits and functions): a reader's arbitrary SQL, which runs on Datasette's
    threads, never makes a page wait for a thread.  Without threads (num_sql_threads 0):
    Datasette's connection."""
    if db.ds.executor is None:
        return await db.execute_fn(run)
    conns = db.__dict__.setdefault("_kb_page_conns", {})

    def in_thread():  # noqa: ANN202
        conn = conns.get(threading.get_ident())
        if conn is None:
            conn = conns[threading.get_ident()] = db.connect()
            db.ds._prepare_connection(conn, db.name)
        return run(conn)

    return await asyncio.get_running_loop().run_in_executor(_page_executor(db.ds), in_thread)


async def open_page_connections(db) -> None:
    """Start the page threads and open their connections (at server start: SQLite reads the schema
    on a connection's first query, which no reader's first page should wait for)."""
    if db.ds.executor is None:
        return
    barrier = threading.Barrier(PAGE_THREADS, timeout=5)

    def warm(conn):  # noqa: ANN001, ANN202
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        try:
            barrier.wait()  # each thread holds one call, so each opens its own connection
        except threading.BrokenBarrierError:
            pass

    await asyncio.gather(*(_page_trip(db, warm) for _ in range(PAGE_THREADS)))


async def _batch(db, fn: Callable[[Reader], Any]) -> Any:
    """fn(Reader) in one trip to a page thread (_page_trip), under the server's time limit.

    Every ``db.execute`` is a trip from the event loop to a thread and back, which costs
    0.2-0.5 ms of waiting on a busy machine; a page of twenty queries pays that twenty times.
    An interrupted query raises Datasette's QueryInterrupted, as it would from db.execute."""
    from datasette.database import QueryInterrupted
    from datasette.utils import sqlite_timelimit

    limit = db.ds.sql_time_limit_ms

    def run(conn):  # noqa: ANN001, ANN202
        with sqlite_timelimit(conn, limit):
            try:
                return fn(Reader(conn))
            except sqlite3.OperationalError as exc:
                if exc.args == ("interrupted",):
                    raise QueryInterrupted(exc, "(a page's queries)", {}) from None
                raise

    return await _page_trip(db, run)


async def _snapshot_memo(db, key: str, make: Callable[[], Awaitable[Any]]) -> Any:
    """make()'s answer, computed once per served database: kb serve serves an immutable snapshot,
    so what depends only on the data (the instruments, the data's date, the footer) is read once,
    not on every request. A mutable database is read every time. The answer is shared: read-only."""
    if db.is_mutable:
        return await make()
    memo = db.__dict__.setdefault("_kb_memo", {})
    if key not in memo:
        memo[key] = await make()
    return memo[key]


async def _one(db, sql: str, params: dict | tuple | None = None) -> dict | None:
    rows = await _rows(db, sql, params)
    return rows[0] if rows else None


async def _has_table(db, name: str) -> bool:
    return await _snapshot_memo(db, "table:" + name, lambda: _has_table_now(db, name))


async def _has_table_now(db, name: str) -> bool:
    return bool(await _rows(db, "SELECT 1 FROM sqlite_master WHERE name = ?", (name,)))


async def default_as_of(db) -> str:
    async def read() -> str | None:
        row = await _one(db, DEFAULT_AS_OF_SQL)
        return row and list(row.values())[0]

    # The data's date is the snapshot's; today (where the data has none) is asked every time.
    return await _snapshot_memo(db, "default_as_of", read) or dt.date.today().isoformat()


def _valid_date(value: str) -> bool:
    if not DATE_RE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _path(datasette, path: str, query: dict | None = None) -> str:
    """An on-site path (relative to the site root, honouring base_url): what ``datasette.urls.path``
    gives, as a plain string (its PrefixedUrlString costs a ``dir(str)`` on every method call,
    and a page builds a thousand of these)."""
    # A page's links to pages stay in its language (/ko/...); data (JSON, CSV, feeds, the database), static
    # files and Datasette's own pages are one for every language (i18n.is_page).
    path = path.lstrip("/")
    p = datasette.setting("base_url") + (i18n.prefix() + path if i18n.is_page(path) else path)
    if query:
        q = {k: v for k, v in query.items() if v not in (None, "")}
        if q:
            p += "?" + urlencode(q)
    return p


def _redirect(datasette, path: str, query: dict | None = None) -> Response:
    return Response.redirect(_path(datasette, path, query), status=302)


async def _footer(db) -> dict:
    """Licence, and the sources with their as-at dates, for every page's footer (read once per snapshot)."""
    return await _snapshot_memo(db, "footer", lambda: _footer_now(db))


async def _footer_now(db) -> dict:
    from ..metadata import LICENSE, LICENSE_URL

    groups: OrderedDict[tuple, dict] = OrderedDict()
    for r in await _rows(db, """
        SELECT s.title, s.as_at, s.note, i.regime, count(*) AS n
        FROM instruments i JOIN sources s ON s.id = i.status_source_id
        GROUP BY s.title, s.as_at ORDER BY min(i.sort_order)"""):
        key = (C.publisher(r["title"]), r["as_at"])
        g = groups.setdefault(key, {"publisher": key[0], "as_at": key[1], "n": 0,
                                    "pointer": bool(r["note"] and "Pointer only" in r["note"])})
        g["n"] += r["n"]
    members = await _rows(db, """
        SELECT m.organization, s.title, s.url, s.as_at, count(*) AS n
        FROM memberships m JOIN sources s ON s.id = m.source_id
        GROUP BY m.organization, s.title, s.as_at ORDER BY m.organization, n DESC""")
    info = {r["key"]: r["value"] for r in await _rows(db, "SELECT key, value FROM build_info")}
    return {"license": LICENSE, "license_url": LICENSE_URL, "status_sources": list(groups.values()),
            "membership_sources": members, "build": info}


SITE_FEEDS = (("/changes.atom", "application/atom+xml", "Latest changes (Atom)"),
              ("/changes.json", "application/feed+json", "Latest changes (JSON Feed)"))


def feed_links(datasette, extra: tuple = ()) -> list[dict]:
    """The feeds a page advertises (<link rel="alternate">): the site's, then the page's own."""
    return [{"href": _path(datasette, href), "type": typ, "title": title} for href, typ, title in (*extra, *SITE_FEEDS)]


def _server_url(datasette, path: str | None) -> str | None:
    """An on-site path to what needs a running server (search, SQL, tables, other dates) as it is
    on the live site; in a static export, the same path on the live site given to `kb export-site
    --live-url`, or None (the template leaves the link out and says so)."""
    export = getattr(datasette, "_kb_export", None)
    if export is None or path is None:
        return path
    if not export.get("live_url"):
        return None
    return export["live_url"].rstrip("/") + path


def _server(datasette, path: str, query: dict | None = None) -> str | None:
    return _server_url(datasette, _path(datasette, path, query))


async def _base_context(datasette, request, title: str) -> dict:
    db = _db(datasette)
    footer = await _footer(db)
    version = footer["build"].get("version")
    return {
        "title": title,
        "base_url": datasette.setting("base_url"),
        # The states' names in the page's language ({{ id|state_name(english) }}); {} on English pages.
        "local_names": (await _state_names(db)).get(i18n.current_lang(), {}) if i18n.current_lang() != i18n.DEFAULT else {},
        "db_name": db.name,
        "feeds": feed_links(datasette),
        "version": version,
        "db_download": _path(datasette, f"/download/{db.name}-{version}.db") if version else _path(datasette, f"/{db.name}.db"),
        "db_download_name": f"{db.name}-{version}.db" if version else f"{db.name}.db",
        "footer": footer,
        "path": lambda p, q=None: _path(datasette, p, q),
        "country_path": _path(datasette, "/country/"),
        "server": lambda p, q=None: _server(datasette, p, q),
        "static": lambda f: _path(datasette, f"-/kb-static/{f}"),
        # Set by kb/web/export.py: {"live_url": URL or None, "as_of": the data's as-at date}.
        "static_export": getattr(datasette, "_kb_export", None),
    }


async def _error(datasette, request, status: int, heading: str, message: str, **extra) -> Response:
    ctx = await _base_context(datasette, request, heading)
    ctx.update(heading=heading, message=message, **extra)
    return render("kb_error.html", status=status, **ctx)


async def _as_of(datasette, request) -> tuple[str | None, str, Response | None]:
    """(as_of requested or None, as_of used, error response)."""
    db = _db(datasette)
    default = await default_as_of(db)
    raw = (request.args.get("as_of") or "").strip()
    if not raw:
        return None, default, None
    if not _valid_date(raw):
        return raw, default, await _error(
            datasette, request, 400, i18n.gettext("Not a date"),
            i18n.gettext("The date to show status on (as of) must be written YYYY-MM-DD (for example %(date)s).")
            % {"date": default})
    return raw, raw, None


async def _status_rows(db, as_of: str, states: str = "", instruments: str = "") -> list[dict]:
    rows = await _rows(db, query_sql("status_on"), {"as_of": as_of, "states": states, "instruments": instruments})
    return await _mark(db, rows)


async def _source_kinds(db) -> dict[tuple, str]:
    """{(url, as_at): kind} of the sources (read once per snapshot; shared: read-only)."""
    async def read() -> dict[tuple, str]:
        return record.source_kinds(await _rows(db, record.SOURCES_SQL))
    return await _snapshot_memo(db, "source_kinds", read)


async def _mark(db, rows: list[dict]) -> list[dict]:
    """Status rows with the words of the record's end and of a secondary source (record.mark)."""
    return record.mark(rows, await _instruments(db), await _source_kinds(db))


async def _states(db) -> dict[str, dict]:
    """Every state's row by id (read once per snapshot; shared: read-only)."""
    async def read() -> dict[str, dict]:
        return {r["id"]: r for r in await _rows(db, "SELECT * FROM states")}
    return await _snapshot_memo(db, "states", read)


async def _state_names(db) -> dict[str, dict[str, str]]:
    """{lang: {state id: the state's name in that language}}: CLDR's names the build wrote into state_names
    (kind cldr_name; read once per snapshot; shared: read-only). A database built before it: {}."""
    async def read() -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        try:
            for r in await _rows(db, "SELECT lang, state_id, name FROM state_names WHERE kind = 'cldr_name'"):
                out.setdefault(r["lang"], {})[r["state_id"]] = r["name"]
        except sqlite3.OperationalError:
            pass
        return out
    return await _snapshot_memo(db, "state_names", read)


async def _instruments(db) -> "OrderedDict[str, dict]":
    """Every instrument by id, in order (read once per snapshot; shared: read-only)."""
    return await _snapshot_memo(db, "instruments", lambda: _instruments_now(db))


async def _instruments_now(db) -> "OrderedDict[str, dict]":
    out: OrderedDict[str, dict] = OrderedDict()
    for r in await _rows(db, "SELECT * FROM instruments ORDER BY sort_order"):
        r["unts"] = C.unts_reference(r)
        r["titles"] = {}  # {lang: the official translation of the title} (instrument_titles)
        out[r["id"]] = r
    if await _has_table(db, "instrument_titles"):
        for t in await _rows(db, "SELECT instrument_id, lang, title FROM instrument_titles"):
            if t["instrument_id"] in out:
                out[t["instrument_id"]]["titles"][t["lang"]] = t["title"]
    return out


def _reader_title(english: str, inst: dict | None) -> str:
    """Filter: an instrument's title in the page's language (record.reader_title), from its row of _instruments."""
    return record.reader_title(english, ((inst or {}).get("titles") or {}).get(i18n.current_lang()))


async def _obligations(db, state_id: str, as_of: str) -> tuple[list[dict] | None, str | None]:
    """Rows of kb/query/sql/obligations_on.sql, or (None, why not)."""
    has_procedures = await _has_table(db, "procedures")
    return await _batch(db, lambda q: obligations_on(q, state_id, as_of, has_procedures))


def obligations_on(q: Reader, state_id: str, as_of: str, has_procedures: bool) -> tuple[list[dict] | None, str | None]:
    """_obligations inside a batch."""
    if not has_procedures:
        return None, ("Obligations (optional procedures and reservations in force) are not available: this database "
                      "has no procedures table; rebuild it with `kb build`.")
    try:
        return q.rows(query_sql("obligations_on"), {"state": state_id, "as_of": as_of}), None
    except sqlite3.OperationalError as exc:  # e.g. a database built before the procedures table existed
        if exc.args == ("interrupted",):  # the page's time is up: _batch says so
            raise
        return None, f"Obligations (optional procedures and reservations in force) are not available in this database ({exc}); rebuild it with `kb build`."


def _group_status(rows: list[dict]) -> "OrderedDict[str, list[dict]]":
    groups: OrderedDict[str, list[dict]] = OrderedDict((s, []) for s in STATUS_ORDER)
    for r in rows:
        groups.setdefault(r["status"], []).append(r)
    return OrderedDict((k, v) for k, v in groups.items() if v)


async def _resolve_state(db, raw: str) -> str | None:
    row = await _one(db, query_sql("resolve_state"), {"name": name_key(raw)})
    return row["state_id"] if row else None


# --------------------------------------------------------------------------- chart (instrument pages)

def parties_chart(points: list[dict], width: int = 640, height: int = 240) -> dict | None:
    """Coordinates for an inline SVG step chart of the number of parties (counts come from SQL)."""
    if not points:
        return None
    left, right, top, bottom = 48, 16, 16, 32
    years = [int(p["date"][:4]) + (int(p["date"][5:7]) - 1) / 12 + (int(p["date"][8:10]) - 1) / 365 for p in points]
    x0, x1 = min(years), max(years)
    if x1 == x0:
        x1 = x0 + 1
    ymax = max(p["parties"] for p in points) or 1
    step = 1
    for s in (1, 2, 5, 10, 20, 25, 50, 100):
        step = s
        if ymax / s <= 6:
            break
    ytop = ((ymax + step - 1) // step) * step

    def sx(x: float) -> float:
        return round(left + (x - x0) / (x1 - x0) * (width - left - right), 1)

    def sy(y: float) -> float:
        return round(top + (1 - y / ytop) * (height - top - bottom), 1)

    coords = []
    prev_y = None
    for x, p in zip(years, points):
        if prev_y is not None:
            coords.append((sx(x), sy(prev_y)))
        coords.append((sx(x), sy(p["parties"])))
        prev_y = p["parties"]
    span = int(x1) - int(x0)
    xstep = 1 if span <= 10 else 5 if span <= 40 else 10
    xticks = [{"x": sx(y), "label": str(y)} for y in range(int(x0) + 1, int(x1) + 1) if y % xstep == 0]
    yticks = [{"y": sy(v), "label": str(v)} for v in range(0, ytop + 1, step)]
    return {
        "width": width, "height": height, "left": left, "right": width - right, "top": top, "bottom": height - bottom,
        "points": " ".join(f"{x},{y}" for x, y in coords),
        "xticks": xticks, "yticks": yticks,
        "last": points[-1], "first": points[0],
    }
