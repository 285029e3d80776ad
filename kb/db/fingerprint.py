"""What a build is made from: the data files, the code, and the date rules.

Kept free of heavy imports so that `kb build` can tell in milliseconds that the
database is already up to date."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from ..data.files import data_digest, data_files, stray_files


def code_digest() -> str:
    """Digest of the code and SQL a build runs (kb/data, kb/db and the version): a new
    version of any of them rebuilds the database.  The read side (kb/query, kb/web) is
    not part of it: it reads a database without changing what is in it."""
    h = hashlib.sha256()
    kb = Path(__file__).resolve().parent.parent
    files = [kb / "__init__.py", *(kb / "data").glob("*.py"), *(kb / "db").glob("*.py"), *(kb / "db" / "sql").glob("*.sql")]
    for f in sorted(files):
        h.update(str(f.relative_to(kb)).encode() + b"\0" + f.read_bytes() + b"\0")
    # The build writes CLDR's state names from Babel's locale data: another Babel, another build.
    from importlib.metadata import PackageNotFoundError, version

    try:
        h.update(b"babel " + version("babel").encode())
    except PackageNotFoundError:
        pass
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
    if same and stray_files(data_dir):  # a file the build would not read: validate, which names it
        same = False
    return same, info, digest, code
