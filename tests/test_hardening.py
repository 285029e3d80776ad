"""Hardening: bad input end to end through `kb build`, fuzzed edits, and faults.

Each bad-input class goes into a copy of data/ and through `python -m kb build` as a
subprocess, after a first good build: exit code 1, the exact `path:line:col: message`
on stderr, no traceback, and the previous database byte-identical.

The end-to-end cases use a copy of data/ without data/imported/ (the curated files,
states, treaties, procedures and asks): the same loader and rules, a third of the time.
The fault tests (SIGKILL, two builds at once) use the full data so that the build is
long enough to be interrupted in each phase.
"""

from __future__ import annotations

import inspect
import json
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.data.errors import DataErrors
from kb.data.validate import validate

from .conftest import DATA, ROOT, TODAY
from .test_validate import SRC, append

PY = sys.executable
LINE_RE = re.compile(r"^[^:]+:\d+:\d+: .+")


# --------------------------------------------------------------------------- helpers

def kb(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "kb", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, **kw)


def kb_build(data: Path, db: Path, *extra: str, **kw) -> subprocess.CompletedProcess:
    return kb("build", "--data", str(data), "--db", str(db), "--today", TODAY, *extra, **kw)


def db_ok(db: Path) -> dict:
    """The database opens, passes integrity_check, and has its build_info."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        info = dict(conn.execute("SELECT key, value FROM build_info"))
        assert conn.execute("SELECT count(*) FROM actions").fetchone()[0] == int(info["actions"])
        return info
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_curated(dst: Path) -> Path:
    """data/ without data/imported/ (the imported UNTC files and their expected counts) and without
    reference_overrides.yaml (its entries name imported statements)."""
    shutil.copytree(DATA, dst, ignore=lambda d, names: ["imported", "reference_overrides.yaml"] if Path(d) == DATA else [])
    (dst / "imported").mkdir()
    # Without the imported records no instrument's record is complete for any state: say so
    # (same lines), or the curated statements of states whose consents were imported would
    # rightly be flagged as made by non-parties.
    treaties = dst / "treaties.yaml"
    treaties.write_text(treaties.read_text().replace("    complete_for: all\n", "    complete_for: []\n"))
    return dst


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> tuple[Path, Path]:
    """A curated copy of data/ and a database built from it by the CLI."""
    base = tmp_path_factory.mktemp("good")
    data = copy_curated(base / "data")
    db = base / "kb.db"
    r = kb_build(data, db)
    assert r.returncode == 0, r.stderr
    return data, db


@pytest.fixture
def case(good, tmp_path) -> tuple[Path, Path, bytes]:
    """A fresh copy of the curated data and of the good database: (data, db, db bytes)."""
    data_src, db_src = good
    data = tmp_path / "data"
    shutil.copytree(data_src, data)
    db = tmp_path / "kb.db"
    shutil.copy2(db_src, db)
    if (db_src.parent / ".kb-cache").is_dir():  # unchanged files are not parsed again: faster
        shutil.copytree(db_src.parent / ".kb-cache", tmp_path / ".kb-cache")
    return data, db, db.read_bytes()


def refused(data: Path, db: Path, before: bytes) -> list[str]:
    """Build, expecting a refusal: exit 1, no traceback, old database kept; the problem lines."""
    r = kb_build(data, db)
    assert "Traceback" not in r.stderr
    assert r.returncode == 1, r.stderr
    assert r.stdout == ""
    assert db.read_bytes() == before
    lines = r.stderr.splitlines()
    n = len(lines) - 1
    assert lines[-1] == f"{n} error{'s' if n != 1 else ''} found; nothing was built."
    assert all(LINE_RE.match(ln) for ln in lines[:-1]), lines
    return lines[:-1]


def assert_refused(data: Path, db: Path, before: bytes, *lines: str) -> None:
    assert refused(data, db, before) == list(lines)


def action(state="PRK", type_="signature", date="2020-01-01", extra="") -> str:
    return f"  - state: {state}\n    type: {type_}\n    date: {date}\n{extra}" + SRC


CAT = "data/actions/CAT.yaml"


# --------------------------------------------------------------------------- bad input, end to end

def test_duplicate_key(case):
    data, db, before = case
    n = append(data, "CAT", action(extra="    date: 2020-01-02\n"))
    assert_refused(data, db, before, f"{CAT}:{n + 3}:5: duplicate key 'date' (first at line {n + 2}, column 5): keep one")


def test_yaml11_booleans_and_numbers_stay_text_end_to_end(case):
    """NO, on, yes, 1:30 and 0777 are text: the build succeeds and stores them as written."""
    data, db, _ = case
    states = data / "states.yaml"
    states.write_text(states.read_text().replace('alpha2: "NO"', "alpha2: NO"))
    # `on` goes in `unverified`, not `article`: an article must name one of the text's articles (data/texts/)
    append(data, "CAT", action(extra="    unverified: on\n    text: yes\n    summary: 1:30\n    footnote_text: 0777\n"))
    r = kb_build(data, db)
    assert r.returncode == 0, r.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT alpha2 FROM states WHERE id = 'NOR'").fetchone() == ("NO",)
    assert conn.execute("SELECT unverified, text, summary, footnote_text FROM actions WHERE instrument_id = 'CAT'"
                        " AND state_id = 'PRK'").fetchall() == [("on", "yes", "1:30", "0777")]


def test_boolean_in_text_field(case):
    data, db, before = case
    n = append(data, "CAT", action(extra="    article: true\n"))
    assert_refused(data, db, before,
                   f"{CAT}:{n + 3}:14: article: expected text, got the boolean true: put the value in quotes")


@pytest.mark.parametrize("date,message", [
    ("2001-02-30", "date: '2001-02-30' is not a date: 2001-02 has 28 days"),
    ("2001-13", "date: '2001-13' is not a date: month 13 does not exist"),
    ("2001-00-10", "date: '2001-00-10' is not a date: month 0 does not exist"),
    ("1:30", "date: '1:30' is not a date: write YYYY-MM-DD (or YYYY-MM / YYYY where only that is known)"),
    ("0777", "date: '0777': year 777 is before 1800; check the date"),
])
def test_impossible_and_sexagesimal_dates(case, date, message):
    data, db, before = case
    n = append(data, "CAT", action(date=date))
    assert_refused(data, db, before, f"{CAT}:{n + 2}:11: {message}")


def test_partial_dates_build(case):
    data, db, _ = case
    append(data, "CAT", action(date="2020-02"))
    r = kb_build(data, db)
    assert r.returncode == 0, r.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT date, date_on FROM actions WHERE instrument_id = 'CAT' AND state_id = 'PRK'"
                        ).fetchall() == [("2020-02", "2020-02-29")]


def test_octal_looking_number_in_integer_field(case):
    data, db, before = case
    t = data / "treaties.yaml"
    text = t.read_text()
    assert text.splitlines()[31] == "    unts_volume: 660"
    t.write_text(text.replace("    unts_volume: 660\n", "    unts_volume: 0660\n", 1))
    lines = refused(data, db, before)
    assert "data/treaties.yaml:32:18: unts_volume: expected a whole number, got '0660': write digits only" in lines
    # See test_one_bad_field_in_treaties_reports_only_that_field (the other lines are consequences).


@pytest.mark.parametrize("fault", ["treaties", "states"])
def test_one_bad_field_reports_only_that_field(case, fault):
    data, db, before = case
    if fault == "treaties":
        t = data / "treaties.yaml"
        t.write_text(t.read_text().replace("    unts_volume: 660\n", "    unts_volume: 0660\n", 1))
        expected = "data/treaties.yaml:32:18: unts_volume: expected a whole number, got '0660': write digits only"
    else:
        s = data / "states.yaml"
        s.write_bytes(b"\xef\xbb\xbf" + s.read_bytes())
        expected = "data/states.yaml:1:1: the file starts with a byte-order mark: save it as UTF-8 without BOM"
    assert refused(data, db, before) == [expected]


def test_anchor(case):
    data, db, before = case
    n = append(data, "CAT", action(date="&d 2020-01-01"))
    assert_refused(data, db, before,
                   f"{CAT}:{n + 2}:11: anchors and aliases (&name, *name) are not allowed: write the value out in full")


def test_alias_bomb_fails_fast(case):
    data, db, before = case
    lines = ["instrument: CAT", "actions: []", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 20)]
    (data / "actions" / "CAT.yaml").write_text("\n".join(lines) + "\n")
    t = time.monotonic()
    assert_refused(data, db, before,
                   f"{CAT}:3:5: anchors and aliases (&name, *name) are not allowed: write the value out in full")
    assert time.monotonic() - t < 15


def test_deep_nesting(case):
    data, db, before = case
    (data / "actions" / "CAT.yaml").write_text("instrument: CAT\nactions: " + "[" * 20000 + "]" * 20000 + "\n")
    assert_refused(data, db, before, f"{CAT}:2:42: nesting is deeper than 32 levels: flatten the structure")


def test_deep_nesting_block_style(case):
    data, db, before = case
    text = "instrument: CAT\nactions:\n" + "".join("  " * i + f"- k{i}:\n" for i in range(40))
    (data / "actions" / "CAT.yaml").write_text(text)
    # depth 33: the value of k16 (top mapping, then list and mapping alternate under `actions`).
    assert_refused(data, db, before, f"{CAT}:19:33: nesting is deeper than 32 levels: flatten the structure")


def test_tab(case):
    data, db, before = case
    n = append(data, "CAT", action().replace("    type:", "\ttype:"))
    assert_refused(data, db, before, f"{CAT}:{n + 1}:1: tab character: YAML indentation must use spaces")


def test_bom_in_actions_file(case):
    data, db, before = case
    crc = data / "actions" / "CRC.yaml"
    crc.write_bytes(b"\xef\xbb\xbf" + crc.read_bytes())
    assert_refused(data, db, before,
                   "data/actions/CRC.yaml:1:1: the file starts with a byte-order mark: save it as UTF-8 without BOM")


def test_bom_in_states_file(case):
    data, db, before = case
    states = data / "states.yaml"
    states.write_bytes(b"\xef\xbb\xbf" + states.read_bytes())
    lines = refused(data, db, before)
    assert "data/states.yaml:1:1: the file starts with a byte-order mark: save it as UTF-8 without BOM" in lines


def test_not_utf8(case):
    data, db, before = case
    n = append(data, "CAT", action(extra="    text: caf\n"))
    path = data / "actions" / "CAT.yaml"
    raw = path.read_bytes().replace(b"    text: caf\n", b"    text: caf\xe9\n")
    path.write_bytes(raw)
    assert_refused(data, db, before, f"{CAT}:{n + 3}:14: byte 0xe9 is not valid UTF-8: save the file as UTF-8")


@pytest.mark.parametrize("content", [b"", b"\n\n", b"# nothing here\n"])
def test_empty_file(case, content):
    data, db, before = case
    (data / "actions" / "CAT.yaml").write_bytes(content)
    assert_refused(data, db, before, f"{CAT}:1:1: the file is empty: it must hold a YAML mapping")


def test_missing_file(case):
    data, db, before = case
    (data / "procedures.yaml").unlink()
    assert_refused(data, db, before, "data/procedures.yaml:1:1: file not found: the data directory must hold it")


def test_unknown_key(case):
    data, db, before = case
    n = append(data, "CAT", action(extra="    colour: red\n"))
    assert_refused(data, db, before,
                   f"{CAT}:{n + 3}:13: unknown key 'colour': check the spelling against docs/DATA_MODEL.md, or remove it")


def test_wrong_types(case):
    data, db, before = case
    n = append(data, "CAT", action(state="[PRK]", extra="    unverified: 12\n"))
    assert_refused(data, db, before,
                   f"{CAT}:{n}:12: state: expected text, got a list: write a single quoted value",
                   f"{CAT}:{n + 3}:17: unverified: expected text, got the number 12: put the value in quotes, e.g. \"12\"")


def test_top_level_list(case):
    data, db, before = case
    (data / "actions" / "CAT.yaml").write_text("- instrument: CAT\n")
    assert_refused(data, db, before,
                   f"{CAT}:1:1: the file must hold a YAML mapping (key: value) at the top level")


def test_unknown_state_and_instrument(case):
    data, db, before = case
    n = append(data, "CAT", action(state="XYZ"))
    append(data, "NOPE", action())
    assert_refused(data, db, before,
                   f"{CAT}:{n}:12: state 'XYZ' is not in states.yaml: use an ISO 3166-1 alpha-3 code listed there",
                   "data/actions/NOPE.yaml:1:13: instrument 'NOPE' is not in treaties.yaml: add it there first")


def test_date_in_the_future(case):
    data, db, before = case
    n = append(data, "CAT", action(date="2027-01-01"))
    assert_refused(data, db, before,
                   f"{CAT}:{n + 2}:11: date 2027-01-01 is after today ({TODAY}): record only what has happened")


def test_consent_before_adoption(case):
    data, db, before = case
    n = append(data, "CAT", action(type_="ratification", date="1980-01-01"))
    assert_refused(data, db, before,
                   f"{CAT}:{n + 2}:11: date 1980-01-01 is before CAT was adopted (1984-12-10): check the date")


def test_explicit_python_tag(case):
    data, db, before = case
    n = append(data, "CAT", action(extra="    text: !!python/object/apply:os.system [echo pwned]\n"))
    assert_refused(data, db, before,
                   f"{CAT}:{n + 3}:11: tag tag:yaml.org,2002:python/object/apply:os.system is not allowed: remove it")


# --------------------------------------------------------------------------- fuzzed edits

EDIT_FILES = ["actions/CRC.yaml", "actions/GENOCIDE.yaml", "actions/ICESCR.yaml", "actions/CRPD.yaml",
              "asks/NGO-LETTER-2018-06-06.yaml"]
SCALAR_LINE = re.compile(rb"^(\s*(?:- )?[A-Za-z_]+:[ ])(.+)$")


@pytest.fixture(scope="module")
def fuzz_data(tmp_path_factory):
    data = copy_curated(tmp_path_factory.mktemp("fuzz") / "data")
    originals = {name: (data / name).read_bytes() for name in EDIT_FILES}
    kwargs = {}
    if "cache" in inspect.signature(validate).parameters:  # unchanged files come from the cache: faster
        from kb.db.cache import FileCache

        kwargs["cache"] = FileCache(data.parent / ".kb-cache")
    validate(data, today=TODAY, **kwargs)  # the unedited copy is valid (and warms the cache)
    return data, originals, kwargs


scalars = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.sampled_from(["true", "false", "yes", "NO", "on", "off", "~", "null", "", "1:30", "0777", "0x1F", "1e3",
                     ".inf", "&a x", "*a", "!!str x", "[a, b]", "{a: 1}", "'unterminated", "- x", "|", ">"]),
    st.dates().map(lambda d: d.isoformat()),
    st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z"),
)


def _apply(raw: bytes, op: str, pick: int, value: str, junk: bytes) -> bytes:
    lines = raw.split(b"\n")
    if op == "scalar":
        idx = [i for i, ln in enumerate(lines) if SCALAR_LINE.match(ln)]
        i = idx[pick % len(idx)]
        m = SCALAR_LINE.match(lines[i])
        lines[i] = m.group(1) + value.encode("utf-8")
    elif op == "delete_key":
        idx = [i for i, ln in enumerate(lines) if SCALAR_LINE.match(ln)]
        del lines[idx[pick % len(idx)]]
    elif op == "duplicate_line":
        i = pick % len(lines)
        lines.insert(i, lines[i])
    else:  # insert random bytes
        pos = pick % (len(raw) + 1)
        return raw[:pos] + junk + raw[pos:]
    return b"\n".join(lines)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=st.sampled_from(EDIT_FILES), op=st.sampled_from(["scalar", "delete_key", "duplicate_line", "bytes"]),
       pick=st.integers(min_value=0, max_value=10**6), value=scalars, junk=st.binary(min_size=1, max_size=12))
def test_random_edits_give_data_errors_only(fuzz_data, name, op, pick, value, junk):
    data, originals, kwargs = fuzz_data
    path = data / name
    path.write_bytes(_apply(originals[name], op, pick, value, junk))
    try:
        try:
            validate(data, today=TODAY, **kwargs)
        except DataErrors as exc:
            assert exc.problems
            for p in exc.problems:
                assert LINE_RE.match(str(p)), str(p)
                assert "\n" not in p.message, str(p)
                assert p.file.startswith("data/") and p.line >= 1 and p.column >= 1, str(p)
    finally:
        path.write_bytes(originals[name])


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(junk=st.binary(max_size=200))
def test_random_bytes_as_a_whole_file(fuzz_data, junk):
    data, originals, kwargs = fuzz_data
    path = data / "actions" / "CRC.yaml"
    path.write_bytes(junk)
    try:
        try:
            validate(data, today=TODAY, **kwargs)
        except DataErrors as exc:
            for p in exc.problems:
                assert LINE_RE.match(str(p)), str(p)
    finally:
        path.write_bytes(originals["actions/CRC.yaml"])


# --------------------------------------------------------------------------- faults: kill, concurrency, disk

@pytest.fixture(scope="module")
def full_db(tmp_path_factory) -> Path:
    """A database built from the full data by the CLI (kept pristine: tests copy it)."""
    db = tmp_path_factory.mktemp("full") / "kb.db"
    r = kb_build(DATA, db)
    assert r.returncode == 0, r.stderr
    return db


def _stray(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in ("kb.db", "kb.db.lock", ".kb-cache"))


KILL_AT = [0.3, 0.8, 1.5, 2.5, "tmp", "tmp+0.5"]


def test_sigkill_leaves_previous_database(full_db, tmp_path):
    """SIGKILL a --no-cache build at several points; the old database stays whole and usable.

    A build killed after it created its temporary file leaves `.kb.db.building-<pid>`
    (and possibly its journal) behind; the next build, holding the lock, removes them."""
    db = tmp_path / "kb.db"
    shutil.copy2(full_db, db)
    before = db.read_bytes()
    before_inode = db.stat().st_ino
    seen_leftovers: dict[str, list[str]] = {}
    for when in KILL_AT:
        p = subprocess.Popen([PY, "-m", "kb", "build", "--data", str(DATA), "--db", str(db), "--today", TODAY, "--no-cache"],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tmp_name = f".kb.db.building-{p.pid}"
        if isinstance(when, float):
            time.sleep(when)
        else:
            deadline = time.monotonic() + 30
            while not (tmp_path / tmp_name).exists() and p.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert p.poll() is None, "the build finished before it could be killed"
            if when == "tmp+0.5":
                time.sleep(0.5)
        p.send_signal(signal.SIGKILL)
        rc = p.wait(timeout=10)
        if rc == 0 and isinstance(when, float):
            # A fast machine finished the build before this moment: nothing was killed here.
            # Put the old database back and go on with the next moment.
            shutil.copy2(full_db, db)
            continue
        assert rc == -signal.SIGKILL
        assert db.read_bytes() == before, when
        db_ok(db)
        stray = _stray(tmp_path)
        assert all(re.fullmatch(r"\.kb\.db\.building-\d+(-journal)?", s) for s in stray), (when, stray)
        seen_leftovers[str(when)] = stray
        if when in ("tmp", "tmp+0.5"):
            assert tmp_name in stray, (when, stray)
    r = kb_build(DATA, db, "--no-cache")
    assert r.returncode == 0, r.stderr
    # The build replaced the file (a new inode); from the same data its bytes are the same.
    assert db.stat().st_ino != before_inode and db.read_bytes() == before
    db_ok(db)
    # Some killed build left its temporary file; the successful build removed every one.
    assert any(seen_leftovers.values()), seen_leftovers
    assert _stray(tmp_path) == []


def test_two_builds_at_once(full_db, tmp_path):
    db = tmp_path / "kb.db"
    shutil.copy2(full_db, db)
    cmd = [PY, "-m", "kb", "build", "--data", str(DATA), "--db", str(db), "--today", TODAY, "--no-cache"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    codes = sorted(r[0] for r in results)
    assert codes in ([0, 0], [0, 1]), results
    if codes == [0, 1]:
        (loser,) = [r for r in results if r[0] == 1]
        assert loser[2] == f"Error: another build of {db} is running (lock {db}.lock): wait for it to finish\n"
        assert "Traceback" not in loser[2]
    for code, out, err in results:
        if code == 0:
            assert re.fullmatch(rf"built {re.escape(str(db))}: \d+ instruments, \d+ states, \d+ actions\n", out), out
    db_ok(db)
    assert _stray(tmp_path) == []


def test_target_whose_parent_is_a_file(full_db, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = kb_build(DATA, blocker / "kb.db")
    assert r.returncode == 1
    assert r.stderr == f"Error: directory {blocker} does not exist: create it or choose another --db\n"
    assert blocker.read_text() == "x"


def _fsize_limit(limit: int):
    def pre() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


@pytest.fixture(scope="module")
def full_disk(full_db, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path, bytes]:
    """A --no-cache build whose file writes fail beyond 1 MB (EFBIG), over a copy of the full database."""
    tmp_path = tmp_path_factory.mktemp("fulldisk")
    db = tmp_path / "kb.db"
    shutil.copy2(full_db, db)
    before = db.read_bytes()
    r = kb_build(DATA, db, "--no-cache", preexec_fn=_fsize_limit(1_000_000))
    return r, db, before


def test_full_disk_keeps_previous_database(full_disk):
    """Writes beyond 1 MB fail with EFBIG (RLIMIT_FSIZE): non-zero exit, no traceback, the old
    database kept, no stray files."""
    r, db, before = full_disk
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    assert r.stdout == ""
    assert db.read_bytes() == before
    db_ok(db)
    assert _stray(db.parent) == []


def test_full_disk_gives_one_line_error(full_disk):
    r, db, _ = full_disk
    assert r.returncode == 1
    assert r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1 and len(r.stderr) < 400, r.stderr[-500:]
    assert str(db) in r.stderr


# --------------------------------------------------------------------------- rebuild under a running server

def _start_server(db: Path, port: int) -> subprocess.Popen:
    p = subprocess.Popen([PY, "-m", "kb", "serve", "--db", str(db), "--port", str(port)], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert p.poll() is None, p.stderr.read().decode()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return p
        except OSError:
            time.sleep(0.1)
    p.kill()
    raise AssertionError("kb serve did not start")


def _stop(p: subprocess.Popen) -> None:
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    p.stderr.close()


def _digest(port: int) -> tuple[str, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/kb/build_info.json?_shape=array", timeout=10) as r:
        info = {row["key"]: row["value"] for row in json.load(r)}
    return info["data_digest"], info["actions"]


def test_rebuild_under_running_server_serves_snapshot(case):
    data, db, _ = case
    old = db_ok(db)
    port = free_port()
    server = _start_server(db, port)
    try:
        assert _digest(port) == (old["data_digest"], old["actions"])
        append(data, "CAT", action())
        r = kb_build(data, db)
        assert r.returncode == 0, r.stderr
        new = db_ok(db)
        assert new["data_digest"] != old["data_digest"]
        assert int(new["actions"]) == int(old["actions"]) + 1
        for _ in range(5):
            assert _digest(port) == (old["data_digest"], old["actions"])
    finally:
        _stop(server)
    port = free_port()
    server = _start_server(db, port)
    try:
        for _ in range(3):
            assert _digest(port) == (new["data_digest"], new["actions"])
    finally:
        _stop(server)
