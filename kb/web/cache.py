"""The response cache, validators and compression of `kb serve`.

The served database is an immutable snapshot (kb.web.app.snapshot): an answer to a GET is
a function of the snapshot, the code that renders it, the URL and the few request headers
it varies on.  So every such answer is computed once and then served from memory:

* **Compression**: text responses (HTML, JSON, CSV, CSS, JavaScript, SVG) are compressed
  by maintained ASGI middleware -- brotli by ``brotli-asgi`` where the client accepts
  ``br``, gzip by ``asgi-gzip`` (the middleware datasette-gzip wraps) where it accepts
  ``gzip`` -- once per URL and encoding, and the compressed bytes are what is cached.
* **Cache**: an LRU bounded in bytes (``cachetools.LRUCache`` with a ``getsizeof`` that counts
  each entry's body, headers and a fixed overhead for its key), keyed by a 16-byte digest (so
  that a long URL costs no more than a short one) of the snapshot's digest, the scheme, the Host header (Datasette writes absolute URLs into
  some JSON), the path and query string as sent, the encoding chosen from
  ``Accept-Encoding``, and the values of any other header a response names in ``Vary``.
  Stored: answers to GET and HEAD (HEAD is answered from the GET) with status 200, 301,
  302, 307, 308 or 404 (a 404 only for a URL of at most MAX_ERROR_URL bytes), without ``Set-Cookie``, no larger than the per-entry cap (a
  streamed answer is passed on as it comes and stored only if it stays under the cap).
  Never stored: other methods, 5xx, and the other 4xx (a 400 may be a query that ran out of
  time under load: the same URL may succeed a moment later).  Requests carrying a
  ``Cookie`` or ``Authorization`` header bypass the cache (Datasette answers them
  ``private, no-store``: they may be someone's).
* **Validators and cache headers**: every stored kind of answer gets ``Cache-Control: public,
  max-age=..., s-maxage=...`` and ``Vary: Accept-Encoding``, and a 200 a strong ``ETag`` (the
  snapshot digest, the URL, the host and the encoding); a request whose ``If-None-Match``
  matches gets ``304 Not Modified`` with an empty body, without any rendering (only 200s carry
  the tag, so only a 200 can match); ``If-None-Match: *`` gets 304 only where the answer is a
  200.  Errors that are not stored get ``Cache-Control: no-store``.

The snapshot digest (``snapshot_digest``) combines the build's ``data_digest`` and
``code_digest`` (kb/db/build.py), a digest of the code that renders answers (kb/web,
kb/query), the versions of Datasette and the compression libraries, and the settings: a
restart on a new build or new code never serves an old ETag for new bytes.

This sits inside kb.web.guard's wrapper, so the security headers, the off-site redirect
guard and the response size cap apply to cached answers as to fresh ones.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

#: Default size of the cache (`kb serve --cache-mb`), in MB; 0 turns it off.
DEFAULT_CACHE_MB = 64
#: Largest answer stored, in bytes (and at most an eighth of the cache).
MAX_ENTRY_BYTES = 4_000_000
#: Cache-Control max-age and s-maxage (seconds): (default mode, --public).
DEFAULT_MAX_AGE = (60, 300)
DEFAULT_S_MAXAGE = (60, 3600)
#: Compress responses at least this large (bytes).
MINIMUM_SIZE = 500
#: Brotli quality 4: smaller than gzip -6 and faster (on /instrument/CAT: 18 ms, q5 55 ms, q11 1.8 s).
BROTLI_QUALITY = 4
GZIP_LEVEL = 6

CACHEABLE_STATUS = frozenset({200, 301, 302, 307, 308, 404})
COMPRESSIBLE = (b"text/", b"application/json", b"application/javascript", b"application/xml",
                b"image/svg+xml", b"application/geo+json")
#: A marker header that keeps the compression middleware off a response (removed before sending).
_SKIP = (b"content-encoding", b"x-kb-identity")


def snapshot_digest(db_path: Path, settings: dict[str, Any]) -> str:
    """Digest of what decides every answer: the build (data and code), the web and query
    code, the library versions and the settings."""
    h = hashlib.sha256()
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
        try:
            info = dict(conn.execute("SELECT key, value FROM build_info").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        info = {}
    if info.get("data_digest") and info.get("code_digest"):
        h.update(json.dumps(info, sort_keys=True).encode())
    else:  # not one of our builds: the file itself
        with open(db_path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    kb = Path(__file__).resolve().parent.parent
    files = [p for room in ("web", "query") for p in (kb / room).rglob("*")
             if p.is_file() and p.suffix in (".py", ".sql", ".html", ".css", ".js", ".svg")]
    for f in sorted(files):
        h.update(str(f.relative_to(kb)).encode() + b"\0" + f.read_bytes() + b"\0")
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("datasette", "asgi-gzip", "brotli-asgi", "brotli"):
        try:
            h.update(f"{dist}={version(dist)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{dist}=none\0".encode())
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    return h.hexdigest()


def choose_encoding(accept: str) -> str:
    """'br', 'gzip' or 'identity' for an Accept-Encoding header (q-values honoured)."""
    q: dict[str, float] = {}
    for part in accept.lower().split(","):
        token, _, params = part.strip().partition(";")
        token = token.strip()
        if not token:
            continue
        weight = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k == "q":
                try:
                    weight = float(v)
                except ValueError:
                    weight = 0.0
        q[token] = weight
    star = q.get("*", 0.0)
    for enc in ("br", "gzip"):
        if q.get(enc, star) > 0:
            return enc
    return "identity"


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: W/ prefixes are ignored.  ('*', "any current
    answer", is decided by ResponseCache: only an answer that exists, a 200, matches it.)"""
    for tag in header.split(","):
        tag = tag.strip()
        if tag.removeprefix("W/") == etag:
            return True
    return False


