"""`kb export-site`: the static export, served by a plain static server, with every same-site link
of the home, a country and an instrument page followed."""

from __future__ import annotations

import json
import sqlite3
import re
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

import kb.query as q
from kb.web.export import MARKER, ExportError, export_site


class Links(HTMLParser):
    """Every URL a page refers to: href, src and form actions."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.forms: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key):
                self.urls.append(a[key])
        if tag == "form":
            self.forms.append(a.get("action") or "")


def links(html: str) -> Links:
    p = Links()
    p.feed(html)
    return p


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # follows the directory redirects
            return r.status, r.read(), r.headers.get("content-type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, b"", ""


def expected_pages(db: Path) -> int:
    """The pages an export writes, in English and in Korean (ko/...): home, the list of instruments, each
    state, each instrument with its maps and its reservations by article, and each article of the texts."""
    conn = sqlite3.connect(db)
    n_states = conn.execute("SELECT count(*) FROM states").fetchone()[0]
    n_inst = conn.execute("SELECT count(*) FROM instruments").fetchone()[0]
    n_articles = conn.execute("SELECT count(*) FROM treaty_provisions WHERE level = 0").fetchone()[0]
    return 2 * (2 + n_states + 3 * n_inst + n_articles)


def same_site(base: str, page: str, url: str) -> str | None:
    absolute = urljoin(base + page, url)
    parts = urlsplit(absolute)
    if f"{parts.scheme}://{parts.netloc}" != base:
        return None
    return absolute.split("#")[0]


@pytest.mark.parametrize("page", ["/", "/country/PRK", "/instrument/CAT", "/instrument/CEDAW/article/29",
                                  "/instrument/CEDAW/reservations", "/ko/", "/ko/country/PRK",
                                  "/ko/instrument/CAT", "/ko/instrument/CEDAW/article/29"])
def test_every_same_site_link_resolves(static_server, page):
    status, body, _ = fetch(static_server + page)
    assert status == 200
    found = links(body.decode())
    targets = sorted({u for u in (same_site(static_server, page, x) for x in found.urls) if u})
    assert static_server + "/-/kb-static/kb.css" in targets
    assert any("/instrument/" in t for t in targets) and any("/country/" in t for t in targets)
    assert not [t for t in targets if "?" in t]  # a static server cannot answer a query string
    broken = [(t, s) for t in targets for s in [fetch(t)[0]] if s != 200]
    assert broken == []
    # Forms need a server: none in the export without --live-url.
    assert found.forms == []


def test_layout_and_files(exported_site, built_db):
    site = exported_site
    for rel in ("index.html", "instrument/index.html", "country/PRK/index.html", "instrument/CAT/index.html",
                "country/PRK.json", "country/PRK.csv", "instrument/CAT.json", "instrument/CAT.csv",
                "-/kb-static/kb.css", "kb.db", "robots.txt", "sitemap.xml", MARKER):
        assert (site / rel).is_file(), rel
    conn = q.connect(built_db)
    n_states = conn.execute("SELECT count(*) FROM states").fetchone()[0]
    n_inst = conn.execute("SELECT count(*) FROM instruments").fetchone()[0]
    assert len(list((site / "country").glob("*/index.html"))) == n_states
    assert len(list((site / "instrument").glob("*/index.html"))) == n_inst
    assert (site / "kb.db").read_bytes() == built_db.read_bytes()
    # A page's JSON is what `kb status PRK --as-of <the data's as-at date> --format json` prints.
    assert json.loads((site / "country/PRK.json").read_text()) == q.status(conn, states=["PRK"], as_of="2026-02-03")
    assert json.loads((site / "instrument/CAT.json").read_text()) == q.status(conn, instruments=["CAT"], as_of="2026-02-03")
    csv_lines = (site / "country/PRK.csv").read_text().splitlines()
    assert csv_lines[0] == ",".join(q.STATUS_KEYS)
    assert len(csv_lines) == 1 + n_inst
    # every page in English and in Korean (ko/...), the data once
    assert len(list((site / "ko" / "country").glob("*/index.html"))) == n_states
    assert len(list((site / "ko" / "instrument").glob("*/index.html"))) == n_inst
    assert not list((site / "ko").rglob("*.json")) and not list((site / "ko").rglob("*.csv"))
    assert '<html lang="ko">' in (site / "ko/country/PRK/index.html").read_text()
    assert '<html lang="en">' in (site / "country/PRK/index.html").read_text()
    sitemap = (site / "sitemap.xml").read_text()
    n_articles = conn.execute("SELECT count(*) FROM treaty_provisions WHERE level = 0").fetchone()[0]
    # home, the list, each state, each instrument with its maps and its reservations by article, each article
    assert sitemap.count("<url>") == 2 * (2 + n_states + 3 * n_inst + n_articles)
    assert "<loc>/ko/country/PRK</loc>" in sitemap
    assert (site / "instrument/CEDAW/article/29/index.html").is_file()
    assert json.loads((site / "instrument/CEDAW/article/29.json").read_text()) == q.reservations(
        conn, instrument="CEDAW", article="29", as_of="2026-02-03")
    assert (site / "instrument/C029/reservations.csv").read_text() == ",".join(q.RESERVATION_KEYS) + "\n"
    assert "<loc>/country/PRK</loc>" in sitemap and "--base-url" in sitemap
    assert "Sitemap:" not in (site / "robots.txt").read_text().replace("# The sitemap", "")


def test_server_only_parts_are_left_out_and_said_so(exported_site):
    home = (exported_site / "index.html").read_text()
    country = (exported_site / "country/PRK/index.html").read_text()
    inst = (exported_site / "instrument/CAT/index.html").read_text()
    for html in (home, country, inst):
        assert "This is a static copy of the knowledge base: every page shows status as at 3 February 2026" in html
        assert "Search, SQL, the tables, comparisons and status on other dates need a server and are not part of this copy." in html
        assert 'href="/search' not in html and 'href="/kb/' not in html and 'href="/kb"' not in html
        assert "<form" not in html
    assert "Full-text search needs a server: it is not part of this static copy." in home
    assert '<a href="/country/FRA">France</a>' in home  # every country reachable without the lookup form
    assert "Status on other dates needs the live site: this static copy shows this date only." in country
    assert 'these rows as <a href="/country/PRK.json">JSON</a> and <a href="/country/PRK.csv">CSV</a>' in country
    assert 'these rows as <a href="/instrument/CAT.json">JSON</a> and <a href="/instrument/CAT.csv">CSV</a>' in inst
    assert "175</strong> parties on 3 February 2026" in inst
    # Long texts: the live page shows their beginning and links to the action's record; the copy has
    # no record to link to, so it gives them in full (the ends of the USA's reservation, article 1-16,
    # and of Slovakia's objection to Pakistan's reservations).
    assert "ticles 1 through 16 of the Convention are not self-executing.</p>" in inst
    assert "lamic Republic of Pakistan benefiting from its reservations.”</p>" in inst


def test_live_url_links_what_needs_a_server(built_db, tmp_path):
    import shutil

    # The real data without the treaties' texts: the same pages but the ~1,400 article pages, which the
    # session's full export (exported_site) already checks; what --live-url changes is on the others.
    db = tmp_path / "kb.db"
    shutil.copy(built_db, db)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM treaty_provisions")
    out = tmp_path / "site"
    info = export_site(db, out, live_url="https://kb.example.org/", base_url="https://mirror.example.net")
    # in English and in Korean (ko/...): home, the list, each state, each instrument with its maps and its
    # reservations by article, and each article of the texts (none here)
    assert info["pages"] == len(list(out.rglob("index.html"))) == expected_pages(db)
    home = (out / "index.html").read_text()
    country = (out / "country/PRK/index.html").read_text()
    assert 'href="https://kb.example.org/search"' in home
    assert '<form class="search" method="get" action="https://kb.example.org/search"' in home
    assert 'href="https://kb.example.org/kb/status_on"' in home
    assert '<form class="as-of" method="get" action="https://kb.example.org/country/PRK">' in country
    assert ('<a href="https://kb.example.org/kb/status_on?as_of=2026-02-03&amp;states=PRK&amp;instruments=">'
            "the same rows as a stored query</a> on the live site") in country
    assert 'are on the <a href="https://kb.example.org">live site</a>' in country
    inst = (out / "instrument/CAT/index.html").read_text()
    ids = dict(sqlite3.connect(built_db).execute(
        "SELECT state_id, id FROM actions WHERE instrument_id = 'CAT' AND ((state_id = 'USA' AND type = 'reservation'"
        " AND text LIKE '%not self-executing.') OR (state_id = 'SVK' AND type = 'objection' AND target_state_id = 'PAK'))"))
    assert f'<a href="https://kb.example.org/kb/actions/{ids["USA"]}">Full text</a>' in inst  # the USA's reservation
    assert f'<a href="https://kb.example.org/kb/actions/{ids["SVK"]}">Text</a>' in inst  # Slovakia's objection
    assert "ticles 1 through 16 of the Convention are not self-executing." not in inst
    # sitemap.xml and robots.txt name where the copy is published (--base-url; default --live-url).
    assert "<loc>https://mirror.example.net/country/PRK</loc>" in (out / "sitemap.xml").read_text()
    assert "Sitemap: https://mirror.example.net/sitemap.xml" in (out / "robots.txt").read_text()
    # Same-site links stay root-relative: the copy works on any host.
    assert 'href="/country/PRK"' in home and 'href="/-/kb-static/kb.css"' in home
    import kb.web.export as E

    assert "<loc>https://kb.example.org/</loc>" in E._sitemap(["/"], "https://kb.example.org")


def test_live_site_answers_the_same_urls(built_db, exported_site):
    import asyncio

    from kb.web.app import make_datasette

    async def run():
        ds = make_datasette(built_db)
        return [await ds.client.get(p) for p in ("/country/PRK.json", "/instrument/CAT.csv",
                                                 "/country/PRK.json?as_of=2016-01-01", "/country/XXX.json",
                                                 "/instrument/CAT.json?as_of=soon")]

    prk, cat, past, unknown, bad = asyncio.run(run())
    assert prk.status_code == 200 and prk.headers["content-type"] == "application/json; charset=utf-8"
    assert prk.content == (exported_site / "country/PRK.json").read_bytes()
    assert cat.content == (exported_site / "instrument/CAT.csv").read_bytes()
    assert {r["as_of"] for r in past.json()} == {"2016-01-01"}
    assert next(r for r in past.json() if r["instrument"] == "CRPD")["status"] == "signatory"
    assert unknown.status_code == 404 and bad.status_code == 400


def test_cli_export(exported_site, built_db):
    out = (exported_site.parent / "cli-output.txt").read_text()
    assert re.fullmatch(rf"exported {expected_pages(built_db)} pages \(\d+ files, [\d.]+ MB\) to {re.escape(str(exported_site))}, status as at "
                        r"2026-02-03; search, SQL and other dates left out \(no --live-url\)\n", out), out


def test_cli_errors_are_one_line(cli, built_db, tmp_path):
    r = cli("export-site", "/proc/kb-site", "--db", str(built_db))
    assert r.exit_code == 1
    assert r.output == "Error: cannot write in /proc: No such file or directory\n"
    r = cli("export-site", str(tmp_path / "no" / "site"), "--db", str(built_db))
    assert r.output == f"Error: directory {tmp_path / 'no'} does not exist: create it or choose another DIR\n"
    r = cli("export-site", str(tmp_path / "site"), "--db", str(tmp_path / "none.db"))
    assert r.output == f"Error: database {tmp_path / 'none.db'} not found: run `kb build` first (or pass --db)\n"
    r = cli("export-site", str(tmp_path / "site"), "--db", str(built_db), "--live-url", "kb.example.org")
    assert r.output == "Error: --live-url 'kb.example.org' is not an absolute http(s) URL: write it like https://kb.example.org\n"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    r = cli("export-site", str(mine), "--db", str(built_db))
    assert r.output == (f"Error: {mine} is not empty and is not a previous export (no {MARKER} file): "
                        "choose a new or empty DIR\n")
    assert (mine / "notes.txt").read_text() == "keep me"


def test_failed_export_leaves_the_old_one(built_db, exported_site, tmp_path, monkeypatch):
    import shutil

    import kb.web.export as E

    out = tmp_path / "site"
    # a previous export (its marker, its home page and some of its data; copying all of it adds nothing)
    for name in (E.MARKER, "index.html", "country/PRK/index.html", "country/PRK.json", "ko/country/PRK/index.html"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(exported_site / name, out / name)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    async def broken(db_path, tmp, live_url, site_url):
        (tmp / "index.html").write_text("half an export")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(E, "_write", broken)
    with pytest.raises(ExportError, match=r"^cannot write the export into .*: No space left on device: check free space"):
        export_site(built_db, out)
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary directory left behind


def test_dockerfile_runs_the_readme_commands():
    root = Path(__file__).resolve().parent.parent
    docker = (root / "Dockerfile").read_text()
    readme = (root / "README.md").read_text()
    steps = [ln for ln in docker.splitlines() if ln and not ln.startswith("#")]
    assert steps == ["FROM python:3.11-slim", "WORKDIR /kb", "COPY . .", "RUN pip install --no-cache-dir .",
                     "RUN kb build", "EXPOSE 8001", 'CMD ["kb", "serve", "--public", "--host", "0.0.0.0"]']
    assert "It runs `pip install .`, `kb build` and `kb serve --public --host 0.0.0.0` on `python:3.11-slim`" in readme
    # The image's `kb build` and `kb serve` read data/ and write kb.db in the working directory.
    assert {".venv", ".kb-cache", "kb.db"} <= set((root / ".dockerignore").read_text().split())
