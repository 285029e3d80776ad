"""The home page: the DPRK at a glance, search, stored queries, downloads, tables."""

from __future__ import annotations

import re

from . import record
from .cite import cite_this_database
from .common import HOME_STATE, _base_context, _db, _group_status, _instruments, _one, _rows, _status_rows, default_as_of, render
from .. import i18n

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
    ctx = await _base_context(datasette, request, i18n.gettext("Treaty ratification knowledge base"))
    ctx.update(
        record_ends=record.record_ends(rows), sources_by_end=_sources_by_end(rows),
        as_of=as_of, state=state, accepted=accepted, not_accepted=not_accepted, not_applicable=not_applicable,
        unknown=unknown, tables=[t for t in tables if t not in hidden and not t.endswith("_fts")
                                 and not re.search(r"_fts_(data|idx|docsize|config|content)$", t)],
        views=views, queries=queries, states=states, instruments=list(instruments.values()),
        description=(datasette.metadata("description") or ""),
    )
    ctx.update(await cite_this_database(datasette, request, db, ctx["version"], as_of, ctx["db_download"]))
    return render("kb_home.html", **ctx)


def _sources_by_end(rows: list[dict]) -> list[dict]:
    """The dates the status sources record status to, latest first, each with its instruments
    and whether it is a secondary source: [{'known_to', 'n', 'secondary', 'beyond'}]."""
    ends: dict[str, dict] = {}
    for r in rows:
        e = ends.setdefault(r["known_to"] or "", {"known_to": r["known_to"], "n": 0, "secondary": False,
                                                   "beyond": False, "titles": []})
        e["n"] += 1
        e["secondary"] = e["secondary"] or r["secondary"]
        e["beyond"] = e["beyond"] or r["beyond_record"]
        e["titles"].append(r["instrument"])
    return sorted(ends.values(), key=lambda e: e["known_to"] or "", reverse=True)
