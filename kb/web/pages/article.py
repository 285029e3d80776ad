"""The article page: /instrument/<ID>/article/<N>[?as_of=YYYY-MM-DD].

The article's words (treaty_provisions), then every statement on it made by the date: those in
force (with since when), those the record cannot say are in force, those withdrawn, each with
the objections to it: the SQL of `kb reservations --instrument ID --article N` (reservations.sql).
"""

from __future__ import annotations

from urllib.parse import unquote

from .common import Reader, _base_context, _batch, _error, _path, query_sql, render
from .instrument import _lookup
from .. import i18n

PROVISIONS_SQL = """
    SELECT provision, parent, level, label, title, text, text_after FROM treaty_provisions
    WHERE instrument_id = :i AND article = :a ORDER BY sort_order"""
ARTICLES_SQL = "SELECT provision FROM treaty_provisions WHERE instrument_id = :i AND level = 0 ORDER BY sort_order"


async def article(datasette, request):
    raw = unquote(request.url_vars["n"]).strip()
    found, response = await _lookup(datasette, request, f"/article/{raw}")
    if response is not None:
        return response
    db, _instruments, inst, requested, as_of = found

    def read(q: Reader):
        provisions = q.rows(PROVISIONS_SQL, {"i": inst["id"], "a": raw})
        articles = [r["provision"] for r in q.rows(ARTICLES_SQL, {"i": inst["id"]})]
        statements = q.rows(query_sql("reservations"), {"as_of": as_of, "states": "", "instrument": inst["id"],
                                                        "article": raw}) if provisions else []
        return provisions, articles, statements

    provisions, articles, statements = await _batch(db, read)
    if not provisions:
        if not articles:
            return await _error(datasette, request, 404, i18n.gettext("No text in the knowledge base"),
                                i18n.gettext("The knowledge base holds no text of %(instrument)s, so it has no article "
                                             "pages.") % {"instrument": inst["id"]})
        return await _error(datasette, request, 404, i18n.gettext("Unknown article"),
                            i18n.gettext("%(instrument)s has no article %(article)s: its articles are %(first)s to "
                                         "%(last)s.") % {"instrument": inst["id"], "article": repr(raw),
                                                          "first": articles[0], "last": articles[-1]})
    import json

    for s in statements:
        s["objections"] = json.loads(s["objections"]) if s["objections"] else []
    groups = [
        (i18n.gettext("In force"), [s for s in statements if s["in_force"] == 1]),
        (i18n.gettext("Not determined: the record does not say whether these are in force on the date"), [s for s in statements if s["in_force"] is None]),
        (i18n.gettext("Withdrawn, or recorded without legal effect"), [s for s in statements if s["in_force"] == 0]),
    ]
    i = articles.index(raw)
    nav = {"prev": articles[i - 1] if i > 0 else None, "next": articles[i + 1] if i + 1 < len(articles) else None}
    query = {"as_of": as_of, "states": "", "instrument": inst["id"], "article": raw}
    ctx = await _base_context(datasette, request, i18n.gettext("%(instrument)s article %(article)s")
                              % {"instrument": inst["id"], "article": raw})
    ctx.update(inst=inst, article=raw, provisions=provisions, groups=groups, count=len(statements), nav=nav,
               as_of=as_of, requested=requested,
               article_path=lambda n: _path(datasette, f"/instrument/{inst['id']}/article/{n}", {"as_of": requested}),
               json_url=_path(datasette, f"/{db.name}/reservations.json", query),
               csv_url=_path(datasette, f"/{db.name}/reservations.csv", query))
    return render("kb_article.html", **ctx)
