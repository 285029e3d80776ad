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


@pytest.fixture(scope="session")
def exported_site(built_db, tmp_path_factory) -> Path:
    """`kb export-site` of the real data (no --live-url), written once per test session; what the
    command printed is kept beside it in cli-output.txt."""
    out = tmp_path_factory.mktemp("export") / "site"
    r = CliRunner().invoke(main, ["export-site", str(out), "--db", str(built_db)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    (out.parent / "cli-output.txt").write_text(r.output)
    return out


@pytest.fixture(scope="session")
def static_server(exported_site):
    """A plain static server (the standard library's http.server) on the export, in a thread."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):  # noqa: ANN002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(exported_site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
