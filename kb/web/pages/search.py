"""Full-text search: /search?q=... over instrument titles and action texts (SQLite FTS5)."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from ..params import Refusal, page_number
from .common import (
    ACTION_COLUMNS, ACTION_JOINS, SEARCH_LIMIT, _base_context, _db, _has_table, _one, _resolve_state, _rows, _states,
    query_sql, render,
)
from .. import i18n


_TERM = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"


def fts_query(q: str) -> str:
    """User text -> a safe FTS5 query: every word quoted, "phrases" kept, all terms required."""
    terms = []
    for phrase, word in _TERM.findall(q):
        words = _WORD.findall(phrase if phrase else word)
        if words:
            terms.append('"' + " ".join(words) + '"')
    return " ".join(terms)


def highlight(snippet: str | None) -> Markup:
    """Escape a snippet, then turn the match markers into <mark>."""
    if not snippet:
        return Markup("")
    out = str(escape(snippet))
    return Markup(out.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def _plain_snippet(texts: list[str | None], words: list[str], size: int = 160) -> str:
    for t in texts:
        if not t:
            continue
        low = t.lower()
        pos = min((low.find(w.lower()) for w in words if low.find(w.lower()) >= 0), default=-1)
        if pos < 0:
            continue
        start = max(0, pos - size // 2)
        piece = t[start:start + size]
        for w in sorted(set(words), key=len, reverse=True):
            piece = re.sub(re.escape(w), lambda m: MARK_OPEN + m.group(0) + MARK_CLOSE, piece, flags=re.IGNORECASE)
        return ("…" if start else "") + piece + ("…" if start + size < len(t) else "")
    return ""



async def search(datasette, request):
    db = _db(datasette)
    q = (request.args.get("q") or "").strip()[:200]
    kind = (request.args.get("type") or "").strip()
    types = [r["type"] for r in await _rows(db, "SELECT DISTINCT type FROM actions ORDER BY type")]
    if kind not in types:
        kind = ""
    fts = await _has_table(db, "actions_fts")
    fts_instruments = await _has_table(db, "instruments_fts")
    fts_texts = await _has_table(db, "treaty_provisions_fts")
    provisions: list[dict] = []
    instruments: list[dict] = []
    actions: list[dict] = []
    total = 0
    error = None
    status = 200
    match = fts_query(q)
    try:
        page = page_number(request.args.get("page"))
    except Refusal as r:
        page, error, status = 1, r.message[:1].upper() + r.message[1:] + ".", 400
    offset = (page - 1) * SEARCH_LIMIT
    if error:
        pass
    elif q and not match:
        error = "Type at least one word or number to search for."
        status = 400
    elif q:
        words = [w for p, w in _TERM.findall(q) for w in _WORD.findall(p or w)]
        try:
            if fts_instruments:
                instruments = await _rows(db, """
                    SELECT i.id, i.title, i.short_title,
                           highlight(instruments_fts, 1, char(2), char(3)) AS hl
                    FROM instruments_fts JOIN instruments i ON i.id = instruments_fts.id
                    WHERE instruments_fts MATCH :m ORDER BY rank, i.sort_order""", {"m": match})
            else:
                like = "%" + "%".join(words) + "%"
                instruments = await _rows(db, """
                    SELECT id, title, short_title, NULL AS hl FROM instruments
                    WHERE title LIKE :l OR short_title LIKE :l OR id LIKE :l ORDER BY sort_order""", {"l": like})
            if fts_texts and not kind and page == 1:  # the treaties' own words (an action type asks for actions only)
                provisions = await _rows(db, query_sql("provision_search"), {"m": match, "limit": SEARCH_LIMIT})
            type_filter = "AND a.type = :type" if kind else ""
            if fts:
                total = (await _one(db, f"""
                    SELECT count(*) AS n FROM actions_fts JOIN actions a ON a.id = actions_fts.rowid
                    WHERE actions_fts MATCH :m {type_filter}""", {"m": match, "type": kind}))["n"]
                actions = await _rows(db, f"""
                    SELECT {ACTION_COLUMNS}, snippet(actions_fts, -1, char(2), char(3), '…', 24) AS snip
                    FROM actions_fts JOIN actions a ON a.id = actions_fts.rowid {ACTION_JOINS}
                    WHERE actions_fts MATCH :m {type_filter}
                    ORDER BY rank, a.id LIMIT {SEARCH_LIMIT} OFFSET :offset""", {"m": match, "type": kind, "offset": offset})
            else:
                conds = " AND ".join(
                    f"(coalesce(a.text, '') || ' ' || coalesce(a.summary, '') || ' ' || coalesce(a.footnote_text, '')) LIKE :w{n} ESCAPE '\\'"
                    for n in range(len(words)))
                params = {f"w{n}": "%" + re.sub(r"([%_\\])", r"\\\1", w) + "%" for n, w in enumerate(words)}
                params["type"] = kind
                params["offset"] = offset
                total = (await _one(db, f"SELECT count(*) AS n FROM actions a WHERE {conds} {type_filter}", params))["n"]
                actions = await _rows(db, f"""
                    SELECT {ACTION_COLUMNS}, NULL AS snip FROM actions a {ACTION_JOINS}
                    WHERE {conds} {type_filter} ORDER BY a.date_on, a.id LIMIT {SEARCH_LIMIT} OFFSET :offset""", params)
                for a in actions:
                    a["snip"] = _plain_snippet([a["text"], a["summary"], a["footnote_text"]], words)
            pages = max(1, -(-total // SEARCH_LIMIT))
            if page > pages:
                error, status = (f"There {'is' if pages == 1 else 'are'} only {pages} page{'s' if pages != 1 else ''} "
                                 f"of results for this search ({total} action{'s' if total != 1 else ''})."), 404
                actions = []
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a 500
            error = f"The search could not be run: {exc}"
    for a in actions:
        a["snip_html"] = highlight(a["snip"])
    for i in instruments:
        i["hl_html"] = highlight(i.get("hl")) if i.get("hl") else None
    for p in provisions:
        p["snip_html"] = highlight(p["snip"])
    # A state named as the command line names it (code, depositary's name, alias, Korean name: 북한, ROK).
    state = None
    if q and not error:
        sid = await _resolve_state(db, q)
        state = (await _states(db)).get(sid) if sid else None
    ctx = await _base_context(datasette, request, i18n.gettext("Search: %(q)s") % {"q": q} if q else i18n.gettext("Search"))
    ctx.update(state=state)
    ctx.update(q=q, kind=kind, types=types, instruments=instruments, actions=actions, total=total, error=error,
               fts=fts, limit=SEARCH_LIMIT, provisions=provisions, fts_texts=fts_texts,
               provisions_total=provisions[0]["total"] if provisions else 0,
               paging=_paging(datasette, q, kind, page, total) if q and not error else None)
    return render("kb_search.html", status=status, **ctx)


def _paging(datasette, q: str, kind: str, page: int, total: int) -> dict:
    """Where this page of results starts and ends, how many pages there are, and the links to the next and
    previous pages (the same search)."""
    from .common import _path

    pages = max(1, -(-total // SEARCH_LIMIT))

    def link(n: int) -> str:
        args = {"q": q}
        if kind:
            args["type"] = kind
        if n > 1:
            args["page"] = str(n)
        return _path(datasette, "/search", args)

    return {"page": page, "pages": pages, "first": (page - 1) * SEARCH_LIMIT + 1 if total else 0,
            "last": min(page * SEARCH_LIMIT, total), "total": total,
            "prev": link(page - 1) if page > 1 else None, "next": link(page + 1) if page < pages else None}
