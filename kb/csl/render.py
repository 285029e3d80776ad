"""CSL-JSON items rendered by citeproc-py with the official style files in `styles/`.

Note styles (OSCOLA, Bluebook, Chicago notes) give their first-reference footnote: every item of
a record in one citation, in the style's own order and delimiters.  APA (an author-date style)
gives its reference-list entries, one a line, which is what a writer pastes.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from pathlib import Path

from . import CSL_STYLES

STYLES_DIR = Path(__file__).resolve().parent / "styles"


@lru_cache(maxsize=None)
def _style(name: str):
    from citeproc import CitationStylesStyle

    _patch_substitute()
    return CitationStylesStyle(str(STYLES_DIR / f"{CSL_STYLES[name]}.csl"), validate=False)


_patched = False


# Words title case leaves in lower case: citeproc-js's list (SKIP_WORDS, citeproc 2.4.63, the processor
# of Zotero and Mendeley), single words only, beside citeproc-py's shorter list ("Convention against
# Torture", never "Convention Against Torture").
_SKIP_WORDS = (
    "about above across afore after against al along alongside amid amidst among amongst anenst apropos apud "
    "around as aside astride at athwart atop barring before behind below beneath beside besides between beyond "
    "but by circa despite down during et except for forenenst from given in inside into lest like modulo near "
    "next notwithstanding of off on onto out over per plus pro qua sans since than through thru throughout "
    "thruout till to toward towards under underneath until unto up upon versus vs. v. vs v via vis-à-vis with "
    "within without or yet so and nor a an the de d' von van c ca").split()


def _patch_substitute() -> None:
    """Bring citeproc-py 0.11 to what the CSL specification and citeproc-js do, where our records meet
    the difference (tests/test_csl.py holds each):

    - cs:substitute: a variable rendered as a substitute is suppressed in the rest of the output.
      citeproc-py suppresses it only when the substitute names the variable itself, not when it
      calls a macro (OSCOLA and APA substitute a missing author with the title macro, and the title
      then printed twice).  Suppress the variables the macro renders too, through the macros it calls.
    - title case keeps citeproc-js's list of small words in lower case."""
    global _patched
    if _patched:
        return
    from citeproc.model import Substitute, TextCased

    original = Substitute.add_to_repressed_list

    def variables(el, seen):
        for node in el.iter():
            for var in (node.get("variable") or "").split():
                yield node.tag, var
            name = node.get("macro")
            if name and node is not el and name not in seen:
                seen.add(name)
                yield from variables(node.get_macro(name), seen)

    def add_to_repressed_list(self, child, context):
        original(self, child, context)
        if child.get("macro"):
            layout = context.get_layout()
            for tag, var in variables(child.get_macro(child.get("macro")), {child.get("macro")}):
                layout.repressed.setdefault(tag, []).append(var)

    Substitute.add_to_repressed_list = add_to_repressed_list
    TextCased._stop_words = sorted(set(TextCased._stop_words) | set(_SKIP_WORDS))
    _patched = True


_CLOSE_THEN_PUNCT = re.compile("”([.,])")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def _typeset(text: str, punctuation_in_quote: bool) -> str:
    """What citeproc-js does and citeproc-py does not: a comma or full stop after a closing double
    quote moves inside it where the locale says so (American English: Chicago, Bluebook, APA), and an
    apostrophe between letters is typographic (People’s)."""
    if punctuation_in_quote:
        text = _CLOSE_THEN_PUNCT.sub(lambda m: m.group(1) + "”", text)
    return _APOSTROPHE.sub("’", text)


def render(items: list[dict], style: str) -> str:
    """The items in the style (one of CSL_STYLES), as plain text."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    st = _style(style)
    piq = st.root.get_locale_option("punctuation-in-quote").lower() == "true"
    source = CiteProcJSON(copy.deepcopy(items))
    bib = CitationStylesBibliography(st, source, formatter.plain)
    if st.root.get("class") == "in-text":
        for item in items:
            bib.register(Citation([CitationItem(item["id"])]))
        return _typeset("\n".join(str(entry) for entry in bib.bibliography()), piq)
    citation = Citation([CitationItem(item["id"]) for item in items])
    bib.register(citation)
    return _typeset(str(bib.cite(citation, lambda item: None)), piq)
