"""The `kb` command line.  Options and JSON output are a public contract:
change them deliberately (docs/CLI.md is generated from this file's help)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__

# Options and printing only: every answer comes from kb.query (the read side), kb.db (the build)
# or kb.web (the site), each imported inside the command that needs it, so that `kb --help` and
# the read commands start without loading SQLAlchemy, pydantic or Datasette.

DEFAULT_DATA = "data"
DEFAULT_DB = "kb.db"

data_option = click.option(
    "--data", "data_dir", default=lambda: os.environ.get("KB_DATA", DEFAULT_DATA), show_default="data (or $KB_DATA)",
    type=click.Path(file_okay=False, path_type=Path), help="Directory holding treaties.yaml, states.yaml, actions/ and imported/.")
db_option = click.option(
    "--db", "db_path", default=lambda: os.environ.get("KB_DB", DEFAULT_DB), show_default="kb.db (or $KB_DB)",
    type=click.Path(dir_okay=False, path_type=Path), help="SQLite database file.")
format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
    help="Output format. json: an array of objects; csv: a header row, then one row per object.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def main() -> None:
    """Treaty and convention ratification knowledge base.

    Curated YAML in data/ is validated and built into SQLite; status on any date
    is derived by SQL views that the CLI and the web site both read.

    \b
    Example:
      kb build && kb status PRK
    """


def _fail_data(exc) -> None:
    click.echo(_printable(exc.render()), err=True)
    sys.exit(1)


_CONTROL_RE = None


def _printable(text: str) -> str:
    """Text for a terminal: control characters that a terminal would act on (C0 other than tab
    and line feed, DEL, C1, and the bidirectional embeddings, overrides and isolates) are
    written as escapes (\\x1b, \\u202e), never sent as themselves."""
    global _CONTROL_RE
    if text.isascii() and text.isprintable():
        return text
    if _CONTROL_RE is None:
        import re

        _CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
    return _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


@main.command()
@data_option
@click.option("--today", metavar="YYYY-MM-DD", help="Treat this as today's date for the 'no future dates' rule (default: today, or $KB_TODAY).")
def validate(data_dir: Path, today: str | None) -> None:
    """Check the data: strict YAML, every record, and every cross-record rule.

    All problems are reported at once as file:line:column: message.

    \b
    Example:
      kb validate --data data
    """
    _check_data_dir(data_dir)
    day = _date_or_fail(today, "--today") if today else None
    from .data.errors import DataErrors
    from .data.validate import validate as run

    try:
        ds = run(data_dir, today=day)
    except DataErrors as exc:
        _fail_data(exc)
    click.echo(f"ok: {len(ds.instruments)} instruments, {len(ds.states)} states, {len(ds.actions)} actions "
               f"({len(ds.superseded)} imported actions superseded by curated ones)")


@main.command()
@data_option
@db_option
@click.option("--today", metavar="YYYY-MM-DD", help="Treat this as today's date for the 'no future dates' rule.")
@click.option("--no-cache", is_flag=True, help="Parse every file and rebuild even if nothing changed.")
def build(data_dir: Path, db_path: Path, today: str | None, no_cache: bool) -> None:
    """Validate the data and build the SQLite database.

    The database is built in a temporary file, checked, then renamed over the old
    one: a failed or interrupted build leaves the previous database untouched.
    If neither the data nor the code changed since the last build, nothing is
    done; unchanged files are not parsed again (cache in .kb-cache/ beside the
    database). --no-cache forces a full build.

    \b
    Example:
      kb build --data data --db kb.db
    """
    _check_data_dir(data_dir)
    day = _date_or_fail(today, "--today") if today else None
    if not no_cache:  # answer "nothing to do" before loading the heavy machinery
        from .db.fingerprint import up_to_date

        if up_to_date(data_dir, db_path.resolve(), day)[0]:
            click.echo(f"up to date: {db_path.resolve()} was built from the same data and code (use --no-cache to rebuild)")
            return
    from .data.errors import DataErrors
    from .db.build import BuildError
    from .db.build import build as run

    try:
        info = run(data_dir, db_path, today=day, use_cache=not no_cache)
    except DataErrors as exc:
        _fail_data(exc)
    except BuildError as exc:
        raise click.ClickException(str(exc)) from None
    if info["skipped"]:
        click.echo(f"up to date: {info['db']} was built from the same data and code (use --no-cache to rebuild)")
    else:
        click.echo(f"built {info['db']}: {info['instruments']} instruments, {info['states']} states, {info['actions']} actions")


@main.command()
@db_option
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--public", is_flag=True, help="Settings for serving to anyone: shorter SQL time limit, fewer rows, "
              "a 1 MB cap on values a query may build (see README, 'Serving in public').")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Server processes (one per core is a good start).")
@click.option("--cache-mb", "cache_mb", default=64, show_default=True, type=click.FloatRange(0, 100_000),
              help="Size of the in-memory response cache of each server process, in MB (0 = off).")
@click.option("--max-age", "max_age", type=click.IntRange(0, 31_536_000), metavar="SECONDS",
              help="Cache-Control max-age of cacheable answers (browsers). Default: 60, with --public 300.")
@click.option("--s-maxage", "s_maxage", type=click.IntRange(0, 31_536_000), metavar="SECONDS",
              help="Cache-Control s-maxage of cacheable answers (shared caches, CDNs). Default: 60, with --public 3600.")
def serve(db_path: Path, port: int, host: str, public: bool, workers: int, cache_mb: float,
          max_age: int | None, s_maxage: int | None) -> None:
    """Serve the database with Datasette (pages, JSON, CSV, stored queries).

    The server reads a snapshot of the database taken when it starts: a rebuild
    while it runs does not change what it serves. Restart it to serve a new build.

    Answers to GET and HEAD are cached in memory (per snapshot, URL and encoding),
    compressed (brotli, gzip) and sent with ETag and Cache-Control (see README,
    "Caching and compression").

    \b
    Examples:
      kb serve --db kb.db --port 8001
      kb serve --public --host 0.0.0.0 --workers 2
      kb serve --public --max-age 600 --s-maxage 86400 --cache-mb 256
    """
    import tempfile

    import uvicorn

    from .web.app import make_datasette, snapshot

    _check_db(db_path)
    with tempfile.TemporaryDirectory(prefix="kb-serve-") as tmp:
        served = snapshot(db_path, Path(tmp))
        click.echo(f"Serving {db_path} at http://{host}:{port}/" + (" (public mode)" if public else "")
                   + (f" with {workers} workers" if workers > 1 else ""), err=True)
        if workers == 1:
            app = make_datasette(served, public=public, cache_mb=cache_mb, max_age=max_age, s_maxage=s_maxage).app()
        else:  # each worker process imports kb.web.asgi, which reads these
            os.environ["KB_SERVE_DB"] = str(served)
            os.environ["KB_SERVE_PUBLIC"] = "1" if public else ""
            os.environ["KB_SERVE_CACHE_MB"] = str(cache_mb)
            os.environ["KB_SERVE_MAX_AGE"] = "" if max_age is None else str(max_age)
            os.environ["KB_SERVE_S_MAXAGE"] = "" if s_maxage is None else str(s_maxage)
            app = "kb.web.asgi:app"
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, workers=workers)


@main.command("export-site")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@db_option
@click.option("--live-url", metavar="URL", help="Where `kb serve` runs: search, SQL, the tables and other dates link "
              "there. Without it they are left out, and the pages say so.")
@click.option("--base-url", metavar="URL", help="Where this export will be published: sitemap.xml and robots.txt then "
              "give absolute URLs (default: --live-url; without either, site-relative paths).")
def export_site(directory: Path, db_path: Path, live_url: str | None, base_url: str | None) -> None:
    """Write the site as static files into DIR, for any static host or CDN.

    Home, the instrument list, every country and every instrument page at the
    data's as-at date (DIR/country/PRK/index.html for /country/PRK), each page's
    status rows as JSON and CSV (/country/PRK.json, .csv), the database file,
    the stylesheet, robots.txt and sitemap.xml. The pages are rendered by the
    site's own templates. The export is written beside DIR and renamed into
    place when complete: a failed export leaves the previous one untouched.

    \b
    Examples:
      kb export-site site/ --live-url https://kb.example.org
      python -m http.server -d site/ 8000
    """
    from .web.export import ExportError
    from .web.export import export_site as run

    _check_db(db_path)
    try:
        info = run(db_path, directory, live_url=live_url, base_url=base_url)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"exported {info['pages']} pages ({info['files']} files, {info['bytes'] / 1e6:.1f} MB) to {info['dir']}, "
               f"status as at {info['as_of']}" + (f"; server links go to {info['live_url']}" if info["live_url"] else
                                                  "; search, SQL and other dates left out (no --live-url)"))


@main.command()
@click.argument("states", nargs=-1)
@click.option("--instrument", "instruments", multiple=True, metavar="ID", help="Instrument id (repeatable), e.g. CAT. Default: all.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date to report status on. Default: the data's date "
              "(the latest as-at date of its status sources; `kb info`), never today.")
@db_option
@format_option
def status(states: tuple[str, ...], instruments: tuple[str, ...], as_of: str | None, db_path: Path, fmt: str) -> None:
    """Status of STATES on instruments on a date: party, signatory, not_party,
    not_applicable, withdrawn, not_yet_adopted (before the instrument's
    adoption), or unknown where the KB's record is incomplete.

    STATE is an ISO 3166-1 alpha-3 code, the depositary's name, or an alias
    (case-insensitive). No STATE means all states.

    A date after an instrument's known_to (its status source's as-at date) is
    beyond the record: the status is the last recorded (beyond_record true; the
    table's "recorded to" column shows that date) and in_force is null unless
    a later recorded event decides it.

    \b
    Examples:
      kb status PRK
      kb status "North Korea" --instrument CRPD --as-of 2016-01-01 --format json
    """
    from . import query as q

    as_of = _date_or_fail(as_of, "--as-of")
    rows = _ask(q.status, _connect(db_path), states, instruments, as_of,
                hints={"state": "STATE", "instrument": "--instrument", "as_of": "--as-of"})
    _emit(rows, fmt, table_cols=["state", "instrument", "status", "signature_date", "consent_date", "consent_type",
                                 "in_force_date", "withdrawal_date", "note",
                                 ("recorded to", lambda r: r["known_to"] if r.get("beyond_record") else "")])


@main.command()
@click.argument("states", nargs=-1)
@click.option("--instrument", metavar="ID", help="Instrument id, e.g. CEDAW. Default: all.")
@click.option("--article", metavar="REF", help="An article as a reservation cites it, e.g. 16, 29(1) or 2(f): the "
              "statements on it, on what it is part of, on its parts and on the instrument as a whole. Default: all.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date to report on: statements made by then, in force or "
              "withdrawn by then. Default: the data's date (`kb info`), never today.")
@db_option
@format_option
def reservations(states: tuple[str, ...], instrument: str | None, article: str | None, as_of: str | None,
                 db_path: Path, fmt: str) -> None:
    """Reservations, declarations, opt-outs and competence declarations of
    STATES, by article, on a date: one row per statement and article it names,
    with the depositary's reference as given, whether it is in force on the
    date (withdrawn, partly withdrawn, or not determined where a withdrawal
    names no article), its words and the objections to it (by whom, when).

    STATE is an ISO 3166-1 alpha-3 code, the depositary's name, or an alias
    (case-insensitive). No STATE means all states. A statement on the
    instrument as a whole shows no article (scope "whole"); where the record
    gives no article the references are read from the statement's words
    (reference "from_words"), and one whose words name none shows none either
    (scope "general"; "unstated" where the record has no words).

    \b
    Examples:
      kb reservations --instrument CEDAW --article "29(1)"
      kb reservations PRK --instrument CEDAW --as-of 2010-01-01 --format json
    """
    from . import query as q

    as_of = _date_or_fail(as_of, "--as-of")
    rows = _ask(q.reservations, _connect(db_path), states, instrument, article, as_of,
                hints={"state": "STATE", "instrument": "--instrument", "article": "--article", "as_of": "--as-of"})
    if fmt == "csv":
        rows = [{**r, "objections": "; ".join(f"{o['state']} {o['date']}" + (f" (withdrawn {o['withdrawn_on']})"
                                                                                  if o["withdrawn_on"] else "")
                                              for o in r["objections"])} for r in rows]
    _emit(rows, fmt, table_cols=[
        "state", "instrument", ("article", lambda r: r["article"] or ("whole instrument" if r["scope"] == "whole"
                                                                      else "not stated")),
        "article_as_given", "kind", "made_on", "withdrawn_on", "in_force",
        ("objections", lambda r: ", ".join(o["state"] for o in r["objections"]) if isinstance(r["objections"], list)
         else r["objections"]),
        ("text", lambda r: " ".join((r["text"] or r["summary"] or "").split())[:TABLE_WIDTH - 1] +
         ("…" if len(" ".join((r["text"] or r["summary"] or "").split())) >= TABLE_WIDTH else ""))])


@main.command()
@click.argument("states", nargs=-1)
@click.option("--instrument", "instruments", multiple=True, metavar="ID", help="Instrument id (repeatable), e.g. CAT. Default: all.")
@click.option("--from", "from_year", required=True, metavar="YYYY", help="First year (inclusive).")
@click.option("--to", "to_year", required=True, metavar="YYYY", help="Last year (inclusive).")
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "table"]), default="csv", show_default=True,
              help="Output format. csv: a header row, then one row per state × instrument × year; json: an array of objects.")
def panel(states: tuple[str, ...], instruments: tuple[str, ...], from_year: str, to_year: str, db_path: Path, fmt: str) -> None:
    """A country-year panel: one row per state × instrument × year, with the
    status on 31 December of that year and the consent date. Years before an
    instrument's adoption are left out. Columns: state, instrument, year, as_of,
    status, consent_date, known_to, beyond_record (codebook: docs/PANEL.md).

    STATE is an alpha-3 code, the depositary's name or an alias. No STATE means
    all states.

    \b
    Examples:
      kb panel --from 1966 --to 2025 > panel.csv
      kb panel PRK KOR --instrument CAT --instrument CRPD --from 1990 --to 2025 --format json
    """
    from . import query as q

    rows = _ask(q.panel, _connect(db_path), states, instruments, from_year, to_year,
                hints={"state": "STATE", "instrument": "--instrument", "from": "--from", "to": "--to"})
    _emit(rows, fmt, table_cols=list(q.PANEL_KEYS))


@main.command()
@click.argument("state")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date to report on. Default: the data's date "
              "(the latest as-at date of its status sources; `kb info`), never today.")
@db_option
@format_option
def obligations(state: str, as_of: str | None, db_path: Path, fmt: str) -> None:
    """Every obligation of every instrument for STATE on a date, accepted or not:
    the instruments, their optional procedures (complaints, inquiries) and the
    articles the state has reserved, each with the reason in words.

    \b
    Examples:
      kb obligations PRK
      kb obligations PRK --as-of 2010-01-01 --format json
    """
    from . import query as q

    as_of = _date_or_fail(as_of, "--as-of")
    rows = _ask(q.obligations, _connect(db_path), state, as_of, hints={"state": "STATE", "as_of": "--as-of"})
    _emit(rows, fmt, table_cols=["instrument", "article", "kind", "accepted", "since", "reason"])


@main.command()
@click.argument("state")
@click.option("--since", "since", required=True, metavar="YYYY-MM-DD", help="First day of the period (inclusive).")
@click.option("--until", "until", metavar="YYYY-MM-DD", help="Last day of the period (inclusive). Default: the data's date.")
@db_option
@format_option
def changes(state: str, since: str, until: str | None, db_path: Path, fmt: str) -> None:
    """What changed for STATE between two dates: status transitions derived from
    the data, and every action dated in the period. The table cuts long texts
    (ending them with "…"); JSON and CSV give them in full.

    \b
    Example:
      kb changes PRK --since 2010-01-01 --until 2020-12-31
    """
    from . import query as q

    hints = {"state": "STATE", "since": "--since", "until": "--until"}
    since = _date_or_fail(since, "--since")
    until = _date_or_fail(until, "--until")
    if until is not None and until < since:
        raise click.BadParameter(f"--until {until} is before --since {since}", param_hint="--until")
    rows = _ask(q.changes, _connect(db_path), state, since, until, hints=hints)
    _emit(rows, fmt, table_cols=["date", "instrument", "change", "article", "detail"], truncate=("detail",))


@main.command()
@click.argument("state")
@db_option
@format_option
def asks(state: str, db_path: Path, fmt: str) -> None:
    """What STATE was asked to accept (UPR recommendations, letters, inquiry
    reports), by whom, its response, and whether it did. Fulfilment is derived
    from the KB's own status data: an ask is fulfilled when the asked action
    (e.g. a ratification) is recorded after the ask's date. An ask to engage
    (report, undergo a review, allow a visit) is judged from the engagement
    events (`engagement`, `done_events`); refusals and unanswered requests
    since the ask are its `evidence`; an ask no event can decide is
    not_tracked, with `not_tracked_reason`.

    \b
    Example:
      kb asks PRK --format json
    """
    from . import query as q

    rows = _ask(q.asks, _connect(db_path), state, hints={"state": "STATE"})
    if fmt == "csv":  # one cell per field: the evidence as JSON text
        import json

        rows = [{**r, "evidence": json.dumps(r["evidence"], ensure_ascii=False) if r["evidence"] else ""} for r in rows]
    _emit(rows, fmt, table_cols=["date", "document", "ref", "action", "instruments", "response", "fulfilment", "fulfilled_date"])


@main.command()
@click.argument("state")
@db_option
@format_option
def engagement(state: str, db_path: Path, fmt: str) -> None:
    """STATE's engagement with UN mechanisms, newest first: treaty-body
    reports, lists of issues, reviews and concluding observations, Universal
    Periodic Reviews, special-procedure visits held, refused or unanswered,
    OHCHR and ICRC, each with its source and the source's kind (un_host: UN
    text on a UN site; un_mirror: UN text on a mirror; secondary). An event
    missing here means no source read records it, not that it did not happen.
    The `key` of an event is what `kb cite-event` takes.

    \b
    Example:
      kb engagement PRK --format json
    """
    from . import query as q

    rows = _ask(q.engagement, _connect(db_path), state, hints={"state": "STATE"})
    _emit(rows, fmt, table_cols=["date", "mechanism", "instrument", "mandate", "kind", "symbol", "source_kind", "key"])


@main.command()
@click.argument("state")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date to report on. Default: the data's date "
              "(the latest as-at date of its status sources; `kb info`), never today.")
@db_option
@format_option
def reporting(state: str, as_of: str | None, db_path: Path, fmt: str) -> None:
    """Reporting status of STATE under each treaty with a UN treaty body it is
    a party to on a date: last report received, last review, last concluding
    observations, the next report a source states as due, and `overdue`:
    overdue (a stated due date has passed with no submission recorded),
    not_yet_due, or unknown (no source states a due date). Never overdue
    from silence.

    \b
    Example:
      kb reporting PRK --as-of 2013-06-01
    """
    from . import query as q

    as_of = _date_or_fail(as_of, "--as-of")
    rows = _ask(q.reporting_status, _connect(db_path), state, as_of, hints={"state": "STATE", "as_of": "--as-of"})
    _emit(rows, fmt, table_cols=["instrument", "last_report_date", "last_review_date", "last_co_date", "last_co_symbol",
                                 "next_due", "overdue"])


@main.command()
@db_option
@format_option
def instruments(db_path: Path, fmt: str) -> None:
    """List the instruments and their ids.

    \b
    Example:
      kb instruments --format csv
    """
    from . import query as q

    rows = q.instruments(_connect(db_path))
    _emit(rows, fmt, table_cols=["id", "short_title", "regime", "kind", "parent", "adopted", "entry_into_force",
                                 "mtdsg", "known_to"])


@main.group("import")
def import_group() -> None:
    """Import newer depositary pages into data/imported/, with a change report.

    \b
    Example:
      kb import untc ~/Downloads/untc-2026-06-01 --check
    """


@import_group.command("untc")
@click.argument("pages_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@data_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="The change report: text, or json (an array of objects, one per fact added, removed or changed).")
@click.option("--check", is_flag=True, help="Report, write nothing; exit 1 if the import would change any file.")
@click.option("--accept-removals", is_flag=True,
              help="Write facts the pages no longer have, as removals (without it such an import is refused).")
@click.option("--today", metavar="YYYY-MM-DD",
              help="Treat this as today's date: a page dated later is refused (default: today, or $KB_TODAY).")
def import_untc(pages_dir: Path, data_dir: Path, fmt: str, check: bool, accept_removals: bool,
                today: str | None) -> None:
    """Import UN Treaty Collection status pages saved in DIR.

    DIR may hold any of the 18 Chapter IV status pages, under any names: each page is
    recognised by its MTDSG number and dated by its own STATUS AS AT header. Each page
    rewrites only its instrument's import (data/imported/untc/ID.yaml, its entries in
    counts.yaml, its status_source.as_at in treaties.yaml). The report lists every fact
    added, removed or changed. A fact the KB holds that a page lacks, or a page the
    importer cannot read, stops the import (exit 1) and nothing is written; so does a
    page that is incomplete, is another treaty's, or is dated after today or before its
    own contents. The files are written all or none; an import interrupted by a crash
    is undone by the next run.

    \b
    Examples:
      kb import untc ~/Downloads/untc-2026-06-01
      kb import untc pages/ --check --format json
    """
    import json

    from .importers import update as UP
    from .importers.untc import ImportFailure

    _check_data_dir(data_dir)
    if today is None and os.environ.get("KB_TODAY"):
        today = os.environ["KB_TODAY"]
        name = "$KB_TODAY"
    else:
        name = "--today"
    day = _date_or_fail(today, name)
    out_dir = data_dir / "imported" / "untc"
    shown_of = lambda p: str(p.relative_to(data_dir.parent)) if p.is_relative_to(data_dir.parent) else str(p)  # noqa: E731
    if UP.interrupted(data_dir):
        if check:
            click.echo(f"kb import untc: refused, nothing written: an interrupted import left "
                       f"{shown_of(data_dir / UP.JOURNAL)}: data/ may be partly written; run the import without "
                       "--check to restore data/ first", err=True)
            sys.exit(1)
    if not check:
        try:
            for line in UP.recover(data_dir, [out_dir], show=shown_of):
                click.echo(f"Interrupted import undone: {line}", err=True)
        except UP.WriteFailed as exc:
            click.echo(f"kb import untc: refused, nothing written: {exc}", err=True)
            sys.exit(1)
    try:
        pages = UP.find_pages(pages_dir)
        plan = UP.plan(pages, out_dir, treaties=data_dir / "treaties.yaml",
                       actions_dir=data_dir / "actions", states_file=data_dir / "states.yaml",
                       accept_removals=accept_removals, root=data_dir, today=day)
    except ImportFailure as exc:
        click.echo(f"kb import untc: refused, nothing written: {exc}", err=True)
        sys.exit(1)
    if fmt == "json":
        click.echo(json.dumps([{k: v for k, v in c.items() if k != "where" or c["change"] == "removed"}
                               for c in plan.changes], ensure_ascii=False, indent=2))
        for w in plan.warnings:
            click.echo(f"Review: {w}", err=True)
    else:
        click.echo(UP.report_text(plan))
    if plan.refused:
        click.echo("kb import untc: " + UP.refusal_text(plan), err=True)
        sys.exit(1)
    shown = [shown_of(p) for p in plan.writes]
    if check:
        if shown:
            if fmt == "text":
                click.echo(f"--check: would write {', '.join(shown)}")
            sys.exit(1)
        if fmt == "text":
            click.echo("--check: nothing would change")
        return
    try:
        UP.write(plan, data_dir, show=shown_of)
    except UP.WriteFailed as exc:
        click.echo(f"kb import untc: failed, {exc}" if str(exc).startswith("nothing written")
                   else f"kb import untc: failed: {exc}", err=True)
        sys.exit(1)
    if fmt == "text":
        click.echo(f"Wrote {', '.join(shown)}." if shown else "Nothing written: data/ is up to date.")
        if shown:
            click.echo("Next: review the report and `git diff data/`, run `kb validate`, commit, then `kb build`.")


# --------------------------------------------------------------------------- helpers

def _check_data_dir(data_dir: Path) -> None:
    if not data_dir.is_dir():
        raise click.ClickException(f"data directory {data_dir} not found: run from the repository root or pass --data")


def _check_db(db_path: Path) -> None:
    if not db_path.exists():
        raise click.ClickException(f"database {db_path} not found: run `kb build` first (or pass --db)")


def _connect(db_path: Path):
    from . import query as q

    return _ask(q.connect, db_path, hints={})


def _date_or_fail(value: str | None, name: str) -> str | None:
    """value if it is a YYYY-MM-DD date (None stays None: the API's default, today)."""
    if value is None:
        return None
    from .query.dates import check_day

    try:
        return check_day(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from None


def _ask(fn: Callable, *args: Any, hints: dict[str, str], **kwargs: Any) -> Any:
    """Call a kb.query function; its QueryError becomes the usage error of the option it names
    (hints: the API's parameter name -> the option's name on this command), else a plain error."""
    from .query import QueryError

    try:
        return fn(*args, **kwargs)
    except QueryError as exc:
        if exc.param in hints:
            raise click.BadParameter(str(exc), param_hint=hints[exc.param]) from None
        raise click.ClickException(str(exc)) from None


def _json_printable(text: str) -> str:
    """JSON text for a terminal: json.dumps escapes C0 controls; DEL, C1 and the bidirectional
    controls it leaves as they are, and are escaped here (\\u009b: the same value, read back)."""
    if text.isascii() and "\x7f" not in text:
        return text
    import re

    return re.sub("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group()):04x}", text)


# Tables speak a reader's words: statuses and other terms as words, short headers, yes/no.
# JSON and CSV keep the fields and terms exactly as the API gives them.
STATUS_WORDS = {"party": "party", "signatory": "signatory", "not_party": "not a party", "withdrawn": "withdrawn",
                "not_applicable": "not applicable", "unknown": "unknown", "not_yet_adopted": "not yet adopted"}
HEADERS = {
    "signature_date": "signed", "consent_date": "consented", "consent_type": "by", "in_force_date": "in force from",
    "withdrawal_date": "withdrawal", "known_to": "status as at", "as_of": "as of", "fulfilled_date": "fulfilled on",
    "last_report_date": "last report", "last_review_date": "last review", "last_co_date": "last observations",
    "last_co_symbol": "observations symbol", "next_due": "next report due", "source_kind": "source",
    "short_title": "title", "entry_into_force": "in force", "mtdsg": "MTDSG",
}
SOURCE_KIND_WORDS = {"un_host": "UN text on a UN site", "un_mirror": "UN text on a mirror site",
                     "secondary": "secondary source"}
MECHANISM_WORDS = {"treaty_body": "treaty body", "upr": "UPR", "special_procedure": "special procedure",
                   "ohchr": "OHCHR", "commission_of_inquiry": "commission of inquiry", "icrc": "ICRC"}
_TERM = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
TABLE_WIDTH = 80  # texts longer than this end with "…" in a table (JSON and CSV carry them in full)


def _words(text: str) -> str:
    """'notification_of_withdrawal of 1997-08-25' -> 'notification of withdrawal of 1997-08-25'."""
    return _TERM.sub(lambda m: m.group(0).replace("_", " "), text)


def _cell(key: str, v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list):
        return ", ".join(_words(str(x)) for x in v)
    text = str(v)
    if key in ("status", "from_status", "to_status"):
        return STATUS_WORDS.get(text, _words(text))
    if key == "source_kind":
        return SOURCE_KIND_WORDS.get(text, _words(text))
    if key == "mechanism":
        return MECHANISM_WORDS.get(text, _words(text))
    if key in ("key", "state", "instrument", "id", "parent", "mandate", "symbol", "last_co_symbol", "ref", "document",
               "article"):
        return text  # identifiers, as the commands take them
    if key == "detail":
        text = " → ".join(STATUS_WORDS.get(p, p) for p in text.split(" → "))
    return _words(text)


def _emit(rows: list[dict], fmt: str, table_cols: list, truncate: tuple[str, ...] = ()) -> None:
    """Print rows as JSON, CSV or a table.  table_cols: keys, or (header, key or function of the row)
    pairs for columns only the table has; truncate: keys whose text the table cuts at TABLE_WIDTH."""
    import csv
    import io
    import json

    if fmt == "json":
        click.echo(_json_printable(json.dumps(rows, ensure_ascii=False, indent=2)))
    elif fmt == "csv":
        # Booleans as JSON writes them (true/false), nulls as empty cells.
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\n")
            w.writeheader()
            w.writerows({k: (("true" if v else "false") if isinstance(v, bool) else v) for k, v in r.items()}
                        for r in rows)
        click.echo(buf.getvalue(), nl=False)
    else:
        if not rows:
            click.echo("(no rows)")
            return
        cols = [c if isinstance(c, tuple) else (HEADERS.get(c, c.replace("_", " ")), c) for c in table_cols]

        def value(r: dict, key) -> str:
            if callable(key):
                return _printable(key(r))
            text = _cell(key, r.get(key))
            if key in truncate and len(text) > TABLE_WIDTH:
                text = text[:TABLE_WIDTH - 1].rstrip() + "…"
            return _printable(text)

        cells = [[value(r, key) for _, key in cols] for r in rows]
        heads = [h for h, _ in cols]
        widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]
        click.echo("  ".join(h.ljust(w) for h, w in zip(heads, widths)).rstrip())
        click.echo("  ".join("-" * w for w in widths))
        for row in cells:
            click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())


