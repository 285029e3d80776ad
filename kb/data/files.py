"""Which files the data is made of, and their digest.

Kept free of heavy imports: `kb build` asks it whether anything changed before it loads
the machinery of a build."""

from __future__ import annotations

import hashlib
from pathlib import Path


def data_files(data_dir: Path) -> list[Path]:
    """Every file the build reads, in a stable order."""
    files = [data_dir / "treaties.yaml", data_dir / "states.yaml", data_dir / "procedures.yaml"]
    if (data_dir / OVERRIDES).is_file():  # optional: the statements whose references are set by hand
        files.append(data_dir / OVERRIDES)
    if (data_dir / "coverage.yaml").exists():  # optional: coverage by state (ILO instruments)
        files.append(data_dir / "coverage.yaml")
    for pattern in ("actions/*.yaml", "imported/*/*.yaml", "asks/*.yaml", "engagement/*.yaml", "texts/*.yaml"):
        # a folder named like a data file is not one: stray_files names it
        files += sorted(p for p in data_dir.glob(pattern) if not p.is_dir())
    return files


#: Folders of one file per record set, each `ID.yaml`; `texts/` holds treaty texts.
RECORD_FOLDERS = ("actions", "asks", "engagement", "texts")
#: The statements whose article references are set by hand (optional).
OVERRIDES = "reference_overrides.yaml"
#: The files at the top of the data directory.
TOP_FILES = ("treaties.yaml", "states.yaml", "procedures.yaml", OVERRIDES, "coverage.yaml")
_LAYOUT = ("the data directory holds treaties.yaml, states.yaml, procedures.yaml, reference_overrides.yaml, coverage.yaml, "
           "actions/, asks/, engagement/, texts/ (ID.yaml files) and imported/SOURCE/ (.yaml files)")


#: What an interrupted `kb import untc` leaves in the data directory: its journal, and beside each file it
#: was replacing the new text and a backup (kb/importers/update.py writes and removes them).
IMPORT_JOURNAL = ".kb-import-journal.json"
IMPORT_LEFTOVERS = (".kb-import-new", ".kb-import-old")
_INTERRUPTED = ("is left by an interrupted `kb import untc`: data/ may be partly written. Run `kb import untc` "
                "again (with any directory of saved pages): it first restores every file the import had replaced")


def _stray_file(path: Path) -> str:
    name = path.name
    if name == IMPORT_JOURNAL or name.endswith(IMPORT_LEFTOVERS):
        return f"{name} {_INTERRUPTED}"
    stem, dot, ext = name.rpartition(".")
    if dot and stem and ext.lower() in ("yml", "yaml") and ext != "yaml":  # .yml, .YAML, .Yml
        return f"{name} is not read: only files ending in .yaml are data: rename it to {stem}.yaml or remove it"
    if name.endswith(".yaml"):
        return f"{name} is not read here: {_LAYOUT}: move it or remove it"
    return f"{name} is not read: only files ending in .yaml are data: rename it to .yaml or remove it"


def stray_files(data_dir: Path) -> list[tuple[Path, str]]:
    """Files and folders under data_dir that the build would not read, each with what to do.

    A file the build ignores is a record that silently is not there (a `CAT.yml`, an editor's
    backup, a folder with a misspelt name), so each one is an error."""
    out: list[tuple[Path, str]] = []
    try:
        top = sorted(data_dir.iterdir())
    except OSError:
        return out
    for p in top:
        if p.is_dir():
            if p.name in RECORD_FOLDERS:
                subs = [(q, None) for q in sorted(p.iterdir())]
            elif p.name == "imported":
                subs = []
                for d in sorted(p.iterdir()):
                    if d.is_dir():
                        subs += [(q, d) for q in sorted(d.iterdir())]
                    else:
                        subs.append((d, p))
            else:
                out.append((p, f"folder {p.name}/ is not read: {_LAYOUT}: move its files or remove it"))
                continue
            for q, parent in subs:
                if q.is_dir():
                    out.append((q, f"folder {q.name}/ is not read: {_LAYOUT}: move its files or remove it"))
                elif not q.name.endswith(".yaml") or parent is p:
                    out.append((q, _stray_file(q)))
        elif p.name not in TOP_FILES:
            out.append((p, _stray_file(p)))
    return out


def data_digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        if f.exists():
            h.update(str(f.parent.name).encode() + b"/" + f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()
