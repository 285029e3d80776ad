"""A page's rows as JSON and CSV: /country/<ISO3>.json|.csv and /instrument/<ID>.json|.csv.

The rows are those of the page's status table: kb/query/sql/status_on.sql through kb.query.status,
for the page's state or instrument on the page's date (?as_of=, default the data's as-at date), so
`/country/PRK.json` is what `kb status PRK --as-of <date> --format json` prints. The static export
(kb/web/export.py) writes the same answers as files under the same paths."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import unquote

from datasette.utils.asgi import Response

from ... import query as q
from .common import _as_of, _db, _error, _instruments, _one


def as_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def as_csv(rows: list[dict]) -> str:
    """The rows as CSV, as `kb status --format csv` writes them: booleans as JSON writes them
    (true/false, never Python's True/False), nulls as empty cells."""
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows({k: (("true" if v else "false") if isinstance(v, bool) else v) for k, v in r.items()} for r in rows)
    return buf.getvalue()


def _answer(rows: list[dict], fmt: str, name: str) -> Response:
    if fmt == "json":
        return Response(as_json(rows), content_type="application/json; charset=utf-8")
    return Response(as_csv(rows), content_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'inline; filename="{name}.csv"'})


async def country_data(datasette, request):
    db = _db(datasette)
    raw, fmt = unquote(request.url_vars["id"]), request.url_vars["fmt"]
    state = await _one(db, "SELECT id FROM states WHERE id = ?", (raw,))
    if state is None:
        return await _error(datasette, request, 404, "Unknown state",
                            f"No state has the id {raw!r}. Country data uses ISO 3166-1 alpha-3 codes, e.g. /country/PRK.json.")
    _requested, as_of, err = await _as_of(datasette, request)
    if err:
        return err
    rows = await db.execute_fn(lambda conn: q.status(conn, states=[state["id"]], as_of=as_of))
    return _answer(rows, fmt, f"{state['id']}-{as_of}")


async def instrument_data(datasette, request):
    db = _db(datasette)
    raw, fmt = unquote(request.url_vars["id"]), request.url_vars["fmt"]
    if raw not in await _instruments(db):
        return await _error(datasette, request, 404, "Unknown instrument",
                            f"No instrument has the id {raw!r}. Instrument data uses the ids of /instrument, e.g. /instrument/CAT.json.")
    _requested, as_of, err = await _as_of(datasette, request)
    if err:
        return err
    rows = await db.execute_fn(lambda conn: q.status(conn, instruments=[raw], as_of=as_of))
    return _answer(rows, fmt, f"{raw}-{as_of}")
