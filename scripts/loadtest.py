#!/usr/bin/env python3
"""Load test for `kb serve`: the research desk's page mix against `select 1`, in one run.

Starts `python -m kb serve [--public] --db DB --port <free port>` itself (after `kb build`
when --build is given) and waits until it answers. Then:

  1. the cold page: the first /instrument/CAT after start (the server has answered one
     `select 1`, so it is up), against the median of the `select 1` requests that follow:
     computed ones (sent with a Cookie header, which the response cache never answers:
     the goal's baseline, like for like with the uncached page and with a server without
     the cache) and cached ones; with --cold-runs N,
     on N fresh servers (median);
  2. for each concurrency in --clients (default 10,50), keep-alive clients on loopback
     for --duration seconds each (default 5), first on `select 1` alone, then on the page
     mix: home, three country pages, three instrument pages, two searches, the status
     JSON, a filtered table and two past `as_of` pages, every path once before the run
     (what a reader just before you asked for). The clients send Accept-Encoding
     `gzip, deflate, br` as browsers do (--encoding identity for uncompressed answers).

It prints, per endpoint and overall, requests, throughput (req/s), p50 and p99 latency
(ms) and errors (non-2xx answers, or exceptions, including requests still unanswered
5 s after the run's end, counted as TimeoutError), then the ratios against the goals:
mix throughput / select-1 throughput at 10 clients >= 0.7, mix p99 / select-1 p50 <= 10,
0 errors at every concurrency, cold /instrument/CAT / select 1 <= 30.

Only the standard library is used (asyncio streams, raw HTTP/1.1); every request goes
to 127.0.0.1. The server is stopped at the end.

    python scripts/loadtest.py
    python scripts/loadtest.py --build --public --clients 10,50 --db kb-load.db --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SELECT1 = "/kb.json?sql=select+1&_shape=array"
COLD_PAGE = "/instrument/CAT"
MIX = [
    "/",
    "/country/PRK",
    "/country/FRA",
    "/country/TTO",
    "/instrument/CAT",
    "/instrument/ICCPR",
    "/instrument/CRPD",
    "/search?q=torture",
    "/search?q=death+penalty",
    "/kb/status_on.json?as_of=2026-02-03&states=PRK&instruments=&_shape=array",
    "/kb/actions?state_id=PRK&type=reservation",
    "/country/PRK?as_of=2010-01-01",
    "/instrument/CAT?as_of=2000-01-01",
]
UNCACHED = "Cookie: kb-loadtest=uncached\r\n"  # kb serve's cache never answers a request with a Cookie
GOAL_THROUGHPUT = 0.7   # mix req/s >= 0.7 x select-1 req/s at 10 clients
GOAL_P99 = 10.0         # mix p99 <= 10 x select-1 p50
GOAL_COLD = 30.0        # cold /instrument/CAT <= 30 x select 1
MAX_REQUESTS_PER_RUN = 2_000_000  # a hard bound besides the duration
REQUEST_TIMEOUT = 30.0  # for the probe; during a run a request may last until GRACE s after the run's end
GRACE = 5.0
BODY_LIMIT = 50_000_000


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    exceptions: dict[str, int] = field(default_factory=dict)

    def merge(self, other: "Stats") -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        for k, v in other.statuses.items():
            self.statuses[k] = self.statuses.get(k, 0) + v
        for k, v in other.exceptions.items():
            self.exceptions[k] = self.exceptions.get(k, 0) + v


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


# --------------------------------------------------------------------------- HTTP/1.1 client

class Connection:
    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except Exception:  # noqa: BLE001
                pass
        self.reader = self.writer = None

    async def get(self, path: str, encoding: str = "identity", extra: str = "") -> tuple[int, int]:
        """(status, body length). Reopens the connection when the server closed it."""
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nAccept-Encoding: {encoding}\r\n"
                          f"User-Agent: kb-loadtest\r\n{extra}\r\n".encode("latin-1"))
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for ln in lines[1:]:
            if ":" in ln:
                k, v = ln.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            n = int(headers["content-length"])
            if n > BODY_LIMIT:
                raise ValueError(f"body of {n} bytes")
            body_len = len(await self.reader.readexactly(n))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body_len = 0
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                body_len += len(await self.reader.readexactly(size))
                if body_len > BODY_LIMIT:
                    raise ValueError("body too large")
                await self.reader.readexactly(2)
        else:
            body_len = len(await self.reader.read(BODY_LIMIT))
            await self.close()
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body_len


async def client(port: int, paths: list[str], offset: int, stop_at: float, stats: dict[str, Stats],
                 budget: list[int], encoding: str) -> None:
    conn = Connection(port)
    i = offset
    try:
        while time.monotonic() < stop_at and budget[0] > 0:
            budget[0] -= 1
            path = paths[i % len(paths)]
            i += 1
            st = stats[path]
            t0 = time.perf_counter()
            try:
                timeout = max(0.5, min(REQUEST_TIMEOUT, stop_at + GRACE - time.monotonic()))
                status, _ = await asyncio.wait_for(conn.get(path, encoding), timeout)
            except Exception as exc:  # noqa: BLE001 - counted, then the connection is renewed
                st.errors += 1
                name = type(exc).__name__
                st.exceptions[name] = st.exceptions.get(name, 0) + 1
                await conn.close()
                continue
            st.latencies.append((time.perf_counter() - t0) * 1000)
            st.statuses[status] = st.statuses.get(status, 0) + 1
            if not 200 <= status < 300:
                st.errors += 1
    finally:
        await conn.close()


async def run(port: int, paths: list[str], clients: int, duration: float,
              encoding: str = "identity") -> tuple[dict[str, Stats], float]:
    stats = {p: Stats() for p in paths}
    budget = [MAX_REQUESTS_PER_RUN]
    t0 = time.monotonic()
    stop_at = t0 + duration
    await asyncio.gather(*(client(port, paths, k, stop_at, stats, budget, encoding) for k in range(clients)))
    return stats, time.monotonic() - t0


def report(title: str, stats: dict[str, Stats], elapsed: float) -> dict:
    print(f"\n== {title} ({elapsed:.1f} s)")
    print(f"{'endpoint':<80} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    total = Stats()
    out = {}
    for path, st in stats.items():
        total.merge(st)
        n = len(st.latencies) + sum(st.exceptions.values())
        out[path] = row = {"requests": n, "rps": n / elapsed, "p50": percentile(st.latencies, 50),
                           "p99": percentile(st.latencies, 99), "errors": st.errors}
        print(f"{path[:80]:<80} {n:>9} {row['rps']:>8.1f} {row['p50']:>8.1f} {row['p99']:>8.1f} {st.errors:>7}")
        if st.errors:
            print(f"{'':<4}statuses {st.statuses} exceptions {st.exceptions}")
    n = len(total.latencies) + sum(total.exceptions.values())
    out["overall"] = row = {"requests": n, "rps": n / elapsed, "p50": percentile(total.latencies, 50),
                            "p99": percentile(total.latencies, 99), "errors": total.errors}
    print(f"{'overall':<80} {n:>9} {row['rps']:>8.1f} {row['p50']:>8.1f} {row['p99']:>8.1f} {total.errors:>7}")
    return out


# --------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, public: bool, workers: int = 1, extra: list[str] | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "kb", "serve", "--db", str(db), "--port", str(port), "--host", HOST,
           "--workers", str(workers), *(extra or [])]
    if public:
        cmd.append("--public")
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise SystemExit(f"kb serve exited with {p.returncode}: {p.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return p
        except OSError:
            time.sleep(0.1)
    stop_server(p)
    raise SystemExit("kb serve did not start within 60 s")


def stop_server(p: subprocess.Popen) -> None:
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p.stderr:
        p.stderr.close()


async def probe(port: int, paths: list[str], encoding: str = "identity") -> dict[str, int]:
    conn = Connection(port)
    out = {}
    try:
        for path in paths:
            out[path] = (await asyncio.wait_for(conn.get(path, encoding), REQUEST_TIMEOUT))[0]
    finally:
        await conn.close()
    return out


async def cold(port: int, encoding: str) -> dict:
    """The first COLD_PAGE after start (after one select 1), against 20 select 1 that follow
    computed by Datasette like the cold page (sent with a Cookie header, which the response
    cache never answers), and 20 answered from the cache."""
    conn = Connection(port)
    try:
        status, _ = await asyncio.wait_for(conn.get(SELECT1, encoding), REQUEST_TIMEOUT)
        if status != 200:
            raise SystemExit(f"{SELECT1} answered {status}")
        t0 = time.perf_counter()
        status, size = await asyncio.wait_for(conn.get(COLD_PAGE, encoding), REQUEST_TIMEOUT)
        page_ms = (time.perf_counter() - t0) * 1000
        fresh, cached = [], []
        for i in range(20):
            for extra, acc in ((UNCACHED, fresh), ("", cached)):
                t0 = time.perf_counter()
                await asyncio.wait_for(conn.get(SELECT1, encoding, extra), REQUEST_TIMEOUT)
                acc.append((time.perf_counter() - t0) * 1000)
    finally:
        await conn.close()
    return {"status": status, "bytes": size, "page_ms": page_ms, "select1_ms": statistics.median(fresh),
            "select1_cached_ms": statistics.median(cached)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=ROOT / "kb.db", help="database to serve (default: kb.db)")
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="data directory for --build")
    ap.add_argument("--build", action="store_true", help="run `kb build` first")
    ap.add_argument("--public", action="store_true", help="serve with `kb serve --public`")
    ap.add_argument("--workers", type=int, default=1, help="server processes (`kb serve --workers`, default 1)")
    ap.add_argument("--serve-option", action="append", default=[], metavar="OPT",
                    help="extra `kb serve` option, repeatable (e.g. --serve-option=--cache-mb=0)")
    ap.add_argument("--duration", type=float, default=5.0, help="seconds per run (default 5, at most 60)")
    ap.add_argument("--clients", default="10,50", help="comma-separated concurrencies (default 10,50; each at most 500)")
    ap.add_argument("--cold-runs", type=int, default=1, help="fresh servers for the cold page (default 1, at most 5)")
    ap.add_argument("--encoding", default="gzip, deflate, br",
                    help="Accept-Encoding the clients send (default 'gzip, deflate, br', as browsers do)")
    ap.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    duration = max(1.0, min(args.duration, 60.0))
    concurrencies = [max(1, min(int(c), 500)) for c in args.clients.split(",") if c.strip()]

    if args.build:
        r = subprocess.run([sys.executable, "-m", "kb", "build", "--data", str(args.data), "--db", str(args.db)], cwd=ROOT)
        if r.returncode:
            return r.returncode
    if not args.db.exists():
        print(f"{args.db} not found: build it first (or pass --build)", file=sys.stderr)
        return 2

    results: dict = {"public": args.public, "duration": duration, "encoding": args.encoding, "runs": {}}
    colds = []
    for _ in range(max(1, min(args.cold_runs, 5)) - 1):
        port = free_port()
        server = start_server(args.db, port, args.public, args.workers, args.serve_option)
        try:
            colds.append(asyncio.run(cold(port, args.encoding)))
        finally:
            stop_server(server)
    port = free_port()
    server = start_server(args.db, port, args.public, args.workers, args.serve_option)
    try:
        colds.append(asyncio.run(cold(port, args.encoding)))
        cold_ratio = statistics.median(c["page_ms"] / c["select1_ms"] for c in colds)
        cold_ratio_cached = statistics.median(c["page_ms"] / c["select1_cached_ms"] for c in colds)
        results["cold"] = {"runs": colds, "ratio": cold_ratio, "ratio_to_cached_select1": cold_ratio_cached}
        print(f"kb serve{' --public' if args.public else ''} {' '.join(args.serve_option)} on {HOST}:{port}")
        for c in colds:
            print(f"cold {COLD_PAGE}: {c['status']}, {c['bytes']} bytes, {c['page_ms']:.1f} ms; select 1 p50 after it "
                  f"{c['select1_ms']:.2f} ms computed, {c['select1_cached_ms']:.2f} ms cached; "
                  f"ratios {c['page_ms'] / c['select1_ms']:.1f}, {c['page_ms'] / c['select1_cached_ms']:.1f}")
        codes = asyncio.run(probe(port, MIX, args.encoding))
        bad = {p: c for p, c in codes.items() if c != 200}
        print("probe: every path answered 200" if not bad else f"probe: not 200: {bad}")
        summary = {}
        for c in concurrencies:
            stats, elapsed = asyncio.run(run(port, [SELECT1], c, duration, args.encoding))
            one = results["runs"][f"select1/{c}"] = report(f"select 1, {c} clients", stats, elapsed)
            stats, elapsed = asyncio.run(run(port, MIX, c, duration, args.encoding))
            mix = results["runs"][f"mix/{c}"] = report(f"page mix, {c} clients", stats, elapsed)
            summary[c] = (one["overall"], mix["overall"])
    finally:
        stop_server(server)

    print(f"\n== summary ({'public' if args.public else 'default'} mode, {duration:.0f} s per run, "
          f"Accept-Encoding: {args.encoding})")
    print(f"{'clients':>7} {'what':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for c, (one, mix) in summary.items():
        for name, row in (("select 1", one), ("page mix", mix)):
            print(f"{c:>7} {name:<9} {row['rps']:>8.1f} {row['p50']:>8.1f} {row['p99']:>8.1f} {row['errors']:>7}")
    goals = {}
    verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    for c, (one, mix) in summary.items():
        tp = mix["rps"] / one["rps"] if one["rps"] else float("nan")
        p99 = mix["p99"] / one["p50"] if one["p50"] else float("nan")
        errs = one["errors"] + mix["errors"]
        results.setdefault("ratios", {})[str(c)] = {"throughput": tp, "p99_over_select1_p50": p99, "errors": errs}
        line = f"{c} clients: mix/select-1 throughput {tp:.2f}"
        if c == 10:
            goals["throughput"] = tp >= GOAL_THROUGHPUT
            goals["p99"] = p99 <= GOAL_P99
            line += f" (goal >= {GOAL_THROUGHPUT}: {verdict(goals['throughput'])})"
            line += f"; mix p99 / select-1 p50 {p99:.1f} (goal <= {GOAL_P99:g}: {verdict(goals['p99'])})"
        else:
            line += f"; mix p99 / select-1 p50 {p99:.1f}"
        goals[f"errors/{c}"] = errs == 0
        line += f"; errors {errs} (goal 0: {verdict(errs == 0)})"
        print(line)
    goals["cold"] = cold_ratio <= GOAL_COLD
    print(f"cold {COLD_PAGE} / select 1 (computed): {cold_ratio:.1f} (goal <= {GOAL_COLD:g}: {verdict(goals['cold'])}); "
          f"/ select 1 (cached): {cold_ratio_cached:.1f}")
    results["goals"] = goals
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
