"""Reservations by article: what the article page, the matrix and the other pages share, and the
matrix itself.

  /instrument/<ID>/reservations[?as_of=]          the states' statements, article by article, on a date
  /instrument/<ID>/reservations.json|.csv         its rows: kb.query.reservations(instrument=ID, as_of=)
  /instrument/<ID>/article/<N>.json|.csv          the article page's rows: kb.query.reservations(instrument=ID,
                                                  article=N, as_of=), what `kb reservations` prints

Nothing here decides whether a statement is in force: every row is one of kb/query/sql/reservations.sql
(statement_status and statement_objections, kb/db/sql/views.sql); this module groups the rows by state
and article and writes their words. The words a reader sees are kept in WORDS, KIND_WORDS and MAP_WORDS.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from ... import query as q
from .. import i18n
from .common import (
    Reader, _base_context, _batch, _db, _error, _instruments, _path, _states, default_as_of, query_sql, render,
)
from .data import _answer
from .worldmap import _map, _recorded_on

#: Whether a statement applies on the date, in a reader's words (reservations.sql decides which).
WORDS = {
    "in_force": "In force since {made}",
    "partly": "In force since {made}; partly withdrawn on {partly}",
    "withdrawn": "Withdrawn with effect from {withdrawn}",
    "no_effect": "Recorded by the depositary without legal effect",
    "undetermined": "Made on {made}; a later withdrawal names no article, so the record does not say whether it "
                    "still applies",
    "beyond": "Made on {made}; not withdrawn as recorded on {known_to}, where the record ends: not known after that",
}
#: The depositary's headings, and their short forms in the matrix.
KIND_WORDS = {
    "reservation": ("Reservation", "res."),
    "declaration": ("Declaration", "decl."),
    "opt_out": ("Opt-out", "opt-out"),
    "competence_declaration": ("Declaration recognising competence", "comp."),
}
#: What a statement refers to, where it names no provision.
SCOPE_WORDS = {
    "whole": "The instrument as a whole",
    "preamble": "The preamble",
    "general": "In general: no article named",
    "unstated": "Not stated: read the statement's words",
    "part": "Part of the instrument",
}
#: The statuses of the map of an article, in legend order.
MAP_WORDS = {
    "statement": "A reservation or declaration on it in force",
    "statement_undetermined": "A reservation or declaration on it, in force not known",
    "statement_withdrawn": "Withdrawn (or without legal effect), none in force",
    "party_none": "Party, none recorded on it",
    "not_a_party": "Not a party",
    "not_yet_adopted": "Not yet adopted",
    "unknown": "Unknown: no record in the KB",
}
#: The words of a state's shape on that map where it made no statement on the article.
MAP_TITLES = {
    "party_none": "party, none recorded on this article",
    "unknown": "unknown (no record in the KB)",
    "not_yet_adopted": "the instrument was not yet adopted",
    "not_a_party": "not a party",
}
#: What a comparison says where a state made no statement on an instrument (compare_cells).
COMPARE_WORDS = {
    "unknown": "unknown",
    "not_yet_adopted": "not yet adopted",
    "none": "none recorded",
    "not_a_party": "not a party",
    "no_row": "not recorded",
}
GROUPS = {
    1: "In force",
    None: "In force not known: the record does not say whether these apply on the date",
    0: "Withdrawn, or recorded without legal effect",
}


def kind_word(kind: str) -> str:
    return i18n.gettext(KIND_WORDS.get(kind, (kind.replace("_", " ").capitalize(), ""))[0])


def kind_short(kind: str) -> str:
    return i18n.gettext(KIND_WORDS.get(kind, ("", kind.replace("_", " ")))[1])


def applies(r: dict) -> str:
    """Whether the statement applies on the row's date, in a reader's words."""
    d = i18n.format_date
    if r["in_force"] == 1 or r["in_force"] is True:
        key = "partly" if r.get("partly_withdrawn_on") else "in_force"
    elif r["in_force"] is None:
        key = "undetermined" if r.get("undetermined") or "names no article" in (r.get("in_force_note") or "") else "beyond"
    else:
        key = "withdrawn" if r.get("withdrawn_on") else "no_effect"
    return i18n.gettext(WORDS[key]).format(made=d(r["made_on"]), partly=d(r.get("partly_withdrawn_on")),
                             withdrawn=d(r.get("withdrawn_on")), known_to=d(r.get("known_to")))


def concerns(scope: str) -> str:
    """What a statement that names no provision refers to, in the page's language (SCOPE_WORDS)."""
    return i18n.gettext(SCOPE_WORDS[scope]) if scope in SCOPE_WORDS else scope