# The styles of kb.query.CITE_STYLES (a test holds them equal; kb.query is not imported at start-up).
CITE_STYLES = ("plain", "oscola", "bluebook", "chicago", "apa", "ris", "bibtex", "csl-json")
CITE_LANGUAGES = ("en", "ko")  # kb.query.CITE_LANGUAGES
STYLE_HELP = ("plain: the knowledge base's sentence; oscola, bluebook (Bluebook Law Review), chicago (notes and "
              "bibliography, full note), apa: the official Citation Style Language styles; ris, bibtex (BibLaTeX), "
              "csl-json: for reference managers.")


@main.command("cite")
@click.argument("state")
@click.argument("instrument")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Date of the status. Default: the data's date (`kb info`), never today. A date after the "
                   "instrument's source's as-at date gets the status as recorded on that date, and says so.")
@click.option("--style", type=click.Choice(CITE_STYLES), default="plain", show_default=True,
              help=STYLE_HELP)
@click.option("--lang", type=click.Choice(CITE_LANGUAGES), default="en", show_default=True,
              help="Language of the plain sentence: en, or ko (Korean: the official Korean title where one is "
                   "recorded, dates as 2016년 12월 6일). The other styles are in English only.")
@db_option
def cite_command(state: str, instrument: str, as_of: str | None, style: str, lang: str, db_path: Path) -> None:
    """A citation for STATE's status on INSTRUMENT, with its source and the source's as-at date.

    STATE is an alpha-3 code, the depositary's name or an alias (case-insensitive).

    \b
    Example:
      kb cite PRK CAT --style oscola
    """
    from . import query as q

    as_of = _date_or_fail(as_of, "--as-of")
    click.echo(_printable(_ask(q.cite, _connect(db_path), state, instrument, as_of, style, lang,
                    hints={"state": "STATE", "instrument": "INSTRUMENT", "as_of": "--as-of", "style": "--style",
                           "lang": "--lang"})))


