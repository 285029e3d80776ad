"""Datasette plugin hooks for the KB site.

* No off-site redirects: Datasette 0.65.5 answers ``GET /\\evil.example/`` with a
  redirect that browsers follow off-site.  Requests whose path would be read as
  another host are refused with 404, and any response redirecting off-site is
  replaced by a 404, whatever produced it.
* Security headers on every response.
* A cap on the size of a response sent in one piece (each value is capped by
  prepare_connection; many large values could still make a huge body).
* Inside all of these: the response cache, validators and compression (cache.py), so
  that cached answers get the same headers, redirect guard and size cap as fresh ones.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlsplit

from datasette import hookimpl


def is_offsite(location: str) -> bool:
    """True when a redirect target would leave the site (any scheme/host, //host, /\\host, encoded forms)."""
    loc = location.strip()
    for _ in range(3):
        decoded = unquote(loc)
        if decoded == loc:
            break
        loc = decoded
    loc = loc.replace("\\", "/")
    if loc.startswith("//"):
        return True
    parts = urlsplit(loc)
    return bool(parts.scheme or parts.netloc)

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
     b"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
     b"frame-ancestors 'none'; form-action 'self'"),
]


async def _not_found(send) -> None:
    body = b"Not found"
    await send({"type": "http.response.start", "status": 404,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())] + SECURITY_HEADERS})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send) -> None:
    body = b"Response too large: add a LIMIT, select fewer columns, or use the CSV export (streamed)."
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())] + SECURITY_HEADERS})
    await send({"type": "http.response.body", "body": body})


#: Largest response body (bytes) sent in one piece; the public mode lowers it (kb.web.app.PUBLIC_MAX_RESPONSE).
DEFAULT_MAX_RESPONSE = 200_000_000


def _wrap(app, datasette):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        path = raw.decode("latin-1")
        if is_offsite(path) or is_offsite(scope.get("path", "")):
            return await _not_found(send)
        limit = getattr(datasette, "_kb_max_response", DEFAULT_MAX_RESPONSE)
        state = {"blocked": False, "start": None, "sent": 0}

        async def guarded_send(message):
            if state["blocked"]:
                return None
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                for k, v in headers:
                    if k.lower() == b"location" and is_offsite(v.decode("latin-1")):
                        state["blocked"] = True
                        return await _not_found(send)
                present = {k.lower() for k, _ in headers}
                headers += [h for h in SECURITY_HEADERS if h[0] not in present]
                # Held back until the first piece of the body shows how large the response is.
                state["start"] = dict(message, headers=headers)
                return None
            if message["type"] == "http.response.body":
                body = message.get("body", b"")
                if state["start"] is not None:
                    if len(body) > limit:
                        state["blocked"] = True
                        return await _too_large(send)
                    await send(state["start"])
                    state["start"] = None
                state["sent"] += len(body)
                if state["sent"] > limit:  # a streamed response: cut it off
                    state["blocked"] = True
                    return await send({"type": "http.response.body", "body": b"", "more_body": False})
            await send(message)

        return await app(scope, receive, guarded_send)

    return wrapped


def _cached(app, datasette):
    """The response cache and compression (kb.web.cache), inside the guard.  Configured
    from the attributes kb.web.app.make_datasette sets, at the first request."""
    from .cache import DEFAULT_CACHE_MB, DEFAULT_MAX_AGE, DEFAULT_S_MAXAGE, ResponseCache, snapshot_digest

    def configure() -> dict:
        public = bool(getattr(datasette, "_kb_public", False))
        digest = getattr(datasette, "_kb_digest", None)
        if digest is None:
            files = [db.path for db in datasette.databases.values() if db.path]
            digest = snapshot_digest(Path(files[0]), dict(datasette._settings)) if files else "memory"
        max_age = getattr(datasette, "_kb_max_age", None)
        s_maxage = getattr(datasette, "_kb_s_maxage", None)
        return {"digest": digest,
                "cache_bytes": int(getattr(datasette, "_kb_cache_mb", DEFAULT_CACHE_MB) * 1_000_000),
                "max_age": DEFAULT_MAX_AGE[public] if max_age is None else max_age,
                "s_maxage": DEFAULT_S_MAXAGE[public] if s_maxage is None else s_maxage}

    cache = ResponseCache(app, configure)
    datasette._kb_caches = getattr(datasette, "_kb_caches", []) + [cache]
    return cache


@hookimpl
def asgi_wrapper(datasette):
    # The guard outside the cache applies to every answer, cached ones too; the guard inside
    # it caps the size of an answer before compression (and so before it can be stored).
    return lambda app: _wrap(_cached(_wrap(app, datasette), datasette), datasette)


#: Largest string or blob a query may build (SQLITE_LIMIT_LENGTH), in bytes.
#: The public mode lowers it further (kb.web.app.PUBLIC_MAX_LENGTH).
DEFAULT_MAX_LENGTH = 20_000_000


@hookimpl
def prepare_connection(conn, database, datasette):
    """Cap what one query can build (zeroblob, printf, randomblob, group_concat) and
    make sure no extension can be loaded through SQL."""
    limit = getattr(datasette, "_kb_max_length", DEFAULT_MAX_LENGTH)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000)
    if hasattr(conn, "enable_load_extension"):  # absent where Python was built without extension support
        conn.enable_load_extension(False)
