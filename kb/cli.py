"""The `kb` command line.  Options and JSON output are a public contract:
change them deliberately (docs/CLI.md is generated from this file's help)."""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
import sqlite3
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BuildError, DataErrors

DEFAULT_DATA = "data"
DEFAULT_DB = "kb.db"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

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


def _fail_data(exc: DataErrors) -> None:
    click.echo(exc.render(), err=True)
    sys.exit(1)


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
    from .validate import validate as run

    _check_data_dir(data_dir)
    try:
        ds = run(data_dir, today=_date_or_fail(today, "--today") if today else None)
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
    if not no_cache:  # answer "nothing to do" before loading the heavy machinery
        from .fingerprint import up_to_date

        if up_to_date(data_dir, db_path.resolve(), today)[0]:
            click.echo(f"up to date: {db_path.resolve()} was built from the same data and code (use --no-cache to rebuild)")
            return
    from .build import build as run

    try:
        info = run(data_dir, db_path, today=_date_or_fail(today, "--today") if today else None, use_cache=not no_cache)
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
def serve(db_path: Path, port: int, host: str, public: bool, workers: int) -> None:
    """Serve the database with Datasette (pages, JSON, CSV, stored queries).

    The server reads a snapshot of the database taken when it starts: a rebuild
    while it runs does not change what it serves. Restart it to serve a new build.

    \b
    Examples:
      kb serve --db kb.db --port 8001
      kb serve --public --host 0.0.0.0 --workers 2
    """
    import tempfile

    import uvicorn

    from .site import make_datasette, snapshot

    _check_db(db_path)
    with tempfile.TemporaryDirectory(prefix="kb-serve-") as tmp:
        served = snapshot(db_path, Path(tmp))
        click.echo(f"Serving {db_path} at http://{host}:{port}/" + (" (public mode)" if public else "")
                   + (f" with {workers} workers" if workers > 1 else ""), err=True)
        if workers == 1:
            app = make_datasette(served, public=public).app()
        else:  # each worker process imports kb.asgi, which reads these
            os.environ["KB_SERVE_DB"] = str(served)
            os.environ["KB_SERVE_PUBLIC"] = "1" if public else ""
            app = "kb.asgi:app"
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, workers=workers)


@main.command()
@click.argument("states", nargs=-1)
@click.option("--instrument", "instruments", multiple=True, metavar="ID", help="Instrument id (repeatable), e.g. CAT. Default: all.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date to report status on. Default: today.")
@db_option
@format_option
def status(states: tuple[str, ...], instruments: tuple[str, ...], as_of: str | None, db_path: Path, fmt: str) -> None:
    """Status of STATES on instruments on a date: party, signatory, not_party,
    not_applicable, withdrawn (or unknown where the KB's record is incomplete).

    STATE is an ISO 3166-1 alpha-3 code, the depositary's name, or an alias
    (case-insensitive). No STATE means all states.

    \b
    Examples:
      kb status PRK
      kb status "North Korea" --instrument CRPD --as-of 2016-01-01 --format json
    """
    import datetime as dt

    from .build import query_sql

    as_of = _date_or_fail(as_of, "--as-of") if as_of else dt.date.today().isoformat()
    conn = _connect(db_path)
    ids = [_resolve_state(conn, s) for s in states]
    known = {r[0] for r in conn.execute("SELECT id FROM instruments")}
    for i in instruments:
        if i not in known:
            hint = difflib.get_close_matches(i.upper(), sorted(known), n=3)
            raise click.BadParameter(f"unknown instrument {i!r}" + (f"; did you mean {', '.join(hint)}?" if hint else "; see `kb instruments`"),
                                     param_hint="--instrument")
    cur = conn.execute(query_sql("status_on"), {"as_of": as_of, "states": ",".join(ids), "instruments": ",".join(instruments)})
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    _emit(rows, fmt, table_cols=["state", "instrument", "status", "signature_date", "consent_date", "consent_type", "withdrawal_date", "note"])


@main.command()
@click.argument("state")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date to report on. Default: today.")
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
    import datetime as dt

    from .build import query_sql

    as_of = _date_or_fail(as_of, "--as-of") if as_of else dt.date.today().isoformat()
    conn = _connect(db_path)
    sid = _resolve_state(conn, state)
    rows = _query(conn, query_sql("obligations_on"), {"state": sid, "as_of": as_of})
    for r in rows:
        r["accepted"] = bool(r["accepted"])
    _emit(rows, fmt, table_cols=["instrument", "article", "kind", "accepted", "since", "reason"])


