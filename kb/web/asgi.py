"""The ASGI application of `kb serve`, importable by path so that uvicorn can run
several worker processes.  Configured by the environment `kb serve` sets:
KB_SERVE_DB (the snapshot to serve), KB_SERVE_PUBLIC ("1" for public mode),
KB_SERVE_CACHE_MB, KB_SERVE_MAX_AGE and KB_SERVE_S_MAXAGE (empty: the default)."""

from __future__ import annotations

import os
from pathlib import Path

from .app import make_datasette



def _number(name: str, kind=int):
    value = os.environ.get(name, "")
    return kind(value) if value else None


app = make_datasette(Path(os.environ["KB_SERVE_DB"]), public=os.environ.get("KB_SERVE_PUBLIC") == "1",
                     cache_mb=_number("KB_SERVE_CACHE_MB", float), max_age=_number("KB_SERVE_MAX_AGE"),
                     s_maxage=_number("KB_SERVE_S_MAXAGE")).app()
