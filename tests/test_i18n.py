"""The words a reader sees, in the reader's language (kb/web/i18n.py): English as written unless a
request sets the language, one catalogue per language, and the Jinja templates call the same functions."""

from __future__ import annotations

import contextvars

from kb.web import i18n
from kb.web.pages import common


def test_english_is_the_default_and_reads_as_written():
    assert i18n.current_lang() == "en"
    assert i18n.gettext("Parties") == "Parties"
    assert i18n.ngettext("%(num)s party", "%(num)s parties", 1) == "%(num)s party"
    assert i18n.ngettext("%(num)s party", "%(num)s parties", 2) == "%(num)s parties"


def test_templates_call_the_same_functions():
    t = common._env().from_string('{{ _("Parties") }}|{% trans n=3 %}{{ n }} party{% pluralize %}{{ n }} parties{% endtrans %}'
                                  '|{{ _("<%(x)s>", x="&") }}')
    assert t.render() == "Parties|3 parties|<&amp;>"


def test_a_language_without_a_catalogue_reads_as_written():
    def probe():
        i18n.LANG.set("xx")
        return i18n.current_lang(), i18n.gettext("Parties")
    assert contextvars.copy_context().run(probe) == ("xx", "Parties")
    assert i18n.current_lang() == "en"  # the setting stays in its own context
