"""The read side of the knowledge base, as a Python API: the same answers as the `kb` command line.

    >>> import kb.query as q
    >>> conn = q.connect("kb.db")
    >>> rows = q.status(conn, states=["PRK"], as_of="2016-01-01")   # == kb status PRK --as-of 2016-01-01 --format json
    >>> q.cite(conn, "PRK", "CRPD")                                   # == kb cite PRK CRPD
    >>> q.engagement(conn, "PRK")                                     # == kb engagement PRK --format json
    >>> q.cite_event(conn, "PRK/treaty_body/CRPD/2025-08-12/review_held")  # == kb cite-event ...
    >>> q.panel(conn, ["PRK", "KOR"], from_year=1990, to_year=2025)  # == kb panel PRK KOR --from 1990 --to 2025 --format json
    >>> q.reservations(conn, instrument="CEDAW", article="29(1)")  # == kb reservations --instrument CEDAW --article "29(1)" --format json
    >>> q.cite_all(conn, state="PRK", style="ris")                    # == kb cite-all --state PRK --style ris
    >>> q.version(conn)                                               # '2026-02-03+3fa2c1d0' (== kb info)
    >>> q.data_date(conn)                                             # '2026-02-03': the date asked about when none is given

Every function reads SQL views and query texts (kb/query/sql/*.sql) that the web site's stored
queries run too; nothing here computes a status.  Errors are raised as :class:`QueryError`,
whose message is the one the command line prints.  This package imports only the standard
library: it is cheap to import in a notebook or a script.
"""

from __future__ import annotations

from .api import (
    CITE_STYLES, ENGAGEMENT_KEYS, EXPORT_STYLES, cite_all, PANEL_KEYS, RESERVATION_KEYS, STATUS_KEYS, article_reference, asks, changes, cite,
    cite_event, cite_instrument, cite_kb, engagement, feed, info, instruments, obligations, panel, reporting_status,
    reservations, resolve_instrument, resolve_state, status,
)
from .api import CITE_LANGUAGES
from .base import QueryError, connect, data_date, sql, version

__all__ = ["QueryError", "connect", "status", "obligations", "changes", "asks", "cite", "instruments",
           "resolve_state", "resolve_instrument", "sql", "STATUS_KEYS",
           "engagement", "reporting_status", "cite_event", "ENGAGEMENT_KEYS", "panel", "PANEL_KEYS",
           "version", "info", "feed", "data_date", "cite_instrument", "cite_kb", "CITE_STYLES", "reservations",
           "RESERVATION_KEYS", "article_reference", "cite_all", "EXPORT_STYLES", "CITE_LANGUAGES"]
