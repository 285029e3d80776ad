"""Bounded serving: no single request can kill, bloat or stall the server.

Over real server processes (`python -m kb serve`, default and --public), measuring their memory
from /proc (Linux), and in process for the response cache, the SQL functions and the CSV rule.
After every hostile request the server must still answer `/`.
"""

from __future__ import annotations

import asyncio
import http.client
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from kb.web.app import PUBLIC_MAX_RESULT_BYTES, make_datasette
from kb.web.cache import MAX_ERROR_URL, ResponseCache
from kb.web.guard import DEFAULT_MAX_RESULT_BYTES, neutralise_record
from kb.web.sqlfuncs import install

from .conftest import ROOT
from .test_cache import call
from .test_hostile import _free_port

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from /proc (Linux)")

MB = 1_000_000
TOO_LARGE = "answer is too large for this server: more than"


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(field)


class Server:
    def __init__(self, db: Path, public: bool) -> None:
        self.port = _free_port()
        args = [sys.executable, "-m", "kb", "serve", "--db", str(db), "--port", str(self.port)]
        self.proc = subprocess.Popen(args + (["--public"] if public else []), cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None, "kb serve exited"
            try:
                if self.get("/", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "kb serve did not start"
            time.sleep(0.2)

    def rss(self) -> int:
        return _status_kb(self.proc.pid, "VmRSS")

    def peak(self) -> int:
        return _status_kb(self.proc.pid, "VmHWM")

    def request(self, method: str, path: str, headers: dict | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def get(self, path: str, headers: dict | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
        return self.request("GET", path, headers, timeout)

    def alive(self) -> None:
        assert self.proc.poll() is None
        assert self.get("/", timeout=20)[0] == 200

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module", params=["default", "public"])
def server(request, built_db):
    s = Server(built_db, public=request.param == "public")
    s.public = request.param == "public"
    # warm up: what every reader's first requests allocate once (templates, snapshot constants)
    for path in ("/", "/country/PRK", "/instrument/CAT", "/kb/actions", "/kb.json?sql=select+1"):
        s.get(path)
    yield s
    s.stop()


def sql_path(sql: str, suffix: str = ".json") -> str:
    return f"/kb{suffix}?sql=" + quote(sql)


# --------------------------------------------------------------------------- the whole answer is capped

BOMB = "select printf('%.*c', 900000, 'x') from actions limit 1000"


@pytest.mark.parametrize("suffix", [".json", "", ".csv"])
def test_many_large_values_are_refused_without_growing_the_server(server, suffix):
    start = server.rss()
    before_peak = server.peak()
    t = time.monotonic()
    status, headers, body = server.get(sql_path(BOMB, suffix))
    assert time.monotonic() - t < 20
    assert status == 413, (status, body[:300])
    assert TOO_LARGE.encode() in body
    cap = PUBLIC_MAX_RESULT_BYTES if server.public else DEFAULT_MAX_RESULT_BYTES
    assert f"more than {cap // MB} MB of values".encode() in body
    assert headers["cache-control"] == "no-store"
    # the peak of the request: a few hundred MB at most; afterwards back within 100 MB of the start
    assert server.peak() - max(before_peak, start) < 300 * MB, (server.peak(), before_peak, start)
    assert server.rss() - start < 100 * MB, (server.rss(), start)
    server.alive()


def test_the_answer_is_refused_while_its_rows_are_fetched(server):
    """Many rows of small values count too; a large answer under the cap is given, and its memory
    given back."""
    status, _, body = server.get(sql_path(
        "with recursive c(x) as (select 1 union all select x + 1 from c where x < 3000000) select x, 'abcdefgh' from c"))
    assert status == 200 and len(body) < 2 * MB  # Datasette's max_returned_rows (1,000) applies first
    start = server.rss()
    status, _, body = server.get(sql_path("select printf('%.*c', 900000, 'x') from actions limit 6"))
    assert status == 200 and len(body) > 5 * MB
    assert server.rss() - start < 100 * MB
    server.alive()


def test_a_wide_row_is_refused(server):
    sql = "select " + ", ".join(f"zeroblob(900000) as c{i}" for i in range(65))
    status, _, body = server.get(sql_path(sql))
    assert status == 400 and b"too many columns in result set" in body
    server.alive()


# --------------------------------------------------------------------------- one call cannot stall

SLOW_CALLS = [
    "select length(printf('%.*c', 2000000000, 'x'))",
    "select length(format('%!.*c', 2000000000, 'x'))",
    "select length(printf('%*.*c', 2000000000, 2000000000, 'xyz'))",
    "select instr(printf('%.*c', 900000, 'a'), printf('%.*c', 90000, 'a') || 'b')",
    "select length(replace(printf('%.*c', 900000, 'a'), printf('%.*c', 90000, 'a') || 'b', 'c'))",
]


@pytest.mark.parametrize("sql", SLOW_CALLS)
def test_single_long_calls_are_answered_fast(server, sql):
    t = time.monotonic()
    status, _, body = server.get(sql_path(sql))
    assert time.monotonic() - t < 3, sql
    assert status == 200, body[:300]
    assert b'"rows": [[null]]' in body or b'"rows": [[0]]' in body or b'"rows": [[900000]]' in body, body[:300]
    server.alive()


@pytest.mark.parametrize("suffix", [".json", "", ".csv"])
def test_a_query_out_of_time_is_a_400_on_every_route(server, suffix):
    status, headers, body = server.get(sql_path(
        "select printf('%.*c', 900000, 'x') as v from actions order by v limit 1", suffix))
    assert status == 400, (status, body[:300])
    assert b"SQL query took too long" in body
    assert headers["cache-control"] == "no-store"
    server.alive()


def test_long_like_patterns_are_refused(server):
    status, _, body = server.get(sql_path("select printf('%.*c', 900000, 'a') like '%' || printf('%.*c', 20000, 'a') || 'b'"))
    assert status == 400 and b"LIKE or GLOB pattern too complex" in body
    server.alive()


def test_pages_are_served_while_readers_sql_runs(server):
    """Six slow queries of readers at once (twice Datasette's SQL threads: each runs to the time
    limit, the last ends after two rounds) do not hold an uncached page: pages run on their own
    threads, so the page is answered before the readers' queries are."""
    slow = sql_path("with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000) select count(*) from c")
    ends: list[float] = []

    def reader():
        assert server.get(slow)[0] == 400
        ends.append(time.monotonic())

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    status, _, _ = server.get("/country/KOR?as_of=2001-02-03")
    page_end = time.monotonic()
    for t in threads:
        t.join()
    assert status == 200
    assert len(ends) == 6 and page_end < max(ends), (page_end, sorted(ends))


def test_functions_returning_addresses_are_refused(server):
    for fn in ("fts3_tokenizer('simple')", "hex(fts3_tokenizer('porter'))", "sqlite_log(1, 'x')"):
        status, _, body = server.get(sql_path(f"select {fn}"))
        assert status == 400 and b"not authorized to use function" in body, (fn, body[:200])
    server.alive()


# --------------------------------------------------------------------------- methods and validators

@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO"])
@pytest.mark.parametrize("path", ["/", "/country/PRK", "/kb", "/kb.json?sql=select+1", "/kb/actions", "/kb/status_on",
                                  "/-/kb-static/kb.css", "/kb.db", "/-/logout"])
def test_other_methods_are_not_allowed(server, method, path):
    status, headers, body = server.request(method, path)
    assert status == 405, (method, path, status)
    assert headers["allow"] == "GET, HEAD"
    assert body == b"Method not allowed: this site only reads (GET, HEAD)."


@pytest.mark.parametrize("path,status", [("/nope", 404), ("/country/NOPE", 404), ("/kb/nope", 404),
                                         ("/", 304), ("/country/PRK", 304)])
def test_if_none_match_star_only_for_answers_that_exist(server, path, status):
    for _ in range(2):  # uncached, then cached
        got, headers, body = server.get(path, {"If-None-Match": "*"})
        assert got == status
        if status == 304:
            assert body == b"" and headers["etag"]


# --------------------------------------------------------------------------- the response cache

def _echo(status: int):
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"x" * 100})
    return app


def test_cache_keys_are_bounded():
    cache = ResponseCache(_echo(200), lambda: {"digest": "d", "cache_bytes": 200_000, "max_age": 60, "s_maxage": 60})
    for i in range(300):
        call(cache, f"/x?q={i}{'y' * 20_000}", {"X-Long": "z" * 5000})
    assert cache.size <= 200_000
    assert {len(k) for k in cache.store.keys()} == {16}
    assert len(cache.store) < 300  # each entry counts its overhead, so old ones were evicted
    status, headers, _ = call(cache, "/x?q=1")
    assert status == 200 and headers["x-kb-cache"] == "miss"
    assert call(cache, "/x?q=1")[1]["x-kb-cache"] == "hit"


def test_404s_for_long_urls_are_not_stored():
    cache = ResponseCache(_echo(404), lambda: {"digest": "d", "cache_bytes": 1_000_000, "max_age": 60, "s_maxage": 60})
    long = "/nope?" + "q" * MAX_ERROR_URL
    for _ in range(2):
        status, headers, _ = call(cache, long)
        assert status == 404 and headers["x-kb-cache"] == "miss" and headers["cache-control"] == "no-store"
    assert len(cache.store) == 0
    call(cache, "/nope")
    status, headers, _ = call(cache, "/nope")
    assert status == 404 and headers["x-kb-cache"] == "hit" and "etag" not in headers


# --------------------------------------------------------------------------- the SQL functions give SQLite's answers

EQUAL = [
    "printf('%04d-12-31', 1999)", "printf('%04d-12-31', -5)", "printf('%d%%', 5)", "printf('%5.2f', 3.14159)",
    "printf('%s and %q', 'a', 'it''s')", "printf('%.*c', 10, 'x')", "printf('%.*c', 1000001, 'x')",
    "printf('%.*c', '1000001', 'x')", "printf('%.*c', 4294967306, 'x')", "printf('%-*.*c', 3, 5, 'ab')",
    "printf('%.5c', 'é')", "printf('%.2000000c', 'x')", "printf('%!.*c', 1000001, 'x')", "printf('%*c', 2000000000, 'x')",
    "printf('%,d', 1234567)", "printf('%04d', 1.5)", "printf('%d', '12')", "printf(NULL)", "printf('%')",
    "printf('%.*c', -5, 'x')", "printf('x')", "printf(5)", "printf('%c%.*c', 'a', 3, 'x')", "printf('%lld', 5)",
    "format('%03d', 7)",
    "instr('abcabc', 'ca')", "instr(12345, 34)", "instr(x'0102', x'02')", "instr('abc', NULL)", "instr('abc', '')",
    "instr(x'616263', 'c')", "instr('héllo', 'l')", "instr(1.5, '.')",
    "replace('aaa', 'a', 'bb')", "replace(123, '', 'x')", "typeof(replace(123, '', 'x'))", "replace(123, 2, 9)",
    "replace(x'6161', 'a', 'b')", "replace('a', NULL, 'b')", "replace(1.5, '.', ',')",
]


def _answer(conn: sqlite3.Connection, expr: str):
    try:
        return ("ok", conn.execute("select " + expr).fetchone()[0])
    except sqlite3.Error as exc:
        return ("error", str(exc))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # replace's "too big", as raised
def test_replaced_functions_give_the_built_in_answers():
    built_in = sqlite3.connect(":memory:")
    built_in.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MB)
    guarded = sqlite3.connect(":memory:")
    guarded.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MB)
    install(guarded, MB)
    for expr in EQUAL:
        assert _answer(guarded, expr) == _answer(built_in, expr), expr
    too_big = "length(replace(printf('%.*c', 600000, 'a'), 'a', 'bb'))"
    assert _answer(guarded, too_big) == _answer(built_in, too_big) == ("error", "string or blob too big")


