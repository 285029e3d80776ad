"""The per-file cache of loaded and validated records (in .kb-cache/ beside the database)."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from .fingerprint import code_digest

class FileCache:
    """Per-file cache of loaded and validated records, keyed by the file's content.

    The key is a digest of the file's bytes, its displayed path and the code that reads
    it: an edited file, whatever its size or time stamp, gets a new key, so the cache
    can never return stale records. Only files without problems are cached.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self.code = code_digest().encode()  # a new version of the code gets new keys

    def key(self, shown: str, raw: bytes) -> str:
        return hashlib.sha256(self.code + shown.encode() + b"\0" + raw).hexdigest()

    def get(self, key: str):
        path = self.directory / f"{key}.pickle"
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, key: str, value) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.directory / f".{key}.{os.getpid()}.tmp"
            with open(tmp, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.directory / f"{key}.pickle")
        except OSError:
            pass  # a cache that cannot be written only costs time

    def prune(self, keep: set[str]) -> None:
        for path in self.directory.glob("*.pickle"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)

