"""Country pages: /country?state=<id or name> (a redirect) and /country/<ISO3> (a profile)."""

from __future__ import annotations

import json
from collections import OrderedDict
from urllib.parse import unquote

from .compare import DEFAULT_STATES, compare_path
from .common import (
    ACTION_COLUMNS, ACTION_JOINS, C, Reader, _as_of, _base_context, _batch, _db, _error, _group_status, _has_table,
    _instruments, _path, _redirect, feed_links, _resolve_state, _server, _server_url, default_as_of,
    _source_kinds, _states, obligations_on, query_sql, render,
)
from . import record
from .reservations import state_statements
from .cite import meta_for
from .. import i18n
from ...query.citation_ko import citations_ko_for_state

MEMBERSHIPS_SQL = """
    SELECT m.*, s.url AS source_url, s.title AS source_title, s.as_at AS source_as_at, s.symbol AS source_symbol,
           s.footnote AS source_footnote, s.note AS source_note, s.kind AS source_kind
    FROM memberships m LEFT JOIN sources s ON s.id = m.source_id
    WHERE m.state_id = ? ORDER BY m.organization, m.since_on"""
DOCUMENTS_SQL = """
    SELECT d.id, d.title, d.symbol, d.date, d.council_adoption, d.total_recommendations, d.total_supported,
           d.total_partially_supported, d.total_noted, d.totals_note, d.incomplete,
           s.url AS source_url, s.title AS source_title, s.as_at AS source_as_at, s.symbol AS source_symbol
    FROM ask_documents d LEFT JOIN sources s ON s.id = d.totals_source_id
    WHERE d.addressee_id = ? AND (d.incomplete IS NOT NULL OR d.total_recommendations IS NOT NULL)
    ORDER BY d.date_on"""


async def country_lookup(datasette, request):
    db = _db(datasette)
    raw = (request.args.get("state") or "").strip()
    as_of = (request.args.get("as_of") or "").strip()
    if not raw:
        return _redirect(datasette, "/")
    state_id = await _resolve_state(db, raw)
    if state_id is None:
        return await _error(datasette, request, 404, i18n.gettext("Unknown state"),
                            i18n.gettext("No state is known by the id or name %(name)s. Use an ISO 3166-1 alpha-3 code "
                                         "(e.g. PRK), the depositary's name or an alias.") % {"name": repr(raw)})
    return _redirect(datasette, f"/country/{state_id}", {"as_of": as_of})


