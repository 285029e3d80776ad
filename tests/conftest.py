from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.db.build import build
from kb.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TODAY = "2026-11-28"


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """The real data, built once per test session."""
    db = tmp_path_factory.mktemp("db") / "kb.db"
    build(DATA, db, today=TODAY)
    return db


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of the real data directory."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str, env: dict | None = None):
        return runner.invoke(main, list(args), catch_exceptions=False, env=env)

    return invoke