def article_of(provision: str | None) -> str | None:
    """The article a provision is part of ('16(1)(h)' -> '16')."""
    return provision.split("(", 1)[0] if provision else None


def anchor(r: dict) -> str:
    """The id of a statement's row on the article page: its key (less the instrument) and the provision it
    names, once ('CEDAW/SGP/1995-10-05/reservation', '16(1)(a)' -> 's-SGP-1995-10-05-reservation-16-1-a')."""
    key = (r.get("key") or "").split("/", 1)[-1]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")
    ref = re.sub(r"[^A-Za-z0-9]+", "-", r["article"] or r["scope"] or "").strip("-")
    return "s-" + (slug if not ref or slug.endswith("-" + ref) else f"{slug}-{ref}")


def prepare(rows: list[dict], states: dict[str, dict]) -> list[dict]:
    """The rows of reservations.sql with their words, anchors and objecting states' names."""
    import json

    for r in rows:
        if isinstance(r["objections"], str):
            r["objections"] = json.loads(r["objections"]) if r["objections"] else []
        for o in r["objections"]:
            o["state_name"] = (states.get(o["state"]) or {}).get("name", o["state"])
        r["applies"] = applies(r)
        r["kind_word"] = kind_word(r["kind"])
        r["anchor"] = anchor(r)
        r["concerns"] = r["article"] or concerns(r["scope"])
        r["cell"] = f"{r['article'] or ''} {kind_short(r['kind'])}".strip()
        r["cell_title"] = f"{r['kind_word']} ({_lower(r['concerns'])}): {_lower(r['applies'])}"
    return rows


def state_statements(rows: list[dict], words: list[dict]) -> list[tuple[str, list[dict]]]:
    """A state's statements (state_statements.sql) by instrument, each with the words of the provision it
    names and of its parts (statement_words.sql), in the treaty's order."""
    by_instrument: dict[str, list[dict]] = {}
    for r in rows:
        r.setdefault("state_name", "")
        r["applies"] = applies(r)
        r["kind_word"] = kind_word(r["kind"])
        r["anchor"] = anchor(r)
        r["concerns"] = r["article"] or concerns(r["scope"])
        p = r["article"]
        r["words"] = [w for w in words if p and w["instrument"] == r["instrument"]
                      and (w["provision"] == p or w["provision"].startswith(p + "("))]
        by_instrument.setdefault(r["instrument"], []).append(r)
    return list(by_instrument.items())


#: The kinds a comparison counts as reservations (a declaration may act as one: China's on CEDAW 29(1)).
COUNTED = ("reservation", "declaration", "opt_out")


def compare_cells(by_state: dict[str, list[dict]], status: dict[tuple[str, str], dict]) -> list[dict]:
    """For each instrument on which one of the states made a reservation, declaration or opt-out by the date
    (state_statements.sql rows by state), a cell per state: the statements in force, those whose force the
    record cannot tell, or why there are none (not a party, unknown, not yet adopted: never a bare zero)."""
    made: dict[str, dict[str, list[dict]]] = {}
    for sid, rows in by_state.items():
        for r in rows:
            if r["kind"] in COUNTED:
                made.setdefault(r["instrument"], {}).setdefault(sid, []).append(r)
    out = []
    for iid, states in made.items():
        cells = {}
        for sid in by_state:
            rows = states.get(sid, [])
            st = status.get((iid, sid)) or {}
            in_force = len({r["key"] for r in rows if r["in_force"] == 1})
            not_known = len({r["key"] for r in rows if r["in_force"] is None} - {r["key"] for r in rows if r["in_force"] == 1})
            if rows:
                word = None
            elif st.get("status") in ("unknown", "not_yet_adopted"):
                word = COMPARE_WORDS[st["status"]]
            elif st.get("status") in ("party", "signatory"):
                word = COMPARE_WORDS["none"]
            else:
                word = COMPARE_WORDS["not_a_party" if st else "no_row"]
            cells[sid] = {"in_force": in_force, "not_known": not_known, "made": len({r["key"] for r in rows}),
                          "word": word}
        out.append({"instrument": iid, "cells": cells})
    return out


