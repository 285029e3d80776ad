"""Hostile requests: off-site redirects, huge or slow SQL, writes, headers, stored XSS.

Through Datasette's in-process client (make_datasette, default and public settings)
and over a real socket (`python -m kb serve --public`, redirects not followed).
"""

from __future__ import annotations

import asyncio
import http.client
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from click.testing import CliRunner

from datasette.utils import tilde_encode

from kb.db.build import build
from kb.web.guard import SECURITY_HEADERS
from kb.web.app import make_datasette

from .conftest import DATA, ROOT, TODAY

EVIL_PATHS = [
    "/\\evil.example", "/\\evil.example/", "//evil.example", "//evil.example/", "/%5Cevil.example",
    "/%2F%2Fevil.example", "/%5C%5Cevil.example", "/%2f%2fevil.example/", "/%252F%252Fevil.example",
    "/kb/%2F%2Fevil.example", "/kb/..%2F%2Fevil.example", "/-/..%2F%2Fevil.example", "/-/%2F%2Fevil.example",
    "/kb/actions?_next=//evil.example", "/kb/actions?_next=%2F%2Fevil.example", "/kb/actions.json?_next=//evil.example",
    "/kb/actions/", "/kb/actions/?_next=//evil.example", "/kb/", "/kb.json?sql=select+1", "/kb?sql=select+1&_next=//evil.example",
    "/kb.json?sql=select+%27//evil.example%27", "/kb/actions.json?_sort=date&_next=%2F%2Fevil.example",
    "/kb/status_on.json?as_of=2026-02-03&states=PRK&instruments=&_next=//evil.example",
    "/country?state=PRK", "/country?state=%2F%2Fevil.example", "/country/prk", "/country/North%20Korea",
    "/country/%2F%2Fevil.example", "/instrument/cat", "/instrument/%2F%2Fevil.example", "/search/?q=//evil.example",
    "/-/static/..%2F%2Fevil.example", "/-/kb-static/..%2F%2Fevil.example", "/kb/-/..%2F%2Fevil.example",
    "/kb.db/", "/-/metadata/", "/kb/actions.csv?_next=//evil.example",
]


def onsite(location: str) -> bool:
    """A redirect target a browser resolves on the same site."""
    for loc in (location, unquote(location), unquote(unquote(location))):
        loc = loc.strip()
        parts = urlsplit(loc.replace("\\", "/"))
        if parts.scheme or parts.netloc or not loc.startswith("/") or loc[1:2] in ("/", "\\"):
            return False
        if any(c in loc for c in "\t\r\n"):
            return False
    return True


def get(ds, path: str):
    return asyncio.run(ds.client.get(path))


@pytest.fixture(scope="module", params=["default", "public"])
def site(request, built_db):
    return make_datasette(built_db, public=request.param == "public")


def assert_security_headers(headers) -> None:
    """kb.web.guard.SECURITY_HEADERS on every response; Datasette's own (stricter) Referrer-Policy
    `no-referrer` is kept where Datasette sets it."""
    for name, value in SECURITY_HEADERS:
        got = headers.get(name.decode())
        if name == b"referrer-policy":
            assert got in (value.decode(), "no-referrer"), (name, got)
        else:
            assert got == value.decode(), (name, got)


# --------------------------------------------------------------------------- redirects (in process)

@pytest.mark.parametrize("path", EVIL_PATHS)
def test_no_offsite_redirect_in_process(site, path):
    for _ in range(5):  # follow on-site redirects a few hops; every Location must stay on the site
        r = get(site, path)
        loc = r.headers.get("location")
        if loc is None:
            assert r.status_code < 300 or r.status_code >= 400, (path, r.status_code)
            break
        assert 300 <= r.status_code < 400
        assert onsite(loc), (path, loc)
        path = loc
    assert_security_headers(r.headers)


# --------------------------------------------------------------------------- huge, slow and hostile SQL

