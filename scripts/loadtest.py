#!/usr/bin/env python3
"""Load test for `kb serve`: concurrent keep-alive clients on loopback.

Starts `python -m kb serve [--public] --db DB --port <free port>` itself (after
`kb build` when --build is given), waits until it answers, then for each
concurrency in --clients runs that many clients for --duration seconds over a
mix of pages and JSON endpoints, and finally runs the status JSON endpoint alone
with 10 clients (goal: >= 300 req/s and no errors). Prints, per endpoint and
overall: requests, throughput (req/s), p50 and p99 latency (ms) and errors
(non-2xx answers or exceptions, including requests still unanswered 5 s after
the run's end, counted as TimeoutError). The server is stopped at the end.

Only the standard library is used (asyncio streams, raw HTTP/1.1); every
request goes to 127.0.0.1.

    python scripts/loadtest.py --duration 10
    python scripts/loadtest.py --build --public --clients 10,50 --db /tmp/kb.db
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STATUS_PATH = "/kb/status_on.json?as_of=2026-02-03&states=PRK&instruments=&_shape=array"
MIX = [
    "/",
    "/kb",
    "/kb/actions",
    STATUS_PATH,
    "/kb/latest_status.json?state_id=PRK",
    "/country/PRK",
    "/instrument/CAT",
]
OPTIONAL = {"/country/PRK", "/instrument/CAT"}  # only when the server answers them with 200
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

    async def get(self, path: str) -> tuple[int, int]:
        """(status, body length). Reopens the connection when the server closed it."""
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nAccept-Encoding: identity\r\n"
                          f"User-Agent: kb-loadtest\r\n\r\n".encode("latin-1"))
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
                 budget: list[int]) -> None:
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
                status, _ = await asyncio.wait_for(conn.get(path), timeout)
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


async def run(port: int, paths: list[str], clients: int, duration: float) -> tuple[dict[str, Stats], float]:
    stats = {p: Stats() for p in paths}
    budget = [MAX_REQUESTS_PER_RUN]
    t0 = time.monotonic()
    stop_at = t0 + duration
    await asyncio.gather(*(client(port, paths, k, stop_at, stats, budget) for k in range(clients)))
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


def start_server(db: Path, port: int, public: bool, workers: int = 1) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "kb", "serve", "--db", str(db), "--port", str(port), "--host", HOST,
           "--workers", str(workers)]
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


async def probe(port: int, paths: list[str]) -> dict[str, int]:
    conn = Connection(port)
    out = {}
    try:
        for path in paths:
            out[path] = (await asyncio.wait_for(conn.get(path), REQUEST_TIMEOUT))[0]
    finally:
        await conn.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=ROOT / "kb.db", help="database to serve (default: kb.db)")
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="data directory for --build")
    ap.add_argument("--build", action="store_true", help="run `kb build` first")
    ap.add_argument("--public", action="store_true", help="serve with `kb serve --public`")
    ap.add_argument("--workers", type=int, default=1, help="server processes (`kb serve --workers`, default 1)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds per run (default 30, at most 600)")
    ap.add_argument("--clients", default="10,50", help="comma-separated concurrencies (default 10,50; each at most 500)")
    ap.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    duration = max(1.0, min(args.duration, 600.0))
    concurrencies = [max(1, min(int(c), 500)) for c in args.clients.split(",") if c.strip()]

    if args.build:
        r = subprocess.run([sys.executable, "-m", "kb", "build", "--data", str(args.data), "--db", str(args.db)], cwd=ROOT)
        if r.returncode:
            return r.returncode
    if not args.db.exists():
        print(f"{args.db} not found: build it first (or pass --build)", file=sys.stderr)
        return 2

    port = free_port()
    server = start_server(args.db, port, args.public, args.workers)
    results: dict = {"public": args.public, "duration": duration, "runs": {}}
    try:
        codes = asyncio.run(probe(port, MIX))
        paths = [p for p in MIX if p not in OPTIONAL or codes.get(p) == 200]
        skipped = [p for p in MIX if p not in paths]
        print(f"kb serve{' --public' if args.public else ''} on {HOST}:{port}; probe: "
              + ", ".join(f"{p} {c}" for p, c in codes.items()))
        if skipped:
            print("skipped (not 200): " + ", ".join(skipped))
        for c in concurrencies:
            stats, elapsed = asyncio.run(run(port, paths, c, duration))
            results["runs"][f"mix/{c}"] = report(f"mix, {c} clients", stats, elapsed)
        stats, elapsed = asyncio.run(run(port, [STATUS_PATH], 10, duration))
        res = results["runs"]["status/10"] = report("status JSON only, 10 clients", stats, elapsed)
        ok = res["overall"]["rps"] >= 300 and res["overall"]["errors"] == 0
        print(f"\nstatus JSON goal (>= 300 req/s, 0 errors): {'met' if ok else 'NOT met'} "
              f"({res['overall']['rps']:.1f} req/s, {res['overall']['errors']} errors)")
        results["status_goal_met"] = ok
    finally:
        stop_server(server)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