@main.command("cite-event")
@click.argument("key")
@click.option("--style", type=click.Choice(CITE_STYLES), default="plain", show_default=True,
              help=STYLE_HELP)
@db_option
def cite_event_command(key: str, style: str, db_path: Path) -> None:
    """A citation for one engagement event, with its source, the source's kind
    and its as-at date. KEY is the event's key, as `kb engagement STATE` lists it.

    \b
    Example:
      kb cite-event PRK/treaty_body/CRPD/2025-08-12/review_held
    """
    from . import query as q

    click.echo(_printable(_ask(q.cite_event, _connect(db_path), key, style, hints={"event": "KEY"})))


@main.command("cite-instrument")
@click.argument("instrument")
@click.option("--style", type=click.Choice(CITE_STYLES[1:]), default="oscola", show_default=True,
              help=STYLE_HELP.split("; ", 1)[1])
@db_option
def cite_instrument_command(instrument: str, style: str, db_path: Path) -> None:
    """A citation of INSTRUMENT itself, with its United Nations Treaty Series reference.

    \b
    Example:
      kb cite-instrument CRPD --style bluebook
    """
    from . import query as q

    click.echo(_printable(_ask(q.cite_instrument, _connect(db_path), instrument, style,
                               hints={"instrument": "INSTRUMENT"})))


