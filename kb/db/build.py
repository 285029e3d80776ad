"""Build the SQLite database from validated data.

The database is written to a temporary file beside the target, checked
(``PRAGMA integrity_check``, ``foreign_key_check``, the data's own expected
counts), then renamed over the old file in one atomic step.  A failed or
interrupted build leaves the previous database byte-identical.  A lock file
refuses a second build of the same target while one is running.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import sqlite3
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .. import __version__
from ..data import schema as S
from ..data.errors import DataErrors, Problem
from ..data.references import opposes_entry_into_force
from ..data.validate import STATEMENT_KINDS, WITHDRAWS, Dataset, statement_references, validate
from .cache import FileCache
from .fingerprint import up_to_date

SQL_DIR = Path(__file__).parent / "sql"


class BuildError(Exception):
    """The build could not be completed (not a data problem): e.g. an unwritable target."""


_RULE_DATE = re.compile(r"RULE_DATE\(([\w.]+), ([\w.]+), ([\w.]+)\)")


def rule_date_sql(d: str, rule: str, n: str) -> str:
    """kb/db/sql/eif_rule.sql with its date, rule and n filled in (comment lines dropped)."""
    body = "\n".join(line for line in sql_text("eif_rule").splitlines() if not line.lstrip().startswith("--"))
    return "(" + re.sub(r"\b(D|RULE|N)\b", lambda m: {"D": d, "RULE": rule, "N": n}[m.group(1)], body).strip() + ")"


def views_sql() -> str:
    q = lambda items: ", ".join(f"'{t}'" for t in items)  # noqa: E731
    text_ = (SQL_DIR / "views.sql").read_text().format(consents=q(S.CONSENT_TYPES), exits=q(S.EXIT_TYPES),
                                                       evidence=q(S.EVIDENCE_KINDS))
    return _RULE_DATE.sub(lambda m: rule_date_sql(*m.groups()), text_)


def sql_statements(sql: str) -> list[str]:
    """The statements of a script whose statements end a line with ';' (comment lines dropped)."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [stmt.strip() for stmt in body.split(";\n") if stmt.strip().rstrip(";")]


def sql_text(name: str) -> str:
    """One of the build's SQL files (kb/db/sql/NAME.sql)."""
    return (SQL_DIR / f"{name}.sql").read_text()


