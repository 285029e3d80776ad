"""Which files the data is made of, and their digest.

Kept free of heavy imports: `kb build` asks it whether anything changed before it loads
the machinery of a build."""

from __future__ import annotations

import hashlib
from pathlib import Path


def data_files(data_dir: Path) -> list[Path]:
    """Every file the build reads, in a stable order."""
    files = [data_dir / "treaties.yaml", data_dir / "states.yaml", data_dir / "procedures.yaml"]
    files += sorted((data_dir / "actions").glob("*.yaml"))
    files += sorted((data_dir / "imported").glob("*/*.yaml"))
    files += sorted((data_dir / "asks").glob("*.yaml"))
    files += sorted((data_dir / "engagement").glob("*.yaml"))
    files += sorted((data_dir / "texts").glob("*.yaml"))
    return files


def data_digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        if f.exists():
            h.update(str(f.parent.name).encode() + b"/" + f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()
