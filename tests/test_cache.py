"""The response cache, validators and compression of `kb serve` (kb/web/cache.py), through the
real ASGI application (guard, cache, compression, Datasette) with raw ASGI messages, so that
the bytes on the wire are what is compared (no client decodes anything behind our back)."""

from __future__ import annotations

import asyncio
import gzip
import shutil
import sqlite3
from pathlib import Path

import brotli
import pytest

from kb.web.app import make_datasette
from kb.web.cache import ResponseCache, choose_encoding, etag_matches

from .test_hostile import assert_security_headers


def call(app, path: str, headers: dict | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    """One request through an ASGI app: (status, headers with lower-case names, raw body)."""
    raw_path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"localhost")] + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    out: dict = {"body": b""}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return out["status"], out["headers"], out["body"]


@pytest.fixture(scope="module")
def ds(built_db):
    return make_datasette(built_db)


@pytest.fixture(scope="module")
def app(ds):
    return ds.app()


def cache_of(ds) -> ResponseCache:
    return ds._kb_caches[-1]


PAGES = ["/instrument/CAT", "/country/PRK", "/country/PRK?as_of=2010-01-01", "/", "/search?q=torture"]


@pytest.mark.parametrize("path", PAGES)
def test_cached_answer_is_byte_identical_to_uncached(built_db, app, path):
    uncached = make_datasette(built_db, cache_mb=0).app()
    s0, h0, b0 = call(uncached, path)
    s1, h1, b1 = call(app, path)
    s2, h2, b2 = call(app, path)
    assert (s0, s1, s2) == (200, 200, 200)
    assert h0["x-kb-cache"] == "miss" and h2["x-kb-cache"] == "hit"
    assert b0 == b1 == b2
    assert h1["etag"] == h2["etag"] == h0["etag"]
    assert {k: v for k, v in h1.items() if k != "x-kb-cache"} == {k: v for k, v in h2.items() if k != "x-kb-cache"}


def test_datasette_json_and_csv_are_cached(app):
    for path in ("/kb/status_on.json?as_of=2026-02-03&states=PRK&instruments=&_shape=array", "/kb/instruments.csv"):
        s1, h1, b1 = call(app, path)
        s2, h2, b2 = call(app, path)
        assert s1 == s2 == 200 and b1 == b2 and h2["x-kb-cache"] == "hit"
        assert h1["cache-control"] == "public, max-age=60, s-maxage=60"
        assert "Accept-Encoding" in h1["vary"]


@pytest.mark.parametrize("a, b", [
    ("/country/PRK?as_of=2010-01-01", "/country/PRK?as_of=2011-01-01"),
    ("/search?q=torture", "/search?q=reservation"),
    ("/kb.json?sql=select+1", "/kb.json?sql=select+2"),
])
def test_different_query_is_a_different_entry(built_db, a, b):
    ds = make_datasette(built_db)
    app = ds.app()
    _, ha, ba = call(app, a)
    _, hb, bb = call(app, b)
    assert ha["x-kb-cache"] == hb["x-kb-cache"] == "miss"
    assert ha["etag"] != hb["etag"] and ba != bb
    assert len(cache_of(ds).store) == 2


def test_each_encoding_is_a_different_entry_and_decodes_to_the_uncached_bytes(built_db):
    ds = make_datasette(built_db)
    app = ds.app()
    _, h0, plain = call(app, "/instrument/CAT", {"accept-encoding": "identity"})
    _, hg, gz = call(app, "/instrument/CAT", {"accept-encoding": "gzip"})
    _, hb, br = call(app, "/instrument/CAT", {"accept-encoding": "gzip, deflate, br"})
    assert (h0["x-kb-cache"], hg["x-kb-cache"], hb["x-kb-cache"]) == ("miss", "miss", "miss")
    assert "content-encoding" not in h0
    assert hg["content-encoding"] == "gzip" and hb["content-encoding"] == "br"
    assert gzip.decompress(gz) == plain
    assert brotli.decompress(br) == plain
    assert len(br) < len(gz) < len(plain) / 5
    assert len({h0["etag"], hg["etag"], hb["etag"]}) == 3
    _, hg2, gz2 = call(app, "/instrument/CAT", {"accept-encoding": "gzip;q=1, br;q=0"})
    assert hg2["x-kb-cache"] == "hit" and gz2 == gz
    assert len(cache_of(ds).store) == 3