def article_map(status_rows: list[dict], statements: list[dict], map_id: str, title: str) -> dict:
    """A map of the states with a statement on the article: in force, not known, or only withdrawn ones;
    every other state keeps its status on the instrument (party with none recorded, not a party, unknown)."""
    by_state: dict[str, list[dict]] = {}
    for s in statements:
        by_state.setdefault(s["state"], []).append(s)
    cells = {}
    for r in status_rows:
        name, mine = r["state_name"], by_state.get(r["state"], [])
        if any(s["in_force"] == 1 for s in mine):
            status, shown = "statement", [s for s in mine if s["in_force"] == 1]
        elif any(s["in_force"] is None for s in mine):
            status, shown = "statement_undetermined", [s for s in mine if s["in_force"] is None]
        elif mine:
            status, shown = "statement_withdrawn", mine
        if mine:
            text = "; ".join(f"{_lower(s['kind_word'])} ({_lower(s['concerns'])}): {_lower(s['applies'])}" for s in shown)
        else:
            status = ("party_none" if r["status"] == "party" else
                      r["status"] if r["status"] in ("unknown", "not_yet_adopted") else "not_a_party")
            text = i18n.gettext(MAP_TITLES[status])
        cells[r["state"]] = {"state": r["state"], "name": name, "status": status, "title": f"{name}: {text}"}
    return _map(cells, MAP_WORDS, map_id, title, link=True, recorded_on=_recorded_on(status_rows))


def _lower(words: str) -> str:
    """Words that begin a sentence, to stand inside one ('In force since …' -> 'in force since …')."""
    return words[:1].lower() + words[1:] if words[1:2].islower() else words


def objections_cell(objections: list[dict]) -> str:
    """The objections of a row in one CSV cell, as `kb reservations --format csv` writes them."""
    return "; ".join(f"{o['state']} {o['date']}" + (f" (withdrawn {o['withdrawn_on']})" if o["withdrawn_on"] else "")
                     for o in objections)


def _data(rows: list[dict], fmt: str, name: str):
    if fmt == "csv":
        # No statement: the header alone (an empty file would read as a failed query).
        rows = [{**r, "objections": objections_cell(r["objections"])} for r in rows]
        if not rows:
            from datasette.utils.asgi import Response

            return Response(",".join(q.RESERVATION_KEYS) + "\n", content_type="text/csv; charset=utf-8",
                            headers={"content-disposition": f'inline; filename="{name}.csv"'})
    return _answer(rows, fmt, name)


async def _instrument_or_404(datasette, request):
    db = _db(datasette)
    raw = unquote(request.url_vars["id"])
    if raw not in await _instruments(db):
        return None, await _error(datasette, request, 404, i18n.gettext("Unknown instrument"),
                                  i18n.gettext("No instrument has the id %(id)s. Instrument data uses the ids of "
                                               "/instrument, e.g. /instrument/CEDAW/reservations.json.")
                                  % {"id": repr(raw)})
    return raw, None


async def article_data(datasette, request):
    """/instrument/<ID>/article/<N>.json|.csv: the rows of the article page (`kb reservations --instrument ID
    --article N --as-of D --format json`). The date is checked by kb/web/params.py before this runs."""
    iid, err = await _instrument_or_404(datasette, request)
    if err:
        return err
    db = _db(datasette)
    n, fmt = unquote(request.url_vars["n"]).strip(), request.url_vars["fmt"]
    as_of = request.args.get("as_of")

    def read(conn):  # noqa: ANN001, ANN202
        articles = [r[0] for r in conn.execute(ARTICLES_SQL, {"i": iid})]
        # An article, or a paragraph of one ('29(1)'), as `kb reservations --article` takes it.
        if n not in articles and not conn.execute("SELECT 1 FROM treaty_provisions WHERE instrument_id = :i AND "
                                                  "provision = :p", {"i": iid, "p": n}).fetchone():
            return articles, None
        return articles, q.reservations(conn, instrument=iid, article=n, as_of=as_of)

    articles, rows = await db.execute_fn(read)
    if rows is None:
        return _json_404(f"The knowledge base holds no text of {iid}, so it has no articles." if not articles else
                         f"{iid} has no article {n!r}: its articles are {articles[0]} to {articles[-1]}.")
    return _data(rows, fmt, f"{iid}-article-{n}-{as_of}")


