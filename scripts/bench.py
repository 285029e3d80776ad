#!/usr/bin/env python3
"""Benchmark the build and the queries against the limit, side by side in one run.

    python scripts/bench.py [--runs N] [--synthetic | --no-synthetic] [--keep DIR] [--seed S] [--profile]

First, whole processes on the real data (start-up and imports included, medians): `kb --help` and
`kb status PRK --format json` against `python -c "import click, sqlite3, json"`; `kb build --no-cache`
into a fresh path against a process that parses every data file with libyaml (yaml.CSafeLoader);
a no-change `kb build` against the full build.  Goals: kb --help <= 2 x, kb status <= 3 x the bare
interpreter; build <= 1.5 x libyaml; no-change <= 0.1 x full.  --processes-only runs just these.

For each dataset (the real data/ and, unless --no-synthetic, a synthetic knowledge base of
100,000 actions over 200 states and 500 instruments) it measures, as medians of N runs:

  (a) the limit: libyaml parse (yaml.CSafeLoader, plain) of every data file, and a raw
      ``executemany`` of the same rows (actions with their source fields, states, instruments,
      memberships) into simple SQLite tables with the same indexes on actions, then commit;
  (b) a full build: ``kb.db.build.build(..., use_cache=False)`` into a fresh target;
  (c) a no-change rebuild: ``build(...)`` again on the same target with ``use_cache=True``;
  (d) status on a date for one state (the ``status_on`` SQL through sqlite3), the obligations of
      one state (``obligations_on``), and the country profile page through Datasette's
      ``ds.client`` against a trivial ``select 1`` JSON request on the same server.

Every measurement of (a)-(d) runs in its own child process (this script with --child), which
reports its own wall time (after its imports) and its own peak RSS (ru_maxrss), so runs do not
share memory, caches or a warm interpreter.

Goals (ratios measured in the same run):
  full build <= 1.5 x the limit;  no-change rebuild <= 0.1 x a full build;
  at 100,000 actions: status on a date for one state <= 20 ms, peak memory of a build <= 1 GB;
  country profile p50 <= 1.5 x the select-1 JSON request p50.

Tables go to stdout; progress to stderr. --profile adds, for each failed goal of the build or the
page, the top 15 lines of a cProfile (sorted by cumulative time). Exit status: 0 when every
goal passes, 1 when one fails.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing

GOAL_BUILD = 1.5
GOAL_REBUILD = 0.1
GOAL_STATUS_MS = 20.0
GOAL_RSS_MB = 1024.0
GOAL_PAGE = 1.5

QUERY_REPS = 50     # sqlite3 queries, after one cold call
PAGE_WARMUP = 5
PAGE_REQUESTS = 50


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


# =========================================================================== children
# Each runs in a fresh interpreter: `python scripts/bench.py --child KIND JSON-ARGS`; it prints
# one JSON object on its last stdout line.

def _plain(v):
    """CSafeLoader turns dates into date objects: store them as the ISO text the KB uses."""
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


LIMIT_SCHEMA = """
CREATE TABLE instruments (id TEXT PRIMARY KEY, title TEXT, short_title TEXT, abbreviation TEXT, kind TEXT,
    parent_id TEXT, regime TEXT, depositary TEXT, adopted TEXT, adopted_place TEXT, entry_into_force TEXT,
    mtdsg TEXT, unts_volume INTEGER, unts_page INTEGER, registration TEXT, monitoring_body TEXT, url TEXT,
    status_url TEXT, status_title TEXT, status_as_at TEXT, complete_for TEXT, note TEXT);
CREATE TABLE states (id TEXT PRIMARY KEY, alpha2 TEXT, name TEXT, short_name TEXT, kind TEXT, note TEXT);
CREATE TABLE memberships (id INTEGER PRIMARY KEY, state_id TEXT, organization TEXT, member INTEGER, since TEXT,
    until TEXT, note TEXT, src_url TEXT, src_title TEXT, src_as_at TEXT, src_symbol TEXT, src_footnote TEXT,
    src_note TEXT);
CREATE TABLE actions (id INTEGER PRIMARY KEY, instrument_id TEXT, state_id TEXT, type TEXT, date TEXT,
    effective_date TEXT, legal_effect TEXT, article TEXT, target_state_id TEXT, text TEXT, summary TEXT,
    footnote_text TEXT, unverified TEXT, origin TEXT, src_url TEXT, src_title TEXT, src_as_at TEXT,
    src_symbol TEXT, src_footnote TEXT, src_note TEXT);
