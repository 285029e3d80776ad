"""CSL-JSON items rendered by citeproc-py with the official style files in `styles/`.

Note styles (OSCOLA, Bluebook, Chicago notes) give their first-reference footnote: every item of
a record in one citation, in the style's own order and delimiters.  APA (an author-date style)
gives its reference-list entries, one a line, which is what a writer pastes.
"""

from __future__ import annotations

import copy
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


def _patch_substitute() -> None:
    """CSL 1.0.1, cs:substitute: a variable rendered as a substitute is suppressed in the rest of the
    output.  citeproc-py 0.11 suppresses it only when the substitute names the variable itself, not
    when it calls a macro (OSCOLA substitutes a missing author with the `title` macro, and its title
    then printed twice).  Suppress the variables the macro renders too."""
    global _patched
    if _patched:
        return
    from citeproc.model import Substitute

    original = Substitute.add_to_repressed_list

    def add_to_repressed_list(self, child, context):
        original(self, child, context)
        if child.get("macro"):
            layout = context.get_layout()
            for el in child.get_macro(child.get("macro")).iter():
                for var in (el.get("variable") or "").split():
                    layout.repressed.setdefault(el.tag, []).append(var)

    Substitute.add_to_repressed_list = add_to_repressed_list
    _patched = True


def render(items: list[dict], style: str) -> str:
    """The items in the style (one of CSL_STYLES), as plain text."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    st = _style(style)
    source = CiteProcJSON(copy.deepcopy(items))
    bib = CitationStylesBibliography(st, source, formatter.plain)
    if st.root.get("class") == "in-text":
        for item in items:
            bib.register(Citation([CitationItem(item["id"])]))
        return "\n".join(str(entry) for entry in bib.bibliography())
    citation = Citation([CitationItem(item["id"]) for item in items])
    bib.register(citation)
    return str(bib.cite(citation, lambda item: None))