@main.command("cite-kb")
@click.option("--style", type=click.Choice(CITE_STYLES), default="apa", show_default=True, help=STYLE_HELP)
@db_option
def cite_kb_command(style: str, db_path: Path) -> None:
    """A citation of this knowledge base, with the version `kb info` shows.

    \b
    Example:
      kb cite-kb --style bibtex
    """
    from . import query as q

    click.echo(_printable(_ask(q.cite_kb, _connect(db_path), style, hints={})))


@main.command("cite-all")
@click.option("--state", metavar="STATE", help="Every citation of the country's page: its status on each instrument "
                                                "on the date, and each engagement event.")
@click.option("--instrument", metavar="ID", help="Every citation of the instrument's page: the instrument, and each "
                                                 "state's status on it on the date.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date of the status. Default: the data's date (`kb info`).")
@click.option("--style", type=click.Choice(CITE_STYLES[-3:]), default="ris", show_default=True,
              help="ris, bibtex (BibLaTeX) or csl-json: one file a reference manager imports.")
@db_option
def cite_all_command(state: str | None, instrument: str | None, as_of: str | None, style: str, db_path: Path) -> None:
    """Every citation of a country's or an instrument's page, in one file for a reference manager.

    Name either --state or --instrument. A treaty cited by many rows is one entry.

    \b
    Examples:
      kb cite-all --state PRK --style ris > PRK.ris
      kb cite-all --instrument CRPD --style bibtex > CRPD.bib
    """
    from . import query as q

    if (state is None) == (instrument is None):
        raise click.UsageError("name either --state or --instrument (one of them)")
    as_of = _date_or_fail(as_of, "--as-of")
    click.echo(_printable(_ask(q.cite_all, _connect(db_path), state, instrument, as_of, style,
                               hints={"state": "--state", "instrument": "--instrument", "as_of": "--as-of"})))


