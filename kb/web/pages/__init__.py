"""The research desk: one module per page family, registered with Datasette as a plugin.

Routes:
  /                      home (home.py): the DPRK at a glance, search, stored queries, downloads, tables
  /country               ?state=<id or name>: redirect to /country/<ID> (country.py)
  /country/<ISO3>        country profile (?as_of=YYYY-MM-DD)
  /country/<ISO3>.json   the profile's status rows as JSON (.csv: CSV), data.py
  /instrument            list of instruments (instrument.py)
  /instrument/<ID>       instrument page, with a world map of status (?as_of=YYYY-MM-DD)
  /instrument/<ID>.json  the page's status rows as JSON (.csv: CSV), data.py
  /instrument/<ID>/maps  a world map of each optional procedure of the instrument (?as_of=)
  /instrument/<ID>/article/<N>  the article's words and the statements on it (article.py; ?as_of=)
  /instrument/<ID>/article/<N>.json  its rows as JSON (.csv: CSV), reservations.py
  /instrument/<ID>/reservations      the states' reservations and declarations, article by article (reservations.py)
  /instrument/<ID>/reservations.json its rows as JSON (.csv: CSV)
  /compare               ?states=PRK,KOR,...&as_of=: states side by side (compare.py)
  /search                ?q=...: full-text search (search.py)
  /changes.atom, /changes.json    change feeds: the latest actions (feeds.py); per country
  /country/<ISO3>/changes.atom    and per instrument
  /instrument/<ID>/changes.atom
  /event/<key>           an engagement event's page, with its citation (event.py)
  /cite/<what>.<format>  a citation: .json (every style), .txt?style=, .ris, .bib, .csl.json (cite.py)
  /download/<db>-<version>.db     the database under its versioned name (download.py)
  /-/kb-static/<file>    CSS for these pages
  /-/kb-world.svg        the shapes every world map draws (worldmap.py)
Every route is also served in Korean under /ko/ (kb/web/i18n.py: /ko/country/PRK, /ko/instrument/CAT, ...).
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl
from datasette.utils.asgi import asgi_static

from .common import (
    STATIC, _db, _footer, _has_table, _instruments, _source_kinds, _states, compile_templates, default_as_of,
)
from .article import article
from .cite import cite
from .event import event
from .country import country, country_lookup
from .data import country_data, instrument_data
from .download import versioned_db
from .feeds import changes_atom, changes_json, country_atom, instrument_atom
from .home import home
from .compare import compare
from .instrument import instrument, instrument_index, instrument_maps
from .reservations import article_data, matrix_data, reservations_page
from .search import search
from .worldmap import world, world_sprite
from .frame import extra_template_vars, prepare_jinja2_environment  # noqa: F401 - Datasette's pages in the desk's frame


@hookimpl
def register_routes(datasette):
    return [
        (r"^/$", home),
        (r"^/changes\.atom$", changes_atom),
        (r"^/changes\.json$", changes_json),
        (r"^/country/(?P<id>[^/]+)/changes\.atom$", country_atom),
        (r"^/instrument/(?P<id>[^/]+)/changes\.atom$", instrument_atom),
        (r"^/download/(?P<file>[^/]+)$", versioned_db),
        (r"^/country/?$", country_lookup),
        (r"^/country/(?P<id>[^/]+)\.(?P<fmt>json|csv)$", country_data),
        (r"^/country/(?P<id>[^/]+)$", country),
        (r"^/instrument/?$", instrument_index),
        (r"^/instrument/(?P<id>[^/]+)\.(?P<fmt>json|csv)$", instrument_data),
        (r"^/instrument/(?P<id>[^/]+)$", instrument),
        (r"^/instrument/(?P<id>[^/]+)/maps$", instrument_maps),
        (r"^/instrument/(?P<id>[^/]+)/article/(?P<n>[^/]+)\.(?P<fmt>json|csv)$", article_data),
        (r"^/instrument/(?P<id>[^/]+)/article/(?P<n>[^/]+)$", article),
        (r"^/instrument/(?P<id>[^/]+)/reservations\.(?P<fmt>json|csv)$", matrix_data),
        (r"^/instrument/(?P<id>[^/]+)/reservations$", reservations_page),
        (r"^/compare/?$", compare),
        (r"^/search/?$", search),
        (r"^/event/(?P<key>.+)$", event),
        (r"^/cite/(?P<what>status|event|instrument|kb|all)\.(?P<fmt>json|txt|ris|bib|csl\.json)$", cite),
        (r"^/-/kb-world\.svg$", world_sprite),
        (r"^/-/kb-static/(?P<path>.*)$", asgi_static(str(STATIC))),
    ]


@hookimpl
def asgi_wrapper(datasette):
    """Every stored query's and every page's JSON and CSV parameters checked and resolved (kb/web/params.py);
    outside it, /ko/... served as /... in Korean (kb/web/i18n.py)."""
    from .. import i18n
    from ..params import wrap

    return lambda app: i18n.wrap(datasette, wrap(datasette, app))


@hookimpl
def startup(datasette):
    # What every process would otherwise pay on its first request: the templates, the map shapes,
    # and what depends only on the served snapshot (read once: common._snapshot_memo).
    compile_templates()
    world()

    async def read_snapshot() -> None:
        if not any(name != "_internal" for name in datasette.databases):
            return
        db = _db(datasette)
        # Datasette counts the rows of every table of an immutable database on the first request it
        # serves (app.setup_db), 33 queries a reader would wait for: counted here instead, it keeps them.
        for database in datasette.databases.values():
            if not database.is_mutable:
                await database.table_counts(limit=60 * 60 * 1000)
        try:
            for table in ("procedures", "entry_into_force_clauses"):
                await _has_table(db, table)
            await _instruments(db)
            await _states(db)
            await _source_kinds(db)
            await _footer(db)
            await default_as_of(db)
        except sqlite3.Error:  # not a KB database (or an old one): each page says so when asked
            pass

    return read_snapshot