CREATE INDEX actions_pair ON actions (state_id, instrument_id, date);
CREATE INDEX actions_instrument ON actions (instrument_id, type);
CREATE INDEX actions_type ON actions (type);
"""

_SRC = ("url", "title", "as_at", "symbol", "footnote", "note")


def _src(s) -> tuple:
    s = s or {}
    return tuple(_plain(s.get(k)) for k in _SRC)


def child_limit(a: dict) -> dict:
    import sqlite3

    import yaml

    from kb.data.files import data_files

    files = [f for f in data_files(Path(a["data"])) if f.exists()]
    out = Path(a["out"])
    for p in (out, out.with_name(out.name + "-journal")):
        if p.exists():
            p.unlink()
    c0, t0 = time.process_time(), time.perf_counter()
    docs = [(f, yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)) for f in files]
    t1 = time.perf_counter()
    instruments, states, memberships, actions = [], [], [], []
    for f, d in docs:
        if not isinstance(d, dict):
            continue
        if "instruments" in d:
            for r in d["instruments"]:
                st = r.get("status_source") or {}
                cf = r.get("complete_for")
                instruments.append((
                    r["id"], r.get("title"), r.get("short_title"), r.get("abbreviation"), r.get("kind"),
                    r.get("parent"), r.get("regime"), r.get("depositary"), _plain(r.get("adopted")),
                    r.get("adopted_place"), _plain(r.get("entry_into_force")), r.get("mtdsg"),
                    r.get("unts_volume"), r.get("unts_page"), r.get("registration"), r.get("monitoring_body"),
                    r.get("url"), st.get("url"), st.get("title"), _plain(st.get("as_at")),
                    cf if isinstance(cf, str) else ",".join(cf or []), r.get("note")))
        elif "states" in d:
            for r in d["states"]:
                states.append((r["id"], r.get("alpha2"), r.get("name"), r.get("short_name"), r.get("kind"), r.get("note")))
                for m in r.get("memberships") or []:
                    memberships.append((r["id"], m.get("organization"), m.get("member", True), _plain(m.get("since")),
                                        _plain(m.get("until")), m.get("note")) + _src(m.get("source")))
        elif "actions" in d and "instrument" in d:
            inst = d["instrument"]
            origin = "imported" if "imported" in f.parts else "curated"
            for x in d["actions"]:
                actions.append((inst, x.get("state"), x.get("type"), _plain(x.get("date")),
                                _plain(x.get("effective_date")), x.get("legal_effect", "effective"),
                                None if x.get("article") is None else str(x.get("article")), x.get("target_state"),
                                x.get("text"), x.get("summary"), x.get("footnote_text"), x.get("unverified"),
                                origin) + _src(x.get("source")))
    conn = sqlite3.connect(out)
    conn.executescript(LIMIT_SCHEMA)
    with conn:
        conn.executemany("INSERT INTO instruments VALUES (" + ",".join("?" * 22) + ")", instruments)
        conn.executemany("INSERT INTO states VALUES (?,?,?,?,?,?)", states)
        conn.executemany("INSERT INTO memberships (state_id, organization, member, since, until, note, src_url,"
                         " src_title, src_as_at, src_symbol, src_footnote, src_note) VALUES (" + ",".join("?" * 12) + ")",
                         memberships)
        conn.executemany("INSERT INTO actions (instrument_id, state_id, type, date, effective_date, legal_effect,"
                         " article, target_state_id, text, summary, footnote_text, unverified, origin, src_url,"
                         " src_title, src_as_at, src_symbol, src_footnote, src_note) VALUES (" + ",".join("?" * 19) + ")",
                         actions)
    conn.close()
    t2, c2 = time.perf_counter(), time.process_time()
    return {"parse_s": t1 - t0, "insert_s": t2 - t1, "total_s": t2 - t0, "cpu_s": c2 - c0, "files": len(files),
            "rows": {"instruments": len(instruments), "states": len(states), "memberships": len(memberships),
                     "actions": len(actions)},
            "maxrss_mb": _maxrss_mb()}


def _build_kwargs(use_cache: bool) -> tuple[dict, bool]:
    import inspect

    from kb.db.build import build

    has = "use_cache" in inspect.signature(build).parameters
    return ({"use_cache": use_cache} if has else {}), has


def child_build(a: dict) -> dict:
    from kb.db.build import build

    kw, has = _build_kwargs(bool(a["use_cache"]))
    c0, t0 = time.process_time(), time.perf_counter()
    info = build(Path(a["data"]), Path(a["db"]), **kw)
    t1, c1 = time.perf_counter(), time.process_time()
    return {"seconds": t1 - t0, "cpu_s": c1 - c0, "skipped": bool(info.get("skipped", False)), "cache_param": has,
            "actions": info.get("actions"), "instruments": info.get("instruments"), "states": info.get("states"),
            "maxrss_mb": _maxrss_mb()}


async def _page_requests(db: Path, state: str, as_of: str, n: int, warmup: int, settings: dict | None = None,
                         profile=None) -> dict:
    from kb.web.app import make_datasette

    ds = make_datasette(db, settings=settings or {})
    await ds.invoke_startup()
    name = db.stem
    page = f"/country/{state}"
    note = ""
    r = await ds.client.get(page)
    if r.status_code != 200:
        note = f"{page} answered {r.status_code}: measured the status_on JSON instead"
        page = f"/{name}/status_on.json?as_of={as_of}&states={state}&instruments=&_shape=array"
        r = await ds.client.get(page)
        if r.status_code != 200:
            raise RuntimeError(f"{page} answered {r.status_code}")
    trivial = f"/{name}.json?sql=select+1&_shape=array"
    r = await ds.client.get(trivial)
    if r.status_code != 200:
        raise RuntimeError(f"{trivial} answered {r.status_code}: {r.text[:200]}")
    for _ in range(warmup):
        await ds.client.get(page)
        await ds.client.get(trivial)
    page_ms, one_ms = [], []
    for i in range(n):
        # Alternate which goes first so drift affects both alike.
        order = ((page, page_ms), (trivial, one_ms)) if i % 2 == 0 else ((trivial, one_ms), (page, page_ms))
        for path, acc in order:
            prof = profile if (profile is not None and path == page) else None
            if prof:
                prof.enable()
            t0 = time.perf_counter()
            resp = await ds.client.get(path)
            acc.append((time.perf_counter() - t0) * 1000)
            if prof:
                prof.disable()
            if resp.status_code != 200:
                raise RuntimeError(f"{path} answered {resp.status_code}")
    return {"page": page, "page_note": note, "page_bytes": len(r.content) if r else 0,
            "page_ms": page_ms, "select1_ms": one_ms}


def child_queries(a: dict) -> dict:
    import asyncio
    import sqlite3

    from kb.query import sql as query_sql

    db = Path(a["db"])
    state, as_of, reps = a["state"], a["as_of"], int(a.get("reps", QUERY_REPS))
    out: dict = {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    for label, name, params in (
        ("status", "status_on", {"as_of": as_of, "states": state, "instruments": ""}),
        ("obligations", "obligations_on", {"state": state, "as_of": as_of}),
    ):
        sql = query_sql(name)
        t0 = time.perf_counter()
        rows = conn.execute(sql, params).fetchall()
        cold = (time.perf_counter() - t0) * 1000
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            conn.execute(sql, params).fetchall()
            times.append((time.perf_counter() - t0) * 1000)
        out[label] = {"cold_ms": cold, "ms": times, "rows": len(rows)}
    conn.close()
    out.update(asyncio.run(_page_requests(db, state, as_of, int(a.get("requests", PAGE_REQUESTS)), PAGE_WARMUP)))
    out["maxrss_mb"] = _maxrss_mb()
    return out


def child_profile(a: dict) -> dict:
    """cProfile of a full build (what="build") or of the page requests (what="page")."""
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    if a["what"] == "build":
        from kb.db.build import build

        kw, _ = _build_kwargs(False)
        prof.enable()
        build(Path(a["data"]), Path(a["db"]), **kw)
        prof.disable()
    else:
        import asyncio

        # num_sql_threads=0: SQL runs on the profiled thread, so it shows in the profile.
        asyncio.run(_page_requests(Path(a["db"]), a["state"], a["as_of"], 20, 3,
                                   settings={"num_sql_threads": 0}, profile=prof))
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).sort_stats("cumulative")
    if a["what"] == "build":
        stats.print_stats(15)
    else:
        # The request stack (httpx, asgi, datasette routing) wraps everything: show the page's own code,
        # its SQL and its template rendering.
        buf.write("(page requests only; restricted to kb/, sqlite3 and jinja2 entries)\n")
        stats.print_stats(r"/kb/|sqlite3|jinja2|execute", 15)
    return {"text": buf.getvalue()}


def child_plan(a: dict) -> dict:
    import sqlite3

    from kb.query import sql as query_sql

    conn = sqlite3.connect(f"file:{a['db']}?mode=ro", uri=True)
    params = {"as_of": a["as_of"], "states": a["state"], "instruments": ""}
    plan = conn.execute("EXPLAIN QUERY PLAN " + query_sql("status_on"), params).fetchall()
    n = conn.execute("SELECT count(*) FROM status_intervals").fetchone()[0]
    conn.close()
    return {"text": f"status_intervals rows: {n}\n" + "\n".join(f"{r[1]:>3} {r[3]}" for r in plan)}


CHILDREN = {"limit": child_limit, "build": child_build, "queries": child_queries, "profile": child_profile,
            "plan": child_plan}


def run_child(kind: str, **args) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, json.dumps(args)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"bench: child {kind} {args} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# =========================================================================== synthetic KB

def _dumper():
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class NoAliasDumper(base):  # type: ignore[misc, valid-type]
        def ignore_aliases(self, data):  # noqa: ANN001
            return True

    return NoAliasDumper


def _write_yaml(path: Path, doc, header: str, dumper) -> None:
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        yaml.dump(doc, f, Dumper=dumper, sort_keys=False, allow_unicode=True, width=110)


def make_synthetic(real: Path, out: Path, seed: int, n_actions: int = 100_000, n_states: int = 200,
                   n_instruments: int = 500) -> dict:
    """Write a synthetic data directory shaped like the real one; deterministic for a seed."""
    from kb.data.loader import load_file

    rng = random.Random(seed)
    dumper = _dumper()
    hdr = f"# SYNTHETIC benchmark data written by scripts/bench.py (seed {seed}); not real facts.\n"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    # --- instruments: the shape of a real UN instrument record, fresh ids.
    real_instruments = load_file(real / "treaties.yaml").data["instruments"]
    template = next(r for r in real_instruments if r.get("regime") == "UN" and r.get("complete_for") == "all"
                    and not r.get("parent"))
    ids = [f"SYN{i:04d}" for i in range(1, n_instruments + 1)]
    instruments = []
    for n, iid in enumerate(ids, 1):
        r = copy.deepcopy(template)
        url = f"https://example.org/syn/{iid}"
        r.update(id=iid, title=f"Synthetic Convention No. {n}", short_title=f"Synthetic Convention {n}",
                 abbreviation=iid, kind="convention", parent=None, regime="UN", adopted="1950-01-01",
                 entry_into_force="1951-01-01", mtdsg=f"SYN-{n}", registration=None, url=url, complete_for="all",
                 note="Synthetic record for the benchmark.")
        r["status_source"] = {"url": url + "/status", "title": f"Synthetic status list of {iid}", "as_at": "2026-02-03"}
        r["sources"] = [dict(s, url=url) for s in copy.deepcopy(template["sources"])]
        instruments.append(r)
    _write_yaml(out / "treaties.yaml", {"instruments": instruments}, hdr, dumper)

    # --- states: the real records (with their memberships), plus user-assigned codes if more are asked for.
    real_states = load_file(real / "states.yaml").data["states"]
    states = copy.deepcopy(real_states[:n_states])
    used3 = {s["id"] for s in states}
    used2 = {s["alpha2"] for s in states}
    extra = ((f"X{a}{b}", f"X{a}") for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    while len(states) < n_states:
        a3, a2 = next(extra)
        if a3 in used3 or a2 in used2:
            continue
        rec = copy.deepcopy(real_states[len(states) % len(real_states)])
        rec.update(id=a3, alpha2=a2, name=f"Synthetic State {a3}", short_name=f"Synthetic {a3}",
                   aliases=[], kind="state", note="Synthetic record for the benchmark.")
        states.append(rec)
        used3.add(a3)
        used2.add(a2)
    _write_yaml(out / "states.yaml", {"states": states}, hdr, dumper)
    state_ids = [s["id"] for s in states]

    # --- procedures: the real ones, moved onto synthetic instruments (one per real instrument).
    procedures = []
    real_procs = load_file(real / "procedures.yaml").data.get("procedures") or [] if (real / "procedures.yaml").exists() else []
    mapping: dict[str, str] = {}
    for p in real_procs:
        syn = mapping.setdefault(p["instrument"], ids[(len(mapping) * 7) % len(ids)])
        q = copy.deepcopy(p)
        q["id"] = f"{syn}-{p['id']}"
        q["instrument"] = syn
        procedures.append(q)
    _write_yaml(out / "procedures.yaml", {"procedures": procedures}, hdr, dumper)

    # --- actions: one file per instrument, data/imported/syn/<ID>.yaml.
    d = dt.date.fromisoformat
    lo, sig_hi, hi = d("1951-01-01").toordinal(), d("2018-12-31").toordinal(), d("2025-12-31").toordinal()
    den_hi = d("2024-12-31").toordinal()
    day = lambda o: dt.date.fromordinal(o).isoformat()  # noqa: E731
    per, rest = divmod(n_actions, n_instruments)
    counts = {"signature": 0, "consent": 0, "reservation": 0, "denunciation": 0}
    total = 0
    for k, iid in enumerate(ids):
        quota = per + (1 if k < rest else 0)
        src = lambda: {"url": f"https://example.org/syn/{iid}/status",  # noqa: E731
                       "title": f"Synthetic status list of {iid}", "as_at": "2026-02-03"}
        actions: list[dict] = []
        order = rng.sample(state_ids, len(state_ids))
        j = 0
        while len(actions) < quota:
            st = order[j % len(order)] if j < len(order) else None
            if st is None:  # every state used: raise the per-state count next pass (never with the defaults)
                raise SystemExit("bench: too many actions per instrument for the number of states")
            j += 1
            pair: list[dict] = []
            signed = rng.random() < 0.7
            s_day = rng.randint(lo, sig_hi)
            if signed:
                pair.append({"state": st, "type": "signature", "date": day(s_day), "source": src()})
            if not signed or rng.random() < 0.85:
                c_day = min(s_day + rng.randint(1, 2500), hi) if signed else rng.randint(lo, hi)
                pair.append({"state": st, "type": "ratification" if signed else "accession",
                             "date": day(c_day), "source": src()})
                if rng.random() < 0.15:
                    for art in sorted(rng.sample(range(1, 40), rng.randint(1, 3))):
                        pair.append({"state": st, "type": "reservation", "date": day(c_day), "article": str(art),
                                     "text": f"Synthetic reservation to article {art}.", "source": src()})
                if rng.random() < 0.03 and c_day < den_hi:
                    x_day = rng.randint(c_day + 1, den_hi)
                    pair.append({"state": st, "type": "denunciation", "date": day(x_day),
                                 "effective_date": day(x_day + 365), "source": src()})
            pair = pair[: quota - len(actions)]  # a prefix of a valid sequence is valid
            actions += pair
        for a in actions:
            t = a["type"]
            counts["consent" if t in ("ratification", "accession") else t] += 1
        total += len(actions)
        _write_yaml(out / "imported" / "syn" / f"{iid}.yaml", {"instrument": iid, "actions": actions}, hdr, dumper)
    return {"actions": total, "states": len(states), "instruments": len(instruments),
            "procedures": len(procedures), **counts}


# =========================================================================== orchestration

GOAL_HELP = 2.0     # kb --help <= 2 x python -c "import click, sqlite3, json"
GOAL_STATUS_CLI = 3.0
LIMIT_SCRIPT = """
import sys, yaml
from pathlib import Path
from kb.data.files import data_files
for f in data_files(Path(sys.argv[1])):
    if f.exists():
        yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