async def country(datasette, request):
    db = _db(datasette)
    raw = unquote(request.url_vars["id"])
    state = (await _states(db)).get(raw)
    if state is None:
        state_id = await _resolve_state(db, raw)
        if state_id is not None:
            return _redirect(datasette, f"/country/{state_id}", {"as_of": request.args.get("as_of")})
        return await _error(datasette, request, 404, i18n.gettext("Unknown state"),
                            i18n.gettext("No state has the id %(id)s. Country pages use ISO 3166-1 alpha-3 codes, "
                                         "e.g. /country/PRK.") % {"id": repr(raw)})
    requested, as_of, err = await _as_of(datasette, request)
    if err:
        return err
    sid = state["id"]
    default = await default_as_of(db)
    instruments = await _instruments(db)
    has_procedures = await _has_table(db, "procedures")
    kinds = await _source_kinds(db)
    lang = i18n.current_lang()  # read here: the batch runs on another thread

    def fetch(q: Reader) -> dict:
        """Every query of the page, in one trip to the database's thread."""
        d = {"memberships": q.rows(MEMBERSHIPS_SQL, (sid,)),
             "names": q.rows("SELECT name, kind FROM state_names WHERE state_id = ? AND lang IN ('en', ?) "
                             "ORDER BY kind, name", (sid, lang)),
             "rows": record.mark(q.rows(query_sql("status_on"), {"as_of": as_of, "states": sid, "instruments": ""}),
                                 instruments, kinds),
             # the sentence only: the styles are the CSL records' (kb/web/pages/cite.py), fetched on demand
             "citations": C.citations_for_state(q.conn, sid, as_of, styles=("plain",)),
             "citations_ko": citations_ko_for_state(q.conn, sid, as_of) if lang == "ko" else {},
             "obligations": obligations_on(q, sid, as_of, has_procedures),
             "timeline": q.rows(f"""
                SELECT {ACTION_COLUMNS} FROM actions a {ACTION_JOINS}
                WHERE a.state_id = ? ORDER BY a.date_on, i.sort_order, a.id""", (sid,)),
             "targeted": q.rows(f"""
                SELECT {ACTION_COLUMNS} FROM actions a {ACTION_JOINS}
                WHERE a.target_state_id = ? ORDER BY a.date_on, i.sort_order, a.id""", (sid,)),
             # Asked versus done: the same SQL as `kb asks` (fulfilment derived by the view ask_status).
             "asks": q.rows(query_sql("asks"), {"state": sid}),
             "documents": q.rows(DOCUMENTS_SQL, (sid,)),
             # Engagement with UN mechanisms: the same SQL as `kb engagement` and `kb reporting`.
             "engagement": q.rows(query_sql("engagement"), {"state": sid}),
             "reporting": q.rows(query_sql("reporting_status"), {"state": sid, "as_of": as_of}),
             # Each reservation and declaration beside the words of the article it concerns (reservations.py).
             "statements": q.rows(query_sql("state_statements"), {"state": sid, "as_of": as_of}),
             "statement_words": q.rows(query_sql("statement_words"), {"state": sid})}
        d["event_citations"] = {e["key"]: C.event_citation(q.conn, e["key"]) for e in d["engagement"]}
        return d

    d = await _batch(db, fetch)
    memberships, names, rows, citations = d["memberships"], d["names"], d["rows"], d["citations"]
    timeline, targeted, asks, documents = d["timeline"], d["targeted"], d["asks"], d["documents"]
    engagement, reporting = d["engagement"], d["reporting"]
    for r in rows:
        r["instrument_row"] = instruments.get(r["instrument"])
        r["citations"] = citations.get(r["instrument"], {})
        # A citation that calls a state "not a party" to an instrument not yet adopted is not shown.
        if r["status"] == "not_yet_adopted" and "not yet been adopted" not in r["citations"].get("plain", ""):
            r["citations"] = {}
        elif r["instrument"] in d["citations_ko"]:  # a Korean page: the plain sentence in Korean
            r["citations"] = dict(r["citations"], plain=d["citations_ko"][r["instrument"]])
    counts = OrderedDict((s, len(v)) for s, v in _group_status(rows).items())
    obligations, obligations_missing = d["obligations"]
    party_to = {r["instrument"] for r in rows if r["status"] == "party"}
    extra_obligations = [o for o in (obligations or []) if o["kind"] != "instrument" and o["instrument"] in party_to]
    other_obligations = [o for o in (obligations or []) if o["kind"] != "instrument" and o["instrument"] not in party_to]
    for a in asks:
        a["by"] = ", ".join(json.loads(a["by"])) if a["by"] and a["by"] != "[]" else ""
        a["evidence"] = json.loads(a["evidence"]) if a["evidence"] else []
    for e in engagement:
        e["citation"] = d["event_citations"].get(e["key"], "")
    ctx = await _base_context(datasette, request, i18n.gettext("%(state)s: treaty status") % {"state": state["name"]})
    ctx["cite_meta"] = meta_for("country", ctx["version"], state=state["name"], date=as_of)
    ctx["feeds"] = feed_links(datasette, ((f"/country/{sid}/changes.atom", "application/atom+xml",
                                           f"{state['name']}: latest changes (Atom)"),))
    ctx.update(
        asks=asks, asks_query=_server(datasette, f"/{db.name}/asks", {"state": sid}), ask_documents=documents,
        engagement=engagement, reporting=reporting,
        engagement_query=_server(datasette, f"/{db.name}/engagement", {"state": sid}),
        reporting_query=_server(datasette, f"/{db.name}/reporting_status", {"state": sid, "as_of": as_of}),
        state=state, names=names, memberships=memberships, rows=rows, counts=counts, as_of=as_of,
        record_ends=record.record_ends(rows), instruments=instruments,
        requested=requested, default_as_of=default, obligations=extra_obligations, other_obligations=other_obligations,
        obligations_missing=obligations_missing, timeline=timeline, targeted=targeted,
        status_query=_server_url(datasette, _path(datasette, f"/{db.name}/status_on", {"as_of": as_of, "states": sid, "instruments": ""}) + "&instruments="),
        compare_url=_server_url(datasette, compare_path(datasette, list(dict.fromkeys([sid, *DEFAULT_STATES])), requested)),
        compare_with=[s for s in DEFAULT_STATES if s != sid],
        statement_groups=state_statements(d["statements"], d["statement_words"]),
    )
    return render("kb_country.html", **ctx)