def is_star(header: str) -> bool:
    return header.strip() == "*"


#: Bytes counted for each entry besides its body and headers: the key (a 16-byte digest of the
#: request), the LRU's bookkeeping and the objects around them.
ENTRY_OVERHEAD = 512
#: Longest URL (path and query string) whose 404 is stored: a 404 is an error, and a long URL that
#: finds nothing would otherwise be a cheap way to push real answers out of the cache.
MAX_ERROR_URL = 512


def _entry_size(entry: tuple) -> int:
    status, headers, body = entry
    return len(body) + sum(len(k) + len(v) + 16 for k, v in headers) + ENTRY_OVERHEAD


def _digest(parts: tuple) -> bytes:
    """A fixed-size key for a request, however long its URL and headers."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogateescape"), digest_size=16).digest()


class ResponseCache:
    """The ASGI layer: choose the encoding, answer from the cache or from `app` (compressed)."""

    def __init__(self, app, configure):
        """configure() -> dict(digest=, cache_bytes=, max_age=, s_maxage=[, max_entry=]),
        called at the first request (the server's settings are final by then)."""
        from asgi_gzip import GZipMiddleware
        from brotli_asgi import BrotliMiddleware

        self.app = app
        self._configure = configure
        self.store = None
        self.vary: dict[bytes, tuple[str, ...]] = {}  # digest of the request without Vary -> header names
        marked = _MarkIncompressible(app)
        self.compressors = {
            "br": BrotliMiddleware(marked, quality=BROTLI_QUALITY, minimum_size=MINIMUM_SIZE, gzip_fallback=False),
            "gzip": GZipMiddleware(marked, minimum_size=MINIMUM_SIZE, compresslevel=GZIP_LEVEL),
            "identity": app,
        }
        self.hits = self.misses = 0

    def configure(self) -> None:
        from cachetools import LRUCache

        c = self._configure()
        self._configure = None
        self.digest = c["digest"]
        self.cache_bytes = max(0, int(c["cache_bytes"]))
        self.max_entry = min(int(c.get("max_entry", MAX_ENTRY_BYTES)), self.cache_bytes // 8)
        # cachetools.LRUCache counts the size of each entry with getsizeof and evicts the
        # least recently used entries until a new one fits under maxsize.
        self.store = LRUCache(maxsize=self.cache_bytes, getsizeof=_entry_size) if self.cache_bytes else None
        self.cache_control = f"public, max-age={int(c['max_age'])}, s-maxage={int(c['s_maxage'])}".encode()

    @property
    def size(self) -> int:
        return int(self.store.currsize) if self.store is not None else 0

    def etag(self, key: tuple) -> bytes:
        h = hashlib.blake2b(repr(key).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
        return f'"{h}"'.encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self._configure is not None:
            self.configure()
        if scope["method"] not in ("GET", "HEAD"):
            return await self._uncached(scope, receive, send, None)
        headers = {}
        for k, v in scope.get("headers", []):
            k = k.lower()
            headers[k] = headers[k] + b", " + v if k in headers else v
        encoding = choose_encoding(headers.get(b"accept-encoding", b"").decode("latin-1"))
        head = scope["method"] == "HEAD"
        if b"authorization" in headers or b"cookie" in headers:
            # Datasette answers these "private, no-store" (they may carry an actor): so do we.
            return await self._uncached(_inner(scope, encoding), receive, send, encoding, head=head)
        base = (self.digest, scope.get("scheme", "http"), headers.get(b"host", b"").decode("latin-1"),
                scope.get("raw_path") or scope.get("path", "").encode(), scope.get("query_string", b""), encoding)
        etag = self.etag(base)
        inm = headers.get(b"if-none-match")
        star = inm is not None and is_star(inm.decode("latin-1"))
        # Only answers with status 200 carry an ETag, and the snapshot never changes: a tag that
        # matches is a 200 that still holds, answered 304 without rendering anything.
        if inm is not None and not star and etag_matches(inm.decode("latin-1"), etag.decode()):
            return await self._not_modified(send, etag)
        hbase = _digest(base)
        names = self.vary.get(hbase, ())
        key = _digest(base + tuple(headers.get(n.encode(), b"") for n in names))
        entry = self.store.get(key) if self.store is not None else None
        if entry is not None:
            self.hits += 1
            status, hdrs, body = entry
            if star and status == 200:  # "*": any current answer, and there is one
                return await self._not_modified(send, etag)
            await send({"type": "http.response.start", "status": status, "headers": list(hdrs)})
            await send({"type": "http.response.body", "body": b"" if head else body})
            return None
        self.misses += 1
        return await self._miss(_inner(scope, encoding), receive, send, base, etag, head, headers, star=star)

    async def _not_modified(self, send, etag: bytes):
        await send({"type": "http.response.start", "status": 304, "headers": [
            (b"etag", etag), (b"cache-control", self.cache_control), (b"vary", b"Accept-Encoding"),
            (b"x-kb-cache", b"not-modified")]})
        await send({"type": "http.response.body", "body": b""})

    async def _uncached(self, scope, receive, send, encoding, head: bool = False):
        """Answers that are never stored: compressed, errors marked no-store, HEAD without body."""
        if encoding is None:  # not a GET/HEAD: compression by the request's own Accept-Encoding
            app = self.compressors["gzip"]
        else:
            app = self.compressors[encoding]

        async def passing(message):
            if message["type"] == "http.response.start":
                hdrs = [h for h in message.get("headers", []) if h != _SKIP]
                message = dict(message, headers=_no_store_if_error(message["status"], hdrs))
                message["headers"] = message["headers"] + [(b"x-kb-cache", b"bypass")]
            elif message["type"] == "http.response.body" and head:
                if message.get("more_body", False):
                    return None
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        return await app(scope, receive, passing)

    async def _miss(self, scope, receive, send, base, etag, head, request_headers, star: bool = False):
        state: dict[str, Any] = {"store": False, "chunks": [], "size": 0, "not_modified": False}
        app = self.compressors[base[-1]]
        url_length = len(base[3]) + len(base[4])

        async def capturing(message):
            if message["type"] == "http.response.start":
                status = message["status"]
                hdrs = [h for h in message.get("headers", []) if h != _SKIP]
                vary = [n.strip() for k, v in hdrs if k.lower() == b"vary" for n in v.decode("latin-1").split(",") if n.strip()]
                if not any(n.lower() == "accept-encoding" for n in vary):
                    vary.append("Accept-Encoding")
                # Requests with a Cookie or Authorization header bypass the cache, so those
                # two never tell entries apart; any other header named in Vary does.
                names = sorted({n.lower() for n in vary} - {"accept-encoding", "cookie", "authorization"})
                cookie = any(k.lower() == b"set-cookie" for k, _ in hdrs)
                if status == 404 and url_length > MAX_ERROR_URL:
                    hdrs = [(k, v) for k, v in hdrs if k.lower() != b"cache-control"] + [(b"cache-control", b"no-store")]
                elif status in CACHEABLE_STATUS and not cookie and "*" not in names:
                    hdrs = [(k, v) for k, v in hdrs if k.lower() not in (b"cache-control", b"etag", b"vary")]
                    hdrs += ([(b"etag", etag)] if status == 200 else []) + [
                        (b"cache-control", self.cache_control), (b"vary", ", ".join(vary).encode())]
                    state.update(store=self.store is not None, status=status, headers=hdrs, names=tuple(names),
                                 vary_values=tuple(request_headers.get(n.encode(), b"") for n in names))
                else:
                    hdrs = _no_store_if_error(status, hdrs)
                if star and status == 200:  # "*": the answer exists; store it, send 304
                    state["not_modified"] = True
                    return await self._not_modified(send, etag)
                await send(dict(message, headers=hdrs + [(b"x-kb-cache", b"miss")]))
                return None
            if message["type"] == "http.response.body":
                body = message.get("body", b"")
                more = message.get("more_body", False)
                if state["store"]:
                    state["size"] += len(body)
                    if state["size"] > self.max_entry:
                        state["store"] = False
                        state["chunks"] = []
                    else:
                        state["chunks"].append(body)
                if not more and state["store"]:
                    self._put(base, state)
                if state["not_modified"]:
                    return None
                if head:
                    if more:
                        return None
                    message = {"type": "http.response.body", "body": b""}
            await send(message)

        return await app(scope, receive, capturing)

    def _put(self, base: tuple, state: dict) -> None:
        names = state["names"]
        if names:
            if len(self.vary) > 10_000:
                self.vary.clear()
            self.vary[_digest(base)] = names
        key = _digest(base + tuple(state.get("vary_values", ())))
        entry = (state["status"], tuple(state["headers"]) + ((b"x-kb-cache", b"hit"),), b"".join(state["chunks"]))
        try:
            self.store[key] = entry
        except ValueError:  # larger than the whole cache
            pass


def _inner(scope, encoding: str) -> dict:
    """The request as the application sees it: a GET (HEAD is answered from the GET) whose
    Accept-Encoding names only the encoding chosen, so that the compressor does what the key says."""
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"]
    if encoding != "identity":
        headers.append((b"accept-encoding", encoding.encode()))
    return dict(scope, method="GET", headers=headers)


def _no_store_if_error(status: int, headers: list) -> list:
    if status >= 500 or (400 <= status < 500 and status != 404):
        return [(k, v) for k, v in headers if k.lower() != b"cache-control"] + [(b"cache-control", b"no-store")]
    return headers


class _MarkIncompressible:
    """Keeps the compression middleware off responses that are not text (the database
    file, images) by marking them as already encoded; ResponseCache removes the mark."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def marking(message):
            if message["type"] == "http.response.start":
                hdrs = list(message.get("headers", []))
                ctype = next((v for k, v in hdrs if k.lower() == b"content-type"), b"")
                if not ctype.lower().startswith(COMPRESSIBLE):
                    message = dict(message, headers=hdrs + [_SKIP])
            await send(message)

        return await self.app(scope, receive, marking)
