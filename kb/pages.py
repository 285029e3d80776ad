"""The research desk: country profiles, instrument pages, a home page and search.

A Datasette plugin module (registered by kb.site.make_datasette).  One truth:
status is never computed here.  Every status shown is read from SQL: the
status_intervals table, kb/sql/status_on.sql and kb/sql/obligations_on.sql
(the same texts as `kb status`, `kb obligations` and the stored queries).
This module only fetches rows, groups them for display and renders them with
autoescaping Jinja templates (data text is never marked safe).

Routes:
  /                      home: the DPRK at a glance, search, stored queries, downloads, tables
  /country               ?state=<id or name>: redirect to /country/<ID>
  /country/<ISO3>        country profile (?as_of=YYYY-MM-DD)
  /instrument            list of instruments
  /instrument/<ID>       instrument page (?as_of=YYYY-MM-DD)
  /search                ?q=...: full-text search of instrument titles and action texts
  /-/kb-static/<file>    CSS for these pages
"""

from __future__ import annotations

import json

import datetime as dt
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response, asgi_static
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from . import cite as C
from .build import query_sql

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
SQL_DIR = HERE / "sql"

HOME_STATE = "PRK"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SEARCH_LIMIT = 100

STATUS_LABELS = {
    "party": "Party",
    "signatory": "Signatory (not a party)",
    "not_party": "Not a party",
    "withdrawn": "Withdrawn",
    "not_applicable": "Not applicable",
    "unknown": "Unknown",
}
STATUS_ORDER = ["party", "signatory", "withdrawn", "not_party", "not_applicable", "unknown"]

RESERVATION_TYPES = ("reservation", "withdrawal_of_reservation", "partial_withdrawal_of_reservation")
DECLARATION_TYPES = ("declaration", "withdrawal_of_declaration")
OBJECTION_TYPES = ("objection", "withdrawal_of_objection")
COMPETENCE_TYPES = ("competence_declaration", "withdrawal_of_competence_declaration", "opt_out", "withdrawal_of_opt_out")

# The data's as-at date: the latest as-at date of a status source that records status
# (an instrument with coverage rows); ILO pointers record no status, so their
# recording date is not the data's date.
DEFAULT_AS_OF_SQL = """
SELECT coalesce(
    (SELECT max(i.status_as_at) FROM instruments i
      WHERE length(i.status_as_at) = 10
        AND EXISTS (SELECT 1 FROM coverage c WHERE c.instrument_id = i.id)),
    (SELECT max(status_as_at) FROM instruments WHERE length(status_as_at) = 10))
"""

PARTIES_OVER_TIME_SQL = """
WITH RECURSIVE bounds AS (
    SELECT CAST(substr(min(valid_from), 1, 4) AS INTEGER) - 1 AS y0
    FROM status_intervals
    WHERE instrument_id = :instrument AND status = 'party' AND valid_from IS NOT NULL
),
years(y) AS (
    SELECT y0 FROM bounds WHERE y0 IS NOT NULL AND printf('%04d-12-31', y0) < :as_of
    UNION ALL
    SELECT y + 1 FROM years WHERE printf('%04d-12-31', y + 1) < :as_of
),
points(d) AS (
    SELECT printf('%04d-12-31', y) FROM years
    UNION
    SELECT :as_of
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

def _status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "")


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
    env.filters["date"] = C.format_date
    env.filters["human"] = C.humanize
    env.filters["status_label"] = _status_label
    env.filters["note_text"] = C.note_sentences
    return env


ENV = _env()


def render(name: str, status: int = 200, **context: Any) -> Response:
    return Response.html(ENV.get_template(name).render(**context), status=status)


# --------------------------------------------------------------------------- helpers

def _db(datasette):
    return datasette.get_database()


async def _rows(db, sql: str, params: dict | tuple | None = None) -> list[dict]:
    res = await db.execute(sql, params or {})
    return [dict(r) for r in res.rows]


async def _one(db, sql: str, params: dict | tuple | None = None) -> dict | None:
    rows = await _rows(db, sql, params)
    return rows[0] if rows else None


async def _has_table(db, name: str) -> bool:
    return bool(await _rows(db, "SELECT 1 FROM sqlite_master WHERE name = ?", (name,)))


async def default_as_of(db) -> str:
    row = await _one(db, DEFAULT_AS_OF_SQL)
    value = row and list(row.values())[0]
    return value or dt.date.today().isoformat()


def _valid_date(value: str) -> bool:
    if not DATE_RE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _path(datasette, path: str, query: dict | None = None) -> str:
    """An on-site path (relative to the site root, honouring base_url)."""
    p = datasette.urls.path(path.lstrip("/"))
    if query:
        q = {k: v for k, v in query.items() if v not in (None, "")}
        if q:
            p += "?" + urlencode(q)
    return p


def _redirect(datasette, path: str, query: dict | None = None) -> Response:
    return Response.redirect(_path(datasette, path, query), status=302)


async def _footer(db) -> dict:
    """Licence, and the sources with their as-at dates, for every page's footer."""
    from .site import LICENSE, LICENSE_URL

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


