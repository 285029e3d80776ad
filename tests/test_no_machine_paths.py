"""No absolute path of a machine in what the project ships: data, docs, code, scripts, tests.

A path such as a home directory or a build machine's working folder means nothing to a reader and
breaks on any other machine. Shared reference files are named by their path relative to the
repository (``../shared/reference/...``); examples use relative paths.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ["data", "docs", "kb", "scripts", "tests", "README.md"]
SKIPPED_DIRS = {"__pycache__", ".pytest_cache"}
SKIPPED_SUFFIXES = {".pyc", ".db", ".png", ".jpg", ".gif", ".ico", ".woff", ".woff2", ".gz", ".zip"}

# A Unix path that starts at a machine's root: "/" at the start of a word (not inside a URL or a
# relative path: not after a letter, digit, ".", ":", "/", "~", "%" or "-") followed by a top-level
# folder that holds users' or machines' own files.  A Windows path: a capital drive letter, ":", a
# backslash (written "\" or, in Python source, "\\") and a name of two characters or more (so that
# "a:\n" in a test's YAML, a key and a newline escape, is not one).
UNIX = r"(?<![\w.:/~%-])/(?:work|home|tmp|root|Users|mnt|var/folders|private/var)/"
WINDOWS = r"(?<![\w])[A-Z]:\\{1,2}[\w$.-]{2,}"
MACHINE_PATH = re.compile(f"{UNIX}|{WINDOWS}")

# Strings that look like a machine path on purpose, with the reason. Keyed by file and the exact
# string, never by line, so that a new path in the same file is still caught.
ALLOWED = {
    ("tests/test_hostile.py", "/tmp/kb-hostile.db"): "an attacker's SQL that the site must refuse",
}


def _files():
    for name in SCANNED:
        top = ROOT / name
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for p in paths:
            if SKIPPED_DIRS & set(p.relative_to(ROOT).parts) or p.suffix in SKIPPED_SUFFIXES:
                continue
            if p.resolve() == Path(__file__).resolve():
                continue
            yield p


def machine_paths(text: str, rel: str) -> list[tuple[int, str]]:
    """(line, the offending text) for every machine path in `text`, apart from the allowed ones."""
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        for m in MACHINE_PATH.finditer(line):
            word = re.match(r"\S+", line[m.start():]).group(0).strip("'\"`),;")
            if not any(f == rel and word.startswith(s) for f, s in ALLOWED):
                found.append((n, word))
    return found


def test_no_machine_paths():
    problems = []
    for p in _files():
        raw = p.read_bytes()
        if b"\0" in raw[:8192]:
            continue  # binary
        rel = p.relative_to(ROOT).as_posix()
        for line, word in machine_paths(raw.decode("utf-8", errors="replace"), rel):
            problems.append(f"{rel}:{line}: {word} is a path on one machine: write a path relative to the "
                            "repository (shared reference files: ../shared/reference/...)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("text,found", [
    ("read from /work/shared/reference/x.txt", [(1, "/work/shared/reference/x.txt")]),
    ("cd /home/ana/kb && run", [(1, "/home/ana/kb")]),
    ("--db /tmp/kb.db", [(1, "/tmp/kb.db")]),
    ("HOME=/root/.cache", [(1, "/root/.cache")]),
    ("open('/Users/ana/kb.db')", [(1, "/Users/ana/kb.db")]),
    ("x\npath: C:\\Users\\ana\\kb", [(2, "C:\\Users\\ana\\kb")]),
    ('p = "D:\\\\data\\\\kb.db"', [(1, 'D:\\\\data\\\\kb.db')]),
    # not machine paths: URLs, relative paths, shared files by their relative path, prose
    ("https://example.org/home/tmp/work/", []),
    ("http://cdnk.co.kr/board/bbs/board.php?bo_table=nknews", []),
    ("../shared/reference/2018-06-06-ngo-letter-to-kim-jong-un.txt", []),
    ("data/tmp/x.yaml and tests/golden/out", []),
    ("the work/home split; a 1:2 ratio; C: drive", []),
    ("kb/web/pages/home.py", []),
    ('"a:\\n\\tb: 1"', []),
    ('"E:\\n"', []),
])
def test_the_pattern(text, found):
    assert machine_paths(text, "x.txt") == found


def test_allowed_strings_are_allowed_only_where_listed():
    line = "    \"attach database '/tmp/kb-hostile.db' as x\","
    assert machine_paths(line, "tests/test_hostile.py") == []
    assert machine_paths(line, "tests/test_other.py") == [(1, "/tmp/kb-hostile.db")]
    assert machine_paths("open('/tmp/other.db')", "tests/test_hostile.py") == [(1, "/tmp/other.db")]
