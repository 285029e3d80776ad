"""The comparison page: /compare?states=PRK,KOR,CHN,JPN,MNG,RUS[&as_of=YYYY-MM-DD].

Instruments as rows and states as columns (status_on.sql), then the optional procedures each state
accepted and the reservations it has in force (obligations_on.sql): the same SQL as `kb status`
and `kb obligations`, read for the chosen states.  States may be named by code, name or alias
(resolve_state.sql), separated by commas.
"""

from __future__ import annotations

from collections import OrderedDict

from .common import (
    HOME_STATE, _as_of, _base_context, _db, _error, _instruments, _obligations, _path, _resolve_state, _rows,
    _status_rows, default_as_of, query_sql, render,
)
from .reservations import compare_cells
from .. import i18n

DEFAULT_STATES = (HOME_STATE, "KOR", "CHN", "JPN", "MNG", "RUS")
MAX_STATES = 12


def compare_path(datasette, states: list[str], as_of: str | None = None) -> str:
    return _path(datasette, "/compare", {"states": ",".join(states), "as_of": as_of})


async def compare(datasette, request):
    db = _db(datasette)
    raw = (request.args.get("states") or "").strip()
    names = [n.strip() for n in raw.split(",") if n.strip()] if raw else list(DEFAULT_STATES)
    ids: list[str] = []
    unknown: list[str] = []
    for name in names:
        sid = await _resolve_state(db, name)
        if sid is None:
            unknown.append(name)
        elif sid not in ids:
            ids.append(sid)
    if unknown:
        return await _error(datasette, request, 404, i18n.gettext("Unknown state"),
                            i18n.gettext("No state is known by the id or name %(names)s. Name states by ISO 3166-1 "
                                         "alpha-3 code (e.g. PRK), the depositary's name or an alias, separated by "
                                         "commas.") % {"names": ", ".join(repr(u) for u in unknown)})
    if len(ids) > MAX_STATES:
        return await _error(datasette, request, 400, i18n.gettext("Too many states"),
                            i18n.gettext("Compare at most %(max)s states at a time (%(n)s were named).")
                            % {"max": MAX_STATES, "n": len(ids)})
    requested, as_of, err = await _as_of(datasette, request)
    if err:
        return err
    states = OrderedDict((sid, None) for sid in ids)
    for r in await _rows(db, "SELECT id, name, short_name FROM states WHERE instr(',' || :ids || ',', ',' || id || ',') > 0",
                         {"ids": ",".join(ids)}):
        states[r["id"]] = r
    instruments = await _instruments(db)
    cells: dict[tuple[str, str], dict] = {}
    for r in await _status_rows(db, as_of, ",".join(ids), ""):
        cells[(r["instrument"], r["state"])] = r
    # The row's "as recorded" note: the instrument's own record end, where a cell is past it. A status read
    # from coverage by state may end on another day (its source's): its own cell says so.
    heads: dict[str, dict] = {}
    for (iid, _sid), r in cells.items():
        if r.get("beyond_record") and r.get("known_to") == (instruments.get(iid) or {}).get("status_as_at"):
            heads.setdefault(iid, r)
    # Optional procedures and reservations, per state: obligations_on.sql, as `kb obligations` reads it.
    procedures: OrderedDict[tuple, dict] = OrderedDict()
    reservations: dict[str, list[dict]] = {sid: [] for sid in ids}
    missing = None
    for sid in ids:
        obligations, why = await _obligations(db, sid, as_of)
        if obligations is None:
            missing = why
            continue
        for o in obligations:
            if o["kind"] == "procedure":
                key = (o["instrument"], o["article"], o["procedure_kind"])
                entry = procedures.setdefault(key, {"instrument": o["instrument"], "instrument_title": o["instrument_title"],
                                                    "article": o["article"], "title": None, "cells": {}})
                entry["cells"][sid] = o
            elif o["kind"] == "reservation" and not o["accepted"] and not o["reason"].startswith("withdrawal of"):
                reservations[sid].append(o)
    # Reservations and declarations in force, per instrument and state (state_statements.sql, reservations.py).
    statements = {sid: await _rows(db, query_sql("state_statements"), {"state": sid, "as_of": as_of}) for sid in ids}
    order = list(instruments)
    statement_rows = sorted(compare_cells(statements, cells), key=lambda r: order.index(r["instrument"]))
    titles = {(p["instrument_id"], p["article"], p["kind"]): p["title"]
              for p in await _rows(db, "SELECT instrument_id, article, kind, title FROM procedures")}
    for key, entry in procedures.items():
        entry["title"] = titles.get(key) or entry["instrument_title"]
    query = {"as_of": as_of, "states": ",".join(ids), "instruments": ""}
    ctx = await _base_context(datasette, request, i18n.gettext("Compare states"))
    ctx.update(
        states=list(states.values()), ids=ids, instruments=list(instruments.values()), cells=cells, heads=heads,
        procedures=list(procedures.values()), reservations=reservations, obligations_missing=missing,
        as_of=as_of, requested=requested, default_as_of=await default_as_of(db), names=", ".join(ids),
        is_default=not raw, statement_rows=statement_rows,
        status_json=_path(datasette, f"/{db.name}/status_on.json", query) + "&instruments=",
        status_csv=_path(datasette, f"/{db.name}/status_on.csv", query) + "&instruments=",
        obligations_links=[(sid, _path(datasette, f"/{db.name}/obligations_on.json", {"state": sid, "as_of": as_of}),
                            _path(datasette, f"/{db.name}/obligations_on.csv", {"state": sid, "as_of": as_of}))
                           for sid in ids],
        panel_csv=_path(datasette, f"/{db.name}/panel.csv", {"states": ",".join(ids), "instruments": "",
                                                              "from": "1945", "to": as_of[:4]}) + "&instruments=",
    )
    return render("kb_compare.html", **ctx)
