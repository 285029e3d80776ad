"""Golden outputs of the public surface: the CLI's answers and two pages' HTML.

    python tests/golden/record.py          # (re)write tests/golden/out/ from the real data
    python tests/golden/record.py --check  # exit 1 if any output differs (tests/test_golden.py does this)

A change to one of these outputs must be deliberate: re-record, and read the diff before committing.
Volatile parts of the HTML (the build's digests and time) are replaced by placeholders.
"""

from __future__ import annotations

import asyncio
import difflib
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "out"
TODAY = "2026-11-28"

# Three states: the DPRK; France (many reservations and declarations, every procedure);
# Trinidad and Tobago (denounced, re-acceded and denounced the ICCPR's first protocol again).
STATES = ("PRK", "FRA", "TTO")
DATES = ("2026-02-03", "2016-01-01", "1999-01-01")
CITES = (("PRK", "CAT"), ("PRK", "ICCPR"), ("PRK", "CRPD"), ("PRK", "C029"), ("FRA", "CAT"),
         ("TTO", "ICCPR-OP1"), ("TTO", "ICCPR"))
PAGES = ("/country/PRK", "/instrument/CAT", "/country/PRK?as_of=2010-01-01")


def commands() -> list[tuple[str, list[str]]]:
    cmds: list[tuple[str, list[str]]] = []
    for s in STATES:
        for d in DATES:
            cmds.append((f"status-{s}-{d}.json", ["status", s, "--as-of", d, "--format", "json"]))
        cmds.append((f"status-{s}.txt", ["status", s, "--as-of", DATES[0]]))
        cmds.append((f"status-{s}.csv", ["status", s, "--as-of", DATES[0], "--format", "csv"]))
        for d in DATES[:2]:
            cmds.append((f"obligations-{s}-{d}.json", ["obligations", s, "--as-of", d, "--format", "json"]))
        cmds.append((f"obligations-{s}.txt", ["obligations", s, "--as-of", DATES[0]]))
        cmds.append((f"changes-{s}.json", ["changes", s, "--since", "1990-01-01", "--until", "2026-02-03", "--format", "json"]))
        cmds.append((f"changes-{s}.txt", ["changes", s, "--since", "2010-01-01", "--until", "2026-02-03"]))
        cmds.append((f"asks-{s}.json", ["asks", s, "--format", "json"]))
    cmds.append(("asks-PRK.txt", ["asks", "PRK"]))
    cmds.append(("status-CAT-all.csv", ["status", "--instrument", "CAT", "--as-of", DATES[0], "--format", "csv"]))
    cmds.append(("instruments.json", ["instruments", "--format", "json"]))
    for s, i in CITES:
        for d in (DATES[0], "2010-01-01"):
            for style in ("plain", "oscola", "bibtex"):
                cmds.append((f"cite-{s}-{i}-{d}-{style}.txt", ["cite", s, i, "--as-of", d, "--style", style]))
    # errors, as printed
    cmds.append(("error-unknown-state.txt", ["status", "Narnia"]))
    cmds.append(("error-unknown-instrument.txt", ["status", "PRK", "--instrument", "CTA"]))
    cmds.append(("error-bad-date.txt", ["status", "PRK", "--as-of", "2016-02-30"]))
    cmds.append(("error-cite-instrument.txt", ["cite", "PRK", "XYZ"]))
    return cmds


# The KB version (the data's as-at date + the data digest's first 8 hex digits) changes with every
# data change: its digest part is replaced everywhere, CLI outputs included.
_VERSION = re.compile(r"\b(\d{4}-\d{2}-\d{2}|undated)\+[0-9a-f]{8}\b")

_VOLATILE = [
    (re.compile(r'\b(?=[0-9a-f]*[a-f])[0-9a-f]{12,64}\b'), "DIGEST"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"), "TIMESTAMP"),
]


def strip(html: str) -> str:
    html = _VERSION.sub(r"\1+VERSION", html)
    for rx, repl in _VOLATILE:
        html = rx.sub(repl, html)
    return html


def outputs(db: Path) -> dict[str, str]:
    from click.testing import CliRunner

    from kb.cli import main

    runner = CliRunner()
    out: dict[str, str] = {}
    for name, args in commands():
        r = runner.invoke(main, [*args, "--db", str(db)], catch_exceptions=False)
        out[name] = _VERSION.sub(r"\1+VERSION", f"exit {r.exit_code}\n" + r.output)
    out.update(pages(db))
    return out


def pages(db: Path) -> dict[str, str]:
    from kb.web.app import make_datasette

    async def run() -> dict[str, str]:
        ds = make_datasette(db)
        got = {}
        for p in PAGES:
            r = await ds.client.get(p)
            name = "page" + re.sub(r"[^A-Za-z0-9]+", "-", p) + ".html"
            got[name] = f"{r.status_code}\n" + strip(r.text)
        return got

    return asyncio.run(run())


def build_db(tmp: Path) -> Path:
    from kb.db.build import build

    db = tmp / "kb.db"
    build(ROOT / "data", db, today=TODAY, use_cache=False)
    return db


def main(argv: list[str]) -> int:
    check = "--check" in argv
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        got = outputs(build_db(Path(tmp)))
    if not check:
        OUT.mkdir(exist_ok=True)
        for f in OUT.iterdir():
            f.unlink()
        for name, text in got.items():
            (OUT / name).write_text(text)
        print(f"wrote {len(got)} files to {OUT}")
        return 0
    bad = 0
    names = set(got) | {f.name for f in OUT.iterdir()}
    for name in sorted(names):
        want = (OUT / name).read_text() if (OUT / name).exists() else None
        if want != got.get(name):
            bad += 1
            diff = difflib.unified_diff((want or "").splitlines(), (got.get(name) or "").splitlines(),
                                        f"golden/{name}", f"now/{name}", lineterm="", n=1)
            print("\n".join(list(diff)[:40]))
    print(f"{bad} of {len(names)} golden outputs differ" if bad else f"all {len(names)} golden outputs match")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
