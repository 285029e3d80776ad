"""SQL functions of the served connections whose single call SQLite's time limit cannot stop.

SQLite checks its time limit (the progress handler) between steps of a query, never inside a
function call.  Within the length limit of values, a few built-in functions can still run for
seconds in one call:

* ``printf``/``format`` with a ``%c`` conversion and a huge precision (``printf('%.*c', 2000000000,
  'x')``) loop that many times even after the answer has passed the length limit, to answer NULL
  (7 to 19 s);
* ``instr`` and ``replace`` compare the pattern at every position: a 1 MB value and a 500 kB
  pattern take seconds to minutes.

Each is replaced, on the connections that run readers' SQL, by a function that gives the same
answer: the NULL SQLite would give without looping, or Python's linear-time search, or else the
built-in itself, called on a private in-memory connection.  (LIKE and GLOB are bounded by the
pattern length limit, kb.web.guard.MAX_LIKE_PATTERN.)
"""

from __future__ import annotations

import re
import sqlite3
import threading

_local = threading.local()

#: The formats the site's own SQL uses ('%04d-12-31'): answered by Python's % directly, which gives
#: the same text for integers.
_SIMPLE = re.compile(r"(?:[^%]|%%|%0?[1-9]?d)*\Z", re.S)
_SIMPLE_SPEC = re.compile(r"%0?[1-9]?d")
_NUMBER = re.compile(r"\s*([-+]?\d+)")
_CONVERSIONS = set("dsgzqQwcouxXfeEGinp%Tr")


def _builtin(limit: int) -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
        _local.conn = conn
    return conn


def _call(limit: int, name: str, args: tuple):
    try:
        return _builtin(limit).execute(f"SELECT {name}({', '.join('?' * len(args))})", args).fetchone()[0]
    except sqlite3.DataError:  # string or blob too big: the same error from this function
        raise OverflowError from None


def _int_arg(value) -> int:
    """What SQLite's printf reads for a '*' argument: the value as a 64-bit integer, cast to a C int."""
    if isinstance(value, float):
        n = int(max(min(value, 2**63 - 1), -(2**63))) if value == value else 0
    elif isinstance(value, int):
        n = value
    elif isinstance(value, (str, bytes)):
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        m = _NUMBER.match(text)
        n = int(m.group(1)) if m else 0
    else:
        n = 0
    n = max(min(n, 2**63 - 1), -(2**63))
    return (n + 2**31) % 2**32 - 2**31


def _long_repeat(fmt: str, args: tuple, limit: int) -> bool:
    """True when a %c conversion of fmt repeats its character more than `limit` times: SQLite's answer
    is then NULL (longer than the length limit), after looping that many times."""
    i, n, argi = 0, len(fmt), 0
    while True:
        i = fmt.find("%", i)
        if i < 0 or i + 1 >= n:
            return False
        i += 1
        precision = -1
        while i < n:  # SQLite's reading of flags, width, precision and length (printf.c)
            c = fmt[i]
            if c in "-+ #!0,":
                i += 1
                continue
            if c in "123456789*":
                if c == "*":
                    argi += 1
                    i += 1
                else:
                    while i < n and fmt[i].isdigit():
                        i += 1  # a width: padding stops at the length limit at once
                if i < n and fmt[i] in ".l":
                    continue
                break
            if c == ".":
                i += 1
                if i < n and fmt[i] == "*":
                    p = _int_arg(args[argi]) if argi < len(args) else 0
                    argi += 1
                    i += 1
                    precision = (-p if p >= -2147483647 else -1) if p < 0 else p
                else:
                    j = i
                    while i < n and fmt[i].isdigit():
                        i += 1
                    precision = int(fmt[j:i] or 0) % 2**32 & 0x7FFFFFFF
                if i < n and fmt[i] == "l":
                    continue
                break
            if c == "l":
                i += 1
                if i < n and fmt[i] == "l":
                    i += 1
            break
        if i >= n:
            return False
        conv = fmt[i]
        i += 1
        if conv not in _CONVERSIONS:
            return False  # SQLite stops formatting here
        if conv == "c" and precision > limit:
            return True
        if conv not in "%n":
            argi += 1


def _printf(name: str, limit: int):
    def printf(fmt=None, *args):
        if fmt is None:
            return None
        if isinstance(fmt, str) and _SIMPLE.match(fmt):
            if all(type(a) is int and -(2**63) <= a < 2**63 for a in args) and len(args) == len(_SIMPLE_SPEC.findall(fmt)):
                return fmt % args
        if isinstance(fmt, (str, bytes)):
            text = fmt.decode("utf-8", "replace") if isinstance(fmt, bytes) else fmt
            if "c" in text and _long_repeat(text, args, limit):
                return None
        return _call(limit, name, (fmt, *args))
    return printf


#: Above this product of lengths, instr and replace on mixed kinds (text and blob) are computed in
#: Python on the value's text rather than by the built-in.
_QUADRATIC = 10_000_000


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, int):
        return str(value)
    return value


def _instr(limit: int):
    def instr(haystack, needle):
        if haystack is None or needle is None:
            return None
        th, tn = type(haystack), type(needle)
        if th is bytes and tn is bytes:
            return haystack.find(needle) + 1
        if th in (str, int) and tn in (str, int):
            return str(haystack).find(str(needle)) + 1
        if th is not float and tn is not float and len(_text(haystack)) * len(_text(needle)) > _QUADRATIC:
            return _text(haystack).find(_text(needle)) + 1
        return _call(limit, "instr", (haystack, needle))
    return instr


def _replace(limit: int):
    def replace(value, pattern, replacement):
        if value is None or pattern is None or replacement is None:
            return None
        kinds = {type(value), type(pattern), type(replacement)}
        if kinds <= {str, int} or (float not in kinds and len(_text(value)) * len(_text(pattern)) > _QUADRATIC):
            p = _text(pattern)
            if p == "":
                return value
            out = _text(value).replace(p, _text(replacement))
            if len(out) * 4 >= limit and len(out.encode("utf-8")) > limit:
                raise OverflowError  # string or blob too big, as from the built-in
            return out
        return _call(limit, "replace", (value, pattern, replacement))
    return replace


def install(conn: sqlite3.Connection, limit: int) -> None:
    """Replace printf, format, instr and replace on conn (deterministic: usable in indexes and views)."""
    for name in ("printf", "format") if sqlite3.sqlite_version_info >= (3, 38) else ("printf",):
        conn.create_function(name, -1, _printf(name, limit), deterministic=True)
    conn.create_function("instr", 2, _instr(limit), deterministic=True)
    conn.create_function("replace", 3, _replace(limit), deterministic=True)
