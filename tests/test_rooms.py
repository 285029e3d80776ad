"""The house's rooms: arrows point only down, no cycles, light imports, and the Python API
answers exactly what the CLI prints (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kb.query as q
from kb.query.api import STATUS_KEYS

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "kb"

# What each room may import of kb (besides itself).  `kb` is the package root (its version).
ALLOWED = {
    "kb.data": {"kb"},
    "kb.db": {"kb", "kb.data"},
    "kb.query": {"kb.csl"},
    "kb.csl": set(),
    "kb.web": {"kb.query"},
    "kb.importers": {"kb", "kb.data"},
    "kb.cli": {"kb", "kb.data", "kb.db", "kb.query", "kb.web", "kb.importers", "kb.csl"},
    "kb.__main__": {"kb.cli"},
    "kb": set(),
}
HEAVY = ("sqlalchemy", "pydantic", "datasette", "jinja2", "uvicorn", "yaml", "citeproc", "lxml")


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every kb module a file imports, at the top or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name == "kb" or a.name.startswith("kb.")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod == "kb" or mod.startswith("kb."):
                # `from . import x` may name a module
                for a in node.names:
                    sub = f"{mod}.{a.name}"
                    found.add(sub if _is_module(sub) else mod)
    return found


def _is_module(name: str) -> bool:
    p = ROOT / Path(*name.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def room(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "kb"
    return ".".join(parts[:2])


MODULES = {module_name(p): p for p in sorted(KB.rglob("*.py"))}


def test_rooms_exist_as_the_architecture_page_names_them():
    page = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    named = set(re.findall(r"`(kb/[a-z_]+(?:/|\.py))`", page))
    assert {"kb/data/", "kb/db/", "kb/query/", "kb/web/", "kb/importers/", "kb/cli.py"} <= named
    for path in named:
        assert (ROOT / path).exists(), f"docs/ARCHITECTURE.md names {path}, which does not exist"
    rooms = {room(m) for m in MODULES}
    assert rooms == set(ALLOWED), "a module lives outside the rooms"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_arrows_point_down(module):
    mine = room(module)
    for target in sorted(imports_of(MODULES[module])):
        other = room(target)
        assert other == mine or other in ALLOWED[mine], f"{module} imports {target}: {mine} may not import {other}"


def test_no_import_cycle():
    graph = {m: {t for t in imports_of(p) if t in MODULES and t != m} for m, p in MODULES.items()}
    # a package's __init__ is imported by its submodules implicitly; only explicit edges count here
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


@pytest.mark.parametrize("code", [
    "import kb.cli",
    "import kb.query",
    "from kb.cli import main; main(['--help'], standalone_mode=False)",
])
def test_light_imports(code):
    probe = code + "; import sys, json; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)))" % (HEAVY,)
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(r.stdout.splitlines()[-1]) == []


def test_status_command_loads_nothing_heavy(built_db):
    probe = ("import sys, json\nfrom kb.cli import main\n"
             f"try:\n    main(['status', 'PRK', '--db', {str(built_db)!r}, '--format', 'json'])\nexcept SystemExit:\n    pass\n"
             f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(r.stdout.splitlines()[-1]) == []


def test_build_command_loads_no_sqlalchemy(tmp_path):
    """The build runs kb/db/sql/schema.sql (written from the models) on sqlite3: it needs PyYAML and
    pydantic, and none of SQLAlchemy, Datasette, Jinja2 or uvicorn."""
    probe = ("import sys, json\nfrom kb.cli import main\n"
             f"try:\n    main(['build', '--no-cache', '--db', {str(tmp_path / 'kb.db')!r}])\nexcept SystemExit as e:\n"
             "    assert not e.code, e.code\n"
             f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules if m.split('.')[0] in {HEAVY!r}}})))")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(r.stdout.splitlines()[-1]) == ["pydantic", "yaml"]


# --------------------------------------------------------------------------- the API equals the CLI

@pytest.fixture(scope="module")
def conn(built_db):
    c = q.connect(built_db)
    yield c
    c.close()


def cli_json(cli, db, *args):
    r = cli(*args, "--db", str(db), "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


@pytest.mark.parametrize("states,instruments,as_of", [
    (["PRK"], [], "2016-01-01"),
    (["North Korea", "FRA"], ["CAT", "CRPD"], "2026-02-03"),
    ([], ["ICCPR-OP1"], "1999-01-01"),
])
def test_status_equals_cli(cli, built_db, conn, states, instruments, as_of):
    args = ["status", *states]
    for i in instruments:
        args += ["--instrument", i]
    want = cli_json(cli, built_db, *args, "--as-of", as_of)
    got = q.status(conn, states=states, instruments=instruments, as_of=as_of)
    assert got == want
    assert all(tuple(r) == STATUS_KEYS for r in got)


def test_issue_example(cli, built_db, conn):
    assert q.status(q.connect(built_db), states=["PRK"], as_of="2016-01-01") == cli_json(
        cli, built_db, "status", "PRK", "--as-of", "2016-01-01")


@pytest.mark.parametrize("state", ["PRK", "FRA", "TTO"])
def test_other_functions_equal_cli(cli, built_db, conn, state):
    assert q.obligations(conn, state, as_of="2010-01-01") == cli_json(cli, built_db, "obligations", state, "--as-of", "2010-01-01")
    assert q.changes(conn, state, "1990-01-01", "2026-02-03") == cli_json(
        cli, built_db, "changes", state, "--since", "1990-01-01", "--until", "2026-02-03")
    assert q.asks(conn, state) == cli_json(cli, built_db, "asks", state)
    assert q.instruments(conn) == cli_json(cli, built_db, "instruments")
    for style in q.CITE_STYLES:
        r = cli("cite", state, "CAT", "--as-of", "2026-02-03", "--style", style, "--db", str(built_db))
        assert r.exit_code == 0
        assert q.cite(conn, state, "CAT", as_of="2026-02-03", style=style) + "\n" == r.output


@pytest.mark.parametrize("call,message,param", [
    (lambda c: q.status(c, states=["Narnia"]),
     "unknown state 'Narnia'; did you mean 'Mauritania', 'Romania', 'Nigeria'?", "state"),
    (lambda c: q.status(c, states=["PRK"], instruments=["CTA"]), "unknown instrument 'CTA'; did you mean CAT?", "instrument"),
    (lambda c: q.status(c, as_of="2016-02-30"), "'2016-02-30' is not a date: 2016-02 has 29 days", "as_of"),
    (lambda c: q.changes(c, "PRK", "2020-01-01", "2019-01-01"), "--until 2019-01-01 is before --since 2020-01-01", "until"),
    (lambda c: q.cite(c, "PRK", "XYZ"), "unknown instrument 'XYZ'; see `kb instruments`", "instrument"),
    (lambda c: q.cite(c, "PRK", "CAT", style="mla"),
     "unknown style 'mla': use one of plain, oscola, bluebook, chicago, apa, ris, bibtex, csl-json", "style"),
    (lambda c: q.cite_event(c, "PRK/x", style="harvard"),
     "unknown style 'harvard': use one of plain, oscola, bluebook, chicago, apa, ris, bibtex, csl-json", "style"),
    (lambda c: q.cite_instrument(c, "CRPD", style="plain"),
     "an instrument has no plain sentence: use one of oscola, bluebook, chicago, apa, ris, bibtex, csl-json", "style"),
])
def test_errors_carry_the_cli_message(conn, call, message, param):
    with pytest.raises(q.QueryError) as exc:
        call(conn)
    assert str(exc.value) == message
    assert exc.value.param == param


def test_connect_errors(tmp_path):
    with pytest.raises(q.QueryError) as exc:
        q.connect(tmp_path / "missing.db")
    assert str(exc.value) == f"database {tmp_path / 'missing.db'} not found: run `kb build` first (or pass --db)"
    other = tmp_path / "other.db"
    other.write_bytes(b"not a database at all" * 100)
    with pytest.raises(q.QueryError) as exc:
        q.connect(other)
    assert str(exc.value) == f"{other} is not a KB database (file is not a database): rebuild it with `kb build`"