def test_not_modified_with_an_empty_body(app):
    _, h, body = call(app, "/country/FRA")
    etag = h["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    for inm in (etag, f'"x", {etag}', f"W/{etag}", "*"):
        status, h304, b304 = call(app, "/country/FRA", {"if-none-match": inm})
        assert status == 304 and b304 == b""
        assert h304["etag"] == etag and h304["cache-control"] == h["cache-control"]
        assert_security_headers(h304)
    status, _, again = call(app, "/country/FRA", {"if-none-match": '"something-else"'})
    assert status == 200 and again == body


def test_head_is_answered_from_the_get(app):
    _, hget, body = call(app, "/country/TTO")
    status, hhead, empty = call(app, "/country/TTO", method="HEAD")
    assert status == 200 and empty == b"" and hhead["x-kb-cache"] == "hit"
    assert hhead["etag"] == hget["etag"] and hhead["content-type"] == hget["content-type"]


def test_the_cache_never_exceeds_its_bound(built_db):
    ds = make_datasette(built_db, cache_mb=0.2)
    app = ds.app()
    cache = None
    for n in range(80):
        status, _, _ = call(app, f"/kb.json?sql=select+{n}+as+n,+zeroblob(3000)")
        cache = cache_of(ds)
        assert status == 200
        assert cache.store.currsize <= 200_000
    assert 0 < len(cache.store) < 80
    # larger than the per-entry cap (an eighth of the cache): served, not stored
    status, h, body = call(app, "/instrument/CAT")
    assert status == 200 and len(body) > cache.max_entry
    assert call(app, "/instrument/CAT")[1]["x-kb-cache"] == "miss"


def test_cache_off(built_db):
    ds = make_datasette(built_db, cache_mb=0)
    app = ds.app()
    call(app, "/country/PRK")
    _, h, _ = call(app, "/country/PRK")
    assert h["x-kb-cache"] == "miss" and h["etag"] and cache_of(ds).store is None


def test_a_new_build_after_restart_gives_new_answers_and_new_etags(built_db, tmp_path):
    db2 = tmp_path / "kb.db"
    shutil.copy(built_db, db2)
    conn = sqlite3.connect(db2)
    conn.execute("UPDATE build_info SET value = 'f' || value WHERE key = 'data_digest'")
    conn.execute("UPDATE instruments SET title = 'Convention against Torture (rebuilt)' WHERE id = 'CAT'")
    conn.commit()
    conn.close()
    old = make_datasette(built_db).app()
    new = make_datasette(db2).app()
    _, h1, b1 = call(old, "/instrument/CAT")
    _, h2, b2 = call(new, "/instrument/CAT")
    assert h1["etag"] != h2["etag"]
    assert b"(rebuilt)" in b2 and b"(rebuilt)" not in b1
    # the old ETag is not a match on the new snapshot
    status, _, body = call(new, "/instrument/CAT", {"if-none-match": h1["etag"]})
    assert status == 200 and body == b2


def test_public_mode_has_longer_lifetimes_and_options_win(built_db):
    _, h, _ = call(make_datasette(built_db, public=True).app(), "/country/PRK")
    assert h["cache-control"] == "public, max-age=300, s-maxage=3600"
    _, h, _ = call(make_datasette(built_db, public=True, max_age=5, s_maxage=7).app(), "/country/PRK")
    assert h["cache-control"] == "public, max-age=5, s-maxage=7"


def test_errors_are_not_cached_as_successes(app):
    for path in ("/kb.json?sql=select+nope", "/country/PRK?as_of=2010-13-45"):
        s1, h1, _ = call(app, path)
        s2, h2, _ = call(app, path)
        assert s1 == s2 == 400
        assert h1["cache-control"] == h2["cache-control"] == "no-store"
        assert "etag" not in h1 and h2["x-kb-cache"] == "miss"
    # a 404 on an immutable snapshot stays a 404: stored, with Cache-Control but no ETag (only a 200 has one)
    s1, h1, _ = call(app, "/country/NOPE")
    s2, h2, _ = call(app, "/country/NOPE")
    assert s1 == s2 == 404 and h2["x-kb-cache"] == "hit" and "etag" not in h2
    assert h2["cache-control"] == "public, max-age=60, s-maxage=60"


def _counting_app(status: int, calls: list, set_cookie: bool = False):
    async def app(scope, receive, send):
        calls.append(scope["method"])
        headers = [(b"content-type", b"text/html; charset=utf-8")] + ([(b"set-cookie", b"a=b")] if set_cookie else [])
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"<p>" + b"x" * 1000 + b"</p>"})
    return app


