"""`kb export-site`: the research desk as static files, for any static host or CDN.

Every page is rendered by the live site's own Datasette application, in-process (``ds.client``),
so the export and `kb serve` share one rendering path: the same routes, handlers and templates.
The application is told it is exporting (``_kb_export``): links to what needs a server (search,
SQL, the tables, status on other dates) then point at ``live_url``, or are left out with a note.

Files are laid out so that the site's own URLs resolve on a plain static server
(`python -m http.server -d DIR`): ``/country/PRK`` is ``country/PRK/index.html`` (servers answer the
directory with a redirect to ``/country/PRK/``), ``/country/PRK.json`` is ``country/PRK.json``.
Every page is written in each of the site's languages: ``/ko/country/PRK`` is ``ko/country/PRK/index.html``.

The export is written into a temporary directory beside DIR and renamed into place only when it
is complete: a failed export leaves the previous one as it was.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

#: A file at the top of every export: the export may replace only a directory that holds it.
MARKER = ".kb-export"
#: The time limit of one page's queries while exporting (the server's is 1-2 s).
EXPORT_TIME_LIMIT_MS = 60_000


class ExportError(Exception):
    """The export could not be written (one line, what to do)."""


def _check_url(url: str | None, option: str) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ExportError(f"{option} {url!r} is not an absolute http(s) URL: write it like https://kb.example.org")
    return url.rstrip("/")


def _check_target(out: Path) -> None:
    parent = out.parent
    if not parent.is_dir():
        raise ExportError(f"directory {parent} does not exist: create it or choose another DIR")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"directory {parent} is not writable: choose another DIR or fix its permissions")
    if out.exists():
        if not out.is_dir():
            raise ExportError(f"{out} exists and is not a directory: choose another DIR")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise ExportError(f"{out} is not empty and is not a previous export (no {MARKER} file): "
                              "choose a new or empty DIR")


def export_site(db_path: Path, out: Path, live_url: str | None = None, base_url: str | None = None) -> dict:
    """Write the static site of db_path into out (replacing a previous export there).

    live_url: where `kb serve` runs; server-only links go there (left out when None).
    base_url: where the export will be published; sitemap.xml and robots.txt then give absolute
    URLs (else live_url, as the live site has the same paths; else site-relative paths).
    Returns {"dir", "pages", "files", "bytes", "as_of"}."""
    live_url = _check_url(live_url, "--live-url")
    base_url = _check_url(base_url, "--base-url")
    out = Path(os.path.abspath(out))
    db_path = Path(db_path)
    if not db_path.is_file():
        raise ExportError(f"database {db_path} not found: run `kb build` first (or pass --db)")
    _check_target(out)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.exporting-", dir=out.parent))
    except OSError as exc:
        raise ExportError(f"cannot write in {out.parent}: {exc.strerror}") from None
    try:
        try:
            info = _run(_write(db_path, tmp, live_url, base_url or live_url))
            (tmp / MARKER).write_text("Written by kb export-site; the next export replaces this directory.\n")
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; a static server serves it to anyone
        except OSError as exc:
            raise ExportError(f"cannot write the export into {out.parent}: {exc.strerror}: "
                              "check free space and permissions") from None
        old = None
        try:
            if out.exists():
                old = out.with_name(f".{out.name}.old-{os.getpid()}")
                os.rename(out, old)
            os.rename(tmp, out)
        except OSError as exc:
            if old is not None and not out.exists():
                os.rename(old, out)  # put the previous export back
            raise ExportError(f"cannot move the new export to {out}: {exc.strerror}") from None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    files = [p for p in out.rglob("*") if p.is_file() and p.name != MARKER]
    info.update(dir=str(out), files=len(files), bytes=sum(p.stat().st_size for p in files))
    return info


def _run(coro):
    """Run the export's coroutine, also from code that already runs an event loop (a notebook)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _write(db_path: Path, out: Path, live_url: str | None, site_url: str | None) -> dict:
    from .app import make_datasette, snapshot
    from .i18n import PREFIXED
    from .pages.common import default_as_of

    with tempfile.TemporaryDirectory(prefix="kb-export-") as snap_dir:
        served = snapshot(db_path, Path(snap_dir))  # a rebuild during the export changes nothing
        # Not a server: no reader waits on it, so no page may fail for taking long on a busy machine.
        ds = make_datasette(served, settings={"sql_time_limit_ms": EXPORT_TIME_LIMIT_MS})
        await ds.invoke_startup()
        db = ds.get_database()
        as_of = await default_as_of(db)
        ds._kb_export = {"live_url": live_url, "as_of": as_of}
        states = [r[0] for r in (await db.execute("SELECT id FROM states ORDER BY id")).rows]
        instruments = [r[0] for r in (await db.execute("SELECT id FROM instruments ORDER BY sort_order")).rows]

        pages = ["/", "/instrument"] + [f"/country/{s}" for s in states] + [f"/instrument/{i}" for i in instruments]
        pages += [f"/instrument/{i}/maps" for i in instruments]
        # Reservations by article: each instrument's matrix, and the page of each article of its text.
        articles = [f"/instrument/{i}/article/{n}" for i, n in (await db.execute(
            "SELECT instrument_id, provision FROM treaty_provisions WHERE level = 0 ORDER BY instrument_id, sort_order")).rows]
        pages += [f"/instrument/{i}/reservations" for i in instruments] + articles
        # Every page in each of the site's languages: /ko/country/PRK is ko/country/PRK/index.html
        # (the data, feeds and static files are one for all languages).
        pages += [f"/{lang}{p}" for lang in PREFIXED for p in list(pages)]
        data = [f"/country/{s}.{fmt}" for s in states for fmt in ("json", "csv")]
        data += [f"/instrument/{i}.{fmt}" for i in instruments for fmt in ("json", "csv")]
        data += [f"/instrument/{i}/reservations.{fmt}" for i in instruments for fmt in ("json", "csv")]
        data += [f"{a}.{fmt}" for a in articles for fmt in ("json", "csv")]
        # The change feeds: files as they are (their entries link to the pages by absolute URL).
        data += ["/changes.atom", "/changes.json"] + [f"/country/{s}/changes.atom" for s in states]
        data += [f"/instrument/{i}/changes.atom" for i in instruments]
        version = dict((await db.execute("SELECT key, value FROM build_info")).rows).get("version")
        if version:  # the database under its versioned name, as the pages link it
            data.append(f"/download/{db.name}-{version}.db")
        static = ["/-/kb-static/" + p.name for p in sorted((Path(__file__).parent / "static").iterdir()) if p.is_file()]
        static.append("/-/kb-world.svg")  # the shapes of the world maps

        async def fetch(path: str) -> bytes:
            r = await ds.client.get(path)
            if r.status_code != 200:
                raise ExportError(f"{path} answered {r.status_code} while exporting: the database may be "
                                  "from an older version; rebuild it with `kb build`")
            return r.content

        for path in pages:
            target = out / path.lstrip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(await fetch(path))
        for path in data + static:
            target = out / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(await fetch(path))
        shutil.copyfile(served, out / f"{db.name}.db")

    (out / "sitemap.xml").write_text(_sitemap(pages, site_url), encoding="utf-8")
    (out / "robots.txt").write_text(_robots(site_url), encoding="utf-8")
    return {"pages": len(pages), "as_of": as_of, "live_url": live_url, "site_url": site_url}


def _sitemap(pages: list[str], site_url: str | None) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    if not site_url:
        lines.append("<!-- Locations are site-relative: the sitemap protocol wants absolute URLs, so export with "
                     "--base-url URL (where this copy is published) to get them. -->")
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    lines += [f"  <url><loc>{escape((site_url or '') + p)}</loc></url>" for p in pages]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def _robots(site_url: str | None) -> str:
    text = "User-agent: *\nAllow: /\n"
    if site_url:
        return text + f"Sitemap: {site_url}/sitemap.xml\n"
    return text + "# The sitemap is /sitemap.xml (no Sitemap line: export with --base-url to give its absolute URL).\n"