async def _base_context(datasette, request, title: str) -> dict:
    db = _db(datasette)
    return {
        "title": title,
        "db_name": db.name,
        "footer": await _footer(db),
        "path": lambda p, q=None: _path(datasette, p, q),
        "static": lambda f: _path(datasette, f"-/kb-static/{f}"),
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
            datasette, request, 400, "Not a date",
            f"as_of must be a date written YYYY-MM-DD (for example {default}).")
    return raw, raw, None


async def _status_rows(db, as_of: str, states: str = "", instruments: str = "") -> list[dict]:
    return await _rows(db, query_sql("status_on"), {"as_of": as_of, "states": states, "instruments": instruments})


async def _instruments(db) -> "OrderedDict[str, dict]":
    out: OrderedDict[str, dict] = OrderedDict()
    for r in await _rows(db, "SELECT * FROM instruments ORDER BY sort_order"):
        r["unts"] = C.unts_reference(r)
        out[r["id"]] = r
    return out


async def _obligations(db, state_id: str, as_of: str) -> tuple[list[dict] | None, str | None]:
    """Rows of kb/sql/obligations_on.sql, or (None, why not)."""
    if not (SQL_DIR / "obligations_on.sql").exists():
        return None, "Obligations (optional procedures and reservations in force) are not available: kb/sql/obligations_on.sql is missing."
    if not await _has_table(db, "procedures"):
        return None, ("Obligations (optional procedures and reservations in force) are not available: this database "
                      "has no procedures table; rebuild it with `kb build`.")
    try:
        return await _rows(db, query_sql("obligations_on"), {"state": state_id, "as_of": as_of}), None
    except Exception as exc:  # e.g. a database built before the procedures table existed
        return None, f"Obligations (optional procedures and reservations in force) are not available in this database ({exc}); rebuild it with `kb build`."


def _group_status(rows: list[dict]) -> "OrderedDict[str, list[dict]]":
    groups: OrderedDict[str, list[dict]] = OrderedDict((s, []) for s in STATUS_ORDER)
    for r in rows:
        groups.setdefault(r["status"], []).append(r)
    return OrderedDict((k, v) for k, v in groups.items() if v)


async def _resolve_state(db, raw: str) -> str | None:
    row = await _one(db, query_sql("resolve_state"), {"name": raw})
    return row["state_id"] if row else None


# --------------------------------------------------------------------------- chart

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


# --------------------------------------------------------------------------- search

_TERM = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"


def fts_query(q: str) -> str:
    """User text -> a safe FTS5 query: every word quoted, "phrases" kept, all terms required."""
    terms = []
    for phrase, word in _TERM.findall(q):
        words = _WORD.findall(phrase if phrase else word)
        if words:
            terms.append('"' + " ".join(words) + '"')
    return " ".join(terms)


