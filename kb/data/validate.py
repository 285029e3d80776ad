"""Load every data file, validate each record, then check across records.

Two passes, as curated-data projects do: per record (pydantic, unknown keys
rejected, closed vocabularies), then across records (ids unique, references
resolve, dates make sense).  Every problem is collected; nothing stops at the
first one.  The result is a ``Dataset`` ready to build.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import schema as S
from .errors import DataErrors, Problem
from .files import data_files, stray_files
from .loader import Loaded, LoadError, load_text
from .references import InstrumentWords, references_from_words

TODAY_ENV = "KB_TODAY"


def default_today() -> str:
    """Today's date, or KB_TODAY (YYYY-MM-DD) when set, so date rules are testable."""
    return os.environ.get(TODAY_ENV) or dt.date.today().isoformat()


@dataclass
class Located:
    """A validated record with where it came from."""

    record: Any
    file: str
    loc: tuple
    loaded: Loaded

    def where(self, *sub: Any) -> tuple[int, int]:
        return self.loaded.where(self.loc + sub)

    def problem(self, message: str, *sub: Any) -> Problem:
        line, col = self.where(*sub)
        return Problem(self.file, line, col, message)


@dataclass
class ActionRow:
    action: S.Action
    instrument: str
    origin: str  # "curated" or "imported"
    at: Located


@dataclass
class Dataset:
    instruments: list[Located] = field(default_factory=list)
    states: list[Located] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    superseded: list[ActionRow] = field(default_factory=list)
    expected_counts: list[Located] = field(default_factory=list)
    procedures: list[Located] = field(default_factory=list)
    asks: list[Located] = field(default_factory=list)  # one per AsksFile
    engagement: list[Located] = field(default_factory=list)  # one per event, record = (state, EngagementEvent)
    texts: list[Located] = field(default_factory=list)  # one per TextFile (data/texts/<ID>.yaml)
    coverage: list[Located] = field(default_factory=list)  # one per StateCoverage (data/coverage.yaml)
    files: list[Path] = field(default_factory=list)
    overrides: list[Located] = field(default_factory=list)  # data/reference_overrides.yaml, one per entry
    #: instrument id -> what the reading of statements' words needs (kb/data/references.py)
    words: dict[str, InstrumentWords] = field(default_factory=dict)
    #: (instrument, state, date, type, target_state) -> (references, reason) from data/reference_overrides.yaml
    override_refs: dict[tuple, tuple[tuple[str, ...], str]] = field(default_factory=dict)


# --------------------------------------------------------------------------- messages

def _describe(err: dict[str, Any]) -> str:
    kind = err["type"]
    loc = err["loc"]
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "value")
    got = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return f"unknown key {name!r}: check the spelling against docs/DATA_MODEL.md, or remove it"
    if kind == "missing":
        return f"missing required key {name!r}: add it"
    if kind == "literal_error":
        return f"{name}: {got!r} is not allowed; use one of {ctx.get('expected', '')}"
    if kind == "string_type":
        if isinstance(got, bool):
            return f"{name}: expected text, got the boolean {str(got).lower()}: put the value in quotes"
        if isinstance(got, int):
            return f"{name}: expected text, got the number {got}: put the value in quotes, e.g. \"{got}\""
        if got is None:
            return f"{name}: expected text, got nothing: fill it in or remove the key"
        return f"{name}: expected text, got a {type(got).__name__}: write a single quoted value"
    if kind == "int_type":
        return f"{name}: expected a whole number, got {got!r}: write digits only"
    if kind == "bool_type":
        return f"{name}: expected true or false, got {got!r}: write true or false"
    if kind in ("list_type", "model_type", "dict_type", "model_attributes_type"):
        want = "a list (lines starting with '- ')" if kind == "list_type" else "a mapping (key: value lines)"
        return f"{name}: expected {want}, got {type(got).__name__ if got is not None else 'nothing'}"
    if kind == "too_short":
        return f"{name}: must not be empty: add at least one entry"
    if kind == "value_error":
        return f"{name}: {ctx.get('error', err['msg'])}"
    if kind == "union_tag_invalid" or kind.endswith("_type"):
        return f"{name}: {err['msg']}"
    return f"{name}: {err['msg']}"


def _validate(model: type[BaseModel], loaded: Loaded, problems: list[Problem]) -> BaseModel | None:
    try:
        return model.model_validate(loaded.data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p in ("str", "list[str]", "literal['all']"))))
            line, col = loaded.where(loc)
            problems.append(Problem(loaded.path, line, col, _describe(err)))
        return None


@dataclass
class Dropped:
    """A record that failed its own schema check, kept aside so that the checks across records
    know what is missing (and neither flag references to it nor judge its state's sequence)."""

    file: str
    field: str  # the list it was in: "actions", "instruments", "states", ...
    raw: Any  # the record as loaded
    file_data: Any  # the whole file as loaded (its `instrument:` for actions)


def _salvage(model: type[BaseModel], loaded: Loaded, dropped: list[Dropped]) -> tuple[Loaded, BaseModel] | None:
    """When every schema error of a file lies inside items of its top-level lists, the file
    without those items, with the positions of the items kept (so that every record that passed
    its own check still takes part in the checks across records); None otherwise."""
    try:
        model.model_validate(loaded.data)
        return None
    except ValidationError as exc:
        errs = exc.errors(include_url=False)
    data = loaded.data
    bad: dict[str, set[int]] = {}
    for err in errs:
        loc = err["loc"]
        if len(loc) < 2 or not isinstance(loc[0], str) or not isinstance(loc[1], int) \
                or not isinstance(data.get(loc[0]), list):
            return None
        bad.setdefault(loc[0], set()).add(loc[1])
    reduced = dict(data)
    remap: dict[str, dict[int, int]] = {}
    for fld, idx in bad.items():
        items = data[fld]
        keep = [i for i in range(len(items)) if i not in idx]
        reduced[fld] = [items[i] for i in keep]
        remap[fld] = {old: new for new, old in enumerate(keep)}
        dropped.extend(Dropped(loaded.path, fld, items[i], data) for i in sorted(idx))
    positions = {}
    for loc, where in loaded.positions.items():
        if len(loc) >= 2 and loc[0] in remap:
            if loc[1] not in remap[loc[0]]:
                continue
            loc = (loc[0], remap[loc[0]][loc[1]]) + loc[2:]
        positions[loc] = where
    part = Loaded(loaded.path, reduced, positions)
    try:
        return part, model.model_validate(reduced)
    except ValidationError:  # pragma: no cover - the errors were all inside the dropped items
        return None


# --------------------------------------------------------------------------- loading

def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent)) if root.name == "data" else str(path)
    except ValueError:
        return str(path)


def _model_for(loaded: Loaded) -> type[BaseModel]:
    p = Path(loaded.path)
    name, parent = p.name, p.parent.name
    if parent != "actions":
        if name == "treaties.yaml":
            return S.TreatiesFile
        if name == "states.yaml":
            return S.StatesFile
        if name == "procedures.yaml":
            return S.ProceduresFile
        if name == "reference_overrides.yaml":
            return S.ReferenceOverridesFile
        if name == "coverage.yaml":
            return S.StateCoverageFile
    if parent == "asks":
        return S.AsksFile
    if parent == "engagement":
        return S.EngagementFile
    if parent == "texts":
        return S.TextFile
    if isinstance(loaded.data, dict) and "expected_counts" in loaded.data:
        return S.ExpectedCountsFile
    return S.ActionsFile


