"""Instrument pages: /instrument (the list) and /instrument/<ID>."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import OrderedDict
from urllib.parse import unquote

from .order import by_name
from .common import (
    ACTION_COLUMNS, ACTION_JOINS, COMPETENCE_TYPES, C, DECLARATION_TYPES, OBJECTION_TYPES, PARTIES_OVER_TIME_SQL,
    RESERVATION_TYPES, STATUS_ORDER, Reader, _as_of, _base_context, _batch, _db, _error, _group_status, _has_table,
    _instruments, _path, _redirect, _source_kinds, feed_links, _server_url, default_as_of, parties_chart, query_sql,
    render,
)
from . import record
from .worldmap import instrument_map, procedure_map, strip_title, world
from .cite import meta_for
from .. import i18n


async def instrument_index(datasette, request):
    db = _db(datasette)
    ctx = await _base_context(datasette, request, i18n.gettext("Instruments"))
    ctx.update(instruments=list((await _instruments(db)).values()))
    return render("kb_instruments.html", **ctx)


async def _lookup(datasette, request, suffix: str = ""):
    """(db, instruments, the instrument, as_of requested, as_of used, None) for /instrument/<ID><suffix>, or a
    response instead: a redirect to the id's own case, a 404, or the as_of error."""
    db = _db(datasette)
    raw = unquote(request.url_vars["id"])
    instruments = await _instruments(db)
    inst = instruments.get(raw)
    if inst is None:
        match = next((i for i in instruments if i.upper() == raw.upper()), None)
        if match is not None:
            return None, _redirect(datasette, f"/instrument/{match}{suffix}", {"as_of": request.args.get("as_of")})
        return None, await _error(datasette, request, 404, i18n.gettext("Unknown instrument"),
                                  i18n.gettext("No instrument has the id %(id)s.") % {"id": repr(raw)},
                                  instruments=list(instruments.values()))
    requested, as_of, err = await _as_of(datasette, request)
    if err:
        return None, err
    return (db, instruments, inst, requested, as_of), None


SOURCES_SQL = """
    SELECT s.*, 'instrument facts' AS role FROM instrument_sources x JOIN sources s ON s.id = x.source_id WHERE x.instrument_id = :i
    UNION ALL SELECT s.*, 'status' FROM instruments i JOIN sources s ON s.id = i.status_source_id WHERE i.id = :i
    UNION ALL SELECT s.*, 'denunciation clause' FROM instruments i JOIN sources s ON s.id = i.denunciation_source_id WHERE i.id = :i
    UNION ALL SELECT s.*, 'fundamental since' FROM instruments i JOIN sources s ON s.id = i.fundamental_source_id WHERE i.id = :i
    """
RECONCILIATION_SQL = """
    SELECT r.*, s.url AS source_url, s.title AS source_title, s.as_at AS source_as_at
    FROM reconciliation r LEFT JOIN sources s ON s.id = r.source_id
    WHERE r.instrument_id = ? ORDER BY r.as_of, r.measure, r.basis"""
# Where any state's status is unknown (no record in the KB, e.g. ILO ratifications), a count of
# parties would read as a fact: neither the count nor the chart of counts is shown.
UNKNOWN_EVER_SQL = """
    SELECT 1 FROM status_intervals WHERE instrument_id = :i AND status = 'unknown'
      AND (valid_from IS NULL OR valid_from <= :as_of) LIMIT 1"""
# Asks that concern this instrument, with the fulfilment the view ask_target_status derives.
ASKS_SQL = """
    SELECT s.date, s.state_id, st.name AS state_name, s.document_id, s.symbol, s.document_url, s.ref, s.by,
           s.text, s.action, s.response, t.done_on, t.tracked
    FROM ask_target_status t JOIN ask_status s ON s.ask_id = t.ask_id JOIN states st ON st.id = s.state_id
    WHERE t.instrument_id = ? ORDER BY s.date, s.document_id, s.ask_id"""
# Later events: actions dated after the instrument's record ends (known_to), each recorded singly
# from a later source; the record after that date is not complete.
LATER_EVENTS_SQL = """
    SELECT count(*) AS n, count(DISTINCT state_id) AS states, max(date_on) AS last
    FROM actions WHERE instrument_id = :i AND date_on > :known_to"""
EIF_SQL = """
    SELECT c.*, s.url AS source_url, s.title AS source_title, s.as_at AS source_as_at, s.symbol AS source_symbol
    FROM entry_into_force_clauses c LEFT JOIN sources s ON s.id = c.source_id WHERE c.instrument_id = ?"""


def _actions_sql(types: tuple[str, ...]) -> str:
    marks = ", ".join("?" for _ in types)
    return f"""
        SELECT {ACTION_COLUMNS} FROM actions a {ACTION_JOINS}
        WHERE a.instrument_id = ? AND a.type IN ({marks}) AND a.date_on <= ?
        ORDER BY st.name, a.date_on, a.id"""


