"""Datasette's own pages (tables, stored queries, SQL) in the desk's frame.

Datasette reads its templates from kb/web/datasette_templates first (app.py: template_dir); those
templates mark their words for translation, so Datasette's Jinja environment gets the i18n
extension with the pages' gettext (the request's language, kb/web/i18n.py), and
they name the served database (the desk's "Tables & queries" link)."""

from __future__ import annotations

from pathlib import Path

from datasette import hookimpl

from .. import i18n

TEMPLATES = Path(__file__).resolve().parent.parent / "datasette_templates"


@hookimpl
def prepare_jinja2_environment(env, datasette):
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    # The request's language (kb/web/i18n.py): English reads as written, /ko/ from the Korean catalogue.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)


@hookimpl
def extra_template_vars(datasette):
    names = [n for n in datasette.databases if n != "_internal"]
    return {"kb_db_name": names[0] if names else "kb"}
