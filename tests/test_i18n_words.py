"""The words a reader sees, in the reader's language: every word goes through kb/web/i18n.py's gettext,
English reads as written, and the Korean catalogue is current and complete (scripts/i18n.py --check)."""

from __future__ import annotations

import contextvars
import subprocess
import sys
from pathlib import Path

from kb.web import i18n
from kb.web.pages import common

ROOT = Path(__file__).resolve().parents[1]


def in_lang(lang, fn, *args):
    def run():
        i18n.LANG.set(lang)
        return fn(*args)
    return contextvars.copy_context().run(run)


def test_english_is_the_default_and_reads_as_written():
    assert i18n.current_lang() == "en"
    assert i18n.gettext("Parties") == "Parties"
    assert i18n.ngettext("%(num)s party", "%(num)s parties", 2) == "%(num)s parties"


def test_templates_call_the_same_functions():
    t = common._env().from_string('{{ _("Parties") }}|{% trans n=3 %}{{ n }} party{% pluralize %}{{ n }} parties{% endtrans %}'
                                  '|{{ _("<%(x)s>", x="&") }}')
    assert t.render() == "Parties|3 parties|<&amp;>"


def test_vocabulary_words_never_read_as_the_catalogue_header():
    # gettext("") is a catalogue's header: an empty value stays empty in every language
    for lang in ("en", "ko"):
        assert in_lang(lang, common._words, "") == ""
        assert in_lang(lang, common._words, None) == ""
        assert in_lang(lang, common._status_label, None) == ""