async def instrument(datasette, request):
    found, response = await _lookup(datasette, request, "")
    if response is not None:
        return response
    db, instruments, inst, requested, as_of = found
    iid = inst["id"]
    default = await default_as_of(db)
    parent = instruments.get(inst["parent_id"]) if inst["parent_id"] else None
    children = [i for i in instruments.values() if i["parent_id"] == iid]
    has_procedures = await _has_table(db, "procedures")
    has_eif = await _has_table(db, "entry_into_force_clauses")
    kinds = await _source_kinds(db)
    known_to = inst["status_as_at"] if record.is_date(inst["status_as_at"]) else None
    # The chart and its counts stop at the record's end when the date asked about is later.
    end = min(as_of, known_to) if known_to else as_of

    def fetch(q: Reader) -> dict:
        """Every query of the page, in one trip to the database's thread."""
        d = {"sources": q.rows(SOURCES_SQL, {"i": iid}),
             "status_rows": record.mark(q.rows(query_sql("status_on"), {"as_of": as_of, "states": "", "instruments": iid}),
                                        instruments, kinds),
             "reconciliation": q.rows(RECONCILIATION_SQL, (iid,)),
             "unknown_ever": bool(q.rows(UNKNOWN_EVER_SQL, {"i": iid, "as_of": as_of})),
             "later": q.one(LATER_EVENTS_SQL, {"i": iid, "known_to": known_to}) if known_to else None}
        d["chart_points"] = [] if d["unknown_ever"] else q.rows(PARTIES_OVER_TIME_SQL, {"instrument": iid, "end": end})
        d["groups"] = _group_status(by_name(d["status_rows"]))  # each list in name order
        d["procedures"], d["procedures_note"] = _procedures(q, iid, as_of, d["groups"], has_procedures,
                                                            known="unknown" not in d["groups"])
        d["asks"] = q.rows(ASKS_SQL, (iid,))
        # The articles with the number of states whose statement on each is in force (reservations.py's pages).
        d["article_counts"] = q.rows(query_sql("article_counts"), {"instrument": iid, "as_of": as_of})
        d["eif"] = q.one(EIF_SQL, (iid,)) if has_eif else None
        for key, types in (("reservations", RESERVATION_TYPES), ("declarations", DECLARATION_TYPES),
                           ("objections", OBJECTION_TYPES), ("competence", COMPETENCE_TYPES)):
            d[key] = by_name(q.rows(_actions_sql(types), (iid, *types, as_of)))  # by state; each state's by date
        return d

    d = await _batch(db, fetch)
    groups = d["groups"]
    # The count of each status: the rows of status_on.sql above, counted (in the order of STATUS_ORDER).
    counts = OrderedDict(sorted(((status, len(rows)) for status, rows in groups.items()),
                                key=lambda kv: STATUS_ORDER.index(kv[0]) if kv[0] in STATUS_ORDER else 99))
    unknown_n = counts.get("unknown", 0)
    chart = parties_chart(d["chart_points"])
    # past the instrument's own record (a status read from coverage by state may end earlier: its row says so)
    beyond = as_of > known_to if known_to else any(r["beyond_record"] for r in d["status_rows"])
    status_source = next((s for s in d["sources"] if s["role"] == "status"), None)
    status_map = instrument_map(d["status_rows"], "map", i18n.gettext("Status of states on the %(title)s, %(date)s")
                                % {"title": inst["short_title"], "date": C.format_date(as_of)}
                                + (f", {record.as_recorded(known_to)}" if beyond else ""),
                                record_end=(known_to if beyond else None) if known_to else False)
    for a in d["asks"]:
        a["by"] = ", ".join(json.loads(a["by"])) if a["by"] else ""
    ctx = await _base_context(datasette, request, inst["short_title"])
    ctx["cite_meta"] = meta_for("instrument", ctx["version"], title=inst["title"], date=as_of)
    ctx["feeds"] = feed_links(datasette, ((f"/instrument/{iid}/changes.atom", "application/atom+xml",
                                           f"{inst['short_title']}: latest changes (Atom)"),))
    # The entry-into-force article (eif) is stated once above the parties (each row then names only the paragraph).
    ctx.update(
        eif=d["eif"], asks=d["asks"], world=world(), status_map=status_map, unknown_n=unknown_n,
        unknown_ever=d["unknown_ever"], inst=inst, parent=parent, children=children, sources=d["sources"],
        groups=groups, counts=counts, reconciliation=d["reconciliation"], chart=chart, chart_points=d["chart_points"],
        as_of=as_of, requested=requested, default_as_of=default, procedures=d["procedures"],
        beyond=beyond, known_to=known_to, chart_end=end, later=d["later"], status_source=status_source,
        # The kind of a source is read from any record of it (same address and date): the status source of an
        # ILO instrument is recorded without a kind, the same list as a membership source with one.
        status_secondary=bool(status_source and (status_source["kind"] or kinds.get(
            (status_source["url"], status_source["as_at"]))) == "secondary"),
        procedures_note=d["procedures_note"], reservations=d["reservations"], declarations=d["declarations"],
        objections=d["objections"], competence=d["competence"], article_counts=d["article_counts"][1:] and d["article_counts"],
        status_query=_server_url(datasette, _path(datasette, f"/{db.name}/status_on", {"as_of": as_of, "instruments": iid}) + "&states="),
    )
    return render("kb_instrument.html", **ctx)


