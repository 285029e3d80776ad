"""Full-text search: /search?q=... over instrument titles and action texts (SQLite FTS5)."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from .common import ACTION_COLUMNS, ACTION_JOINS, SEARCH_LIMIT, _base_context, _db, _has_table, _one, _rows, render
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
    instruments: list[dict] = []
    actions: list[dict] = []
    total = 0
    error = None
    match = fts_query(q)
    if q and not match:
        error = "Type at least one word or number to search for."
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
            type_filter = "AND a.type = :type" if kind else ""
            if fts:
                total = (await _one(db, f"""
                    SELECT count(*) AS n FROM actions_fts JOIN actions a ON a.id = actions_fts.rowid
                    WHERE actions_fts MATCH :m {type_filter}""", {"m": match, "type": kind}))["n"]
                actions = await _rows(db, f"""
                    SELECT {ACTION_COLUMNS}, snippet(actions_fts, -1, char(2), char(3), '…', 24) AS snip
                    FROM actions_fts JOIN actions a ON a.id = actions_fts.rowid {ACTION_JOINS}
                    WHERE actions_fts MATCH :m {type_filter}
                    ORDER BY rank LIMIT {SEARCH_LIMIT}""", {"m": match, "type": kind})
            else:
                conds = " AND ".join(
                    f"(coalesce(a.text, '') || ' ' || coalesce(a.summary, '') || ' ' || coalesce(a.footnote_text, '')) LIKE :w{n} ESCAPE '\\'"
                    for n in range(len(words)))
                params = {f"w{n}": "%" + re.sub(r"([%_\\])", r"\\\1", w) + "%" for n, w in enumerate(words)}
                params["type"] = kind
                total = (await _one(db, f"SELECT count(*) AS n FROM actions a WHERE {conds} {type_filter}", params))["n"]
                actions = await _rows(db, f"""
                    SELECT {ACTION_COLUMNS}, NULL AS snip FROM actions a {ACTION_JOINS}
                    WHERE {conds} {type_filter} ORDER BY a.date_on, a.id LIMIT {SEARCH_LIMIT}""", params)
                for a in actions:
                    a["snip"] = _plain_snippet([a["text"], a["summary"], a["footnote_text"]], words)
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a 500
            error = f"The search could not be run: {exc}"
    for a in actions:
        a["snip_html"] = highlight(a["snip"])
    for i in instruments:
        i["hl_html"] = highlight(i.get("hl")) if i.get("hl") else None
    ctx = await _base_context(datasette, request, i18n.gettext("Search: %(q)s") % {"q": q} if q else i18n.gettext("Search"))
    ctx.update(q=q, kind=kind, types=types, instruments=instruments, actions=actions, total=total, error=error,
               fts=fts, limit=SEARCH_LIMIT)
    return render("kb_search.html", status=400 if error and q and not match else 200, **ctx)