@main.command()
@click.argument("state")
@click.option("--since", "since", required=True, metavar="YYYY-MM-DD", help="First day of the period (inclusive).")
@click.option("--until", "until", metavar="YYYY-MM-DD", help="Last day of the period (inclusive). Default: today.")
@db_option
@format_option
def changes(state: str, since: str, until: str | None, db_path: Path, fmt: str) -> None:
    """What changed for STATE between two dates: status transitions derived from
    the data, and every action dated in the period.

    \b
    Example:
      kb changes PRK --since 2010-01-01 --until 2020-12-31
    """
    import datetime as dt

    from .build import query_sql

    since = _date_or_fail(since, "--since")
    until = _date_or_fail(until, "--until") if until else dt.date.today().isoformat()
    if until < since:
        raise click.BadParameter(f"--until {until} is before --since {since}", param_hint="--until")
    conn = _connect(db_path)
    sid = _resolve_state(conn, state)
    rows = _query(conn, query_sql("changes"), {"state": sid, "since": since, "until": until})
    _emit(rows, fmt, table_cols=["date", "instrument", "change", "article", "detail"])


@main.command()
@click.argument("state")
@db_option
@format_option
def asks(state: str, db_path: Path, fmt: str) -> None:
    """What STATE was asked to accept (UPR recommendations, letters, inquiry
    reports), by whom, its response, and whether it did. Fulfilment is derived
    from the KB's own status data: an ask is fulfilled when the asked action
    (e.g. a ratification) is recorded after the ask's date.

    \b
    Example:
      kb asks PRK --format json
    """
    from .build import query_sql

    conn = _connect(db_path)
    sid = _resolve_state(conn, state)
    rows = _query(conn, query_sql("asks"), {"state": sid})
    for r in rows:
        r["by"] = json.loads(r["by"])
        r["instruments"] = r["instruments"].split(",") if r["instruments"] else []
        r["fulfilled"] = bool(r["fulfilled"])
    _emit(rows, fmt, table_cols=["date", "document", "ref", "action", "instruments", "response", "fulfilment", "fulfilled_date"])


@main.command()
@db_option
@format_option
def instruments(db_path: Path, fmt: str) -> None:
    """List the instruments and their ids.

    \b
    Example:
      kb instruments --format csv
    """
    conn = _connect(db_path)
    cur = conn.execute("SELECT id, short_title, regime, kind, parent_id AS parent, adopted, entry_into_force, mtdsg, status_as_at AS known_to FROM instruments ORDER BY sort_order")
    cols = [d[0] for d in cur.description]
    _emit([dict(zip(cols, r)) for r in cur.fetchall()], fmt, table_cols=cols)


# --------------------------------------------------------------------------- helpers

def _check_data_dir(data_dir: Path) -> None:
    if not data_dir.is_dir():
        raise click.ClickException(f"data directory {data_dir} not found: run from the repository root or pass --data")


def _check_db(db_path: Path) -> None:
    if not db_path.exists():
        raise click.ClickException(f"database {db_path} not found: run `kb build` first (or pass --db)")


def _connect(db_path: Path) -> sqlite3.Connection:
    _check_db(db_path)
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        conn.execute("SELECT 1 FROM status_intervals LIMIT 1")
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{db_path} is not a KB database ({exc}): rebuild it with `kb build`") from None
    return conn


def _date_or_fail(value: str, name: str) -> str:
    from .schema import check_date

    if not DATE_RE.match(value):
        raise click.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD", param_hint=name)
    try:
        check_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from None
    return value


def _resolve_state(conn: sqlite3.Connection, name: str) -> str:
    from .build import query_sql

    row = conn.execute(query_sql("resolve_state"), {"name": name}).fetchone()
    if row:
        return row[0]
    names = [r[0] for r in conn.execute("SELECT name FROM state_names")]
    hint = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    raise click.BadParameter(
        f"unknown state {name!r}" + (f"; did you mean {', '.join(repr(h) for h in hint)}?" if hint else
                                     ": use an ISO 3166-1 alpha-3 code (e.g. PRK), the depositary's name or an alias"),
        param_hint="STATE")


def _query(conn: sqlite3.Connection, sql: str, params: dict) -> list[dict]:
    cur = conn.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _emit(rows: list[dict], fmt: str, table_cols: list[str]) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
    else:
        if not rows:
            click.echo("(no rows)")
            return
        def cell(v: object) -> str:
            if v is None:
                return ""
            if isinstance(v, list):
                return ",".join(map(str, v))
            return str(v)

        cells = [[cell(r.get(c)) for c in table_cols] for r in rows]
        widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(table_cols)]
        click.echo("  ".join(c.ljust(w) for c, w in zip(table_cols, widths)).rstrip())
        click.echo("  ".join("-" * w for w in widths))
        for row in cells:
            click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())


from .cite import cite_command  # noqa: E402  (kb/cite.py uses the helpers above)

main.add_command(cite_command)


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