def _procedures(q: Reader, iid: str, as_of: str, groups: dict, has_table: bool,
                known: bool) -> tuple[list[dict] | None, str | None]:
    """The instrument's optional procedures, each with the parties that accepted it and those that did not
    (one lookup in procedure_intervals, the table obligations_on.sql reads; non-parties accept none),
    or (None, why not)."""
    procedures = None
    procedures_note = None
    if has_table:
        procedures = q.rows("SELECT * FROM procedures WHERE instrument_id = ? ORDER BY sort_order", (iid,))
    if procedures:
        # Who accepted each procedure: procedure_acceptance_on.sql, the 'procedure' rows of
        # obligations_on.sql for every state at once (non-parties accept none).
        parties = {r["state"]: r["state_name"] for r in groups.get("party", [])}
        try:
            found = [o for o in q.rows(query_sql("procedure_acceptance_on"), {"instrument": iid, "as_of": as_of})
                     if o["state"] in parties]
        except sqlite3.OperationalError as exc:  # e.g. a database built before procedure_intervals existed
            if exc.args == ("interrupted",):  # the page's time is up: _batch says so
                raise
            procedures_note = f"Acceptance of the procedures could not be read ({exc}); rebuild the database with `kb build`."
            found = []
        for p in procedures:
            mine = [o for o in found if o["procedure_id"] == p["id"]]
            for o in mine:
                o["state_name"] = parties.get(o["state"], o["state"])
            p["rows"] = mine
            p["accepted_by"] = by_name(o for o in mine if o["accepted"])
            p["not_accepted_by"] = by_name(o for o in mine if not o["accepted"])
            # One list per reason (the reason as obligations_on words it, less the procedure's title).
            p["not_accepted_groups"] = {}
            for o in p["not_accepted_by"]:
                reason = strip_title(o["reason"], p["title"])
                p["not_accepted_groups"].setdefault(reason[:1].upper() + reason[1:], []).append(o)
            p["known"] = known and not procedures_note
            p["anchor"] = re.sub(r"[^a-z0-9]+", "-", f"map {p['kind']} {'art ' + p['article'] if p['article'] else ''}".lower()).strip("-")
    return procedures, procedures_note


async def instrument_maps(datasette, request):
    """/instrument/<ID>/maps: a world map of each optional procedure of the instrument (who accepted it),
    on its own page so that the instrument page carries one map's weight."""
    found, response = await _lookup(datasette, request, "/maps")
    if response is not None:
        return response
    db, instruments, inst, requested, as_of = found
    iid = inst["id"]
    has_procedures = await _has_table(db, "procedures")

    kinds = await _source_kinds(db)

    def fetch(q: Reader) -> tuple:
        status_rows = record.mark(q.rows(query_sql("status_on"), {"as_of": as_of, "states": "", "instruments": iid}),
                                  instruments, kinds)
        groups = _group_status(status_rows)
        return (status_rows, *_procedures(q, iid, as_of, groups, has_procedures, known="unknown" not in groups))

    status_rows, procedures, procedures_note = await _batch(db, fetch)
    beyond = any(r["beyond_record"] for r in status_rows)
    recorded = f", {record.as_recorded(inst['status_as_at'])}" if beyond else ""
    for p in procedures or []:
        p["map"] = procedure_map(status_rows, {o["state"]: o for o in p["rows"]}, p["anchor"],
                                 i18n.gettext("%(procedure)s: acceptance on %(date)s") % {
                                     "procedure": p["title"], "date": C.format_date(as_of)} + recorded, p["title"],
                                 inst["short_title"])
    ctx = await _base_context(datasette, request, i18n.gettext("%(title)s: maps of the optional procedures")
                              % {"title": inst["short_title"]})
    ctx.update(inst=inst, procedures=procedures, procedures_note=procedures_note, world=world(), as_of=as_of,
               beyond=beyond, known_to=inst["status_as_at"],
               requested=requested, default_as_of=await default_as_of(db))
    return render("kb_instrument_maps.html", **ctx)