def _json_404(message: str):
    import json

    from datasette.utils.asgi import Response

    return Response(json.dumps({"ok": False, "error": message}, ensure_ascii=False) + "\n", status=404,
                    content_type="application/json; charset=utf-8")


async def matrix_data(datasette, request):
    """/instrument/<ID>/reservations.json|.csv: the rows the matrix shows (`kb reservations --instrument ID
    --as-of D --format json`)."""
    iid, err = await _instrument_or_404(datasette, request)
    if err:
        return err
    db = _db(datasette)
    as_of, fmt = request.args.get("as_of"), request.url_vars["fmt"]
    rows = await db.execute_fn(lambda conn: q.reservations(conn, instrument=iid, as_of=as_of))
    return _data(rows, fmt, f"{iid}-reservations-{as_of}")


ARTICLES_SQL = "SELECT provision FROM treaty_provisions WHERE instrument_id = :i AND level = 0 ORDER BY sort_order"


def matrix(rows: list[dict], articles: list[str]) -> dict:
    """The statements of one instrument by state (rows) and article (columns): the articles that have
    statements, in the treaty's order; a column for the instrument as a whole and one for statements that
    name no article, where there are any."""
    order = {a: n for n, a in enumerate(articles)}
    cols: dict[str, dict] = {}
    states: dict[str, dict] = {}
    for r in rows:
        col = article_of(r["article"]) if r["scope"] == "provision" else r["scope"]
        if col not in cols:
            cols[col] = {"key": col, "article": col if r["scope"] == "provision" else None,
                         "label": col if r["scope"] == "provision" else SCOPE_WORDS.get(col, col)}
        st = states.setdefault(r["state"], {"state": r["state"], "name": r["state_name"], "cells": {}, "in_force": 0})
        st["cells"].setdefault(col, []).append(r)
        st["in_force"] += r["in_force"] == 1

    def col_order(c: dict) -> tuple:
        if c["key"] == "whole":
            return (0, 0, "")
        if c["article"] is not None:
            return (1, order.get(c["article"], len(order)), c["article"])
        return (2, 0, c["key"])

    columns = sorted(cols.values(), key=col_order)
    for c in columns:
        c["states"] = sum(1 for s in states.values() if c["key"] in s["cells"])
        c["in_force"] = sum(1 for s in states.values() if any(r["in_force"] == 1 for r in s["cells"].get(c["key"], [])))
    return {"columns": columns, "states": sorted(states.values(), key=lambda s: s["name"])}


async def reservations_page(datasette, request):
    """/instrument/<ID>/reservations: the article × state matrix on a date."""
    from .instrument import _lookup

    found, response = await _lookup(datasette, request, "/reservations")
    if response is not None:
        return response
    db, _instruments_, inst, requested, as_of = found
    iid = inst["id"]
    states = await _states(db)

    def read(qr: Reader):
        return ([r["provision"] for r in qr.rows(ARTICLES_SQL, {"i": iid})],
                qr.rows(query_sql("reservations"), {"as_of": as_of, "states": "", "instrument": iid, "article": ""}))

    articles, rows = await _batch(db, read)
    prepare(rows, states)
    m = matrix(rows, articles)
    query = {"as_of": requested}
    ctx = await _base_context(datasette, request, i18n.gettext("%(instrument)s: reservations and declarations by article")
                              % {"instrument": inst["short_title"]})
    ctx.update(inst=inst, as_of=as_of, requested=requested, matrix=m, count=len(rows), has_text=bool(articles),
               known_to=inst["status_as_at"], beyond=any(r["beyond_record"] for r in rows),
               default_as_of=await default_as_of(db),
               article_path=lambda n: _path(datasette, f"/instrument/{iid}/article/{n}", query),
               json_url=_path(datasette, f"/instrument/{iid}/reservations.json", query),
               csv_url=_path(datasette, f"/instrument/{iid}/reservations.csv", query),
               kind_short=kind_short, scope_words=SCOPE_WORDS)
    return render("kb_reservations.html", **ctx)
