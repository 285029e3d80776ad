"""Datasette plugin hooks for the KB site.

* No off-site redirects: Datasette 0.65.5 answers ``GET /\\evil.example/`` with a
  redirect that browsers follow off-site.  Requests whose path would be read as
  another host are refused with 404, and any response redirecting off-site is
  replaced by a 404, whatever produced it.
* Security headers on every response.
* CSV answers whose cells a request can choose (``?sql=``, stored queries) with formula
  cells neutralised (_csv_formulas); the curated tables' CSV verbatim.
* Only GET and HEAD: any other method is answered 405 with ``Allow: GET, HEAD``.
* A cap on the size of a response sent in one piece, and memory handed back to the system
  after large answers (give_back_memory).
* On every connection (prepare_connection): SQLite's limits on values, columns, SQL and LIKE
  patterns; a cap on each query's whole answer counted while its rows are fetched (ResultCap);
  single function calls the time limit cannot stop made cheap (kb.web.sqlfuncs); functions
  that load code or return memory addresses refused (the authorizer).
* Inside all of these: the response cache, validators and compression (cache.py), so
  that cached answers get the same headers, redirect guard and size cap as fresh ones.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import weakref
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

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


#: The methods every route of the site serves: it only reads.
ALLOWED_METHODS = ("GET", "HEAD")


async def _method_not_allowed(send) -> None:
    body = b"Method not allowed: this site only reads (GET, HEAD)."
    await send({"type": "http.response.start", "status": 405,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD"),
                            (b"cache-control", b"no-store"),
                            (b"content-length", str(len(body)).encode())] + SECURITY_HEADERS})
    await send({"type": "http.response.body", "body": body})


async def _failed_csv(send) -> None:
    body = (b"This query failed, so there is no CSV to send. Open the same address with .json instead of .csv "
            b"to read the error.")
    await send({"type": "http.response.start", "status": 400,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store"),
                            (b"content-length", str(len(body)).encode())] + SECURITY_HEADERS})
    await send({"type": "http.response.body", "body": body})


def _wrap(app, datasette, outer: bool = False):
    """The guard around `app`.  The outer one also refuses methods other than GET and HEAD (405)
    and, after an answer that handled many bytes, gives the freed memory back (give_back_memory)."""
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        path = raw.decode("latin-1")
        if is_offsite(path) or is_offsite(scope.get("path", "")):
            return await _not_found(send)
        if outer and scope.get("method") not in ALLOWED_METHODS:
            return await _method_not_allowed(send)
        limit = getattr(datasette, "_kb_max_response", DEFAULT_MAX_RESPONSE)
        state = {"blocked": False, "start": None, "sent": 0}
        is_csv = scope.get("path", "").endswith(".csv")

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
                if state["start"] is not None and is_csv and state["start"].get("status") == 200:
                    # A CSV answer always starts with a header row naming at least one column: an empty one is a
                    # query that failed (Datasette's CSV export drops the error), never "no results".
                    if not body and message.get("more_body"):
                        return None
                    if not body or body.startswith(b"\r\n"):
                        state["blocked"] = True
                        return await _failed_csv(send)
                if state["start"] is not None:
                    if len(body) > limit:
                        state["blocked"] = True
                        note_large(len(body))
                        return await _too_large(send)
                    await send(state["start"])
                    state["start"] = None
                state["sent"] += len(body)
                if state["sent"] > limit:  # a streamed response: cut it off
                    state["blocked"] = True
                    return await send({"type": "http.response.body", "body": b"", "more_body": False})
            await send(message)

        try:
            return await app(scope, receive, guarded_send)
        finally:
            if outer:
                if state["sent"] > 1_000_000:
                    note_large(state["sent"])
                give_back_memory()

    return wrapped


#: A CSV cell that begins with one of these is read as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_CELL = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\Z")


def neutralise_record(record: str) -> str:
    """One CSV record with every cell that a spreadsheet would run as a formula (one beginning with
    =, +, -, @, tab or carriage return, and not a number) prefixed by an apostrophe, which makes it text."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(record, newline="")))
    if not any(cell.startswith(FORMULA_START) and not _NUMBER_CELL.match(cell) for row in rows for cell in row):
        return record
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["'" + cell if cell.startswith(FORMULA_START) and not _NUMBER_CELL.match(cell) else cell
                         for cell in row])
    return out.getvalue()