@contextmanager
def build_lock(target: Path) -> Iterator[None]:
    lock_path = target.with_name(target.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BuildError(f"cannot create {lock_path}: {exc.strerror}: check that the directory is writable") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build of {target} is running (lock {lock_path}): wait for it to finish") from None
        yield
    finally:
        os.close(fd)


class _Sources:
    def __init__(self) -> None:
        self.ids: dict[tuple, int] = {}

    def id(self, s: S.Source) -> int:
        k = (s.url, s.title, s.as_at, s.symbol, s.footnote, s.note, s.kind)
        if k not in self.ids:
            self.ids[k] = len(self.ids) + 1
        return self.ids[k]

    def rows(self) -> list[dict]:
        return [dict(id=i, url=k[0], title=k[1], as_at=k[2], symbol=k[3], footnote=k[4], note=k[5], kind=k[6])
                for k, i in self.ids.items()]


def action_key(instrument: str, a: S.Action) -> str:
    parts = [instrument, a.state, a.date, a.type]
    if a.article:
        parts.append(a.article)
    if a.target_state:
        parts.append(a.target_state)
    return "/".join(parts)


def _rows(ds: Dataset) -> dict[str, list[dict]]:
    src = _Sources()
    out: dict[str, list[dict]] = {k: [] for k in (
        "instruments", "instrument_sources", "instrument_titles", "entry_into_force_clauses", "states", "state_names", "memberships", "coverage",
        "state_coverage", "actions", "expected_counts", "vocabulary", "procedures", "ask_documents", "asks", "ask_targets",
        "engagement_events", "treaty_provisions", "statement_articles")}
    all_states = [loc.record.id for loc in ds.states]
    for order, loc in enumerate(ds.instruments):
        r: S.Instrument = loc.record
        den = r.denunciation
        out["instruments"].append(dict(
            id=r.id, title=r.title, short_title=r.short_title, abbreviation=r.abbreviation, kind=r.kind,
            parent_id=r.parent, regime=r.regime, depositary=r.depositary, adopted=r.adopted,
            adopted_place=r.adopted_place, entry_into_force=r.entry_into_force, mtdsg=r.mtdsg,
            unts_volume=r.unts_volume, unts_page=r.unts_page, registration=r.registration,
            monitoring_body=r.monitoring_body, url=r.url, fundamental_since=r.fundamental_since,
            fundamental_source_id=src.id(r.fundamental_source) if r.fundamental_source else None,
            denunciation_allowed=den.allowed if den else None, denunciation_article=den.article if den else None,
            denunciation_months=den.months if den else None,
            denunciation_source_id=src.id(den.source) if den else None,
            status_source_id=src.id(r.status_source), status_as_at=r.status_source.as_at,
            complete_for_all=r.complete_for == "all", note=r.note, sort_order=order))
        eif = r.entry_into_force_clause
        if eif:
            g, la = eif.general, eif.later
            out["entry_into_force_clauses"].append(dict(
                instrument_id=r.id, article=eif.article, general_paragraph=g.paragraph, general_instruments=g.instruments,
                general_rule=g.rule, general_n=g.n, general_not_before_id=g.not_before, general_text=g.text, later_paragraph=la.paragraph,
                later_applies_to=la.applies_to, later_rule=la.rule, later_n=la.n, later_text=la.text,
                source_id=src.id(eif.source), note=eif.note))
        for s in r.sources:
            sid = src.id(s)
            row = dict(instrument_id=r.id, source_id=sid)
            if row not in out["instrument_sources"]:
                out["instrument_sources"].append(row)
        for lang, t in sorted((r.titles or {}).items()):
            out["instrument_titles"].append(dict(instrument_id=r.id, lang=lang, title=t.text, kind=t.kind,
                                                 source_id=src.id(t.source)))
        covered = all_states if r.complete_for == "all" else r.complete_for
        out["coverage"] += [dict(instrument_id=r.id, state_id=s) for s in covered]
    for loc in ds.states:
        r: S.State = loc.record
        out["states"].append(dict(id=r.id, alpha2=r.alpha2, name=r.name, short_name=r.short_name, kind=r.kind, note=r.note))
        seen = set()
        for kind, names in (("name", [r.name]), ("short_name", [r.short_name]), ("alias", r.aliases)):
            for n in names:
                if n.casefold() not in seen:
                    seen.add(n.casefold())
                    out["state_names"].append(dict(name=n, state_id=r.id, kind=kind, lang="en",
                                                   name_key=S.name_key(n), source=DEPOSITARY_NAMES))
        for m in r.memberships:
            out["memberships"].append(dict(
                state_id=r.id, organization=m.organization, member=m.member, since=m.since, until=m.until,
                since_on=S.date_bounds(m.since)[1] if m.since else None,
                until_on=S.date_bounds(m.until)[0] if m.until else None,
                note=m.note, source_id=src.id(m.source)))
    out["state_names"] += language_names(ds, out["state_names"])
    for row in sorted(ds.actions, key=lambda r: (r.instrument, r.action.state, S.date_bounds(r.action.date)[0], r.action.type, r.action.article or "", r.action.target_state or "")):
        a = row.action
        line, _ = row.at.where()
        out["actions"].append(dict(
            key=action_key(row.instrument, a), state_id=a.state, instrument_id=row.instrument, type=a.type,
            date=a.date, effective_date=a.effective_date,
            date_on=S.date_bounds(a.date)[1],
            effective_on=S.date_bounds(a.effective_date or a.date)[1],
            legal_effect=a.legal_effect, article=a.article, target_state_id=a.target_state,
            text=a.text, summary=a.summary, footnote_text=a.footnote_text, unverified=a.unverified,
            origin=row.origin, source_id=src.id(a.source), file=f"{row.at.file}:{line}",
            first_recorded=a.first_recorded, recorded=a.first_recorded or a.source.as_at))
        if a.type in STATEMENT_KINDS or a.type in WITHDRAWS:
            action_id = len(out["actions"])  # the actions' ids are their positions, from 1
            eif = opposes_entry_into_force(a.text) if a.type == "objection" else None
            for ref in statement_references(row.instrument, a, ds.words.get(row.instrument), ds.override_refs):
                out["statement_articles"].append(dict(id=len(out["statement_articles"]) + 1, action_id=action_id,
                                                      instrument_id=row.instrument, state_id=a.state, type=a.type, **ref,
                                                      opposes_entry_into_force=None if eif is None else int(eif)))
    for loc in ds.coverage:
        c: S.StateCoverage = loc.record
        line, _ = loc.where()
        for inst in c.instruments:
            out["state_coverage"].append(dict(id=len(out["state_coverage"]) + 1, state_id=c.state, instrument_id=inst,
                                              from_on=c.date, known_to=c.source.as_at, ratified=inst in c.ratified,
                                              source_id=src.id(c.source), file=f"{loc.file}:{line}"))
    for loc in ds.expected_counts:
        e: S.ExpectedCount = loc.record
        out["expected_counts"].append(dict(instrument_id=e.instrument, as_of=e.as_of, measure=e.measure,
                                           value=e.value, basis=e.basis, source_id=src.id(e.source)))
    for order, loc in enumerate(ds.procedures):
        p: S.Procedure = loc.record
        out["procedures"].append(dict(id=p.id, instrument_id=p.instrument, article=p.article, kind=p.kind, mode=p.mode,
                                      opt_out_article=p.opt_out_article, title=p.title, source_id=src.id(p.source),
                                      sort_order=order))
    ask_id = 0
    for loc in ds.asks:
        f: S.AsksFile = loc.record
        d = f.document
        t = d.totals
        out["ask_documents"].append(dict(id=d.id, title=d.title, kind=d.kind, author=d.author, date=d.date,
                                         date_on=S.date_bounds(d.date)[1], symbol=d.symbol, url=d.url,
                                         addressee_id=d.addressee, source_id=src.id(d.source),
                                         council_adoption=d.council_adoption,
                                         total_recommendations=t.recommendations if t else None,
                                         total_supported=t.supported if t else None,
                                         total_partially_supported=t.partially_supported if t else None,
                                         total_noted=t.noted if t else None, totals_note=t.note if t else None,
                                         totals_source_id=src.id(t.source) if t else None, incomplete=d.incomplete))
        seen: dict[str, int] = {}
        for i, a in enumerate(f.asks):
            ask_id += 1
            ref = a.ref if a.ref is not None else f"#{i + 1}"  # no paragraph known: the ask's place in the file
            seen[ref] = seen.get(ref, 0) + 1
            key = f"{d.id}/{ref}" + (f"/{seen[ref]}" if seen[ref] > 1 else "")
            line, _ = loc.loaded.where(("asks", i))
            out["asks"].append(dict(id=ask_id, key=key, document_id=d.id, ref=a.ref, by=json.dumps(a.by, ensure_ascii=False),
                                    text=a.text, summary=a.summary, action=a.action, article=a.article,
                                    response=a.response,
                                    response_source_id=src.id(a.response_source) if a.response_source else None,
                                    note=a.note, file=f"{loc.file}:{line}", not_tracked_reason=a.not_tracked_reason))
            none = dict(mechanism=None, mandate=None, event_kind=None)
            out["ask_targets"] += [dict(ask_id=ask_id, instrument_id=inst, organization=None, **none) for inst in a.instruments]
            if a.organization:
                out["ask_targets"].append(dict(ask_id=ask_id, instrument_id=None, organization=a.organization, **none))
            out["ask_targets"] += [dict(ask_id=ask_id, instrument_id=t.instrument, organization=None, mechanism=t.mechanism,
                                        mandate=t.mandate, event_kind=t.kind) for t in a.engagement]
    keys: dict[str, int] = {}
    for loc in sorted(ds.engagement, key=lambda l: (l.record[0], S.date_bounds(l.record[1].date)[0], l.file, l.where()[0])):
        state, e = loc.record
        base = "/".join([state, e.mechanism, *([e.instrument or e.mandate] if (e.instrument or e.mandate) else []), e.date, e.kind])
        keys[base] = keys.get(base, 0) + 1
        line, _ = loc.where()
        out["engagement_events"].append(dict(
            key=base + (f"/{keys[base]}" if keys[base] > 1 else ""), state_id=state, mechanism=e.mechanism,
            instrument_id=e.instrument, mandate=e.mandate, kind=e.kind, date=e.date, end_date=e.end_date,
            date_from=S.date_bounds(e.date)[0], date_to=S.date_bounds(e.end_date or e.date)[1], symbol=e.symbol,
            report=e.report, summary=e.summary, quote=e.quote, note=e.note, source_id=src.id(e.source),
            file=f"{loc.file}:{line}"))
    out["treaty_provisions"] = _provision_rows(ds, src)
    for vocab, terms in S.VOCABULARIES.items():
        out["vocabulary"] += [dict(vocabulary=vocab, term=t, definition=d) for t, d in terms.items()]
    out["sources"] = src.rows()
    return out


#: The languages the site speaks besides English (kb/web/i18n.py LANGUAGES): each state's name in each, from CLDR.
NAME_LANGUAGES = ("ko",)
DEPOSITARY_NAMES = "data/states.yaml: the depositary's name, the short name and the aliases"
CURATED_NAMES = "data/states.yaml aliases_by_language: curated"


def cldr_source() -> str:
    """Where the build's names in other languages come from: 'CLDR 47 (Babel 2.18.0)'."""
    import babel
    from babel.core import get_cldr_version

    return f"CLDR {get_cldr_version()} (Babel {babel.__version__})"


def language_names(ds: Dataset, english: list[dict]) -> list[dict]:
    """Each state's name in each of NAME_LANGUAGES as CLDR gives it for its alpha-2 code (Babel's locale data),
    then the curated aliases of data/states.yaml in those languages; a name another state already has is left
    out (a name means one state)."""
    from babel import Locale

    source = cldr_source()
    owner = {r["name_key"]: r["state_id"] for r in english}
    out: list[dict] = []

    def add(name: str, state_id: str, kind: str, lang: str, src: str) -> None:
        key = S.name_key(name)
        if key and key not in owner:
            owner[key] = state_id
            out.append(dict(name=unicodedata.normalize("NFC", name.strip()), state_id=state_id, kind=kind, lang=lang,
                            name_key=key, source=src))

    for lang in NAME_LANGUAGES:
        territories = Locale.parse(lang).territories
        for loc in ds.states:
            r: S.State = loc.record
            if r.alpha2 in territories:
                add(territories[r.alpha2], r.id, "cldr_name", lang, source)
        for loc in ds.states:
            r = loc.record
            for n in r.aliases_by_language.get(lang, []):
                add(n, r.id, "alias", lang, CURATED_NAMES)
    return out


def _provision_rows(ds: Dataset, src: _Sources) -> list[dict]:
    """treaty_provisions: each text's articles and their provisions, depth first in the treaty's order."""
    rows: list[dict] = []
    for loc in sorted(ds.texts, key=lambda l: l.record.instrument):
        f: S.TextFile = loc.record
        sid = src.id(f.source)
        order = 0

        def add(node, article: str, path: str, parent: str | None, level: int) -> None:
            nonlocal order
            rows.append(dict(id=len(rows) + 1, instrument_id=f.instrument, article=article, provision=path,
                             parent=parent, level=level, label=node.id,
                             title=getattr(node, "title", None), text=node.text, text_after=node.text_after,
                             sort_order=order, source_id=sid))
            order += 1
            for child in node.items:
                add(child, article, f"{path}({child.id})", path, level + 1)

        for a in f.articles:
            add(a, a.id, a.id, None, 0)
    return rows


def latest_as_at(ds: Dataset) -> str | None:
    """The data's date: the latest as-at date of a status source that records status (an
    instrument complete for some state; ILO pointers record none), full dates only."""
    dates = [loc.record.status_source.as_at for loc in ds.instruments
             if loc.record.complete_for and len(loc.record.status_source.as_at) == 10]
    return max(dates) if dates else None


def data_version(ds: Dataset, digest: str) -> str:
    """The build's version: the data's latest as-at date and the data digest's first 8 hex digits."""
    return f"{latest_as_at(ds) or 'undated'}+{digest[:8]}"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)  # transactions are explicit
    # The file is temporary until it is checked, fsynced and renamed: a journal on disk and
    # syncs in between only cost time (a crash leaves a temporary file, removed next time).
    conn.execute("PRAGMA journal_mode = MEMORY")
    conn.execute("PRAGMA synchronous = OFF")
    # Foreign keys are checked once, over the whole database, by check_database
    # (PRAGMA foreign_key_check), not row by row while the rows go in.
    conn.execute("PRAGMA foreign_keys = OFF")
    return conn


