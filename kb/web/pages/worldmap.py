"""World maps of status: inline SVG, drawn by the server (no script; works in a saved page).

The shapes (Natural Earth 1:110m, vendored in kb/web/data/world-110m.json; see its README) are
served once as an SVG of <path>s, /-/kb-world.svg (sprite()); each map draws every shape with a
<use href="/-/kb-world.svg#w-ISO3"> carrying data-state, data-status and a <title>, so the
geometry (about 70 kB) is fetched once by a browser and kept for every page with a map, and
no page carries it.

Nothing here decides a status: the rows come from the SQL of kb.query (status_on.sql for an
instrument, obligations_on.sql for a procedure); this module only looks up a shape for each
row and writes the words of its title.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ...query import citation as C
from .order import by_name
from .. import i18n

MAP_FILE = Path(__file__).resolve().parent.parent / "data" / "world-110m.json"

#: The statuses of an instrument map, in legend order, with their words.
STATUS_WORDS = {
    "party": "Party",
    "signatory": "Signatory, not a party",
    "withdrawn": "Withdrawn",
    "not_party": "Not a party",
    "not_applicable": "Not applicable (not an ILO member)",
    "not_yet_adopted": "Not yet adopted",
    "unknown": "Unknown: no record in the KB",
}
#: The statuses of an optional-procedure map.
PROCEDURE_WORDS = {
    "accepted": "Accepted",
    "not_accepted": "Party, not accepted",
    "not_party": "Not a party to the instrument",
    "not_yet_adopted": "Instrument not yet adopted",
    "unknown": "Unknown: no record in the KB",
}


#: Shapes not drawn: Antarctica is no state and would take a tenth of the page's map data.
SKIP = {"ATA"}


@lru_cache(maxsize=1)
def world() -> dict:
    """The vendored shapes: {'viewBox', 'outline', 'shapes': [{'key', 'id', 'name', 'd'}], 'ids'}."""
    doc = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    shapes = []
    for n, s in enumerate(doc["shapes"]):
        if s["id"] in SKIP:
            continue
        shapes.append({"key": s["id"] or f"x{n}", "id": s["id"], "name": s["name"], "d": s["d"]})
    return {"viewBox": doc["viewBox"], "outline": doc["outline"], "shapes": shapes,
            "ids": {s["id"] for s in shapes if s["id"]}, "source": doc["source"], "boundaries": doc["boundaries"]}


@lru_cache(maxsize=1)
def sprite() -> bytes:
    """/-/kb-world.svg: every shape as <path id="w-KEY">, and the outline of the sphere as w-outline."""
    from html import escape

    w = world()
    paths = [f'<path id="w-outline" d="{escape(w["outline"])}"/>']
    paths += [f'<path id="w-{escape(s["key"])}" d="{escape(s["d"])}"/>' for s in w["shapes"]]
    return ('<svg xmlns="http://www.w3.org/2000/svg"><defs>\n' + "\n".join(paths) + "\n</defs></svg>\n").encode()


async def world_sprite(datasette, request):
    from datasette.utils.asgi import Response

    return Response(sprite(), content_type="image/svg+xml; charset=utf-8")


def status_title(r: dict) -> str:
    """'France: party since 18 February 1986' (the words of a status_on row, in the page's language;
    the state's name and ': ' always lead, for the list of states off the map)."""
    _ = i18n.gettext
    name, status = r["state_name"], r["status"]
    if status == "party":
        words = _("party since %(date)s") % {"date": C.format_date(r["consent_date"])} if r.get("consent_date") \
            else _("party")
    elif status == "signatory":
        words = _("signed on %(date)s, not a party") % {"date": C.format_date(r["signature_date"])} \
            if r.get("signature_date") else _("signatory, not a party")
    elif status == "withdrawn":
        words = _("withdrew, with effect from %(date)s") % {"date": C.format_date(r["withdrawal_date"])} \
            if r.get("withdrawal_date") else _("withdrew")
    elif status == "not_party":
        words = _("not a party")
    elif status == "not_applicable":
        words = _("not applicable (not an ILO member)") + (" " + _("(secondary source)") if r.get("secondary") else "")
    elif status == "not_yet_adopted":
        words = _("the instrument was not yet adopted")
    else:
        words = _("unknown (no record in the KB)")
    return f"{name}: {words}"


def strip_title(reason: str, title: str) -> str:
    """obligations_on.sql's reason without the procedure's title ("Inquiry (article 20): opted out ..." -> "opted out ...")."""
    return reason[len(title) + 2:] if reason.startswith(title + ": ") else reason


def _recorded_on(rows: list[dict]) -> str | None:
    """The record's end where the map shows status past it (status_on.sql's beyond_record): the latest, the
    instrument's own; a status read from coverage by state may end earlier (its title says so: own_end)."""
    return max((r["known_to"] for r in rows if r.get("beyond_record") and r.get("known_to")), default=None)


def own_end(r: dict, recorded_on: str | None) -> str:
    """' (as recorded on 14 February 1997)' for a row past a record end of its own, earlier than the map's."""
    if r.get("beyond_record") and r.get("known_to") and r["known_to"] != recorded_on:
        return f" (as recorded on {C.format_date(r['known_to'])})"
    return ""


def _map(cells: dict[str, dict], words: dict[str, str], map_id: str, title: str, link: bool,
         recorded_on: str | None = None) -> dict:
    w = world()
    shapes = []
    for s in w["shapes"]:
        cell = cells.get(s["id"]) if s["id"] else None
        shapes.append({"key": s["key"], "state": s["id"] if cell else None,
                       "status": cell["status"] if cell else None, "title": cell["title"] if cell else None,
                       "link": link and cell is not None})
    off_map = by_name((c for sid, c in cells.items() if sid not in w["ids"]), "name")
    for c in off_map:  # the title without the leading "Name: "
        c["words"] = c["title"][len(c["name"]) + 2:]
    rows = []  # the map as a table (kb_map_table.html): every state with a status, in name order
    for sid, c in cells.items():
        detail = c["title"][len(c["name"]) + 2:] if c["title"].startswith(c["name"] + ": ") else c["title"]
        rows.append({"state": sid, "name": c["name"], "status": c["status"], "words": detail[:1].upper() + detail[1:],
                     "link": link})
    rows = by_name(rows, "name")
    legend = []
    for status, label in words.items():
        n = sum(1 for c in cells.values() if c["status"] == status)
        if n:
            legend.append({"status": status, "label": i18n.gettext(label), "n": n,
                           "off_map": sum(1 for c in off_map if c["status"] == status)})
    return {"id": map_id, "title": title, "viewBox": w["viewBox"], "shapes": shapes, "legend": legend,
            "off_map": off_map, "labels": words, "recorded_on": recorded_on, "rows": rows}


def instrument_map(rows: list[dict], map_id: str, title: str, record_end: str | None | bool = False) -> dict:
    """A map of the status_on rows of one instrument on one date. `record_end`: the instrument's own record
    end when the date is past it, None when it is not (False: read it from the rows)."""
    end = _recorded_on(rows) if record_end is False else record_end
    cells = {r["state"]: {"state": r["state"], "name": r["state_name"], "status": r["status"],
                          "title": status_title(r) + own_end(r, end)}
             for r in rows}
    m = _map(cells, STATUS_WORDS, map_id, title, link=True, recorded_on=end)
    m["tables_at"] = "#participants"  # the instrument page's own tables of the same facts (kb_map_table.html)
    return m


def procedure_map(status_rows: list[dict], accepted: dict[str, dict], map_id: str, title: str, procedure: str,
                  instrument: str) -> dict:
    """A map of one optional procedure: `accepted` holds the obligations_on.sql procedure rows of the
    instrument's parties, by state; every other state keeps its instrument status (unknown stays unknown)."""
    cells = {}
    for r in status_rows:
        name = r["state_name"]
        o = accepted.get(r["state"])
        if r["status"] == "party" and o is not None:
            status = "accepted" if o["accepted"] else "not_accepted"
            text = (f"{name}: " + (i18n.gettext("accepted since %(date)s") % {"date": C.format_date(o["since"])}
                                   if o.get("since") else i18n.translations().pgettext("procedure", "accepted"))) \
                if o["accepted"] else f"{name}: " + strip_title(o["reason"], procedure)
        elif r["status"] == "unknown":
            status, text = "unknown", f"{name}: " + i18n.gettext("unknown (no record in the KB)")
        elif r["status"] == "not_yet_adopted":
            status, text = "not_yet_adopted", f"{name}: " + i18n.gettext("the %(instrument)s was not yet adopted") % {
                "instrument": instrument}
        else:
            status = "not_party"
            text = f"{name}: " + i18n.gettext("not a party to the %(instrument)s") % {"instrument": instrument} + (
                " " + i18n.gettext("(signatory)") if r["status"] == "signatory" else
                " " + i18n.gettext("(withdrew)") if r["status"] == "withdrawn" else "")
        cells[r["state"]] = {"state": r["state"], "name": name, "status": status, "title": text}
    return _map(cells, PROCEDURE_WORDS, map_id, title, link=False, recorded_on=_recorded_on(status_rows))
