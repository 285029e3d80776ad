"""Datasette's own pages (tables, stored queries, SQL) in the desk's frame.

Datasette reads its templates from kb/web/datasette_templates first (app.py: template_dir); those
templates mark their words for translation, so Datasette's Jinja environment gets the i18n
extension (null translations: read as written until a language's catalogue is installed), and
they name the served database (the desk's "Tables & queries" link)."""

from __future__ import annotations

from pathlib import Path

from datasette import hookimpl

TEMPLATES = Path(__file__).resolve().parent.parent / "datasette_templates"


@hookimpl
def prepare_jinja2_environment(env, datasette):
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
        env.install_null_translations(newstyle=True)


@hookimpl
def extra_template_vars(datasette):
    names = [n for n in datasette.databases if n != "_internal"]
    return {"kb_db_name": names[0] if names else "kb"}
