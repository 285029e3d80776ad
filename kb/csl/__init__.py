"""Citations in the Citation Style Language: the official style files (vendored in `styles/`),
rendered by citeproc-py (`render.py`), and the exchange formats reference managers read
(`exchange.py`: RIS, BibLaTeX, CSL-JSON).  The records come from kb.query.csl; this room imports
nothing of kb, and citeproc-py (with lxml) only inside `render.render`, so `import kb.query` and
the command line's start-up stay light."""

from __future__ import annotations

# The public style names and the vendored style file each is rendered with.
CSL_STYLES = {
    "oscola": "oscola",
    "bluebook": "bluebook-law-review",
    "chicago": "chicago-notes-bibliography",
    "apa": "apa",
}
EXCHANGE = ("ris", "bibtex", "csl-json")