#: Parse in a second process only when there is this much to parse (a fork costs ~10 ms).
PARALLEL_MIN_BYTES = 1_000_000


def _load_each(items: list[tuple[str, bytes]]) -> list[Loaded | Problem]:
    """load_text of each (shown, raw): the Loaded file, or the Problem that stopped it."""
    out: list[Loaded | Problem] = []
    for shown, raw in items:
        try:
            out.append(load_text(shown, raw))
        except LoadError as exc:
            out.append(exc.problem)
    return out


#: The forked process's share of the bytes: a little over half, as the parent also unpickles its results.
CHILD_SHARE = 0.55


def _load_all(items: list[tuple[str, bytes]]) -> list[Loaded | Problem]:
    """_load_each of every item, in order; when there is enough to parse, the larger files go to a
    forked second process (libyaml holds the GIL: threads would not help), which sends its results
    back pickled through a pipe. Each file is parsed the same way wherever it is parsed, so the
    results are those of _load_each; if the second process fails, its files are parsed here.

    A bare fork and a pipe, not a process pool: the pool's feeder thread unpickles the results
    while this process parses, and the two fight over the GIL (a pool made the parse 0.15 s slower)."""
    total = sum(len(raw) for _, raw in items)
    if total < PARALLEL_MIN_BYTES or len(items) < 2 or not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2:
        return _load_each(items)
    import pickle

    # The other process takes whole files from the largest down, up to its share of the bytes.
    order = sorted(range(len(items)), key=lambda i: -len(items[i][1]))
    theirs: list[int] = []
    share = 0
    for i in order:
        if share + len(items[i][1]) <= total * CHILD_SHARE:
            theirs.append(i)
            share += len(items[i][1])
    taken = set(theirs)
    mine = [i for i in range(len(items)) if i not in taken]
    try:
        r, w = os.pipe()
        pid = os.fork()
    except OSError:
        return _load_each(items)
    if pid == 0:  # the second process: parse, send, and leave without running the parent's exit handlers
        code = 1
        try:
            os.close(r)
            data = pickle.dumps(_load_each([items[i] for i in theirs]), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    results = dict(zip(mine, _load_each([items[i] for i in mine])))
    with os.fdopen(r, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    try:
        found = pickle.loads(data) if status == 0 else None
    except Exception:  # noqa: BLE001 - a truncated pipe: parse the files here instead
        found = None
    if found is None or len(found) != len(theirs):
        found = _load_each([items[i] for i in theirs])
    results.update(zip(theirs, found))
    return [results[i] for i in range(len(items))]


def read_files(data_dir: Path, problems: list[Problem], cache: Any = None,
               dropped: list[Dropped] | None = None) -> list[tuple[Loaded, BaseModel]]:
    """Load and validate every data file (each on its own); collect problems.

    `cache`, when given, is a per-file cache with key(shown, raw), get(key, shown) -> Loaded or
    None, put(key, loaded) and prune(keep) (kb.db.cache.FileCache): files whose bytes it has
    seen are not parsed again. What it returns is validated like a parsed file; an entry whose
    records do not validate is not trusted, and the file is parsed again."""
    _check_stray(data_dir, problems)
    keys = set()
    slots: list[Any] = []  # per file, in order: a Problem, a cached (Loaded, model), or an index into todo
    todo: list[tuple[str, bytes]] = []
    todo_keys: list[str | None] = []
    for path in data_files(data_dir):
        shown = _display(path, data_dir)
        if not path.exists():
            slots.append(Problem(shown, 1, 1, "file not found: the data directory must hold it"))
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:  # e.g. no permission: a located error, not an internal one
            slots.append(Problem(shown, 1, 1, f"cannot read the file ({(exc.strerror or type(exc).__name__).lower()}): "
                                              "make it readable or remove it"))
            continue
        key = cache.key(shown, raw) if cache else None
        hit = _from_cache(cache, key, shown) if cache else None
        if hit is not None:
            slots.append(hit)
            keys.add(key)
            continue
        slots.append(len(todo))
        todo.append((shown, raw))
        todo_keys.append(key)
    loaded_all = _load_all(todo)
    out = []
    for slot in slots:
        if isinstance(slot, Problem):
            problems.append(slot)
            if dropped is not None:
                dropped.append(Dropped(slot.file, "", None, None))
            continue
        if isinstance(slot, tuple):
            out.append(slot)
            continue
        loaded, key = loaded_all[slot], todo_keys[slot]
        if isinstance(loaded, Problem):
            problems.append(loaded)
            if dropped is not None:  # the file could not be read: every record in it is missing
                dropped.append(Dropped(loaded.file, "", None, None))
            continue
        mine: list[Problem] = []
        model = _validate(_model_for(loaded), loaded, mine)
        problems.extend(mine)
        if model is not None:
            out.append((loaded, model))
            if cache and not mine:
                cache.put(key, loaded)
                keys.add(key)
        elif dropped is not None:
            part = _salvage(_model_for(loaded), loaded, dropped)
            if part is not None:
                out.append(part)
            else:  # the file as a whole is wrong: every record in it is missing
                dropped.append(Dropped(loaded.path, "", None, loaded.data))
    if cache and not problems:
        cache.prune(keys)
    return out


def _from_cache(cache: Any, key: str, shown: str) -> tuple[Loaded, BaseModel] | None:
    """The cached file, validated; None (parse it) when there is no entry or it does not validate."""
    loaded = cache.get(key, shown)
    if loaded is None:
        return None
    mine: list[Problem] = []
    model = _validate(_model_for(loaded), loaded, mine)
    return (loaded, model) if model is not None and not mine else None


def _check_stray(data_dir: Path, problems: list[Problem]) -> None:
    """A file under data/ that the build would not read is an error, not a silent gap."""
    for path, message in stray_files(data_dir):
        problems.append(Problem(_display(path, data_dir), 1, 1, message))


# --------------------------------------------------------------------------- cross checks

def _key(a: S.Action, instrument: str) -> tuple:
    return (instrument, a.state, a.type, a.date, a.article, a.target_state)


def validate(data_dir: Path, today: str | None = None, cache: Any = None) -> Dataset:
    """Load and validate the data directory; raise DataErrors listing every problem."""
    today = today or default_today()
    problems: list[Problem] = []
    ds = Dataset(files=data_files(data_dir))
    curated: list[ActionRow] = []
    imported: list[ActionRow] = []

    dropped: list[Dropped] = []
    for loaded, f in read_files(data_dir, problems, cache, dropped):
        if isinstance(f, S.TreatiesFile):
            ds.instruments += [Located(r, loaded.path, ("instruments", i), loaded) for i, r in enumerate(f.instruments)]
        elif isinstance(f, S.StatesFile):
            ds.states += [Located(r, loaded.path, ("states", i), loaded) for i, r in enumerate(f.states)]
        elif isinstance(f, S.ProceduresFile):
            ds.procedures += [Located(r, loaded.path, ("procedures", i), loaded) for i, r in enumerate(f.procedures)]
        elif isinstance(f, S.ReferenceOverridesFile):
            ds.overrides += [Located(r, loaded.path, ("overrides", i), loaded) for i, r in enumerate(f.overrides)]
        elif isinstance(f, S.AsksFile):
            ds.asks.append(Located(f, loaded.path, (), loaded))
        elif isinstance(f, S.EngagementFile):
            if Path(loaded.path).stem != f.state:
                line, col = loaded.where(("state",))
                problems.append(Problem(loaded.path, line, col,
                                        f"file {Path(loaded.path).name} holds the engagement of {f.state!r}: name the file {f.state}.yaml"))
            ds.engagement += [Located((f.state, e), loaded.path, ("events", i), loaded) for i, e in enumerate(f.events)]
        elif isinstance(f, S.TextFile):
            ds.texts.append(Located(f, loaded.path, (), loaded))
        elif isinstance(f, S.StateCoverageFile):
            ds.coverage += [Located(r, loaded.path, ("coverage", i), loaded) for i, r in enumerate(f.coverage)]
        elif isinstance(f, S.ExpectedCountsFile):
            ds.expected_counts += [Located(r, loaded.path, ("expected_counts", i), loaded) for i, r in enumerate(f.expected_counts)]
        else:
            origin = "imported" if "/imported/" in "/" + loaded.path.replace("\\", "/") else "curated"
            if origin == "curated" and Path(loaded.path).stem != f.instrument:
                line, col = loaded.where(("instrument",))
                problems.append(Problem(loaded.path, line, col,
                                        f"file {Path(loaded.path).name} holds instrument {f.instrument!r}: name the file {f.instrument}.yaml"))
            rows = [ActionRow(a, f.instrument, origin, Located(a, loaded.path, ("actions", i), loaded))
                    for i, a in enumerate(f.actions)]
            (curated if origin == "curated" else imported).extend(rows)

    # Everything refers to the instruments and the states: if either file could not be read,
    # checking references against it would only bury the real error under hundreds of others.
    # A record of them that failed its own check but names its id only stands aside: references
    # to that id are not flagged, and the checks across records run on everything else.
    missing = _missing_ids(dropped)
    if missing is None:
        raise DataErrors(problems)
    incomplete = _incomplete_pairs(dropped)

    instruments = {}
    for loc in ds.instruments:
        r = loc.record
        if r.id in instruments:
            problems.append(loc.problem(f"duplicate instrument id {r.id!r}: ids must be unique", "id"))
        instruments[r.id] = r
    states = {}
    names: dict[str, str] = {}
    for loc in ds.states:
        r = loc.record
        if r.id in states:
            problems.append(loc.problem(f"duplicate state id {r.id!r}: ids must be unique", "id"))
        states[r.id] = r
        for i, n in enumerate([r.name, r.short_name, *r.aliases]):
            k = n.casefold()
            if k in names and names[k] != r.id:
                sub = ("name",) if i == 0 else ("short_name",) if i == 1 else ("aliases", i - 2)
                problems.append(loc.problem(f"name {n!r} is already used by {names[k]}: names and aliases must be unique", *sub))
            names.setdefault(k, r.id)
        for lang, other in r.aliases_by_language.items():
            for i, n in enumerate(other):
                k = S.name_key(n)
                if k in names and names[k] != r.id:
                    problems.append(loc.problem(f"name {n!r} is already used by {names[k]}: names and aliases must be unique",
                                                "aliases_by_language", lang, i))
                names.setdefault(k, r.id)
        for j, m in enumerate(r.memberships):
            for fld in ("since", "until"):
                v = getattr(m, fld)
                if v and S.date_bounds(v)[0] > today:
                    problems.append(loc.problem(f"{fld} {v} is after today ({today}): dates cannot be in the future", "memberships", j, fld))

    instruments = _Ids(instruments, missing["instruments"])
    states = _Ids(states, missing["states"])
    for loc in ds.instruments:
        r = loc.record
        if r.parent and r.parent not in instruments:
            problems.append(loc.problem(f"parent {r.parent!r} is not an instrument id in treaties.yaml", "parent"))
        eif = r.entry_into_force_clause
        if eif and eif.general.not_before and eif.general.not_before not in instruments:
            problems.append(loc.problem(
                f"not_before {eif.general.not_before!r} is not an instrument id in treaties.yaml",
                "entry_into_force_clause", "general", "not_before"))
        if r.complete_for != "all":
            for i, s in enumerate(r.complete_for):
                if s not in states:
                    problems.append(loc.problem(f"{s!r} is not a state id in states.yaml", "complete_for", i))
        for fld in ("adopted", "entry_into_force"):
            v = getattr(r, fld)
            if v and S.date_bounds(v)[0] > today:
                problems.append(loc.problem(f"{fld} {v} is after today ({today}): dates cannot be in the future", fld))

    proc_ids = set()
    for loc in ds.procedures:
        r = loc.record
        if r.id in proc_ids:
            problems.append(loc.problem(f"duplicate procedure id {r.id!r}: ids must be unique", "id"))
        proc_ids.add(r.id)
        if r.instrument not in instruments:
            problems.append(loc.problem(f"instrument {r.instrument!r} is not in treaties.yaml", "instrument"))
    doc_ids: set[str] = set()
    for loc in ds.asks:
        f: S.AsksFile = loc.record
        d = f.document
        if d.id in doc_ids:
            problems.append(loc.problem(f"duplicate document id {d.id!r}: ids must be unique", "document", "id"))
        doc_ids.add(d.id)
        if Path(loc.file).stem != d.id:
            problems.append(loc.problem(f"file {Path(loc.file).name} holds document {d.id!r}: name the file {d.id}.yaml", "document", "id"))
        if d.addressee not in states:
            problems.append(loc.problem(f"addressee {d.addressee!r} is not in states.yaml", "document", "addressee"))
        if S.date_bounds(d.date)[0] > today:
            problems.append(loc.problem(f"date {d.date} is after today ({today}): record only what has happened", "document", "date"))
        for i, ask in enumerate(f.asks):
            for j, inst in enumerate(ask.instruments):
                if inst not in instruments:
                    problems.append(loc.problem(f"instrument {inst!r} is not in treaties.yaml", "asks", i, "instruments", j))
            if d.kind in ("upr_report", "upr_addendum"):
                for j, who in enumerate(ask.by):
                    if who not in states:
                        problems.append(loc.problem(f"{who!r} is not a state id in states.yaml: UPR recommendations name states by alpha-3 code", "asks", i, "by", j))
            if ask.action == "join_organization" and not ask.organization:
                problems.append(loc.problem("join_organization needs `organization`", "asks", i, "action"))
            if ask.engagement and ask.action not in ("cooperate", "other"):
                problems.append(loc.problem(f"`engagement` targets are for cooperate or other asks; a {ask.action} ask is "
                                            "judged from the status data: remove them", "asks", i, "engagement"))
            if ask.engagement and ask.not_tracked_reason:
                problems.append(loc.problem("an ask with `engagement` targets is tracked: remove `not_tracked_reason`",
                                            "asks", i, "not_tracked_reason"))
            for j, t in enumerate(ask.engagement):
                _check_target(loc, t, ("asks", i, "engagement", j), instruments, problems)
    _check_engagement(ds, instruments, states, today, problems)
    for loc in ds.expected_counts:
        if loc.record.instrument not in instruments:
            problems.append(loc.problem(f"instrument {loc.record.instrument!r} is not in treaties.yaml", "instrument"))

    # Curated facts win over imported ones describing the same event.
    curated_keys = {_key(r.action, r.instrument) for r in curated}
    merged = list(curated)
    for row in imported:
        if _key(row.action, row.instrument) in curated_keys:
            ds.superseded.append(row)
        else:
            merged.append(row)

    seen: dict[tuple, ActionRow] = {}
    for row in merged:
        a, at = row.action, row.at
        k = _key(a, row.instrument)
        if k in seen:
            other = seen[k].at
            line, _ = other.where()
            problems.append(at.problem(f"duplicate action: the same {a.type} by {a.state} on {a.date} is at {other.file}:{line}: keep one"))
            incomplete.add((a.state, row.instrument))  # judged once, here
        seen[k] = row
        inst = instruments.get(row.instrument)
        if inst is None and row.instrument not in instruments:
            line, col = at.loaded.where(("instrument",))
            problems.append(Problem(at.file, line, col, f"instrument {row.instrument!r} is not in treaties.yaml: add it there first"))
        if a.state not in states:
            problems.append(at.problem(f"state {a.state!r} is not in states.yaml: use an ISO 3166-1 alpha-3 code listed there", "state"))
        if a.target_state and a.target_state not in states:
            problems.append(at.problem(f"target_state {a.target_state!r} is not in states.yaml", "target_state"))
        lo, hi = S.date_bounds(a.date)
        if lo > today:
            problems.append(at.problem(f"date {a.date} is after today ({today}): record only what has happened", "date"))
        # a partial date (a bare year) may take in the adoption: only a date wholly before it is wrong
        if inst is not None and hi < S.date_bounds(inst.adopted)[0]:
            problems.append(at.problem(f"date {a.date} is before {inst.id} was adopted ({inst.adopted}): check the date", "date"))
        if a.effective_date and S.date_bounds(a.effective_date)[1] < lo:
            problems.append(at.problem(f"effective_date {a.effective_date} is before date {a.date}", "effective_date"))
        if inst is not None and inst.regime == "ILO" and a.type == "signature":
            problems.append(at.problem("ILO instruments have no signature step: record the ratification only", "type"))

    article_sets = _check_texts(ds.texts, instruments, problems)
    provisions = text_provisions(ds.texts)
    ds.words = instrument_words(ds.instruments, ds.texts, provisions)
    ds.override_refs = _check_overrides(ds.overrides, merged, provisions, problems)
    _check_article_references(merged, ds.procedures, article_sets, problems, provisions, ds.words, ds.override_refs)

    # Per state and instrument, on every record that passed its own check; a pair with a record
    # that did not (or a duplicate) is left out: its sequence is not known.
    judged = [r for r in merged if r.instrument in instruments.real and r.action.state in states.real
              and (r.action.state, r.instrument) not in incomplete and (None, r.instrument) not in incomplete
              and (None, None) not in incomplete]
    _check_sequences(judged, instruments, states, problems)
    _check_statements(judged, instruments, problems)
    _check_coverage(ds.coverage, merged, instruments, states, today, problems)

    if problems:
        raise DataErrors(problems)
    ds.actions = merged
    return ds


def _check_coverage(coverage: list[Located], actions: list[ActionRow], instruments: dict, states: dict,
                    today: str, problems: list[Problem]) -> None:
    """data/coverage.yaml: each entry names known ids, ILO instruments only, full dates with the set stated
    on or before the source's as-at date, and agrees with the recorded ratifications: every instrument the
    source names as ratified is recorded by `date`, and no other listed one is."""
    consents: dict[tuple[str, str], list[ActionRow]] = {}
    for row in actions:
        if row.action.type in S.CONSENT_TYPES and row.action.legal_effect == "effective":
            consents.setdefault((row.action.state, row.instrument), []).append(row)
    seen: dict[tuple[str, str, str], int] = {}
    for loc in coverage:
        c: S.StateCoverage = loc.record
        if c.state not in states:
            problems.append(loc.problem(f"state {c.state!r} is not in states.yaml: use an ISO 3166-1 alpha-3 code listed there", "state"))
        full = len(c.date) == 10
        if not full:
            problems.append(loc.problem(f"date {c.date} is not a full date: write the day on which the source states the set (YYYY-MM-DD)", "date"))
        elif c.date > today:
            problems.append(loc.problem(f"date {c.date} is after today ({today}): record only what has happened", "date"))
        if len(c.source.as_at) != 10:
            problems.append(loc.problem(f"as_at {c.source.as_at} is not a full date: a coverage needs the day its source speaks for (YYYY-MM-DD)", "source", "as_at"))
        elif full and c.date > c.source.as_at:
            problems.append(loc.problem(f"date {c.date} is after the source's as-at date {c.source.as_at}: a source cannot state a set "
                                        "for a day after its own date: check both dates", "date"))
        if c.source.kind is None:
            problems.append(loc.problem("source: missing required key 'kind': say what kind of copy it is (un_host, un_mirror or secondary)", "source"))
        for j, inst in enumerate(c.ratified):
            if inst not in c.instruments:
                problems.append(loc.problem(f"{inst!r} is named ratified but is not in `instruments`: add it there or remove it here", "ratified", j))
        for j, inst in enumerate(c.instruments):
            where = ("instruments", j)
            if inst in c.instruments[:j]:
                problems.append(loc.problem(f"{inst!r} is listed twice: list each instrument once", *where))
                continue
            i = instruments.get(inst)
            if i is None:
                if inst not in instruments:
                    problems.append(loc.problem(f"instrument {inst!r} is not in treaties.yaml", *where))
                continue
            if i.regime != "ILO":
                problems.append(loc.problem(f"{inst} is not an ILO instrument: coverage by state is for ILO instruments; a UN "
                                            "instrument's record is complete per instrument (complete_for in treaties.yaml)", *where))
                continue
            if not full:
                continue
            if c.date < S.date_bounds(i.adopted)[1]:
                problems.append(loc.problem(f"date {c.date} is before {inst} was adopted ({i.adopted}): a source cannot state a "
                                            "record of it: remove it from this entry", *where))
                continue
            key = (c.state, inst, c.date)
            if key in seen:
                problems.append(loc.problem(f"{c.state}'s record on {inst} on {c.date} is stated twice in this file: keep one", *where))
            seen[key] = 1
            rows = consents.get((c.state, inst), [])
            if inst in c.ratified:
                if not any(S.date_bounds(r.action.date)[1] <= c.date for r in rows):
                    recorded = "; ".join(f"{r.action.type} of {r.action.date}" for r in rows) or "none"
                    problems.append(loc.problem(
                        f"the source names {inst} ratified by {c.state} on {c.date}, but no ratification recorded in "
                        f"data/actions/{inst}.yaml is dated on or before that day (recorded: {recorded}): record it with its own "
                        f"date and source, or leave {inst} out of `instruments`", *where))
            else:
                early = [r for r in rows if S.date_bounds(r.action.date)[0] <= c.date]
                if early:
                    r = early[0]
                    problems.append(loc.problem(
                        f"{inst} is not named ratified, but a {r.action.type} by {c.state} of {r.action.date} is recorded at "
                        f"{r.at.file}:{r.at.where()[0]}: the source and the record disagree: check both, then add {inst} to "
                        f"`ratified` or correct the record", *where))


class _Ids(dict):
    """Records by id; `in` also answers True for the ids of records that failed their own check
    (`missing`), so that references to them are not flagged; `real` holds only the valid ones."""

    def __init__(self, records: dict, missing: set[str]):
        super().__init__(records)
        self.real = records
        self.missing = missing

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.missing


_CORE = {"treaties.yaml": "instruments", "states.yaml": "states"}


def _is_core(file: str) -> str | None:
    p = Path(file)
    return _CORE.get(p.name) if p.parent.name not in ("actions", "asks", "engagement", "texts") \
        and p.parent.parent.name != "imported" else None


def _missing_ids(dropped: list[Dropped]) -> dict[str, set[str]] | None:
    """The ids of instruments and states that failed their own check; None when one of them (or
    a whole file of them) cannot be named: then no reference can be judged."""
    out: dict[str, set[str]] = {"instruments": set(), "states": set()}
    for d in dropped:
        kind = _is_core(d.file)
        if kind is None:
            continue
        rid = d.raw.get("id") if isinstance(d.raw, dict) else None
        if d.field != kind or not isinstance(rid, str):
            return None
        out[kind].add(rid)
    return out


def _incomplete_pairs(dropped: list[Dropped]) -> set[tuple[str | None, str | None]]:
    """(state, instrument) pairs with an action that failed its own check; (None, instrument):
    every state of that instrument; (None, None): every pair."""
    out: set[tuple[str | None, str | None]] = set()
    for d in dropped:
        p = Path(d.file)
        if p.parent.name != "actions" and p.parent.parent.name != "imported":
            continue
        data = d.file_data if isinstance(d.file_data, dict) else {}
        if "expected_counts" in data or (p.parent.parent.name == "imported" and p.name == "counts.yaml"):
            continue
        inst = data.get("instrument") if isinstance(data.get("instrument"), str) else p.stem
        if d.field == "actions" and isinstance(d.raw, dict) and isinstance(d.raw.get("state"), str):
            out.add((d.raw["state"], inst))
        else:
            out.add((None, inst))
    return out


def treaty_body_problem(instrument_id: str, instruments: dict) -> str | None:
    """Why `instrument_id` cannot name a treaty body's treaty (None when it can)."""
    inst = instruments.get(instrument_id)
    if inst is None:
        if instrument_id in instruments:  # a record that failed its own check
            return None
        return f"instrument {instrument_id!r} is not in treaties.yaml: use an instrument id, e.g. CRPD"
    if inst.regime != "UN" or not inst.monitoring_body:
        why = "an ILO instrument" if inst.regime == "ILO" else "monitoring_body is null in treaties.yaml"
        return f"instrument {instrument_id!r} has no UN treaty body ({why}): a treaty_body event or target names a UN treaty with a monitoring committee"
    return None


def _shape(mechanism: str, instrument: str | None, mandate: str | None, kind: str) -> list[tuple[str, str]]:
    """(field, message) for a mechanism/instrument/mandate/kind combination that cannot be."""
    out = []
    if mechanism == "treaty_body" and not instrument:
        out.append(("mechanism", "a treaty_body event needs `instrument`: the treaty whose committee it concerns"))
    if mechanism != "treaty_body" and instrument:
        out.append(("instrument", f"`instrument` is only for treaty_body events; a {mechanism} event has none: remove it"))
    if mechanism == "special_procedure" and not mandate:
        out.append(("mechanism", "a special_procedure event needs `mandate` (see docs/DATA_MODEL.md, 'mandate')"))
    if mechanism != "special_procedure" and mandate:
        out.append(("mandate", f"`mandate` is only for special_procedure events; a {mechanism} event has none: remove it"))
    if kind in S.TREATY_BODY_KINDS and mechanism != "treaty_body":
        out.append(("kind", f"kind {kind!r} is a treaty body's (reports, lists of issues, concluding observations), not a {mechanism} event's"))
    if kind in S.UPR_KINDS and mechanism != "upr":
        out.append(("kind", f"kind {kind!r} is for the upr only"))
    if kind == "review_held" and mechanism not in ("treaty_body", "upr"):
        out.append(("kind", f"kind 'review_held' is for a treaty_body or the upr, not a {mechanism} event"))
    if kind in S.VISIT_KINDS and mechanism in ("treaty_body", "upr"):
        out.append(("kind", f"kind {kind!r} is for a mechanism that visits (special_procedure, ohchr, commission_of_inquiry, icrc), not a {mechanism} event"))
    return out


def _check_target(loc: Located, t: S.EngagementTarget, at: tuple, instruments: dict, problems: list[Problem]) -> None:
    if t.kind == "context":
        problems.append(loc.problem("kind 'context' never fulfils an ask: name the kind of event that would", *at, "kind"))
    for fld, msg in _shape(t.mechanism, t.instrument, t.mandate, t.kind):
        problems.append(loc.problem(msg, *at, fld))
    if t.mechanism == "treaty_body" and t.instrument:
        msg = treaty_body_problem(t.instrument, instruments)
        if msg:
            problems.append(loc.problem(msg, *at, "instrument"))


def _check_engagement(ds: Dataset, instruments: dict, states: dict, today: str, problems: list[Problem]) -> None:
    seen: dict[tuple, Located] = {}
    for loc in ds.engagement:
        state, e = loc.record
        if state not in states:
            line, col = loc.loaded.where(("state",))
            problems.append(Problem(loc.file, line, col, f"state {state!r} is not in states.yaml: use an ISO 3166-1 alpha-3 code listed there"))
        for fld, msg in _shape(e.mechanism, e.instrument, e.mandate, e.kind):
            problems.append(loc.problem(msg, fld))
        if e.mechanism == "treaty_body" and e.instrument:
            msg = treaty_body_problem(e.instrument, instruments)
            if msg:
                problems.append(loc.problem(msg, "instrument"))
            elif e.instrument in instruments.real:
                adopted = S.date_bounds(instruments[e.instrument].adopted)[0]
                if S.date_bounds(e.date)[1] < adopted:
                    problems.append(loc.problem(f"date {e.date} is before {e.instrument} was adopted ({instruments[e.instrument].adopted}): check the date", "date"))
        lo = S.date_bounds(e.date)[0]
        if lo > today and e.kind != "report_due":  # a due date may lie ahead; nothing else may
            problems.append(loc.problem(f"date {e.date} is after today ({today}): record only what has happened", "date"))
        if e.end_date:
            if S.date_bounds(e.end_date)[1] < lo:
                problems.append(loc.problem(f"end_date {e.end_date} is before date {e.date}", "end_date"))
            elif S.date_bounds(e.end_date)[0] > today:
                problems.append(loc.problem(f"end_date {e.end_date} is after today ({today}): record only what has happened", "end_date"))
        if e.source.kind is None:
            problems.append(loc.problem("source needs `kind`: un_host, un_mirror or secondary (see docs/DATA_MODEL.md, 'source kind')", "source"))
        if S.date_bounds(e.source.as_at)[0] > today:
            problems.append(loc.problem(f"as_at {e.source.as_at} is after today ({today}): use the source's own date", "source", "as_at"))
        if e.kind == "report_due" and not e.report:
            problems.append(loc.problem("a report_due event needs `report`: which report is due, so that its submission can be matched", "kind"))
        key = (state, e.mechanism, e.instrument, e.mandate, e.kind, e.date, e.symbol, e.source.url)
        if key in seen:
            line, _ = seen[key].where()
            problems.append(loc.problem(f"duplicate engagement event: the same {e.kind} on {e.date} from the same source is at {seen[key].file}:{line}: keep one"))
        seen[key] = loc


def _in_span(day: str, m: S.Membership) -> bool:
    return bool(m.member and m.since and S.date_bounds(m.since)[1] <= day and (not m.until or day < S.date_bounds(m.until)[0]))


def _check_sequences(rows: list[ActionRow], instruments: dict, states: dict, problems: list[Problem]) -> None:
    """Per state and instrument: signature not after consent, exits after a consent, ILO members only."""
    by_pair: dict[tuple[str, str], list[ActionRow]] = {}
    for row in rows:
        by_pair.setdefault((row.action.state, row.instrument), []).append(row)
    for (state, inst_id), items in by_pair.items():
        # Same rule as the status views: on one day, an exit comes before a consent
        # (a state may denounce and re-accede with a reservation on the same day).
        items.sort(key=lambda r: (S.date_bounds(r.action.date)[0], r.action.type not in S.EXIT_TYPES))
        inst = instruments[inst_id]
        party = False
        consent: ActionRow | None = None  # the consent in effect, if no exit followed it
        for row in items:
            a = row.action
            if a.type in S.CONSENT_TYPES and a.legal_effect == "effective":
                if consent is not None:
                    other = consent.at
                    line, _ = other.where()
                    problems.append(row.at.problem(
                        f"second consent without an exit: {state}'s {a.type} of {inst_id} on {a.date} follows its "
                        f"{consent.action.type} on {consent.action.date} ({other.file}:{line}) with no denunciation or "
                        "withdrawal between them: one of them is wrong or duplicates the other (a curated correction "
                        "must have the imported action's type and date to replace it); keep one", "date"))
                consent = row
                if inst.regime == "ILO":
                    day = S.date_bounds(a.date)[1]
                    if not any(_in_span(day, m) for m in states[state].memberships if m.organization == "ILO"):
                        problems.append(row.at.problem(
                            f"{state} was not an ILO member on {a.date}: only members can ratify ILO instruments "
                            "(check the date or the state's ILO membership in states.yaml)", "date"))
                party = True
            elif a.type == "signature" and party:
                problems.append(row.at.problem(
                    f"signature on {a.date} comes after {state}'s consent to be bound: a signature cannot follow consent; check the dates", "date"))
            elif a.type in S.EXIT_TYPES and a.legal_effect == "effective":
                if not party:
                    problems.append(row.at.problem(
                        f"{a.type} on {a.date} but {state} is not a party to {inst_id} then: record the consent first", "type"))
                party = False
                consent = None


#: Statements that only a signatory or a party makes: reservations, declarations, objections,
#: competence declarations, opt-outs and the withdrawal of any of them. Communications are not
#: among them (the depositary circulates communications from any state, e.g. on another
#: state's status), nor territorial applications (an extension of a consent, checked with it).
STATEMENT_TYPES = (
    "reservation", "declaration", "objection", "competence_declaration", "opt_out",
    "withdrawal_of_reservation", "partial_withdrawal_of_reservation", "withdrawal_of_declaration",
    "withdrawal_of_objection", "withdrawal_of_competence_declaration", "withdrawal_of_opt_out",
)

STATEMENT_RULE_DOC = """\
## Statements need a signature or a consent

A reservation, declaration, objection, competence declaration or opt-out, or the withdrawal of one
(`kb validate`: `STATEMENT_TYPES` in `kb/data/validate.py`), with `legal_effect: effective`, needs a
signature or a consent to be bound (any consent type, of any legal effect) of the same instrument by
the same state, dated on or before the statement (a partial date counts from its earliest day for the
signature or consent, to its latest day for the statement), where the instrument's record is complete for
that state (`complete_for`): elsewhere a consent may exist that is not recorded, and nothing is judged. A statement made on signature or with the
consent, on the same day, passes. Otherwise `kb validate` names the statement: record the signature or
consent first, or check the dates. Where the depositary records a statement from a state that had
neither signed nor consented (an objection by a state entitled to become a party, say), record it
with `legal_effect: none` and say so in `summary`. On the UN Treaty Collection data of 3 February
2026 no statement falls under this rule: every one follows a signature or consent of its state.
Communications (`communication`) and territorial applications are not checked.
"""


def _check_statements(rows: list[ActionRow], instruments: dict, problems: list[Problem]) -> None:
    """A statement (STATEMENT_TYPES) needs a signature or consent of its instrument by its state on
    or before its date (STATEMENT_RULE_DOC), where the instrument's record is complete for the state."""
    first: dict[tuple[str, str], str] = {}
    for row in rows:
        a = row.action
        if a.type == "signature" or a.type in S.CONSENT_TYPES:
            k = (a.state, row.instrument)
            d = S.date_bounds(a.date)[0]
            if k not in first or d < first[k]:
                first[k] = d
    for row in rows:
        a = row.action
        if a.type not in STATEMENT_TYPES or a.legal_effect != "effective":
            continue
        complete = instruments[row.instrument].complete_for
        if complete != "all" and a.state not in complete:  # a consent may be there, not recorded
            continue
        since = first.get((a.state, row.instrument))
        if since is None or since > S.date_bounds(a.date)[1]:
            when = "recorded at all" if since is None else f"recorded on or before that date (the first is {since})"
            problems.append(row.at.problem(
                f"{a.type} by {a.state} on {a.date}, but no signature or consent of {row.instrument} by {a.state} is "
                f"{when}: record the signature or consent first, or check the date; if the depositary records the "
                "statement from a state that had neither signed nor consented, set `legal_effect: none` and say so in "
                "`summary` (docs/DATA_MODEL.md, 'Statements need a signature or a consent')", "state"))


# --------------------------------------------------------------------------- treaty texts and article references

#: Article references that are not article numbers, accepted as they are: (form, what it means).
ARTICLE_WORDS = {
    "preamble": "the preamble, which has no article number",
    "general": "the instrument as a whole, not one article",
}

#: Depositary typos kept as given in the data, mapped to what the depositary's text means:
#: (instrument, article as given) -> (article meant, why).
ARTICLE_TYPOS = {
    ("CAT", "30(l)"): ("30(1)", "China's reservation of 1988-10-04 reads 'paragraph l of article 30': the letter l for the figure 1"),
    ("CEDAW", "16(f)"): ("16(1)(f)", "Kuwait's reservation of 1994-09-02 reads 'article 16 (f)': the article's lettered "
                         "sub-paragraphs are all in its paragraph 1"),
    ("CRC", "24(f)"): ("24(2)(f)", "Argentina's declaration of 1990-12-04 reads 'subparagraph (f) of article 24': the "
                       "article's lettered sub-paragraphs are all in its paragraph 2"),
    ("ICCPR", "13(3)"): ("13", "Iceland's withdrawal of 2009-10-19 names 'article 13 (3)', which has no paragraphs; the "
                         "reservation it withdraws, quoted there, reads 'Article 13, to the extent that ...'"),
}

#: Statements whose `article` is empty (or names one of several articles) but whose words, as the
#: record quotes them, name the articles: (instrument, state, date, type) -> (references, why).
#: A reference is a provision ('29(1)'), 'whole' (the instrument as a whole) or 'part' (for a
#: withdrawal: it withdraws a part of an earlier statement that names no article; the rest stands).
#: Each is read from the statement's own words in the record, never inferred.
STATEMENT_REFERENCES = {
    ("CEDAW", "SAU", "2000-09-07", "reservation"): (
        ("whole", "9(2)", "29(1)"),
        "'1. In case of contradiction between any term of the Convention and the norms of islamic law ...' (the "
        "Convention as a whole); '2. ... not bound by paragraphe 2 of article 9 ... and paragraph 1 of article 29'"),
    ("CEDAW", "SGP", "1995-10-05", "reservation"): (
        ("2(a)", "2(b)", "2(c)", "2(d)", "2(e)", "2(f)", "16(1)(a)", "16(1)(c)", "16(1)(h)", "16(2)", "11", "29(1)"),
        "'(1) ... articles 2, paragraphs (a) to (f), and article 16, paragraphs 1(a), 1(c), 1(h), and article 16, "
        "paragraph 2 ...'; '(3) ... in respect of article 11 ...'; '(4) ... not be bound by the provisions of "
        "article 29, paragraph 1'"),
    ("CEDAW", "SGP", "2007-07-24", "withdrawal_of_reservation"): (
        ("part",),
        "withdraws part '(2)' of the reservation of 1995-10-05 (entry, stay and citizenship), which names no "
        "article; parts (1), (3) and (4) stand"),
}

#: The kinds of statement whose references statement_articles holds, and the kinds each
#: withdrawal undoes (the depositary heads a procedure opt-out 'Reservations' or 'Declarations').
STATEMENT_KINDS = ("reservation", "declaration", "objection", "competence_declaration", "opt_out")
WITHDRAWS = {
    "withdrawal_of_reservation": ("reservation", "opt_out"),
    "partial_withdrawal_of_reservation": ("reservation", "opt_out"),
    "withdrawal_of_declaration": ("declaration", "opt_out"),
    "withdrawal_of_objection": ("objection",),
    "withdrawal_of_competence_declaration": ("competence_declaration",),
    "withdrawal_of_opt_out": ("opt_out",),
}

#: Actions whose `article` names an article of another text (a national law or constitution that the
#: action's text cites), not of the instrument: (instrument, state, date, article) -> why. Each is
#: accepted as it is and stays visible here; correct the record (or the importer) to remove it.
NOT_TREATY_ARTICLES = {
    ("ICCPR", "NOR", "1995-09-19", "86"): (
        "the reservation's text cites 'article 86 of the Norwegian Constitution'; the Covenant has 53 articles"),
    ("OP-CRC-AC", "IDN", "2012-09-24", "28"): (
        "the declaration's text cites 'Article 28, paragraph (1) d, of the Law Number 34 Year 2004'; the Protocol has 13 articles"),
}

_LEADING_ARTICLE = re.compile(r"^(\d+|[IVXLC]+)(?=$|[\s(,;.])")


def leading_article(article: str, instrument: str) -> str | None:
    """The article number an article reference starts with ('29(1)' -> '29', '2(f)' -> '2',
    'IX' -> 'IX'); None for a word listed in ARTICLE_WORDS. Raises ValueError otherwise."""
    given = article.strip()
    given = ARTICLE_TYPOS.get((instrument, given), (given, ""))[0]
    if given.casefold() in ARTICLE_WORDS:
        return None
    m = _LEADING_ARTICLE.match(given)
    if not m:
        raise ValueError(f"{article!r} does not start with an article number: write it as the instrument "
                         f"numbers it, e.g. '29(1)' or '2(f)'" + (f", or one of {', '.join(repr(w) for w in ARTICLE_WORDS)}"))
    return m.group(1)


_PROVISION = re.compile(r"^(\d+|[IVXLC]+)((?:\([0-9a-zA-Z]+\))*)$")


def _reference(ref: str, how: str, note: str | None) -> dict:
    """One normalised reference: a provision split into article, paragraph (a numbered first
    level) and item (the levels below, or a lettered first level), or a scope word."""
    if ref in ("whole", "part", "preamble", "general"):
        return dict(article=None, paragraph=None, item=None, provision=None, scope=ref, how=how, note=note)
    m = _PROVISION.match(ref)
    if not m:
        raise ValueError(f"{ref!r} is not a provision: write it as the instrument numbers it, e.g. '29(1)' or '2(f)'")
    levels = re.findall(r"\(([0-9a-zA-Z]+)\)", m.group(2))
    paragraph = levels.pop(0) if levels and levels[0].isdigit() else None
    item = "".join(f"({x})" for x in levels)[1:-1] if levels else None
    return dict(article=m.group(1), paragraph=paragraph, item=item, provision=ref, scope="provision", how=how, note=note)


def statement_references(instrument: str, a: S.Action, words: InstrumentWords | None = None,
                         overrides: dict[tuple, tuple[tuple[str, ...], str]] | None = None) -> list[dict]:
    """The normalised references of a statement or a withdrawal of one (the rows of
    statement_articles), derived from its `article` as given or, where that is empty, from its
    words (kb/data/references.py, given `words`). `how`: as_given, typo (ARTICLE_TYPOS), by_hand
    (data/reference_overrides.yaml, STATEMENT_REFERENCES), not_treaty (NOT_TREATY_ARTICLES),
    from_words, or none. Raises ValueError for a reference that is not a provision."""
    over = (overrides or {}).get(override_key(instrument, a))
    if over is not None:
        refs, why = over
        return [_reference(r, "by_hand", why) for r in refs]
    hand = STATEMENT_REFERENCES.get((instrument, a.state, a.date, a.type))
    if hand is not None:
        refs, why = hand
        return [_reference(r, "by_hand", why) for r in refs]
    if a.article is None:
        if words is not None and a.text and a.type in STATEMENT_KINDS:
            return _from_words(a, words, "from_words", None)
        return [dict(article=None, paragraph=None, item=None, provision=None, scope="unstated", how="none",
                     note="the record names no article: read the statement's words")]
    given = a.article.strip()
    if (instrument, a.state, a.date, a.article) in NOT_TREATY_ARTICLES:
        why = NOT_TREATY_ARTICLES[(instrument, a.state, a.date, a.article)]
        if words is not None and a.text and a.type in STATEMENT_KINDS:
            return _from_words(a, words, "not_treaty", why)
        return [dict(article=None, paragraph=None, item=None, provision=None, scope="unstated", how="not_treaty",
                     note=why)]
    if (instrument, given) in ARTICLE_TYPOS:
        meant, why = ARTICLE_TYPOS[(instrument, given)]
        return [_reference(meant, "typo", why)]
    word = given.casefold()
    if word == "general":
        return [_reference("whole", "as_given", ARTICLE_WORDS[word])]
    if word == "preamble":
        return [_reference("preamble", "as_given", ARTICLE_WORDS[word])]
    return [_reference(given, "as_given", None)]


def override_key(instrument: str, a: S.Action) -> tuple:
    """The key of a statement in data/reference_overrides.yaml."""
    return (instrument, a.state, a.date, a.type, a.target_state)


def _quote(words: tuple[str, ...], limit: int = 6) -> str:
    shown = [f"'{w[:120]}'" for w in words[:limit]]
    return "; ".join(shown) + (f"; and {len(words) - limit} more" if len(words) > limit else "")


def _from_words(a: S.Action, words: InstrumentWords, how: str, why: str | None) -> list[dict]:
    """The references read from the statement's words, or one row of scope 'general' where they name none."""
    found = references_from_words(a.text, words, objection=a.type == "objection")
    lead = f"{why}; " if why else ""
    if found.provisions:
        note = f"{lead}read from the statement's words: {_quote(found.words)}"
        return [_reference(p, how, note) for p in found.provisions]
    if a.type == "objection":
        note = (f"{lead}the objection's words name no article of the instrument: it concerns "
                f"{a.target_state or 'the other state'}'s statements as a whole")
    else:
        note = f"{lead}the statement's words name no article of the instrument: it concerns the instrument in general"
    return [_reference("general", how, note)]


def text_provisions(texts: list[Located]) -> dict[str, set[str]]:
    """Instrument id -> every provision of its text, as a reservation cites it ('29', '29(1)', '2(f)')."""
    out: dict[str, set[str]] = {}

    def walk(items, path: str, acc: set[str]) -> None:
        for p in items:
            acc.add(f"{path}({p.id})")
            walk(p.items, f"{path}({p.id})", acc)

    for loc in texts:
        f: S.TextFile = loc.record
        acc = out.setdefault(f.instrument, set())
        for art in f.articles:
            acc.add(art.id)
            walk(art.items, art.id, acc)
    return out


def _provision_ids(items: list, where: tuple, loc: Located, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, p in enumerate(items):
        if p.id in seen:
            problems.append(loc.problem(f"duplicate provision id {p.id!r} at the same level: ids must be unique there",
                                        *where, i, "id"))
        seen.add(p.id)
        _provision_ids(p.items, where + (i, "items"), loc, problems)


def _check_texts(texts: list[Located], instruments: dict, problems: list[Problem]) -> dict[str, list[str]]:
    """Each text: its instrument exists, the file is named after it, article and provision ids
    unique. Returns instrument id -> article ids in the text's order."""
    out: dict[str, list[str]] = {}
    for loc in texts:
        f: S.TextFile = loc.record
        if f.instrument not in instruments:
            problems.append(loc.problem(f"instrument {f.instrument!r} is not in treaties.yaml: add it there first", "instrument"))
        if Path(loc.file).stem != f.instrument:
            problems.append(loc.problem(
                f"file {Path(loc.file).name} holds the text of {f.instrument!r}: name the file {f.instrument}.yaml", "instrument"))
        ids: list[str] = []
        for i, a in enumerate(f.articles):
            if a.id in ids:
                problems.append(loc.problem(f"duplicate article id {a.id!r} in the text of {f.instrument}: ids must be unique",
                                            "articles", i, "id"))
            ids.append(a.id)
            _provision_ids(a.items, ("articles", i, "items"), loc, problems)
        out.setdefault(f.instrument, ids)
    return out


def instrument_words(instruments: list[Located], texts: list[Located],
                     provisions: dict[str, set[str]]) -> dict[str, InstrumentWords]:
    """Instrument id -> what reading statements' words needs: its kind's word, title, provisions and
    the articles on reservations (those whose text speaks of "the object and purpose")."""
    rule: dict[str, set[str]] = {}
    for loc in texts:
        f: S.TextFile = loc.record
        rule[f.instrument] = {art.id for art in f.articles if "object and purpose" in repr(art)}
    return {loc.record.id: InstrumentWords.make(loc.record.id, loc.record.kind, loc.record.title,
                                                provisions.get(loc.record.id), rule.get(loc.record.id))
            for loc in instruments}


def _check_overrides(overrides: list[Located], rows: list[ActionRow], provisions: dict[str, set[str]],
                     problems: list[Problem]) -> dict[tuple, tuple[tuple[str, ...], str]]:
    """Each entry of data/reference_overrides.yaml names one statement of the data, once, and each
    of its references is a provision of the instrument's text, 'whole' or 'general'."""
    keys = {override_key(r.instrument, r.action) for r in rows if r.action.type in STATEMENT_KINDS}
    out: dict[tuple, tuple[tuple[str, ...], str]] = {}
    for loc in overrides:
        o: S.ReferenceOverride = loc.record
        key = (o.instrument, o.state, o.date, o.type, o.target_state)
        if key in out:
            problems.append(loc.problem("this statement is already listed above: list each statement once", "state"))
            continue
        if key not in keys:
            problems.append(loc.problem(
                f"no {o.type} of {o.instrument} by {o.state} on {o.date}" + (f" objecting to {o.target_state}" if o.target_state else "")
                + " is in the data: check instrument, state, date, type and target_state against the statement's record,"
                " or remove the entry", "state"))
            continue
        have = provisions.get(o.instrument)
        ok = True
        for i, ref in enumerate(o.references):
            if ref in ("whole", "general", "preamble"):
                continue
            if not _PROVISION.match(ref):
                problems.append(loc.problem(f"references: {ref!r} is not a provision: write it as the instrument numbers it, "
                                            "e.g. '29(1)' or '2(f)', or 'whole', 'general' or 'preamble'", "references", i))
                ok = False
            elif have and ref not in have:
                problems.append(loc.problem(f"references: provision {ref} does not exist in {o.instrument}: check it against "
                                            f"data/texts/{o.instrument}.yaml", "references", i))
                ok = False
        if ok:
            out[key] = (tuple(o.references), o.reason)
    return out


def _article_range(ids: list[str]) -> str:
    return f"article {ids[0]}" if len(ids) == 1 else f"articles {ids[0]}-{ids[-1]}"


def _check_article_references(rows: list[ActionRow], procedures: list[Located], texts: dict[str, list[str]],
                              problems: list[Problem], provisions: dict[str, set[str]] | None = None,
                              words: dict[str, InstrumentWords] | None = None,
                              overrides: dict[tuple, tuple[tuple[str, ...], str]] | None = None) -> None:
    """Every action's and procedure's article on an instrument with a text names an article of it."""
    def check(instrument: str, article: str | None, exception_key: tuple | None, at: Located, field_name: str) -> None:
        ids = texts.get(instrument)
        if article is None or not ids:
            return
        if exception_key is not None and exception_key in NOT_TREATY_ARTICLES:
            return
        try:
            lead = leading_article(article, instrument)
        except ValueError as exc:
            problems.append(at.problem(f"{field_name}: {exc}", field_name))
            return
        if lead is not None and lead not in ids:
            problems.append(at.problem(
                f"{field_name}: article {lead} does not exist in {instrument} ({_article_range(ids)}) "
                f"(given {article!r}): check the number against the depositary's text and data/texts/{instrument}.yaml; "
                "if the source names an article of another text (a national law), correct the record, or list it "
                "in NOT_TREATY_ARTICLES (kb/data/validate.py) with the reason", field_name))

    for row in rows:
        a = row.action
        check(row.instrument, a.article, (row.instrument, a.state, a.date, a.article), row.at, "article")
    _check_statement_references(rows, provisions, problems, words, overrides)
    for loc in procedures:
        p: S.Procedure = loc.record
        check(p.instrument, p.article, None, loc, "article")
        check(p.instrument, p.opt_out_article, None, loc, "opt_out_article")


def _check_statement_references(rows: list[ActionRow], provisions: dict[str, set[str]] | None,
                                problems: list[Problem], words: dict[str, InstrumentWords] | None = None,
                                overrides: dict[tuple, tuple[tuple[str, ...], str]] | None = None) -> None:
    """Each statement's normalised provision exists in its instrument's text, where the KB has one
    (the article number alone is checked above; this checks the paragraph and item too)."""
    kinds = set(STATEMENT_KINDS) | set(WITHDRAWS)
    for row in rows:
        a = row.action
        if a.type not in kinds:
            continue
        have = (provisions or {}).get(row.instrument)
        if have and a.article is not None and (row.instrument, a.state, a.date, a.article) not in NOT_TREATY_ARTICLES:
            try:
                leading_article(a.article, row.instrument)
            except ValueError:
                continue  # reported by the check of the article number
        try:
            refs = statement_references(row.instrument, a, (words or {}).get(row.instrument), overrides)
        except ValueError as exc:
            problems.append(row.at.problem(f"article: {exc}; a reference naming several provisions is one action "
                                           "per provision", "article"))
            continue
        if not have:
            continue
        for r in refs:
            if r["provision"] is None or r["provision"] in have or r["article"] not in have:
                continue  # a missing article is reported by the check above
            problems.append(row.at.problem(
                f"article: provision {r['provision']} does not exist in {row.instrument} (given {a.article!r}): "
                f"article {r['article']} has " + ", ".join(sorted((p for p in have if p.startswith(r["article"] + "(")),
                                                                  key=_natural)[:12] or ["no numbered paragraphs"]) +
                f"; check the reference against the depositary's text and data/texts/{row.instrument}.yaml; a "
                "depositary typo is kept as given and listed in ARTICLE_TYPOS (kb/data/validate.py) with what it means",
                "article"))


def _natural(p: str) -> list:
    return [int(x) if x.isdigit() else x for x in re.findall(r"\d+|[a-zA-Z]+", p)]