INSERT_ORDER = ("sources", "instruments", "instrument_sources", "instrument_titles", "entry_into_force_clauses", "states", "state_names", "memberships",
                "coverage", "state_coverage", "actions", "expected_counts", "vocabulary", "procedures",
                "ask_documents", "asks", "ask_targets", "engagement_events", "treaty_provisions", "statement_articles")


def write_database(ds: Dataset, path: Path, digest: str, extra: dict[str, str] | None = None) -> None:
    """The tables (kb/db/sql/schema.sql, written from kb/db/models.py), the rows, the views, the
    search index and the materialised derivations, in one transaction; then the checks and ANALYZE."""
    rows = _rows(ds)
    conn = _connect(path)
    try:
        conn.execute("BEGIN")
        for stmt in sql_statements(sql_text("schema")):
            conn.execute(stmt)
        for name in INSERT_ORDER:
            if rows[name]:
                # The rows are already the columns' values; each names only columns of its table.
                columns = {r[1] for r in conn.execute(f"PRAGMA table_info({name})")}
                cols = [c for c in rows[name][0] if c in columns]
                conn.executemany(
                    f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                    [tuple(r.get(c) for c in cols) for r in rows[name]])
        for stmt in views_sql().split(";\n\n"):
            if stmt.strip():
                conn.execute(stmt)
        for stmt in sql_statements(sql_text("fts")):
            conn.execute(stmt)
        conn.execute(
            "INSERT INTO consent_in_force (action_id, state_id, instrument_id, consent_type, consent_date,"
            " in_force_date, basis, article, note, bound_until) SELECT * FROM consent_in_force_view ORDER BY action_id")
        conn.execute(
            "INSERT INTO status_intervals (state_id, instrument_id, valid_from, valid_to, status, signature_date,"
            " consent_date, consent_type, withdrawal_date, signature_action_id, consent_action_id,"
            " withdrawal_action_id, source_id, in_force_date, covered_to) SELECT * FROM status_intervals_view"
            " ORDER BY state_id, instrument_id, valid_from")
        conn.execute(
            "INSERT INTO procedure_intervals (state_id, instrument_id, procedure_id, article, procedure_kind,"
            " valid_from, valid_to, accepted, since, deposit_date, reason, source_id, procedure_order)"
            " SELECT * FROM procedure_intervals_view ORDER BY state_id, instrument_id, valid_from, procedure_id")
        info = {
            "version": data_version(ds, digest),
            "kb_version": __version__,
            "data_digest": digest,
            "status_as_at": ", ".join(sorted({r["status_as_at"] for r in rows["instruments"]})),
            "actions": str(len(rows["actions"])),
            "superseded_imported_actions": str(len(ds.superseded)),
            "instruments": str(len(rows["instruments"])),
            "states": str(len(rows["states"])),
            "engagement_events": str(len(rows["engagement_events"])),
            "state_names_source": cldr_source(),
            **(extra or {}),
        }
        conn.executemany("INSERT INTO build_info (key, value) VALUES (?, ?)", list(info.items()))
        conn.execute("COMMIT")
        problems = check_database(conn, ds)
        conn.execute("ANALYZE")
        if problems:
            raise DataErrors(problems)
    finally:
        conn.close()


