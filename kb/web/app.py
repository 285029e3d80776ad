"""The Datasette application of `kb serve`: settings, the public mode, the served snapshot.

Descriptions and stored queries are in metadata.py, the safety hooks in guard.py, the research
desk's pages in pages/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .metadata import metadata

PUBLIC_MAX_LENGTH = 1_000_000
PUBLIC_MAX_RESPONSE = 20_000_000
#: Most bytes of values and rows one query may return in public mode (kb.web.guard.ResultCap).
PUBLIC_MAX_RESULT_BYTES = 8_000_000
PUBLIC_MAX_RESULT_ROWS = 100_000

#: Settings of `kb serve --public` on top of SETTINGS: why each one is there is in the README.
PUBLIC_SETTINGS = {
    "sql_time_limit_ms": 1000,
    "facet_time_limit_ms": 200,
    "max_returned_rows": 1000,
    "max_csv_mb": 20,
    "allow_facet": True,
    "allow_signed_tokens": False,
    "default_allow_sql": True,
    "num_sql_threads": 3,
}

SETTINGS = {
    "default_page_size": 100,
    "sql_time_limit_ms": 2000,
    "facet_time_limit_ms": 500,
    "allow_download": True,
    "suggest_facets": False,
    "default_cache_ttl": 60,
}


def make_datasette(db_path: Path, public: bool = False, cache_mb: float | None = None,
                   max_age: int | None = None, s_maxage: int | None = None, **kwargs: Any):
    """A Datasette instance serving db_path (immutable) with our metadata and plugins.

    public=True applies PUBLIC_SETTINGS and lower caps on the size of values a query
    may build (PUBLIC_MAX_LENGTH), on a query's whole answer (PUBLIC_MAX_RESULT_BYTES,
    PUBLIC_MAX_RESULT_ROWS) and on a response (PUBLIC_MAX_RESPONSE).  cache_mb bounds the response cache (kb.web.cache;
    default DEFAULT_CACHE_MB, 0 = off); max_age and s_maxage set Cache-Control (default:
    kb.web.cache.DEFAULT_MAX_AGE and DEFAULT_S_MAXAGE for the mode)."""
    from .cache import DEFAULT_CACHE_MB, snapshot_digest

    from datasette.app import Datasette
    from datasette.plugins import pm

    from . import guard, pages

    for module, name in ((guard, "kb"), (pages, "kb-pages")):
        if not pm.is_registered(module):
            pm.register(module, name=name)
    settings = dict(SETTINGS, **(PUBLIC_SETTINGS if public else {}), **kwargs.pop("settings", {}))
    kwargs.setdefault("template_dir", str(pages.frame.TEMPLATES))  # Datasette's pages in the desk's frame
    ds = Datasette(
        files=[],
        immutables=[str(db_path)],
        metadata=metadata(Path(db_path)),
        settings=settings,
        **kwargs,
    )
    ds._kb_max_length = PUBLIC_MAX_LENGTH if public else guard.DEFAULT_MAX_LENGTH
    ds._kb_max_result_bytes = PUBLIC_MAX_RESULT_BYTES if public else guard.DEFAULT_MAX_RESULT_BYTES
    ds._kb_max_result_rows = PUBLIC_MAX_RESULT_ROWS if public else guard.DEFAULT_MAX_RESULT_ROWS
    if public:
        ds._kb_max_response = PUBLIC_MAX_RESPONSE
    guard.tune_memory()
    ds._kb_public = public
    ds._kb_cache_mb = DEFAULT_CACHE_MB if cache_mb is None else cache_mb
    ds._kb_max_age, ds._kb_s_maxage = max_age, s_maxage
    ds._kb_digest = snapshot_digest(Path(db_path), dict(settings, public=public, max_length=ds._kb_max_length,
                                                                     max_result=ds._kb_max_result_bytes))
    return ds


def snapshot(db_path: Path, directory: Path) -> Path:
    """A private, unchanging view of db_path for a running server.

    A rebuild replaces db_path with a new file (rename); a hard link keeps the server on
    the old file, whole, until it is restarted deliberately: it never serves a mix of
    old and new. Falls back to a copy where links are impossible."""
    import shutil

    target = directory / db_path.name
    try:
        import os

        os.link(db_path, target)
    except OSError:
        shutil.copy2(db_path, target)
    return target
