"""The atomic build: a failed build leaves the previous database byte-identical."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kb.db.build import build
from kb.data.errors import DataErrors
from kb.db.build import BuildError

from .conftest import TODAY


def test_failed_build_leaves_previous_database_untouched(data_copy, tmp_path):
    db = tmp_path / "kb.db"
    build(data_copy, db, today=TODAY)
    before = db.read_bytes()
    with open(data_copy / "actions" / "CRC.yaml", "a") as f:
        f.write("  - state: PRK\n    type: signature\n    date: 2030-01-01\n")
    with pytest.raises(DataErrors):
        build(data_copy, db, today=TODAY)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kb-cache", "data", "kb.db", "kb.db.lock"]


def test_build_is_deterministic(data_copy, tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    build(data_copy, a, today=TODAY)
    build(data_copy, b, today=TODAY)
    dump = lambda p: list(sqlite3.connect(p).iterdump())  # noqa: E731
    assert dump(a) == dump(b)


def test_builds_in_separate_processes_are_byte_identical(data_copy, tmp_path):
    # The index order of each table (SQLAlchemy keeps a table's indexes in a set) once changed from
    # process to process, and with it sqlite_master and the rows ANALYZE writes.
    dbs = []
    for seed in ("1", "2", "3"):
        db = tmp_path / f"kb-{seed}.db"
        code = f"from pathlib import Path; from kb.db.build import build; build(Path({str(data_copy)!r}), Path({str(db)!r}), today={TODAY!r})"
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        dbs.append(db.read_bytes())
    assert dbs[0] == dbs[1] == dbs[2]
    names = [r[0] for r in sqlite3.connect(tmp_path / "kb-1.db").execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'actions' AND sql IS NOT NULL ORDER BY rowid")]
    assert names == ["actions_instrument", "actions_pair", "actions_recorded", "actions_type"]


def test_expected_count_mismatch_fails_the_build(data_copy, tmp_path):
    (data_copy / "imported" / "checks").mkdir(parents=True, exist_ok=True)
    (data_copy / "imported" / "checks" / "counts.yaml").write_text(
        "expected_counts:\n  - instrument: CRPD\n    as_of: 2026-02-03\n    measure: parties\n    value: 1\n"
        "    basis: test\n    source:\n      url: https://example.org\n      title: t\n      as_at: 2026-02-03\n")
    db = tmp_path / "kb.db"
    with pytest.raises(DataErrors) as exc:
        build(data_copy, db, today=TODAY)
    (msg,) = [str(p) for p in exc.value.problems]
    assert msg.startswith("data/imported/checks/counts.yaml:2:5: CRPD: the source states 1 parties (test) but the data derives ")
    assert msg.endswith(": an action is missing, extra or mis-typed")
    assert not db.exists()


def test_concurrent_build_is_refused(data_copy, tmp_path):
    db = tmp_path / "kb.db"
    fd = os.open(tmp_path / "kb.db.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(BuildError) as exc:
            build(data_copy, db, today=TODAY)
        assert str(exc.value) == f"another build of {db} is running (lock {db}.lock): wait for it to finish"
    finally:
        os.close(fd)
    assert not db.exists()


def test_missing_target_directory(data_copy, tmp_path):
    with pytest.raises(BuildError) as exc:
        build(data_copy, tmp_path / "nope" / "kb.db", today=TODAY)
    assert str(exc.value) == f"directory {tmp_path / 'nope'} does not exist: create it or choose another --db"


def test_database_checks(built_db):
    conn = sqlite3.connect(built_db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # Every pair of state and instrument has exactly one open-ended interval.
    n_states = conn.execute("SELECT count(*) FROM states").fetchone()[0]
    n_inst = conn.execute("SELECT count(*) FROM instruments").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM latest_status").fetchone()[0] == n_states * n_inst
    assert conn.execute("SELECT count(*) FROM reconciliation WHERE expected != derived").fetchone()[0] == 0


def test_no_change_rebuild_is_skipped_and_any_change_rebuilds(data_copy, tmp_path):
    db = tmp_path / "kb.db"
    assert build(data_copy, db, today=TODAY)["skipped"] is False
    before = db.read_bytes()
    assert build(data_copy, db, today=TODAY)["skipped"] is True
    assert db.read_bytes() == before
    # A same-size edit of one file (time stamps untouched) must be seen: the cache is keyed by content.
    path = data_copy / "actions" / "CRC.yaml"
    stat = path.stat()
    text = path.read_text()
    assert "1990-08-23" in text
    path.write_text(text.replace("date: 1990-08-23", "date: 1990-08-24"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    info = build(data_copy, db, today=TODAY)
    assert info["skipped"] is False
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT date FROM actions WHERE key = 'CRC/PRK/1990-08-24/signature'").fetchall() == [("1990-08-24",)]
    # The imported record of the same signature is no longer superseded by the curated one.
    assert conn.execute("SELECT origin FROM actions WHERE key = 'CRC/PRK/1990-08-23/signature'").fetchall() == [("imported",)]
    # --no-cache rebuilds even when nothing changed, and gives the same database.
    again = tmp_path / "again.db"
    build(data_copy, again, today=TODAY, use_cache=False)
    dump = lambda p: list(sqlite3.connect(p).iterdump())  # noqa: E731
    assert dump(again) == dump(db)


def test_cache_never_serves_stale_records(data_copy, tmp_path):
    from kb.data.validate import validate
    from kb.db.cache import FileCache
    cache = FileCache(tmp_path / "cache")
    first = validate(data_copy, today=TODAY, cache=cache)
    assert any(cache.directory.glob("*.json"))
    path = data_copy / "actions" / "CRPD.yaml"
    path.write_text(path.read_text().replace("date: 2013-07-03", "date: 2013-07-04"))
    second = validate(data_copy, today=TODAY, cache=cache)
    dates = lambda ds: sorted(r.action.date for r in ds.actions if r.instrument == "CRPD" and r.action.state == "PRK" and r.origin == "curated")  # noqa: E731
    assert dates(first) == ["2013-07-03", "2016-12-06"]
    assert dates(second) == ["2013-07-04", "2016-12-06"]
    # A broken file is never cached: the error comes back on every run.
    path.write_text("instrument: CRPD\nactions: [\n")
    for _ in range(2):
        with pytest.raises(DataErrors):
            validate(data_copy, today=TODAY, cache=cache)


def test_no_change_build_loads_nothing_heavy(built_db, tmp_path):
    """A no-change `kb build` answers from the fingerprint alone: no pydantic, SQLAlchemy or PyYAML."""
    import shutil
    import subprocess
    import sys

    from .conftest import DATA, ROOT

    db = tmp_path / "kb.db"
    shutil.copy(built_db, db)
    code = ("import sys\nfrom kb.cli import main\ntry:\n    main(['build', '--data', sys.argv[1], '--db', sys.argv[2], "
            "'--today', sys.argv[3]])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pydantic', 'sqlalchemy', 'yaml', 'datasette', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(DATA), str(db), TODAY], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out == [f"up to date: {db} was built from the same data and code (use --no-cache to rebuild)", "[]"]


def test_schema_sql_is_what_the_models_give():
    """The build runs kb/db/sql/schema.sql; the models (kb/db/models.py) are its source. Edit the
    models, then run scripts/gen_schema.py."""
    from kb.db.build import sql_statements, sql_text
    from kb.db import models as M

    assert sql_text("schema") == M.schema_sql(), "kb/db/sql/schema.sql is stale: run python scripts/gen_schema.py"
    tables = M.Base.metadata.sorted_tables
    assert len(sql_statements(sql_text("schema"))) == sum(1 + len(t.indexes) for t in tables) + 1


def test_built_schema_and_docs_equal_the_models(built_db):
    """Every table of the models is in the database with the models' columns, and table_docs holds
    the models' descriptions, in order."""
    from kb.db import models as M

    conn = sqlite3.connect(f"file:{built_db}?mode=ro", uri=True)
    for table in M.Base.metadata.sorted_tables:
        assert [r[1] for r in conn.execute(f"PRAGMA table_info({table.name})")] == [c.name for c in table.columns]
    docs = [dict(zip(("table_name", "column_name", "description"), r))
            for r in conn.execute("SELECT table_name, column_name, description FROM table_docs ORDER BY rowid")]
    assert docs == M.table_doc_rows()
    conn.close()


def test_gen_schema_check(tmp_path):
    r = subprocess.run([sys.executable, "scripts/gen_schema.py", "--check"], capture_output=True, text=True,
                       cwd=Path(__file__).resolve().parents[1])
    assert (r.returncode, r.stderr) == (0, "")
