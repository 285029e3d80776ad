"""Change feeds: /changes.atom (Atom 1.0), /changes.json (JSON Feed 1.1), and per country
(/country/<ISO3>/changes.atom) and per instrument (/instrument/<ID>/changes.atom).

Entries are the latest actions, newest first by the date the KB first recorded them, then by the
action's date (kb/query/sql/feed.sql); each is one sentence (kb/query/feed.py), a link to the
page, and the source with its as-at date.  Atom is written by feedgen (imported only here).
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote, unquote

from datasette.utils.asgi import Response

from ...query import sql as query_sql
from ...query.citation import format_date, state_phrase
from ...query.feed import sentence, source_line
from .common import _db, _error, _instruments, _one, _rows
from .record import is_date

LIMIT = 50
SITE = "Treaty ratification knowledge base"


def _day(value: str | None) -> dt.datetime:
    """A (possibly partial) date as midnight UTC on its first day (feeds need a time and zone)."""
    parts = [int(p) for p in (value or "1970").split("-")] + [1, 1]
    return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.timezone.utc)


async def _entries(datasette, request, state: str = "", instrument: str = "") -> list[dict]:
    db = _db(datasette)
    rows = await _rows(db, query_sql("feed"), {"state": state, "instrument": instrument, "limit": LIMIT})
    instruments = await _instruments(db)
    for r in rows:
        r["sentence"] = sentence(r)
        r["source_line"] = source_line(r)
        # An action dated after its instrument's record ends is a later event, recorded singly.
        known_to = (instruments.get(r["instrument"]) or {}).get("status_as_at")
        r["beyond_record"] = bool(is_date(known_to) and (r["date"] or "")[:10] > known_to)
        if r["beyond_record"]:
            r["source_line"] += (f" Recorded singly from a later source: the record of this instrument ends on "
                                 f"{format_date(known_to)} and is not complete after that date.")
        r["page"] = datasette.absolute_url(request, datasette.urls.path(f"country/{r['state']}"))
        r["id"] = datasette.absolute_url(request, datasette.urls.path(f"{db.name}/actions") + "?key=" + quote(r["key"], safe=""))
    return rows


def _atom(datasette, request, title: str, subtitle: str, page: str, rows: list[dict]) -> Response:
    from feedgen.feed import FeedGenerator  # only the feeds need it

    self_url = datasette.absolute_url(request, request.path)
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(title)
    fg.subtitle(subtitle)
    fg.author({"name": SITE})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=datasette.absolute_url(request, datasette.urls.path(page.lstrip("/"))), rel="alternate", type="text/html")
    fg.language("en")
    fg.updated(max((_day(r["recorded"]) for r in rows), default=_day(None)))
    for r in rows:
        fe = fg.add_entry(order="append")
        fe.id(r["id"])
        fe.title(r["sentence"])
        # One link per entry, the page: feedgen 1.0.0 writes an entry link's href only (it drops
        # rel, type and title), so a second link would read as a second "alternate".  The source's
        # address is in the summary.
        fe.link(href=r["page"])
        fe.updated(_day(r["recorded"]))
        fe.published(_day(r["date"]))
        fe.summary(f"{r['sentence']}. {r['source_line']}")
    body = fg.atom_str(pretty=True)
    return Response(body.decode("utf-8"), content_type="application/atom+xml; charset=utf-8")


async def changes_atom(datasette, request):
    rows = await _entries(datasette, request)
    return _atom(datasette, request, f"{SITE}: latest changes",
                 "The latest actions recorded: signatures, ratifications, accessions, reservations, declarations, "
                 "objections, withdrawals, denunciations, newest first by the date first recorded.", "/", rows)


async def changes_json(datasette, request):
    rows = await _entries(datasette, request)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{SITE}: latest changes",
        "home_page_url": datasette.absolute_url(request, datasette.urls.path("")),
        "feed_url": datasette.absolute_url(request, request.path),
        "description": "The latest actions recorded, newest first by the date first recorded, then by action date.",
        "language": "en",
        "authors": [{"name": SITE}],
        "items": [{
            "id": r["id"],
            "url": r["page"],
            "external_url": r.get("source_url"),
            "title": r["sentence"],
            "content_text": f"{r['sentence']}. {r['source_line']}",
            "date_published": _day(r["recorded"]).isoformat(),
            "_kb": {k: r.get(k) for k in ("key", "state", "instrument", "type", "date", "effective_date", "article",
                                          "target_state", "legal_effect", "recorded", "first_recorded", "origin",
                                          "source_url", "source_title", "source_as_at", "source_symbol",
                                          "beyond_record")},
        } for r in rows],
    }
    return Response(json.dumps(feed, ensure_ascii=False, indent=2), content_type="application/feed+json; charset=utf-8")


async def country_atom(datasette, request):
    db = _db(datasette)
    raw = unquote(request.url_vars["id"])
    state = await _one(db, "SELECT id, name FROM states WHERE id = ?", (raw,))
    if state is None:
        return await _error(datasette, request, 404, "Unknown state",
                            f"No state has the id {raw!r}. Feeds use ISO 3166-1 alpha-3 codes, e.g. /country/PRK/changes.atom.")
    rows = await _entries(datasette, request, state=state["id"])
    return _atom(datasette, request, f"{state['name']}: latest changes",
                 f"The latest actions of {state_phrase(state['name'])} recorded in the KB, newest first by the date first recorded.",
                 f"/country/{state['id']}", rows)


async def instrument_atom(datasette, request):
    db = _db(datasette)
    raw = unquote(request.url_vars["id"])
    inst = await _one(db, "SELECT id, short_title FROM instruments WHERE id = ?", (raw,))
    if inst is None:
        return await _error(datasette, request, 404, "Unknown instrument",
                            f"No instrument has the id {raw!r}. Feeds use instrument ids, e.g. /instrument/CAT/changes.atom.")
    rows = await _entries(datasette, request, instrument=inst["id"])
    return _atom(datasette, request, f"{inst['short_title']}: latest changes",
                 f"The latest actions on the {inst['short_title']} recorded in the KB, newest first by the date first recorded.",
                 f"/instrument/{inst['id']}", rows)