"""


def _wall(cmd: list[str], runs: int, before=None) -> list[float]:
    """Wall times of `cmd` as a whole process (start-up and imports included), `runs` times."""
    out = []
    for _ in range(runs):
        if before:
            before()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True)
        out.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise SystemExit(f"bench: {' '.join(cmd)} failed (exit {proc.returncode}): {proc.stderr[-2000:].decode()}")
    return out


def bench_processes(data: Path, work: Path, runs: int) -> tuple[list[str], dict]:
    """The whole-process figures: the CLI against a bare interpreter, the build against a
    whole-process libyaml parse of every data file, a no-change build against a full one."""
    work.mkdir(parents=True, exist_ok=True)
    kb = [sys.executable, "-m", "kb"]
    db, fresh = work / "kb.db", work / "fresh.db"
    subprocess.run(kb + ["build", "--data", str(data), "--db", str(db)], cwd=ROOT, check=True, capture_output=True)

    def clear_fresh():
        for p in (fresh, work / ".kb-cache"):
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()

    n = max(runs, 5)
    log(f"processes: bare interpreter, kb --help, kb status ({n} runs each)")
    base = _wall([sys.executable, "-c", "import click, sqlite3, json"], n)
    helps = _wall(kb + ["--help"], n)
    status = _wall(kb + ["status", "PRK", "--format", "json", "--db", str(db)], n)
    log(f"processes: libyaml parse, kb build --no-cache, no-change kb build ({runs} runs each)")
    limit, full, nochange = [], [], []
    for _ in range(runs):  # interleaved, so that drift in the machine's load hits all alike
        limit += _wall([sys.executable, "-c", LIMIT_SCRIPT, str(data)], 1)
        full += _wall(kb + ["build", "--no-cache", "--data", str(data), "--db", str(fresh)], 1, before=clear_fresh)
        nochange += _wall(kb + ["build", "--data", str(data), "--db", str(db)], 1)
    med = statistics.median
    r_help, r_status = med(helps) / med(base), med(status) / med(base)
    r_build, r_re = med(full) / med(limit), med(nochange) / med(full)
    goals = {"cli_help": r_help <= GOAL_HELP, "cli_status": r_status <= GOAL_STATUS_CLI,
             "process_build": r_build <= GOAL_BUILD, "process_rebuild": r_re <= GOAL_REBUILD}
    v = lambda ok: "pass" if ok else "FAIL"  # noqa: E731
    rows = [
        ('python -c "import click, sqlite3, json"', _fmt_s(med(base)), "", "", ""),
        ("kb --help", _fmt_s(med(helps)), f"{r_help:.2f} × bare", f"≤ {GOAL_HELP}", v(goals["cli_help"])),
        ("kb status PRK --format json", _fmt_s(med(status)), f"{r_status:.2f} × bare", f"≤ {GOAL_STATUS_CLI}", v(goals["cli_status"])),
        ("libyaml (CSafeLoader) parse of every file", _fmt_s(med(limit)), "", "", ""),
        ("kb build --no-cache, fresh path", _fmt_s(med(full)), f"{r_build:.2f} × libyaml", f"≤ {GOAL_BUILD}", v(goals["process_build"])),
        ("kb build, nothing changed", _fmt_s(med(nochange)), f"{r_re:.3f} × full", f"≤ {GOAL_REBUILD}", v(goals["process_rebuild"])),
    ]
    head = ("whole process (median)", "wall", "ratio", "goal", "result")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    out = [f"== whole processes: {data} ({n} runs of the CLI, {runs} of the builds, interleaved) ==",
           line(head), line(tuple("-" * w for w in widths))] + [line(r) for r in rows]
    out.append(f"kb --help / bare = {r_help:.2f} (goal ≤ {GOAL_HELP}) {v(goals['cli_help'])}; "
               f"kb status / bare = {r_status:.2f} (goal ≤ {GOAL_STATUS_CLI}) {v(goals['cli_status'])}; "
               f"build / libyaml = {r_build:.2f} (goal ≤ {GOAL_BUILD}) {v(goals['process_build'])}; "
               f"no-change / full = {r_re:.3f} (goal ≤ {GOAL_REBUILD}) {v(goals['process_rebuild'])}")
    return out, goals



def _fmt_s(x: float) -> str:
    return f"{x:.3f} s" if x < 10 else f"{x:.2f} s"


def _fmt_ms(x: float) -> str:
    return f"{x:.2f} ms" if x < 100 else f"{x:.0f} ms"


def bench_dataset(label: str, data: Path, work: Path, runs: int, state: str, as_of: str, at_scale: bool) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    db = work / "kb.db"
    for p in (db, work / ".kb-cache"):
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    lim, full, re_ = [], [], []
    for i in range(runs):
        log(f"{label}: run {i + 1}/{runs}: limit")
        lim.append(run_child("limit", data=str(data), out=str(work / "limit.db")))
        log(f"{label}: run {i + 1}/{runs}: limit {lim[-1]['total_s']:.3f} s; full build")
        full.append(run_child("build", data=str(data), db=str(db), use_cache=False))
        log(f"{label}: run {i + 1}/{runs}: full build {full[-1]['seconds']:.3f} s; no-change rebuild")
        re_.append(run_child("build", data=str(data), db=str(db), use_cache=True))
        log(f"{label}: run {i + 1}/{runs}: rebuild {re_[-1]['seconds']:.3f} s (skipped={re_[-1]['skipped']})")
    log(f"{label}: queries and pages ({state}, {as_of})")
    q = run_child("queries", db=str(db), state=state, as_of=as_of)
    return {"label": label, "data": str(data), "db": str(db), "limit": lim, "full": full, "rebuild": re_,
            "queries": q, "state": state, "as_of": as_of, "at_scale": at_scale}


def report(res: dict) -> tuple[list[str], dict]:
    """Format one dataset's table; return its lines and the pass/fail of each goal."""
    med = lambda xs: statistics.median(xs)  # noqa: E731
    spread = lambda xs, f: f"{len(xs)} ({f(min(xs))} – {f(max(xs))})" if len(xs) > 1 else "1"  # noqa: E731
    lim, full, re_, q = res["limit"], res["full"], res["rebuild"], res["queries"]
    parse = [r["parse_s"] for r in lim]
    ins = [r["insert_s"] for r in lim]
    tot = [r["total_s"] for r in lim]
    fb = [r["seconds"] for r in full]
    rb = [r["seconds"] for r in re_]
    rss_full = [r["maxrss_mb"] for r in full]
    rss_lim = [r["maxrss_mb"] for r in lim]
    cpu = lambda xs: _fmt_s(med([r["cpu_s"] for r in xs]))  # noqa: E731
    r_build = med(fb) / med(tot)
    r_build_cpu = med([r["cpu_s"] for r in full]) / med([r["cpu_s"] for r in lim])
    r_re = med(rb) / med(fb)
    st_p50, ob_p50 = med(q["status"]["ms"]), med(q["obligations"]["ms"])
    pg_p50, one_p50 = med(q["page_ms"]), med(q["select1_ms"])
    r_page = pg_p50 / one_p50
    verdict = lambda ok: "pass" if ok else "FAIL"  # noqa: E731
    goals = {
        "build": r_build <= GOAL_BUILD,
        "rebuild": r_re <= GOAL_REBUILD,
        "page": r_page <= GOAL_PAGE,
    }
    if res["at_scale"]:
        goals["status"] = st_p50 <= GOAL_STATUS_MS
        goals["memory"] = max(rss_full) <= GOAL_RSS_MB
    scale = lambda key: verdict(goals[key]) if key in goals else "(at 100k)"  # noqa: E731
    rows = [
        ("(a) limit: libyaml parse, every file", _fmt_s(med(parse)), spread(parse, _fmt_s), "", "", ""),
        ("(a) limit: raw executemany + commit", _fmt_s(med(ins)), spread(ins, _fmt_s), "", "", ""),
        ("(a) limit: parse + insert", _fmt_s(med(tot)), spread(tot, _fmt_s), f"(cpu {cpu(lim)})", "", ""),
        ("(b) full build (use_cache=False)", _fmt_s(med(fb)), spread(fb, _fmt_s),
         f"{r_build:.2f} × limit (cpu {cpu(full)}: {r_build_cpu:.2f} ×)", f"≤ {GOAL_BUILD}", verdict(goals["build"])),
        ("(c) no-change rebuild (use_cache=True)", _fmt_s(med(rb)), spread(rb, _fmt_s),
         f"{r_re:.3f} × full", f"≤ {GOAL_REBUILD}", verdict(goals["rebuild"])),
        ("peak RSS, full build (max of runs)", f"{max(rss_full):.0f} MB", spread(rss_full, lambda x: f"{x:.0f}"),
         "", f"≤ {GOAL_RSS_MB:.0f} MB", scale("memory")),
        ("peak RSS, limit", f"{med(rss_lim):.0f} MB", spread(rss_lim, lambda x: f"{x:.0f}"), "", "", ""),
        (f"(d) status_on {res['state']} {res['as_of']} p50", _fmt_ms(st_p50), f"{len(q['status']['ms'])} (cold {_fmt_ms(q['status']['cold_ms'])})",
         f"{q['status']['rows']} rows", f"≤ {GOAL_STATUS_MS:.0f} ms", scale("status")),
        (f"(d) obligations_on {res['state']} p50", _fmt_ms(ob_p50), f"{len(q['obligations']['ms'])} (cold {_fmt_ms(q['obligations']['cold_ms'])})",
         f"{q['obligations']['rows']} rows", "", ""),
        (f"(d) page {q['page'].split('?')[0]} p50", _fmt_ms(pg_p50), f"{len(q['page_ms'])} (p90 {_fmt_ms(sorted(q['page_ms'])[int(0.9 * len(q['page_ms']))])})",
         f"{r_page:.1f} × select 1", f"≤ {GOAL_PAGE}", verdict(goals["page"])),
        ("(d) select 1 JSON p50", _fmt_ms(one_p50), f"{len(q['select1_ms'])}", "", "", ""),
    ]
    head = ("figure", "median", "runs (min – max)", "ratio", "goal", "result")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    n_actions = full[0].get("actions")
    out = [f"== {res['label']}: {res['data']} ({lim[0]['files']} files, {n_actions} actions, "
           f"{full[0].get('instruments')} instruments, {full[0].get('states')} states) ==",
           line(head), line(tuple("-" * w for w in widths))]
    out += [line(r) for r in rows]
    notes = []
    if not full[0].get("cache_param", True):
        notes.append("build() has no use_cache parameter: (b) and (c) are both plain build() calls")
    if not all(r["skipped"] for r in re_):
        notes.append("the no-change rebuild did not report skipped=True")
    if q.get("page_note"):
        notes.append(q["page_note"])
    out += [f"note: {n}" for n in notes]
    out.append(f"full build / limit = {r_build:.2f} (goal ≤ {GOAL_BUILD}) {verdict(goals['build'])}; "
               f"rebuild / full build = {r_re:.3f} (goal ≤ {GOAL_REBUILD}) {verdict(goals['rebuild'])}; "
               f"page / select 1 = {r_page:.2f} (goal ≤ {GOAL_PAGE}) {verdict(goals['page'])}"
               + (f"; status p50 = {st_p50:.2f} ms (goal ≤ {GOAL_STATUS_MS:.0f}) {verdict(goals['status'])}; "
                  f"peak RSS = {max(rss_full):.0f} MB (goal ≤ {GOAL_RSS_MB:.0f}) {verdict(goals['memory'])}"
                  if res["at_scale"] else ""))
    return out, goals


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of (a)-(c) per dataset (default 3); the median is reported")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--synthetic", dest="which", action="store_const", const="synthetic",
                   help="only the synthetic KB (default: real data and synthetic)")
    g.add_argument("--no-synthetic", dest="which", action="store_const", const="real", help="only the real data")
    ap.add_argument("--keep", type=Path, help="work in DIR and keep it (synthetic data, databases)")
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="real data directory (default: data/)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the synthetic KB (default 1)")
    ap.add_argument("--actions", type=int, default=100_000, help="synthetic actions (default 100000)")
    ap.add_argument("--state", default="PRK", help="state for (d) on the real data (default PRK)")
    ap.add_argument("--as-of", default="2016-01-01", help="date for (d) (default 2016-01-01)")
    ap.add_argument("--profile", action="store_true", help="for failed goals: cProfile (top 15, cumtime) of the build or the page; query plan of status_on")
    ap.add_argument("--no-processes", action="store_true", help="skip the whole-process figures (CLI start-up, kb build)")
    ap.add_argument("--processes-only", action="store_true", help="only the whole-process figures (CLI start-up, kb build)")
    ap.add_argument("--child", nargs=2, metavar=("KIND", "JSON"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        kind, payload = args.child
        print(json.dumps(CHILDREN[kind](json.loads(payload))))
        return 0

    if args.runs < 1:
        ap.error("--runs must be at least 1")
    which = args.which or "both"
    started = time.perf_counter()
    if args.keep:
        work = args.keep.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    results = []
    try:
        if not args.no_processes:
            lines, goals = bench_processes(args.data.resolve(), work / "processes", args.runs)
            print("\n".join(lines) + "\n", flush=True)
            process_failed = not all(goals.values())
        else:
            process_failed = False
        if args.processes_only:
            log(f"done in {time.perf_counter() - started:.0f} s")
            return 1 if process_failed else 0
        if which in ("both", "real"):
            results.append(bench_dataset("real data", args.data.resolve(), work / "real", args.runs,
                                         args.state, args.as_of, at_scale=False))
        if which in ("both", "synthetic"):
            syn = work / "synthetic" / "data"
            log(f"synthetic: generating {args.actions} actions (seed {args.seed}) in {syn}")
            t0 = time.perf_counter()
            info = make_synthetic(args.data.resolve(), syn, args.seed, n_actions=args.actions)
            gen_s = time.perf_counter() - t0
            log(f"synthetic: generated in {gen_s:.1f} s: {info}")
            first = (syn / "states.yaml").read_text(encoding="utf-8").split("- id: ", 1)[1].split()[0]
            r = bench_dataset("synthetic", syn, work / "synthetic", args.runs, first, args.as_of, at_scale=args.actions >= 100_000)
            r["generated"] = info
            r["gen_s"] = gen_s
            results.append(r)
        failed_any = False
        for r in results:
            lines, goals = report(r)
            if "generated" in r:
                g_ = r["generated"]
                lines.insert(1, f"generated in {r['gen_s']:.1f} s (seed {args.seed}): {g_['actions']} actions "
                                f"({g_['signature']} signatures, {g_['consent']} consents, {g_['reservation']} reservations, "
                                f"{g_['denunciation']} denunciations), {g_['states']} states, {g_['instruments']} instruments, "
                                f"{g_['procedures']} procedures")
            print("\n".join(lines) + "\n", flush=True)
            failed_any |= not all(goals.values())
            if args.profile:
                for what, keys in (("build", ("build", "memory")), ("page", ("page",))):
                    if any(k in goals and not goals[k] for k in keys):
                        log(f"{r['label']}: profiling the {what}")
                        scratch = Path(r["db"]).with_name("profile.db")
                        p = run_child("profile", what=what, data=r["data"],
                                      db=str(scratch if what == "build" else r["db"]),
                                      state=r["state"], as_of=r["as_of"])
                        print(f"-- profile of the {what} ({r['label']}), top 15 by cumtime --")
                        body = [ln for ln in p["text"].splitlines() if ln.strip()]
                        print("\n".join(body) + "\n", flush=True)
                if "status" in goals and not goals["status"]:
                    p = run_child("plan", db=r["db"], state=r["state"], as_of=r["as_of"])
                    print(f"-- EXPLAIN QUERY PLAN of status_on ({r['label']}) --\n{p['text']}\n", flush=True)
        log(f"done in {time.perf_counter() - started:.0f} s" + (f"; kept {work}" if args.keep else ""))
        return 1 if failed_any or process_failed else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
