"""Instrument pages: /instrument (the list) and /instrument/<ID>."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from urllib.parse import unquote

from .common import (
    ACTION_COLUMNS, ACTION_JOINS, COMPETENCE_TYPES, C, DECLARATION_TYPES, OBJECTION_TYPES, PARTIES_OVER_TIME_SQL,
    RESERVATION_TYPES, STATUS_ORDER, _as_of, _base_context, _db, _error, _group_status, _has_table, _instruments,
    _path, _redirect, _rows, feed_links, _server_url, _status_rows, default_as_of, parties_chart, query_sql, render,
)
from .worldmap import instrument_map, procedure_map, strip_title, world


async def instrument_index(datasette, request):
    db = _db(datasette)
    ctx = await _base_context(datasette, request, "Instruments")
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
        return None, await _error(datasette, request, 404, "Unknown instrument",
                                  f"No instrument has the id {raw!r}.", instruments=list(instruments.values()))
    requested, as_of, err = await _as_of(datasette, request)
    if err:
        return None, err
    return (db, instruments, inst, requested, as_of), None


async def instrument(datasette, request):
    found, response = await _lookup(datasette, request, "")
    if response is not None:
        return response
    db, instruments, inst, requested, as_of = found
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
    # Where any state's status is unknown (no record in the KB, e.g. ILO ratifications), a count of
    # parties would read as a fact: neither the count nor the chart of counts is shown.
    unknown_n = counts.get("unknown", 0)
    unknown_ever = bool(await _rows(db, """
        SELECT 1 FROM status_intervals WHERE instrument_id = :i AND status = 'unknown'
          AND (valid_from IS NULL OR valid_from <= :as_of) LIMIT 1""", {"i": iid, "as_of": as_of}))
    chart_points = [] if unknown_ever else await _rows(db, PARTIES_OVER_TIME_SQL, {"instrument": iid, "as_of": as_of})
    chart = parties_chart(chart_points)
    status_map = instrument_map(status_rows, "map", f"Status of states on the {inst['short_title']}, {C.format_date(as_of)}")

    async def actions_of(types: tuple[str, ...]) -> list[dict]:
        marks = ", ".join("?" for _ in types)
        return await _rows(db, f"""
            SELECT {ACTION_COLUMNS} FROM actions a {ACTION_JOINS}
            WHERE a.instrument_id = ? AND a.type IN ({marks}) AND a.date_on <= ?
            ORDER BY st.name, a.date_on, a.id""", (iid, *types, as_of))

    procedures, procedures_note = await _procedures(db, iid, as_of, groups, known=not unknown_n)
    # Asks that concern this instrument, with the fulfilment the view ask_target_status derives.
    asks = await _rows(db, """
        SELECT s.date, s.state_id, st.name AS state_name, s.document_id, s.symbol, s.document_url, s.ref, s.by,
               s.text, s.action, s.response, t.done_on, t.tracked
        FROM ask_target_status t JOIN ask_status s ON s.ask_id = t.ask_id JOIN states st ON st.id = s.state_id
        WHERE t.instrument_id = ? ORDER BY s.date, s.document_id, s.ask_id""", (iid,))
    for a in asks:
        a["by"] = ", ".join(json.loads(a["by"])) if a["by"] else ""
    ctx = await _base_context(datasette, request, inst["short_title"])
    ctx["feeds"] = feed_links(datasette, ((f"/instrument/{iid}/changes.atom", "application/atom+xml",
                                           f"{inst['short_title']}: latest changes (Atom)"),))
    # The entry-into-force article, stated once above the parties (each row then names only the paragraph).
    eif = None
    if await _has_table(db, "entry_into_force_clauses"):
        found_eif = await _rows(db, """
            SELECT c.*, s.url AS source_url, s.title AS source_title, s.as_at AS source_as_at, s.symbol AS source_symbol
            FROM entry_into_force_clauses c LEFT JOIN sources s ON s.id = c.source_id WHERE c.instrument_id = ?""", (iid,))
        eif = found_eif[0] if found_eif else None
    ctx.update(
        eif=eif, asks=asks, world=world(), status_map=status_map, unknown_n=unknown_n, unknown_ever=unknown_ever,
        inst=inst, parent=parent, children=children, sources=sources, groups=groups, counts=counts,
        reconciliation=reconciliation, chart=chart, chart_points=chart_points, as_of=as_of, requested=requested,
        default_as_of=default, procedures=procedures, procedures_note=procedures_note,
        reservations=await actions_of(RESERVATION_TYPES), declarations=await actions_of(DECLARATION_TYPES),
        objections=await actions_of(OBJECTION_TYPES), competence=await actions_of(COMPETENCE_TYPES),
        status_query=_server_url(datasette, _path(datasette, f"/{db.name}/status_on", {"as_of": as_of, "instruments": iid}) + "&states="),
    )
    return render("kb_instrument.html", **ctx)


async def _procedures(db, iid: str, as_of: str, groups: dict, known: bool) -> tuple[list[dict] | None, str | None]:
    """The instrument's optional procedures, each with the parties that accepted it and those that did not
    (one lookup in procedure_intervals, the table obligations_on.sql reads; non-parties accept none),
    or (None, why not)."""
    procedures = None
    procedures_note = None
    if await _has_table(db, "procedures"):
        procedures = await _rows(db, "SELECT * FROM procedures WHERE instrument_id = ? ORDER BY sort_order", (iid,))
    if procedures:
        # Who accepted each procedure: procedure_acceptance_on.sql, the 'procedure' rows of
        # obligations_on.sql for every state at once (non-parties accept none).
        parties = {r["state"]: r["state_name"] for r in groups.get("party", [])}
        try:
            found = [o for o in await _rows(db, query_sql("procedure_acceptance_on"), {"instrument": iid, "as_of": as_of})
                     if o["state"] in parties]
        except Exception as exc:  # noqa: BLE001 - e.g. a database built before procedure_intervals existed
            procedures_note = f"Acceptance of the procedures could not be read ({exc}); rebuild the database with `kb build`."
            found = []
        for p in procedures:
            mine = [o for o in found if o["procedure_id"] == p["id"]]
            for o in mine:
                o["state_name"] = parties.get(o["state"], o["state"])
            p["rows"] = mine
            p["accepted_by"] = sorted((o for o in mine if o["accepted"]), key=lambda o: o["state_name"])
            p["not_accepted_by"] = sorted((o for o in mine if not o["accepted"]), key=lambda o: o["state_name"])
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
    status_rows = await _status_rows(db, as_of, "", iid)
    groups = _group_status(status_rows)
    procedures, procedures_note = await _procedures(db, iid, as_of, groups, known="unknown" not in groups)
    for p in procedures or []:
        p["map"] = procedure_map(status_rows, {o["state"]: o for o in p["rows"]}, p["anchor"],
                                 f"{p['title']}: acceptance on {C.format_date(as_of)}", p["title"], inst["short_title"])
    ctx = await _base_context(datasette, request, f"{inst['short_title']}: maps of the optional procedures")
    ctx.update(inst=inst, procedures=procedures, procedures_note=procedures_note, world=world(), as_of=as_of,
               requested=requested, default_as_of=await default_as_of(db))
    return render("kb_instrument_maps.html", **ctx)