# --------------------------------------------------------------------------- formulas in CSV

def test_neutralise_record():
    assert neutralise_record("a,b\r\n") == "a,b\r\n"
    assert neutralise_record("=1+1,-2,-3.5e2,@x,+,\"a\n=b\",- x\r\n") == "'=1+1,-2,-3.5e2,'@x,'+,\"a\n=b\",'- x\r\n"


def test_formula_cells_in_csv_of_readers_sql_and_stored_queries_only(built_db):
    ds = make_datasette(built_db, public=True)

    def get(path):
        return asyncio.run(ds.client.get(path))

    r = get("/kb.csv?sql=" + quote("select '=HYPERLINK(\"http://x\")' as a, -3 as b, '@x' as \"=h\""))
    assert r.status_code == 200
    assert r.text == "a,b,'=h\r\n\"'=HYPERLINK(\"\"http://x\"\")\",-3,'@x\r\n"
    # a stored query's parameters are checked before it runs: a formula is not a date
    r = get("/kb/status_on.csv?as_of=" + quote("=1+1") + "&states=PRK&instruments=CAT")
    assert r.status_code == 400 and r.json() == {
        "ok": False, "error": "as_of must be a date written YYYY-MM-DD (for example 2026-02-03)", "param": "as_of"}
    # the curated data as published: a declaration that begins with "- "
    r = get("/kb/actions.csv?state_id=POL&instrument_id=CRC&type=declaration&_size=max")
    assert r.status_code == 200 and ',"- The Republic of Poland considers' in r.text


def test_a_failed_query_is_no_empty_csv(built_db):
    """Datasette's CSV export drops a query's error and sends an empty file, which reads as "no results":
    the guard answers 400 instead, never stored."""
    ds = make_datasette(built_db)
    for path in ("/kb.csv?sql=" + quote("select * from nope"), "/kb.csv?sql=" + quote("select * from nope") + "&_stream=on",
                 "/kb.csv?sql=" + quote("select zeroblob(2000000)")):
        r = asyncio.run(ds.client.get(path))
        assert (r.status_code, r.text, r.headers["cache-control"]) == (
            400, "This query failed, so there is no CSV to send. Open the same address with .json instead of .csv to "
                 "read the error.", "no-store"), path
    r = asyncio.run(ds.client.get("/kb.csv?sql=" + quote("select 1 as a where 0")))
    assert (r.status_code, r.text) == (200, "a\r\n")
