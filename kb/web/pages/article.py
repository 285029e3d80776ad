"""The article page: /instrument/<ID>/article/<N>[?as_of=YYYY-MM-DD].

The article's words (treaty_provisions), then every statement on it made by the date: those in
force (with since when), those the record cannot say are in force, those withdrawn, each with
the objections to it: the SQL of `kb reservations --instrument ID --article N` (reservations.sql);
and a map of the states with a statement on it (reservations.article_map). Its rows as JSON and
CSV: /instrument/<ID>/article/<N>.json|.csv (reservations.article_data).
"""

from __future__ import annotations

from urllib.parse import unquote

from .common import (
    Reader, _base_context, _batch, _error, _path, _source_kinds, _states, default_as_of, query_sql, render,
)
from .instrument import _lookup
from . import record
from .reservations import ARTICLES_SQL, GROUPS, article_map, prepare
from .worldmap import world
from .cite import meta_for
from .order import by_name
from .. import i18n

PROVISIONS_SQL = """
    SELECT tp.provision, tp.parent, tp.level, tp.label, tp.title, tp.text, tp.text_after,
           s.url AS source_url, s.title AS source_title, s.as_at AS source_as_at
    FROM treaty_provisions tp LEFT JOIN sources s ON s.id = tp.source_id
    WHERE tp.instrument_id = :i AND tp.article = :a ORDER BY tp.sort_order"""
# A provision below an article ('29(1)', '16(1)(h)'): the page of its article, at its paragraph.
PROVISION_SQL = "SELECT article, provision FROM treaty_provisions WHERE instrument_id = :i AND provision = :p"


async def article(datasette, request):
    raw = unquote(request.url_vars["n"]).strip()
    found, response = await _lookup(datasette, request, f"/article/{raw}")
    if response is not None:
        return response
    db, instruments, inst, requested, as_of = found
    kinds = await _source_kinds(db)

    def read(q: Reader):
        provisions = q.rows(PROVISIONS_SQL, {"i": inst["id"], "a": raw})
        articles = [r["provision"] for r in q.rows(ARTICLES_SQL, {"i": inst["id"]})]
        if not provisions:
            return provisions, articles, [], [], q.one(PROVISION_SQL, {"i": inst["id"], "p": raw.replace(" ", "")})
        statements = q.rows(query_sql("reservations"), {"as_of": as_of, "states": "", "instrument": inst["id"],
                                                        "article": raw})
        # The map (only where a statement was made: else every state would read "none recorded").
        status_rows = record.mark(q.rows(query_sql("status_on"), {"as_of": as_of, "states": "",
                                                                  "instruments": inst["id"]}), instruments, kinds) \
            if statements else []
        return provisions, articles, statements, status_rows, None

    provisions, articles, statements, status_rows, part = await _batch(db, read)
    if not provisions:
        if part is not None:  # a paragraph: its article's page, at the paragraph
            from datasette.utils.asgi import Response

            return Response.redirect(_path(datasette, f"/instrument/{inst['id']}/article/{part['article']}",
                                           {"as_of": requested}) + f"#p-{part['provision']}", status=302)
        if not articles:
            return await _error(datasette, request, 404, i18n.gettext("No text in the knowledge base"),
                                i18n.gettext("The knowledge base holds no text of %(instrument)s, so it has no article "
                                             "pages.") % {"instrument": inst["id"]})
        return await _error(datasette, request, 404, i18n.gettext("Unknown article"),
                            i18n.gettext("%(instrument)s has no article %(article)s: its articles are %(first)s to "
                                         "%(last)s.") % {"instrument": inst["id"], "article": repr(raw),
                                                          "first": articles[0], "last": articles[-1]})
    prepare(statements, await _states(db))
    statements = by_name(statements)  # in name order; each state's statements in the record's order
    groups = [(GROUPS[k], [s for s in statements if s["in_force"] == k]) for k in (1, None, 0)]
    i = articles.index(raw)
    nav = {"prev": articles[i - 1] if i > 0 else None, "next": articles[i + 1] if i + 1 < len(articles) else None}
    query = {"as_of": requested}
    beyond = any(r["beyond_record"] for r in status_rows)
    title = (i18n.gettext("States with a reservation or declaration on article %(article)s of the %(instrument)s, "
                          "%(date)s") % {"article": raw, "instrument": inst["short_title"], "date": i18n.format_date(as_of)}
             + (f", {record.as_recorded(inst['status_as_at'])}" if beyond else ""))
    ctx = await _base_context(datasette, request, i18n.gettext("%(instrument)s article %(article)s")
                              % {"instrument": inst["id"], "article": raw})
    ctx["cite_meta"] = meta_for("article", ctx["version"], id=inst["id"], title=inst["title"], article=raw, date=as_of)
    ctx.update(inst=inst, article=raw, provisions=provisions, groups=groups, count=len(statements), nav=nav,
               as_of=as_of, requested=requested, world=world(), default_as_of=await default_as_of(db),
               states_in_force=len({s["state"] for s in statements if s["in_force"] == 1}),
               statement_map=article_map(status_rows, statements, "map", title) if statements else None,
               article_path=lambda n: _path(datasette, f"/instrument/{inst['id']}/article/{n}", query),
               matrix_url=_path(datasette, f"/instrument/{inst['id']}/reservations", query),
               json_url=_path(datasette, f"/instrument/{inst['id']}/article/{raw}.json", query),
               csv_url=_path(datasette, f"/instrument/{inst['id']}/article/{raw}.csv", query))
    return render("kb_article.html", **ctx)