HUGE = [
    "select zeroblob(200000000)",
    "select randomblob(200000000)",
    "select printf('%.*c', 100000000, 'x')",
    "select length(printf('%.*c', 100000000, 'x'))",
    "with recursive c(x) as (select 1 union all select x + 1 from c where x < 300000) "
    "select group_concat(printf('%0100d', x)) from c",
    "select replace(hex(zeroblob(15000000)), '0', 'xx')",
    "select zeroblob(100000000) || zeroblob(100000000)",
]


@pytest.mark.parametrize("sql", HUGE)
@pytest.mark.parametrize("suffix", [".json", ""])
def test_huge_values_are_refused_fast(site, sql, suffix):
    t = time.monotonic()
    r = get(site, f"/kb{suffix}?sql=" + quote(sql))
    elapsed = time.monotonic() - t
    assert elapsed < 5, elapsed
    assert len(r.content) < 200_000
    if r.status_code == 200:  # the only acceptable success: a NULL value
        if suffix == ".json":
            assert r.json()["rows"] in ([[None]], [])
    else:
        assert r.status_code == 400
        body = r.text
        assert "string or blob too big" in body or "SQL query took too long" in body, body[:300]


def test_one_value_is_capped_in_both_modes(built_db):
    """One value at most 1 MB in either mode: 64 values of 4 MB cost one request half a gigabyte."""
    sql = quote("select length(zeroblob(2000000))")
    for public in (False, True):
        r = get(make_datasette(built_db, public=public), f"/kb.json?sql={sql}")
        assert r.status_code == 400 and r.json()["error"] == "string or blob too big"
    sql = quote("select length(zeroblob(900000))")
    assert get(make_datasette(built_db), f"/kb.json?sql={sql}&_shape=array").json() == [{"length(zeroblob(900000))": 900000}]


def test_public_response_size_is_bounded(built_db):
    ds = make_datasette(built_db, public=True)
    sql = ("with recursive c(x) as (select 1 union all select x + 1 from c where x < 20) "
           "select zeroblob(900000) from c")
    r = get(ds, "/kb.json?sql=" + quote(sql))
    assert r.status_code == 400 or len(r.content) < 20_000_000, len(r.content)


def test_slow_query_hits_the_time_limit(site):
    sql = "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000) select count(*) from c"
    t = time.monotonic()
    r = get(site, "/kb.json?sql=" + quote(sql))
    assert time.monotonic() - t < 6
    assert r.status_code == 400
    assert "SQL query took too long" in r.json()["error"]


def test_load_extension_is_refused(site):
    r = get(site, "/kb.json?sql=" + quote("select load_extension('x')"))
    assert r.status_code == 400
    assert r.json()["error"] == "not authorized"


@pytest.mark.parametrize("sql", [
    "insert into states (id) values ('XXX')",
    "update states set name = 'x'",
    "delete from actions",
    "drop table actions",
    "pragma writable_schema = 1",
    "attach database '/tmp/kb-hostile.db' as x",
    "vacuum into '/tmp/kb-hostile.db'",
    "create table x (a)",
])
def test_writes_are_refused(site, sql, built_db):
    before = built_db.read_bytes()
    r = get(site, "/kb.json?sql=" + quote(sql))
    assert r.status_code == 400
    assert r.json()["error"] == "Statement must be a SELECT"
    assert built_db.read_bytes() == before
    assert not Path("/tmp/kb-hostile.db").exists()


@pytest.mark.parametrize("sql", [
    "select 1; drop table actions",
    "with x as (select 1) insert into states (id) values ('XXX')",
])
def test_smuggled_writes_are_refused(site, sql, built_db):
    before = built_db.read_bytes()
    r = get(site, "/kb.json?sql=" + quote(sql))
    assert r.status_code == 400
    assert built_db.read_bytes() == before
    assert get(site, "/kb/states.json?id=XXX&_shape=array").json() == []


# --------------------------------------------------------------------------- security headers

