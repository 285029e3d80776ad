"""The per-file cache of loaded records (in .kb-cache/ beside the database).

An entry is plain JSON, never code: whoever can write to .kb-cache/ cannot run code in the next
build. They can still change the records it reads (the digest below is a check against corruption,
not a signature), as they could replace the database beside it. Each entry is checked before use: its header names the key
(a digest of the file's bytes, its displayed path and the build's code) and the SHA-256 of
its body; an entry that is unreadable, corrupt, truncated, made for another key or file,
or whose records do not validate, is ignored, and the file is parsed anew.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..data.loader import Loaded
from .fingerprint import code_digest

FORMAT = "kb-file-cache 1"
_SUFFIX = ".json"


class FileCache:
    """Per-file cache of loaded records, keyed by the file's content.

    The key is a digest of the file's bytes, its displayed path and the code that reads
    it: an edited file, whatever its size or time stamp, gets a new key, so the cache
    can never return stale records. Only files without problems are cached. An entry holds
    what the loader made of the file (the values and the position of each); the records
    are validated again from it, which is cheap beside parsing.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self.code = code_digest().encode()  # a new version of the code gets new keys

    def key(self, shown: str, raw: bytes) -> str:
        return hashlib.sha256(self.code + shown.encode() + b"\0" + raw).hexdigest()

    def get(self, key: str, shown: str) -> Loaded | None:
        """The Loaded file stored under key for the file shown as `shown`, or None when there
        is no entry or it does not pass every check."""
        try:
            raw = (self.directory / f"{key}{_SUFFIX}").read_bytes()
        except OSError:
            return None
        head, sep, body = raw.partition(b"\n")
        if not sep:
            return None
        try:
            header = json.loads(head)
            if not (isinstance(header, dict) and header.get("format") == FORMAT and header.get("key") == key
                    and header.get("file") == shown and header.get("sha256") == hashlib.sha256(body).hexdigest()):
                return None
            content = json.loads(body)
            data, positions = content["data"], content["positions"]
            where = {tuple(loc): (int(line), int(col)) for loc, line, col in positions}
        except (ValueError, TypeError, KeyError, RecursionError):
            return None
        if not isinstance(data, dict):
            return None
        return Loaded(shown, data, where)

    def put(self, key: str, loaded: Loaded) -> None:
        try:
            body = json.dumps({"data": loaded.data,
                               "positions": [[list(loc), line, col] for loc, (line, col) in loaded.positions.items()]},
                              ensure_ascii=False, separators=(",", ":")).encode()
            header = json.dumps({"format": FORMAT, "key": key, "file": loaded.path,
                                 "sha256": hashlib.sha256(body).hexdigest()}, ensure_ascii=False).encode()
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.directory / f".{key}.{os.getpid()}.tmp"
            with open(tmp, "wb") as f:
                f.write(header + b"\n" + body)
            os.replace(tmp, self.directory / f"{key}{_SUFFIX}")
        except (OSError, ValueError):
            pass  # a cache that cannot be written only costs time

    def prune(self, keep: set[str]) -> None:
        """Remove every entry not in keep, and the entries of older formats (pickles are never read)."""
        try:
            for path in self.directory.iterdir():
                if path.is_file() and not (path.suffix == _SUFFIX and path.stem in keep):
                    if path.suffix in (_SUFFIX, ".pickle") or path.name.endswith(".tmp"):
                        path.unlink(missing_ok=True)
        except OSError:
            pass
