"""How much of the CSL processor test-suite citeproc-py passes, with and without the corrections of
kb/csl/render.py: the evidence the processor was chosen on.  A maintainer tool, run by hand.

    git clone https://github.com/citation-style-language/test-suite
    .venv/bin/python scripts/csl_test_suite.py test-suite/processor-tests/humans [--patched]

Fixtures with a single citation of every item or a bibliography (no citation-items, no clusters) are
rendered as HTML and compared, whitespace between tags aside, with their expected result."""

from __future__ import annotations

import argparse
import io
import json
import re
import signal
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIMPLE = {"MODE", "RESULT", "CSL", "INPUT", "VERSION", "DESCRIPTION"}


def sections(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2).strip()
            for m in re.finditer(r">>=+ ([A-Z-]+) =+>>\n(.*?)\n<<=+ \1 =+<<", text, re.S)}


def norm(s: str) -> str:
    return re.sub(r">\s+<", "><", s.strip())


def render(sec: dict[str, str]) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    style = CitationStylesStyle(io.BytesIO(sec["CSL"].encode()), validate=False)
    items = json.loads(sec["INPUT"])
    bib = CitationStylesBibliography(style, CiteProcJSON(items), formatter.html)
    if sec["MODE"] == "citation":
        cit = Citation([CitationItem(i["id"]) for i in items])
        bib.register(cit)
        return str(bib.cite(cit, lambda *a: None))
    for i in items:
        bib.register(Citation([CitationItem(i["id"])]))
    return ('<div class="csl-bib-body">' + "".join(f'<div class="csl-entry">{e}</div>' for e in bib.bibliography())
            + "</div>")


def _timeout(*_):
    raise TimeoutError


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("fixtures", type=Path)
    ap.add_argument("--patched", action="store_true", help="with kb/csl/render.py's corrections")
    args = ap.parse_args()
    if args.patched:
        from kb.csl.render import _patch_substitute

        _patch_substitute()
    signal.signal(signal.SIGALRM, _timeout)
    passed, total = Counter(), Counter()
    for f in sorted(args.fixtures.glob("*.txt")):
        sec = sections(f.read_text(encoding="utf-8"))
        if set(sec) - SIMPLE or sec.get("MODE") not in ("citation", "bibliography"):
            continue
        group = f.stem.split("_")[0]
        total[group] += 1
        signal.alarm(5)
        try:
            passed[group] += norm(render(sec)) == norm(sec["RESULT"])
        except Exception:  # a fixture the processor cannot render fails
            pass
        finally:
            signal.alarm(0)
    print(f"{sum(passed.values())}/{sum(total.values())} fixtures give the expected output")
    for g in sorted(total):
        print(f"  {g}: {passed[g]}/{total[g]}")


if __name__ == "__main__":
    main()