def highlight(snippet: str | None) -> Markup:
    """Escape a snippet, then turn the match markers into <mark>."""
    if not snippet:
        return Markup("")
    out = str(escape(snippet))
    return Markup(out.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def _plain_snippet(texts: list[str | None], words: list[str], size: int = 160) -> str:
    for t in texts:
        if not t:
            continue
        low = t.lower()
        pos = min((low.find(w.lower()) for w in words if low.find(w.lower()) >= 0), default=-1)
        if pos < 0:
            continue
        start = max(0, pos - size // 2)
        piece = t[start:start + size]
        for w in sorted(set(words), key=len, reverse=True):
            piece = re.sub(re.escape(w), lambda m: MARK_OPEN + m.group(0) + MARK_CLOSE, piece, flags=re.IGNORECASE)
        return ("…" if start else "") + piece + ("…" if start + size < len(t) else "")
    return ""


def procedure_acceptance(conn, instrument_id: str, as_of: str, states: list[str]) -> list[dict]:
    """The 'procedure' rows of kb/sql/obligations_on.sql for one instrument, for each of `states`."""
    sql = query_sql("obligations_on")
    out: list[dict] = []
    for state in states:
        cur = conn.execute(sql, {"state": state, "as_of": as_of})
        cols = [d[0] for d in cur.description]
        for r in cur.fetchall():
            d = dict(zip(cols, r))
            if d["instrument"] == instrument_id and d["kind"] == "procedure":
                out.append(d)
    return out


def fts_sql() -> str:
    """The SQL that builds the full-text indexes (kb/sql/fts.sql), for the build to run."""
    return (SQL_DIR / "fts.sql").read_text()


def add_fts(db_path) -> None:
    """Apply kb/sql/fts.sql to a database file that has no FTS index yet (tests, older builds)."""
    import sqlite3

    conn = sqlite3.connect(str(db_path))
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'actions_fts'").fetchone():
            conn.executescript(fts_sql())
            conn.commit()
    finally:
        conn.close()


# --------------------------------------------------------------------------- views

async def home(datasette, request):
    db = _db(datasette)
    as_of = await default_as_of(db)
    state = await _one(db, "SELECT * FROM states WHERE id = ?", (HOME_STATE,))
    rows = await _status_rows(db, as_of, HOME_STATE) if state else []
    groups = _group_status(rows)
    accepted = groups.get("party", [])
    not_accepted = [r for s in ("signatory", "withdrawn", "not_party") for r in groups.get(s, [])]
    not_applicable = groups.get("not_applicable", [])
    unknown = groups.get("unknown", [])
    tables = await db.table_names()
    hidden = set(await db.hidden_table_names())
    views = await db.view_names()
    queries = await datasette.get_canned_queries(db.name, None)
    states = await _rows(db, "SELECT id, name FROM states ORDER BY name")
    instruments = await _instruments(db)
    ctx = await _base_context(datasette, request, "Treaty ratification knowledge base")
    ctx.update(
        as_of=as_of, state=state, accepted=accepted, not_accepted=not_accepted, not_applicable=not_applicable,
        unknown=unknown, tables=[t for t in tables if t not in hidden and not t.endswith("_fts")
                                 and not re.search(r"_fts_(data|idx|docsize|config|content)$", t)],
        views=views, queries=queries, states=states, instruments=list(instruments.values()),
        description=(datasette.metadata("description") or ""),
    )
    return render("kb_home.html", **ctx)


async def country_lookup(datasette, request):
    db = _db(datasette)
    raw = (request.args.get("state") or "").strip()
    as_of = (request.args.get("as_of") or "").strip()
    if not raw:
        return _redirect(datasette, "/")
    state_id = await _resolve_state(db, raw)
    if state_id is None:
        return await _error(datasette, request, 404, "Unknown state",
                            f"No state is known by the id or name {raw!r}. Use an ISO 3166-1 alpha-3 code (e.g. PRK), "
                            "the depositary's name or an alias.")
    return _redirect(datasette, f"/country/{state_id}", {"as_of": as_of})


async def country(datasette, request):
    db = _db(datasette)
    raw = unquote(request.url_vars["id"])
    state = await _one(db, "SELECT * FROM states WHERE id = ?", (raw,))
    if state is None:
        state_id = await _resolve_state(db, raw)
        if state_id is not None:
            return _redirect(datasette, f"/country/{state_id}", {"as_of": request.args.get("as_of")})
        return await _error(datasette, request, 404, "Unknown state",
                            f"No state has the id {raw!r}. Country pages use ISO 3166-1 alpha-3 codes, e.g. /country/PRK.")
    requested, as_of, err = await _as_of(datasette, request)
    if err:
        return err
    sid = state["id"]
    default = await default_as_of(db)
    instruments = await _instruments(db)
    memberships = await _rows(db, """
        SELECT m.*, s.url AS source_url, s.title AS source_title, s.as_at AS source_as_at, s.symbol AS source_symbol,
               s.footnote AS source_footnote, s.note AS source_note
        FROM memberships m LEFT JOIN sources s ON s.id = m.source_id
        WHERE m.state_id = ? ORDER BY m.organization, m.since_on""", (sid,))
    names = await _rows(db, "SELECT name, kind FROM state_names WHERE state_id = ? ORDER BY kind, name", (sid,))
    rows = await _status_rows(db, as_of, sid)
    citations = await db.execute_fn(lambda conn: C.citations_for_state(conn, sid, as_of))
    for r in rows:
        r["instrument_row"] = instruments.get(r["instrument"])
        r["citations"] = citations.get(r["instrument"], {})
    counts = OrderedDict((s, len(v)) for s, v in _group_status(rows).items())
    obligations, obligations_missing = await _obligations(db, sid, as_of)
    party_to = {r["instrument"] for r in rows if r["status"] == "party"}
    extra_obligations = [o for o in (obligations or []) if o["kind"] != "instrument" and o["instrument"] in party_to]
    other_obligations = [o for o in (obligations or []) if o["kind"] != "instrument" and o["instrument"] not in party_to]
    timeline = await _rows(db, f"""
        SELECT {ACTION_COLUMNS} FROM actions a {ACTION_JOINS}
        WHERE a.state_id = ? ORDER BY a.date_on, i.sort_order, a.id""", (sid,))
    targeted = await _rows(db, f"""
        SELECT {ACTION_COLUMNS} FROM actions a {ACTION_JOINS}
        WHERE a.target_state_id = ? ORDER BY a.date_on, i.sort_order, a.id""", (sid,))
    # Asked versus done: the same SQL as `kb asks` (fulfilment derived by the view ask_status).
    asks = await _rows(db, query_sql("asks"), {"state": sid}) if (SQL_DIR / "asks.sql").exists() else []
    for a in asks:
        a["by"] = ", ".join(json.loads(a["by"])) if a["by"] else ""
    ctx = await _base_context(datasette, request, f"{state['name']}: treaty status")
    ctx.update(
        asks=asks, asks_query=_path(datasette, f"/{db.name}/asks", {"state": sid}),
        state=state, names=names, memberships=memberships, rows=rows, counts=counts, as_of=as_of,
        requested=requested, default_as_of=default, obligations=extra_obligations, other_obligations=other_obligations,
        obligations_missing=obligations_missing, timeline=timeline, targeted=targeted,
        status_query=_path(datasette, f"/{db.name}/status_on", {"as_of": as_of, "states": sid, "instruments": ""}) + "&instruments=",
    )
    return render("kb_country.html", **ctx)


async def instrument_index(datasette, request):
    db = _db(datasette)
    ctx = await _base_context(datasette, request, "Instruments")
    ctx.update(instruments=list((await _instruments(db)).values()))
    return render("kb_instruments.html", **ctx)


async def instrument(datasette, request):
    db = _db(datasette)
    raw = unquote(request.url_vars["id"])
    instruments = await _instruments(db)
    inst = instruments.get(raw)
    if inst is None:
        match = next((i for i in instruments if i.upper() == raw.upper()), None)
        if match is not None:
            return _redirect(datasette, f"/instrument/{match}", {"as_of": request.args.get("as_of")})
        return await _error(datasette, request, 404, "Unknown instrument",
                            f"No instrument has the id {raw!r}.", instruments=list(instruments.values()))
    requested, as_of, err = await _as_of(datasette, request)
    if err:
        return err
    iid = inst["id"]
    default = await default_as_of(db)
    parent = instruments.get(inst["parent_id"]) if inst["parent_id"] else None
    children = [i for i in instruments.values() if i["parent_id"] == iid]
    sources = await _rows(db, """
        SELECT s.*, 'instrument facts' AS role FROM instrument_sources x JOIN sources s ON s.id = x.source_id WHERE x.instrument_id = :i
        UNION ALL SELECT s.*, 'status' FROM instruments i JOIN sources s ON s.id = i.status_source_id WHERE i.id = :i
        UNION ALL SELECT s.*, 'denunciation clause' FROM instruments i JOIN sources s ON s.id = i.denunciation_source_id WHERE i.id = :i
        UNION ALL SELECT s.*, 'fundamental since' FROM instruments i JOIN sources s ON s.id = i.fundamental_source_id WHERE i.id = :i
        """, {"i": iid})
    status_rows = await _status_rows(db, as_of, "", iid)
    groups = _group_status(status_rows)
    counts = await _rows(db, f"SELECT status, count(*) AS n FROM ({query_sql('status_on')}\n) GROUP BY status",
                         {"as_of": as_of, "states": "", "instruments": iid})
    counts = OrderedDict(sorted(((r["status"], r["n"]) for r in counts),
                                key=lambda kv: STATUS_ORDER.index(kv[0]) if kv[0] in STATUS_ORDER else 99))
    reconciliation = await _rows(db, """
        SELECT r.*, s.url AS source_url, s.title AS source_title, s.as_at AS source_as_at
        FROM reconciliation r LEFT JOIN sources s ON s.id = r.source_id
        WHERE r.instrument_id = ? ORDER BY r.as_of, r.measure, r.basis""", (iid,))
    chart_points = await _rows(db, PARTIES_OVER_TIME_SQL, {"instrument": iid, "as_of": as_of})
    chart = parties_chart(chart_points)

    async def actions_of(types: tuple[str, ...]) -> list[dict]:
        marks = ", ".join("?" for _ in types)
        return await _rows(db, f"""
            SELECT {ACTION_COLUMNS} FROM actions a {ACTION_JOINS}
            WHERE a.instrument_id = ? AND a.type IN ({marks}) AND a.date_on <= ?
            ORDER BY st.name, a.date_on, a.id""", (iid, *types, as_of))

    procedures = None
    procedures_note = None
    if await _has_table(db, "procedures"):
        procedures = await _rows(db, "SELECT * FROM procedures WHERE instrument_id = ? ORDER BY sort_order", (iid,))
    if procedures and (SQL_DIR / "obligations_on.sql").exists():
        # Who accepted each procedure: obligations_on.sql for every party (non-parties accept none).
        parties = {r["state"]: r["state_name"] for r in groups.get("party", [])}
        try:
            found = await db.execute_fn(lambda conn: procedure_acceptance(conn, iid, as_of, list(parties)))
        except Exception as exc:  # noqa: BLE001
            procedures_note = f"Acceptance of the procedures could not be read ({exc})."
            found = []
        for p in procedures:
            mine = [o for o in found if (o["article"] or None) == (p["article"] or None)
                    and (o["procedure_kind"] or None) == (p["kind"] or None)]
            for o in mine:
                o["state_name"] = parties.get(o["state"], o["state"])
            p["accepted_by"] = sorted((o for o in mine if o["accepted"]), key=lambda o: o["state_name"])
            p["not_accepted_by"] = sorted((o for o in mine if not o["accepted"]), key=lambda o: o["state_name"])
            p["known"] = True
    # Asks that concern this instrument, with the fulfilment the view ask_target_status derives.
    asks = await _rows(db, """
        SELECT s.date, s.state_id, st.name AS state_name, s.document_id, s.symbol, s.document_url, s.ref, s.by,
               s.text, s.action, s.response, t.done_on, t.tracked
        FROM ask_target_status t JOIN ask_status s ON s.ask_id = t.ask_id JOIN states st ON st.id = s.state_id
        WHERE t.instrument_id = ? ORDER BY s.date, s.document_id, s.ask_id""", (iid,))
    for a in asks:
        a["by"] = ", ".join(json.loads(a["by"])) if a["by"] else ""
    ctx = await _base_context(datasette, request, inst["short_title"])
    ctx.update(
        asks=asks,
        inst=inst, parent=parent, children=children, sources=sources, groups=groups, counts=counts,
        reconciliation=reconciliation, chart=chart, chart_points=chart_points, as_of=as_of, requested=requested,
        default_as_of=default, procedures=procedures, procedures_note=procedures_note,
        reservations=await actions_of(RESERVATION_TYPES), declarations=await actions_of(DECLARATION_TYPES),
        objections=await actions_of(OBJECTION_TYPES), competence=await actions_of(COMPETENCE_TYPES),
        status_query=_path(datasette, f"/{db.name}/status_on", {"as_of": as_of, "instruments": iid}) + "&states=",
    )
    return render("kb_instrument.html", **ctx)


async def search(datasette, request):
    db = _db(datasette)
    q = (request.args.get("q") or "").strip()[:200]
    kind = (request.args.get("type") or "").strip()
    types = [r["type"] for r in await _rows(db, "SELECT DISTINCT type FROM actions ORDER BY type")]
    if kind not in types:
        kind = ""
    fts = await _has_table(db, "actions_fts")
    fts_instruments = await _has_table(db, "instruments_fts")
    instruments: list[dict] = []
    actions: list[dict] = []
    total = 0
    error = None
    match = fts_query(q)
    if q and not match:
        error = "Type at least one word or number to search for."
    elif q:
        words = [w for p, w in _TERM.findall(q) for w in _WORD.findall(p or w)]
        try:
            if fts_instruments:
                instruments = await _rows(db, """
                    SELECT i.id, i.title, i.short_title,
                           highlight(instruments_fts, 1, char(2), char(3)) AS hl
                    FROM instruments_fts JOIN instruments i ON i.id = instruments_fts.id
                    WHERE instruments_fts MATCH :m ORDER BY rank, i.sort_order""", {"m": match})
            else:
                like = "%" + "%".join(words) + "%"
                instruments = await _rows(db, """
                    SELECT id, title, short_title, NULL AS hl FROM instruments
                    WHERE title LIKE :l OR short_title LIKE :l OR id LIKE :l ORDER BY sort_order""", {"l": like})
            type_filter = "AND a.type = :type" if kind else ""
            if fts:
                total = (await _one(db, f"""
                    SELECT count(*) AS n FROM actions_fts JOIN actions a ON a.id = actions_fts.rowid
                    WHERE actions_fts MATCH :m {type_filter}""", {"m": match, "type": kind}))["n"]
                actions = await _rows(db, f"""
                    SELECT {ACTION_COLUMNS}, snippet(actions_fts, -1, char(2), char(3), '…', 24) AS snip
                    FROM actions_fts JOIN actions a ON a.id = actions_fts.rowid {ACTION_JOINS}
                    WHERE actions_fts MATCH :m {type_filter}
                    ORDER BY rank LIMIT {SEARCH_LIMIT}""", {"m": match, "type": kind})
            else:
                conds = " AND ".join(
                    f"(coalesce(a.text, '') || ' ' || coalesce(a.summary, '') || ' ' || coalesce(a.footnote_text, '')) LIKE :w{n} ESCAPE '\\'"
                    for n in range(len(words)))
                params = {f"w{n}": "%" + re.sub(r"([%_\\])", r"\\\1", w) + "%" for n, w in enumerate(words)}
                params["type"] = kind
                total = (await _one(db, f"SELECT count(*) AS n FROM actions a WHERE {conds} {type_filter}", params))["n"]
                actions = await _rows(db, f"""
                    SELECT {ACTION_COLUMNS}, NULL AS snip FROM actions a {ACTION_JOINS}
                    WHERE {conds} {type_filter} ORDER BY a.date_on, a.id LIMIT {SEARCH_LIMIT}""", params)
                for a in actions:
                    a["snip"] = _plain_snippet([a["text"], a["summary"], a["footnote_text"]], words)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a 500
            error = f"The search could not be run: {exc}"
    for a in actions:
        a["snip_html"] = highlight(a["snip"])
    for i in instruments:
        i["hl_html"] = highlight(i.get("hl")) if i.get("hl") else None
    ctx = await _base_context(datasette, request, f"Search: {q}" if q else "Search")
    ctx.update(q=q, kind=kind, types=types, instruments=instruments, actions=actions, total=total, error=error,
               fts=fts, limit=SEARCH_LIMIT)
    return render("kb_search.html", status=400 if error and q and not match else 200, **ctx)


@hookimpl
def register_routes(datasette):
    return [
        (r"^/$", home),
        (r"^/country/?$", country_lookup),
        (r"^/country/(?P<id>[^/]+)$", country),
        (r"^/instrument/?$", instrument_index),
        (r"^/instrument/(?P<id>[^/]+)$", instrument),
        (r"^/search/?$", search),
        (r"^/-/kb-static/(?P<path>.*)$", asgi_static(str(STATIC))),
    ]