@main.command("info")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text, or json (one object).")
def info_command(db_path: Path, fmt: str) -> None:
    """What the built database is: its version (the data's latest as-at date and a
    digest of the data, e.g. 2026-02-03+3fa2c1d0), the digests, the as-at date of
    every status source, and counts.

    \b
    Example:
      kb info --format json
    """
    import json

    from . import query as q

    got = _ask(q.info, _connect(db_path), hints={})
    if fmt == "json":
        click.echo(json.dumps(got, ensure_ascii=False, indent=2))
        return
    click.echo(f"version      {got['version'] or 'not recorded (rebuild with kb build)'}")
    click.echo(f"kb           {got['kb_version']}")
    click.echo(f"data digest  {got['data_digest']}")
    click.echo(f"code digest  {got['code_digest']}")
    click.echo("status sources:")
    for g in got["status_as_at"]:
        click.echo(f"  {g['source']}, as at {g['as_at']}: {len(g['instruments'])} instrument"
                   f"{'s' if len(g['instruments']) != 1 else ''} ({', '.join(g['instruments'])})")
    c = got["counts"]
    click.echo(f"counts: {c['instruments']} instruments, {c['states']} states, {c['actions']} actions "
               f"({c['imported_actions']} imported, {c['curated_actions']} curated; "
               f"{c['imported_actions_superseded']} imported actions superseded by curated ones)")


def run() -> None:
    """Entry point: data and usage errors are reported by the commands themselves; anything
    else is a bug, reported in one line (KB_DEBUG=1 shows the traceback)."""
    try:
        main()
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("KB_DEBUG"):
            raise
        click.echo(f"kb: internal error: {type(exc).__name__}: {exc}. This is a bug: please report it with the "
                   "command you ran (KB_DEBUG=1 shows the traceback).", err=True)
        sys.exit(70)