def _csv_formulas(app, datasette):
    """CSV answers whose cells the request can choose -- a reader's SQL (``?sql=``) and the stored
    queries, which repeat their parameters (``:as_of``, ``:state``) -- go out with formula cells
    neutralised (neutralise_record).  Tables' CSV, the curated data, is sent verbatim: a legal
    text is quoted as the depositary published it.  Datasette writes one record per message."""
    def stored_query_paths() -> set[str]:
        paths = set()
        for name, db in (datasette.metadata().get("databases") or {}).items():
            paths.update(f"/{name}/{q}.csv" for q in (db.get("queries") or {}))
        return paths

    queries: list[set[str]] = []

    async def wrapped(scope, receive, send):
        if scope["type"] != "http" or not scope.get("path", "").endswith(".csv"):
            return await app(scope, receive, send)
        if not queries:
            queries.append(stored_query_paths())
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if "sql" not in query and scope["path"] not in queries[0]:
            return await app(scope, receive, send)
        state = {"csv": False}

        async def neutralising(message):
            if message["type"] == "http.response.start":
                ctype = next((v for k, v in message.get("headers", []) if k.lower() == b"content-type"), b"")
                state["csv"] = ctype.startswith((b"text/csv", b"text/plain")) and message["status"] == 200
                if state["csv"]:
                    message = dict(message, headers=[(k, v) for k, v in message.get("headers", [])
                                                     if k.lower() != b"content-length"])
            elif message["type"] == "http.response.body" and state["csv"] and message.get("body"):
                text = message["body"].decode("utf-8", "surrogateescape")
                fixed = neutralise_record(text)
                if fixed is not text:
                    message = dict(message, body=fixed.encode("utf-8", "surrogateescape"))
            await send(message)

        return await app(scope, receive, neutralising)

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
def handle_exception(datasette, request, exception):
    """A query stopped by the time limit where Datasette's views do not catch it (a CSV export:
    500 before) is a 400 that says so, like everywhere else."""
    from datasette.database import QueryInterrupted

    if not isinstance(exception, QueryInterrupted):
        return None

    async def answer():
        from datasette.utils.asgi import Response

        message = (f"SQL query took too long: the time limit is {datasette.setting('sql_time_limit_ms')} ms. "
                   "Add a LIMIT, filter on an indexed column, or download the whole database.")
        if request.path.endswith(".json"):
            return Response.json({"ok": False, "error": message, "status": 400, "title": "SQL Interrupted"}, status=400)
        return Response.text(message, status=400)
    return answer


@hookimpl
def startup(datasette):
    async def open_page_connections() -> None:
        from .pages.common import open_page_connections as open_all

        for db in datasette.databases.values():
            if db.path and not db.is_mutable:
                await open_all(db)
    return open_page_connections


@hookimpl
def asgi_wrapper(datasette):
    # The guard outside the cache applies to every answer, cached ones too; the guard inside
    # it caps the size of an answer before compression (and so before it can be stored).
    return lambda app: _wrap(_cached(_wrap(_csv_formulas(app, datasette), datasette), datasette), datasette, outer=True)


#: Largest string or blob a query may build (SQLITE_LIMIT_LENGTH), in bytes.
#: The same in both modes (kb.web.app.PUBLIC_MAX_LENGTH): 64 values of 4 MB, each held twice while a row is
#: built, cost one request half a gigabyte.  Together with MAX_COLUMNS it
#: bounds one row: a row is materialised whole before anything can count it.
DEFAULT_MAX_LENGTH = 1_000_000
#: Most columns in a result (SQLITE_LIMIT_COLUMN); the widest table has 28.
MAX_COLUMNS = 64
#: Longest LIKE or GLOB pattern (SQLITE_LIMIT_LIKE_PATTERN_LENGTH): one LIKE costs the value's length
#: times the pattern's, in a single call that no time limit interrupts.
MAX_LIKE_PATTERN = 100
#: Most bytes of values one query may return (counted while its rows are fetched: the length of each
#: text or blob, plus ROW_OVERHEAD a row and VALUE_OVERHEAD a value), and most rows.  The public mode
#: lowers them (kb.web.app.PUBLIC_MAX_RESULT_BYTES, PUBLIC_MAX_RESULT_ROWS).  The largest answer the
#: site gives itself, all columns of the 1,000 longest actions, is about 2.3 MB.
DEFAULT_MAX_RESULT_BYTES = 32_000_000
DEFAULT_MAX_RESULT_ROWS = 1_000_000
ROW_OVERHEAD = 64
VALUE_OVERHEAD = 16
#: Functions refused in every query (the authorizer): fts3_tokenizer returns a memory address,
#: sqlite_log writes to the server's error log (load_extension is off: enable_load_extension(False)).
REFUSED_FUNCTIONS = frozenset({"fts3_tokenizer", "sqlite_log"})