@pytest.mark.parametrize("path,status,ctype", [
    ("/", 200, "text/html"),
    ("/kb/actions", 200, "text/html"),
    ("/kb/actions.json", 200, "application/json"),
    ("/kb/actions.csv", 200, "text/plain"),
    ("/kb/actions.csv?_dl=1", 200, "text/csv"),
    ("/kb/status_on.json?as_of=2026-02-03&states=PRK&instruments=&_shape=array", 200, "application/json"),
    ("/country/PRK", 200, "text/html"),
    ("/nope", 404, "text/html"),
    ("/kb/nope", 404, "text/html"),
    ("/kb/actions/999999999", 404, "text/html"),
    ("/country/NOPE", 404, "text/html"),
    ("/kb.json?sql=select+zeroblob(200000000)", 400, "application/json"),
    ("/kb.json?sql=select+nope", 400, "application/json"),
    ("/\\evil.example", 404, "text/plain"),
])
def test_security_headers_everywhere(site, path, status, ctype):
    r = get(site, path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith(ctype)
    assert_security_headers(r.headers)


# --------------------------------------------------------------------------- a real socket

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_db):
    port = _free_port()
    p = subprocess.Popen([sys.executable, "-m", "kb", "serve", "--public", "--db", str(built_db), "--port", str(port)],
                         cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 40
    while True:
        assert p.poll() is None, "kb serve exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            assert time.monotonic() < deadline, "kb serve did not start"
            time.sleep(0.1)
    yield port
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def raw_get(port: int, path: str, timeout: float = 15) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        r = conn.getresponse()
        body = r.read(2_000_001)
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


@pytest.mark.parametrize("path", EVIL_PATHS)
def test_no_offsite_redirect_over_socket(server, path):
    for _ in range(5):
        status, headers, _ = raw_get(server, path)
        loc = headers.get("location")
        if loc is None:
            break
        assert 300 <= status < 400
        assert onsite(loc), (path, loc)
        path = loc
    assert_security_headers(headers)


@pytest.mark.parametrize("path", ["/\\evil.example", "//evil.example", "/%5Cevil.example", "/%2F%2Fevil.example",
                                  "/%5C%5Cevil.example", "/\\\\evil.example/"])
def test_offsite_shapes_are_not_found_over_socket(server, path):
    status, headers, body = raw_get(server, path)
    assert (status, body) == (404, b"Not found")
    assert "location" not in headers


@pytest.mark.parametrize("sql", HUGE + [
    "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000) select count(*) from c"])
def test_huge_and_slow_sql_over_socket(server, sql):
    t = time.monotonic()
    status, headers, body = raw_get(server, "/kb.json?sql=" + quote(sql))
    assert time.monotonic() - t < 5
    assert len(body) < 200_000
    assert status in (200, 400)
    if status == 400:
        assert b"string or blob too big" in body or b"SQL query took too long" in body
    else:
        assert b'"rows": [[null]]' in body
    assert_security_headers(headers)


def test_write_and_extension_over_socket(server):
    status, _, body = raw_get(server, "/kb.json?sql=" + quote("pragma writable_schema = 1"))
    assert status == 400 and b"Statement must be a SELECT" in body
    status, _, body = raw_get(server, "/kb.json?sql=" + quote("select load_extension('/lib/x')"))
    assert status == 400 and b'"error": "not authorized"' in body


# --------------------------------------------------------------------------- stored XSS

P1 = "<script>alert(1)</script>"
P2 = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{P1} {P2}"
E1 = "&lt;script&gt;alert(1)&lt;/script&gt;"
E2 = "&gt;&lt;img src=x onerror=alert(1)&gt;"
YAML_PAYLOAD = "'" + PAYLOAD.replace("'", "''") + "'"
SRC = """    source:
      url: https://example.org/status
      title: Example status page
      as_at: 2026-02-03
"""


@pytest.fixture(scope="module")
def xss_db(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("xss")
    data = base / "data"
    # without the imported records, and the override table that names some of them
    shutil.copytree(DATA, data, ignore=lambda d, names: ["imported", "reference_overrides.yaml"] if Path(d) == DATA else [])
    (data / "imported").mkdir()
    (data / "actions" / "CAT.yaml").write_text(
        "instrument: CAT\nactions:\n"
        f"  - state: PRK\n    type: declaration\n    date: 2020-01-01\n    text: {YAML_PAYLOAD}\n"
        f"    summary: {YAML_PAYLOAD}\n    footnote_text: {YAML_PAYLOAD}\n" + SRC)
    states = data / "states.yaml"
    text = states.read_text()
    assert text.count('      - "North Korea"\n') == 1
    states.write_text(text.replace('      - "North Korea"\n', f'      - "North Korea"\n      - {YAML_PAYLOAD}\n'))
    treaties = data / "treaties.yaml"
    # Without the imported files no instrument's record is complete (and a statement by a state
    # whose consent is not recorded would rightly be refused where it is).
    text = treaties.read_text().replace("    complete_for: all\n", "    complete_for: []\n")
    assert text.count("  - id: CAT\n") == 1
    treaties.write_text(text.replace("  - id: CAT\n", f"  - id: CAT\n    note: {YAML_PAYLOAD}\n"))
    db = base / "kb.db"
    build(data, db, today=TODAY)
    return db


@pytest.fixture(scope="module")
def xss_ids(xss_db) -> dict:
    conn = sqlite3.connect(xss_db)
    (action_id,) = conn.execute("SELECT id FROM actions WHERE text = ?", (PAYLOAD,)).fetchone()
    (name_rowid,) = conn.execute("SELECT rowid FROM state_names WHERE name = ? AND state_id = 'PRK'", (PAYLOAD,)).fetchone()
    assert conn.execute("SELECT note FROM instruments WHERE id = 'CAT'").fetchone() == (PAYLOAD,)
    return {"action": action_id, "name": name_rowid}


def xss_pages(ids: dict) -> list[str]:
    a = ids["action"]
    pages = [
        "/kb/actions", "/kb/actions?state_id=PRK&instrument_id=CAT", f"/kb/actions/{a}",
        f"/kb/actions?id={a}", "/kb/state_names?state_id=PRK", "/kb/state_names/" + tilde_encode(PAYLOAD),
        "/kb/instruments", "/kb/instruments/CAT",
        "/kb?sql=" + quote("select text, summary, footnote_text from actions where text like '%script%'"),
        "/kb/changes?state=PRK&since=2019-01-01&until=2021-12-31",
    ]
    if (ROOT / "kb" / "pages.py").exists():
        pages += ["/country/PRK", "/instrument/CAT", "/search?q=script", "/search?q=alert", "/search?q=" + quote(P1),
                  "/country?state=" + quote(PAYLOAD)]
    return pages


@pytest.mark.parametrize("public", [False, True])
def test_stored_xss_is_escaped(xss_db, xss_ids, public):
    ds = make_datasette(xss_db, public=public)
    for path in xss_pages(xss_ids):
        r = get(ds, path)
        if r.status_code in (301, 302):
            assert onsite(r.headers["location"])
            r = get(ds, r.headers["location"])
        assert r.status_code == 200, (path, r.status_code)
        body = r.text
        assert P1 not in body, path
        assert "<img src=x" not in body, path
        assert E1 in body, path
        assert E2 in body or "&#34;&gt;&lt;img" in body, path


def test_search_for_the_payload_is_escaped(xss_db):
    ds = make_datasette(xss_db)
    r = get(ds, "/search?q=" + quote(PAYLOAD))
    assert r.status_code == 200
    assert P1 not in r.text and "<img src=x" not in r.text


def test_cite_with_hostile_text_does_not_crash(xss_db):
    from kb.cli import cite_command

    r = CliRunner().invoke(cite_command, ["PRK", "CAT", "--db", str(xss_db), "--as-of", "2026-02-03"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    # no record is complete in this copy (no imported files): the status is unknown, and said so
    assert r.output.startswith("The status of the Democratic People's Republic of Korea with respect to the "
                               "Convention against Torture")
    # the payload alias resolves to PRK as any other alias does
    r = CliRunner().invoke(cite_command, [PAYLOAD, "CAT", "--db", str(xss_db), "--as-of", "2026-02-03"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    for style in ("oscola", "bibtex"):
        r = CliRunner().invoke(cite_command, ["PRK", "CAT", "--db", str(xss_db), "--style", style],
                               catch_exceptions=False)
        assert r.exit_code == 0, r.output
