"""What a build is made from: the data files, the code, and the date rules.

Kept free of heavy imports so that `kb build` can tell in milliseconds that the
database is already up to date."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path


def data_files(data_dir: Path) -> list[Path]:
    """Every file the build reads, in a stable order."""
    files = [data_dir / "treaties.yaml", data_dir / "states.yaml", data_dir / "procedures.yaml"]
    files += sorted((data_dir / "actions").glob("*.yaml"))
    files += sorted((data_dir / "imported").glob("*/*.yaml"))
    files += sorted((data_dir / "asks").glob("*.yaml"))
    return files


def data_digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        if f.exists():
            h.update(str(f.parent.name).encode() + b"/" + f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def code_digest() -> str:
    """Digest of the package's code and SQL: a new version of either rebuilds the database."""
    h = hashlib.sha256()
    root = Path(__file__).parent
    for f in sorted([*root.glob("*.py"), *root.glob("sql/*.sql")]):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def built_from(db_path: Path) -> dict[str, str]:
    """build_info of an existing database, or {} if there is none or it is not ours."""
    if not db_path.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM build_info").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}


def up_to_date(data_dir: Path, db_path: Path, today: str | None) -> tuple[bool, dict[str, str], str, str]:
    """Whether db_path was built from exactly these files, this code and this --today."""
    digest = data_digest(data_files(data_dir))
    code = code_digest()
    info = built_from(db_path)
    same = info.get("data_digest") == digest and info.get("code_digest") == code and info.get("today") == (today or "")
    return same, info, digest, code
