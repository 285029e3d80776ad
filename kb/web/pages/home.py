"""The home page: the DPRK at a glance, search, stored queries, downloads, tables."""

from __future__ import annotations

import re

from .common import HOME_STATE, _base_context, _db, _group_status, _instruments, _one, _rows, _status_rows, default_as_of, render

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