def check_database(conn, ds: Dataset) -> list[Problem]:
    ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if ok != "ok":
        raise BuildError(f"integrity_check failed on the new database: {ok}")
    bad = conn.execute("PRAGMA foreign_key_check").fetchall()
    if bad:
        raise BuildError(f"foreign_key_check failed on the new database: {bad[:5]}")
    problems = []
    mism = conn.execute(
        "SELECT e.rowid, r.instrument_id, r.measure, r.basis, r.expected, r.derived FROM reconciliation r"
        " JOIN expected_counts e ON e.instrument_id = r.instrument_id AND e.measure = r.measure AND e.basis = r.basis"
        " AND e.as_of = r.as_of WHERE r.expected != r.derived").fetchall()
    for rowid, inst, measure, basis, expected, derived in mism:
        loc = ds.expected_counts[rowid - 1]
        problems.append(loc.problem(
            f"{inst}: the source states {expected} {measure} ({basis}) but the data derives {derived}: "
            "an action is missing, extra or mis-typed"))
    return problems


SQLITE_HEADER = b"SQLite format 3\x00"


def check_target(data_dir: Path, db_path: Path) -> None:
    """Refuse a target that would replace something that is not a database: a file inside the
    data directory (a curated file, or where the build's lock and cache would land), or an
    existing file that is not SQLite. Called before anything is written."""
    data = data_dir.resolve()
    target = db_path.resolve()
    if target == data or data in target.parents:
        raise BuildError(f"--db {db_path} is inside the data directory {data_dir}: the database is built from the "
                         "data and must be written elsewhere (e.g. --db kb.db); nothing was written")
    if target.is_file():
        try:
            with open(target, "rb") as f:
                head = f.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise BuildError(f"cannot read {db_path}: {exc.strerror}: choose another --db") from None
        if head and head != SQLITE_HEADER:
            raise BuildError(f"--db {db_path} exists and is not a SQLite database: a build would replace it; "
                             "choose another file or move this one away; nothing was written")
    elif target.exists():
        raise BuildError(f"--db {db_path} exists and is not a file: choose another --db; nothing was written")