def _cache(app) -> ResponseCache:
    return ResponseCache(app, lambda: {"digest": "d", "cache_bytes": 1_000_000, "max_age": 60, "s_maxage": 60})


@pytest.mark.parametrize("status", [500, 502, 503, 400, 403])
def test_server_errors_are_never_stored(status):
    calls: list = []
    cache = _cache(_counting_app(status, calls))
    for _ in range(2):
        s, h, _ = call(cache, "/x")
        assert s == status and h["cache-control"] == "no-store" and "etag" not in h
    assert calls == ["GET", "GET"]


def test_post_is_never_cached():
    calls: list = []
    cache = _cache(_counting_app(200, calls))
    for _ in range(2):
        s, h, _ = call(cache, "/x", method="POST")
        assert s == 200 and "etag" not in h and h["x-kb-cache"] == "bypass"
    assert calls == ["POST", "POST"]
    assert len(cache.store) == 0


def test_set_cookie_and_cookie_requests_are_not_stored():
    calls: list = []
    cache = _cache(_counting_app(200, calls, set_cookie=True))
    call(cache, "/x")
    call(cache, "/x")
    assert calls == ["GET", "GET"] and len(cache.store) == 0
    calls2: list = []
    cache2 = _cache(_counting_app(200, calls2))
    call(cache2, "/x", {"cookie": "ds_actor=someone"})
    call(cache2, "/x", {"cookie": "ds_actor=someone"})
    assert calls2 == ["GET", "GET"] and len(cache2.store) == 0
    call(cache2, "/x")
    assert call(cache2, "/x")[1]["x-kb-cache"] == "hit"


@pytest.mark.parametrize("path", ["/instrument/CAT", "/kb/actions.json", "/country/NOPE", "/kb/actions.csv"])
def test_security_headers_on_cached_answers(app, path):
    call(app, path)
    _, h, _ = call(app, path)
    assert h["x-kb-cache"] == "hit"
    assert_security_headers(h)


def test_offsite_redirect_guard_applies_to_cached_answers():
    async def redirecting(scope, receive, send):
        await send({"type": "http.response.start", "status": 302, "headers": [(b"location", b"//evil.example/")]})
        await send({"type": "http.response.body", "body": b""})

    from kb.web.guard import _wrap

    class DS:
        pass

    app = _wrap(_cache(redirecting), DS())
    for _ in range(2):
        status, h, _ = call(app, "/x")
        assert status == 404 and "location" not in h


def test_database_file_is_not_compressed(app):
    _, h, body = call(app, "/kb.db", {"accept-encoding": "gzip, br"})
    assert "content-encoding" not in h and body[:16] == b"SQLite format 3\x00"


@pytest.mark.parametrize("header, chosen", [
    ("", "identity"), ("identity", "identity"), ("gzip", "gzip"), ("gzip, deflate, br", "br"),
    ("br;q=0, gzip", "gzip"), ("*", "br"), ("*;q=0", "identity"), ("gzip;q=0", "identity"), ("BR", "br"),
])
def test_choose_encoding(header, chosen):
    assert choose_encoding(header) == chosen


def test_etag_matches():
    assert etag_matches('"a"', '"a"') and etag_matches('W/"a"', '"a"') and etag_matches('"b", "a"', '"a"')
    assert not etag_matches('"b"', '"a"')
