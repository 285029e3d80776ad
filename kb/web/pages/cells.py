"""Table cells that every row of the long tables repeats: a source, a row's own part of a source,
entry into force for a party, an action's text.

They were Jinja macros; a macro call costs some 15 microseconds, and an instrument page makes a
thousand of them, a third of its rendering.  As functions (template globals of the same names,
returning Markup) they give the same bytes; tests/test_cells.py renders the macros they replace
against them on every row of the real data.  Every value from the data is escaped here
(markupsafe.escape, as autoescape does), never marked safe.
"""

from __future__ import annotations

from typing import Any, Mapping

from markupsafe import Markup, escape

from ..i18n import format_date  # in the page's language (English: kb.query.citation.format_date)
from .. import i18n


def _(message: str) -> str:
    """A cell's words in the page's language (English as written: no lookup on the hot path)."""
    return message if i18n.LANG.get() == i18n.DEFAULT else i18n.gettext(message)

#: Texts longer than this are shown as an excerpt linking to the action's full record (the page
#: stays light: every instrument page under 250 kB of HTML).
EXCERPT_SIZE = 200


def _e(value: Any) -> str:
    return str(escape(value))


def excerpt(text: str | None, size: int | None = 280) -> str:
    """The start of a long text, cut at a word, with an ellipsis (the page links to the whole);
    size None: the whole text."""
    text = text or ""
    if size is None or len(text) <= size:
        return text
    cut = text[:size].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + " …"


def source(r: Mapping, prefix: str = "source_") -> Markup:
    """A row's source: a link with its title, the depositary symbol, the footnote and the as-at date."""
    url = r.get(prefix + "url")
    if not url:
        return Markup('<span class="muted">' + _e(_("no source recorded")) + '</span>')
    symbol, footnote, as_at = r.get(prefix + "symbol"), r.get(prefix + "footnote"), r.get(prefix + "as_at")
    out = ['<span class="source"><a href="', _e(url), '" rel="noopener">', _e(r.get(prefix + "title") or url), "</a>"]
    if symbol:
        out += [', <span class="symbol">', _e(symbol), "</span>"]
    if footnote:
        out += [", ", _e(_("footnote %(number)s") % {"number": footnote})]
    if as_at:
        out += [' <span class="as-at">(', _e(_("as at %(date)s") % {"date": format_date(as_at)}), ")</span>"]
    out.append("</span>")
    return Markup("".join(out))


def row_source(r: Mapping, common: Mapping | None, prefix: str = "source_") -> Markup:
    """A row's source where it differs from the table's (stated once above the table, see
    common.common_source); where it is the same page and as-at date, only what is the row's
    own (symbol, footnote), else nothing."""
    if common and r.get(prefix + "url") == common.get("url") and r.get(prefix + "as_at") == common.get("as_at"):
        symbol, footnote = r.get(prefix + "symbol"), r.get(prefix + "footnote")
        if not (symbol or footnote):
            return Markup("")
        out = ['<span class="source">']
        if symbol:
            out += ['<span class="symbol">', _e(symbol), "</span>"]
        if footnote:
            out += [", " if symbol else "", _e(_("footnote %(number)s") % {"number": footnote})]
        out.append("</span>")
        return Markup("".join(out))
    return source(r, prefix)


def table_source(common: Mapping | None) -> Markup:
    """The source of a table's rows, stated once above it."""
    if not common:
        return Markup("")
    words = _e(_("Source of every row, unless the row names another: %(source)s.") % {"source": "\0"})
    return Markup('<p class="table-source">' + words.replace("\0", source(common, "")) + "</p>")


def in_force(r: Mapping, as_of: str, plain: bool = False) -> Markup:
    """For a party: the date the instrument binds it (in force since, or enters into force on), with
    the article it follows and the reckoning (in_force_note) once: on the article where there is one,
    else on the date.  plain: the table states the article's rule above it, so the row names only
    the paragraph."""
    if r.get("status") != "party":
        return Markup("")
    note = r.get("in_force_note")
    date = r.get("in_force_date")
    if not date:
        return Markup(f'<br><span class="muted in-force-unknown" title="{_e(note)}">{_e(_("in force for it: not derived"))}</span>')
    article = r.get("in_force_article")
    out = ['<br><span class="in-force', "" if r.get("in_force") else " in-force-pending", '"']
    if not article:
        out += [' title="', _e(note), '"']
    words = _("in force for it since %(date)s") if date <= as_of else _("enters into force for it on %(date)s")
    out += [">", _e(words % {"date": format_date(date)}), "</span>"]
    if article:
        if plain:
            out += [' <span class="muted">', _e(_("art. %(article)s") % {"article": article}), "</span>"]
        else:
            out += [' <abbr class="muted" title="', _e(note), '">', _e(_("art. %(article)s") % {"article": article}), "</abbr>"]
    return Markup("".join(out))


def action_text(a: Mapping, record: str | None) -> Markup:
    """An action's text, summary and footnote, folded; excerpts linking to the full record when
    there is one (record: its path on the live site), else in full (a static export with no
    live site has nowhere to link)."""
    text, summary, footnote, unverified = a.get("text"), a.get("summary"), a.get("footnote_text"), a.get("unverified")
    if not (text or summary or footnote or unverified):
        return Markup('<span class="muted">—</span>')
    n = EXCERPT_SIZE if record else None
    out = ["<details><summary>", _e(_("Text") if text else _("Summary") if summary else _("Footnote")), "</summary>"]
    if text:
        out += ['<p class="action-text">', _e(excerpt(text, n)), "</p>"]
    if summary:
        out += ['<p class="detail-label">', _e(_("Summary")), '</p><p>', _e(excerpt(summary, n)), "</p>"]
    if footnote:
        out += ['<p class="detail-label">', _e(_("Footnote")), '</p><p>', _e(excerpt(footnote, n)), "</p>"]
    if unverified:
        out += ['<p class="detail-label">', _e(_("Unverified")), '</p><p>', _e(unverified), "</p>"]
    if record and (len(text or "") > n or len(summary or "") > n or len(footnote or "") > n):
        out += ['<a href="', _e(record), '">', _e(_("Full text")), "</a>"]
    out.append("</details>")
    return Markup("".join(out))


GLOBALS = {"source": source, "row_source": row_source, "table_source": table_source, "in_force": in_force,
           "action_text": action_text}