def build(data_dir: Path, db_path: Path, today: str | None = None, use_cache: bool = True) -> dict:
    """Validate and build; replace db_path only if everything succeeded.

    With use_cache (the default) a database already built from the same data files, code
    and date rules is left as it is, and unchanged files are not parsed again (a per-file
    cache keyed by content in .kb-cache/ beside the database)."""
    db_path = db_path.resolve()
    check_target(data_dir, db_path)
    if not db_path.parent.is_dir():
        raise BuildError(f"directory {db_path.parent} does not exist: create it or choose another --db")
    if not os.access(db_path.parent, os.W_OK):
        raise BuildError(f"directory {db_path.parent} is not writable: choose another --db or fix its permissions")
    same, info, digest, code = up_to_date(data_dir, db_path, today)
    if use_cache and same:
        return {"db": str(db_path), "skipped": True, "digest": digest,
                "actions": int(info.get("actions", 0)), "instruments": int(info.get("instruments", 0)),
                "states": int(info.get("states", 0)), "superseded": int(info.get("superseded_imported_actions", 0))}
    cache = FileCache(db_path.parent / ".kb-cache") if use_cache else None
    ds = validate(data_dir, today=today, cache=cache)
    with build_lock(db_path):
        # Holding the lock, no other build of this target runs: any temporary file left here
        # is from a build that was killed, and is removed.
        for stale in db_path.parent.glob(f".{db_path.name}.building-*"):
            stale.unlink(missing_ok=True)
        tmp = db_path.with_name(f".{db_path.name}.building-{os.getpid()}")
        try:
            try:
                write_database(ds, tmp, digest, extra={"code_digest": code, "today": today or ""})
            except sqlite3.OperationalError as exc:
                reason = str(exc)
                raise BuildError(f"cannot write {db_path}: SQLite says '{reason}': "
                                 "check free space and the file size limit, then build again") from None
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, db_path)
            dfd = os.open(db_path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                raise BuildError(f"no space left to write {db_path} ({exc.strerror}): free space and build again") from None
            raise BuildError(f"cannot write {tmp}: {exc.strerror}") from None
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
                if leftover.exists():
                    leftover.unlink()
    return {"db": str(db_path), "skipped": False, "actions": len(ds.actions), "instruments": len(ds.instruments),
            "states": len(ds.states), "superseded": len(ds.superseded), "digest": digest}
