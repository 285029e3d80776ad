"""What every query shares: the SQL texts, the error type, a read-only connection, dates."""

from __future__ import annotations

import sqlite3
import unicodedata
from functools import lru_cache
from pathlib import Path

from .dates import check_day

SQL_DIR = Path(__file__).parent / "sql"


class QueryError(Exception):
    """A question the KB cannot answer as asked: an unknown state or instrument, a date that is
    not a date, a missing or foreign database.  ``str()`` is the message the CLI prints;
    ``param`` names what was wrong ('state', 'instrument', 'as_of', 'since', 'until', 'style',
    or None for the database)."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


@lru_cache(maxsize=None)
def name_key(name: str) -> str:
    """How a state's name is looked up (state_names.name_key): Unicode NFC, case-folded, spaces collapsed, so
    that 'north  KOREA', '북한' typed in decomposed jamo and 'CÔTE D'IVOIRE' find their state.  The same
    function as kb/data/schema.py name_key, which the build writes the column with."""
    return " ".join(unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold()).split())


def sql(name: str) -> str:
    """The text of kb/query/sql/NAME.sql: the SQL the CLI, this API and the site's stored queries run."""
    return (SQL_DIR / f"{name}.sql").read_text()


def connect(db_path: str | Path) -> sqlite3.Connection:
    """A read-only connection to a built KB database."""
    path = Path(db_path)
    if not path.exists():
        raise QueryError(f"database {path} not found: run `kb build` first (or pass --db)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        conn.execute("SELECT 1 FROM status_intervals LIMIT 1")
    except sqlite3.DatabaseError as exc:
        raise QueryError(f"{path} is not a KB database ({exc}): rebuild it with `kb build`") from None
    return conn


def rows(conn: sqlite3.Connection, query: str, params: dict | tuple = ()) -> list[dict]:
    cur = conn.execute(query, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def data_date(conn: sqlite3.Connection) -> str:
    """The data's date (kb/query/sql/data_date.sql): the latest as-at date of a status source
    that records status, e.g. '2026-02-03'.  Every question asked without a date is asked on it."""
    row = conn.execute(sql("data_date")).fetchone()
    if not row or not row[0]:
        raise QueryError("the database records no as-at date for any status source: rebuild it with `kb build`")
    return row[0]


def day(value: str | None, param: str = "as_of", conn: sqlite3.Connection | None = None) -> str:
    """A YYYY-MM-DD date, or QueryError naming `param`.  None means the data's date
    (data_date(conn)); without a connection, None is refused rather than read as today."""
    if value is None:
        if conn is None:
            raise QueryError(f"no date given for {param}: write YYYY-MM-DD", param)
        return data_date(conn)
    try:
        return check_day(value)
    except ValueError as exc:
        raise QueryError(str(exc), param) from None


def version(conn: sqlite3.Connection) -> str | None:
    """The built KB's version, e.g. '2026-02-03+3fa2c1d0': the data's latest as-at date and the
    first 8 hex digits of the data digest (build_info 'version'; None for a database built before
    versions were recorded).  Citations, the site's footer, `kb info` and exports all show this text."""
    try:
        row = conn.execute("SELECT value FROM build_info WHERE key = 'version'").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None
