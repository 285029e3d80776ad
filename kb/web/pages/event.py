"""An engagement event's own page: /event/<key> (the key as `kb engagement` lists it).

What happened, in the knowledge base's sentence; the UN document it names, linked in English by its
symbol; the source the record was read from, with its kind and as-at date; the Cite control; and the
metadata a reference manager captures (a UN document as a report: its symbol, its body, its date)."""

from __future__ import annotations

from urllib.parse import unquote

from ...query import csl
from ...query.citation import event_citation, event_row, event_sentence
from .cite import event_meta
from .. import i18n
from .common import _base_context, _db, _error, render


async def event(datasette, request):
    db = _db(datasette)
    key = unquote(request.url_vars["key"])
    if len(key) > 300:
        return await _error(datasette, request, 404, i18n.gettext("Unknown event"),
                            i18n.gettext("No engagement event has so long a key."))

    def fetch(conn):
        e = event_row(conn, key)
        if e is None:
            return None
        return {"event": e, "sentence": event_sentence(e), "items": csl.event_record(conn, key),
                "plain": event_citation(conn, key)}

    d = await db.execute_fn(fetch)
    if d is None:
        return await _error(datasette, request, 404, i18n.gettext("Unknown event"),
                            i18n.gettext("No engagement event has the key %(key)s. A country page lists its events, "
                                         "each with its own page; `kb engagement STATE` lists their keys.")
                            % {"key": repr(key)})
    e = d["event"]
    ctx = await _base_context(datasette, request, f"{e['state_name']}: {i18n.gettext(e['kind'].replace('_', ' '))}, {e['date']}")
    ctx["cite_meta"] = event_meta(d["items"], d["sentence"], ctx["version"])
    ctx.update(e=e, sentence=d["sentence"], plain=d["plain"], document=next((i for i in d["items"] if i["type"] == "report"), None))
    return render("kb_event.html", **ctx)