def _datasette_error():
    from datasette.views.base import DatasetteError

    return DatasetteError


class ResultTooLarge(_datasette_error()):
    """A query's answer passed the server's cap on rows or bytes (raised while its rows are fetched).

    A DatasetteError, not an SQL error: Datasette answers it with its status, 413, and the message
    on every route (its query view would answer an SQL error inside a CSV export with an empty 200)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, title="Answer too large", status=413)


def too_large_message(max_bytes: int, max_rows: int) -> str:
    return (f"This query's answer is too large for this server: more than {max_bytes // 1_000_000} MB "
            f"of values or more than {max_rows:,} rows. Add a LIMIT, select fewer or shorter columns "
            "(for example substr(text, 1, 200)), or download the whole database.")


class ResultCap:
    """A row factory (what Datasette sets, sqlite3.Row, plus a count): counts the bytes and rows of
    each cursor's answer as they are fetched and raises ResultTooLarge once a cap is passed, so that
    no answer is held whole before it is refused (413, the message in JSON or HTML)."""

    def __init__(self, max_bytes: int, max_rows: int) -> None:
        self.max_bytes, self.max_rows = max_bytes, max_rows
        self.local = threading.local()

    def __call__(self, cursor, row):  # noqa: ANN001
        local = self.local
        ref = getattr(local, "ref", None)
        if ref is None or ref() is not cursor:
            local.ref, local.bytes, local.rows = weakref.ref(cursor), 0, 0
        size = ROW_OVERHEAD + VALUE_OVERHEAD * len(row)
        for value in row:
            if value.__class__ is str or value.__class__ is bytes:
                size += len(value)
        local.bytes += size
        local.rows += 1
        if size > 65_536:
            note_large(size)
        if local.bytes > self.max_bytes or local.rows > self.max_rows:
            note_large(local.bytes)
            raise ResultTooLarge(too_large_message(self.max_bytes, self.max_rows))
        return sqlite3.Row(cursor, row)


def _authorizer(action, arg1, arg2, dbname, source):  # noqa: ANN001, ANN202
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in REFUSED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn, database, datasette):
    """Bound what one query can build and return, and what one function call can cost:

    * SQLite's limits: the length of a value (zeroblob, printf, randomblob, group_concat), the
      columns of a row, the length of the SQL and of a LIKE pattern;
    * the answer as a whole (ResultCap, the row factory);
    * single function calls that SQLite's time limit cannot interrupt (kb.web.sqlfuncs: printf and
      format with a huge %c repeat, instr and replace on long values);
    * no extension loading, no function that returns a memory address (the authorizer)."""
    from .sqlfuncs import install

    limit = getattr(datasette, "_kb_max_length", DEFAULT_MAX_LENGTH)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000)
    conn.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN)
    if hasattr(conn, "enable_load_extension"):  # absent where Python was built without extension support
        conn.enable_load_extension(False)
    conn.set_authorizer(_authorizer)
    conn.row_factory = ResultCap(getattr(datasette, "_kb_max_result_bytes", DEFAULT_MAX_RESULT_BYTES),
                                 getattr(datasette, "_kb_max_result_rows", DEFAULT_MAX_RESULT_ROWS))
    install(conn, limit)


# --------------------------------------------------------------------------- memory given back

#: After answers that handled this many bytes in all (values fetched, bodies sent), the freed memory
#: is handed back to the system (malloc_trim).
TRIM_AFTER = 4_000_000
_large = [0]


def note_large(n: int) -> None:
    _large[0] += n


def _libc():
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        return libc
    except (OSError, AttributeError):  # not glibc (musl, macOS): the allocator is left as it is
        return None


_LIBC = _libc()
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


def tune_memory() -> None:
    """glibc: allocations of 256 kB and more get their own mapping, given back when freed (a fixed
    threshold stops glibc from raising it after large frees), and at most two arenas for the threads."""
    if _LIBC is not None:
        _LIBC.mallopt(M_MMAP_THRESHOLD, 256 * 1024)
        _LIBC.mallopt(M_ARENA_MAX, 2)


def give_back_memory(force: bool = False) -> bool:
    """malloc_trim(0) once large answers have passed through since the last call: Python frees their
    memory, glibc keeps it unless asked.  True when trimmed."""
    if _LIBC is None or not (force or _large[0] >= TRIM_AFTER):
        return False
    _large[0] = 0
    _LIBC.malloc_trim(0)
    return True
