"""The ASGI application of `kb serve`, importable by path so that uvicorn can run
several worker processes.  Configured by the environment `kb serve` sets:
KB_SERVE_DB (the snapshot to serve) and KB_SERVE_PUBLIC ("1" for public mode)."""

from __future__ import annotations

import os
from pathlib import Path

from .app import make_datasette

app = make_datasette(Path(os.environ["KB_SERVE_DB"]), public=os.environ.get("KB_SERVE_PUBLIC") == "1").app()
