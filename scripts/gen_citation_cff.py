"""Write CITATION.cff (Citation File Format 1.2.0) at the repository's root, with the version `kb info`
gives for the data in data/: the data's as-at date and the first 8 hex digits of its digest.  The
version changes whenever the data does, so run this after changing data/ (tests/test_citation_cff.py
fails until it agrees).

    .venv/bin/python scripts/gen_citation_cff.py           # rewrite CITATION.cff
    .venv/bin/python scripts/gen_citation_cff.py --check   # exit 1 if it differs
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEMPLATE = """\
# The knowledge base's citation, for software citation tools (Citation File Format 1.2.0).
# Written by scripts/gen_citation_cff.py: the version is the one `kb info` shows for data/.
cff-version: 1.2.0
message: >-
  If you use this knowledge base, please cite it with the version you used (the footer of every page and
  `kb info` show it); cite each status, action or event with its own source (`kb cite`, the Cite control
  on each page).
type: dataset
title: {title}
abstract: >-
  Signatures, ratifications, accessions, reservations, declarations and withdrawals of treaties and
  conventions, derived from dated, sourced events: status on any date, every fact with its source.
authors:
  - name: {title} contributors
version: "{version}"
license: CC-BY-4.0
keywords:
  - treaties
  - ratification
  - human rights
  - United Nations Treaty Collection
"""


def text(version: str) -> str:
    from kb.query.csl import KB_TITLE

    return TEMPLATE.format(title=KB_TITLE, version=version)


def data_version() -> str:
    """The version a build of data/ records (`kb info`)."""
    from kb.db.build import build
    import kb.query as q

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kb.db"
        build(ROOT / "data", db)
        conn = q.connect(db)
        try:
            return q.version(conn)
        finally:
            conn.close()


def main(argv: list[str]) -> int:
    want = text(data_version())
    path = ROOT / "CITATION.cff"
    if "--check" in argv:
        if not path.exists() or path.read_text() != want:
            print("CITATION.cff is not the data's: run .venv/bin/python scripts/gen_citation_cff.py", file=sys.stderr)
            return 1
        return 0
    path.write_text(want)
    print(f"wrote {path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
