"""Parameters checked at every door: the stored queries (kb/web/metadata.py) and the pages' JSON and CSV.

Before Datasette (or a page) sees a request, its query string is read against the parameters the
stored query or route takes (PARAMS): a date must be written YYYY-MM-DD and be a real date, a state
is resolved as the command line resolves it (kb/query/sql/resolve_state.sql: code, depositary's
name or alias, any case), an instrument by its id (any case). The query string is then rewritten
with the resolved ids and the defaults (as_of missing: the data's date), so the SQL only ever sees
what it was written for. A parameter that cannot be read is refused with HTTP 400 naming it and
what to send: as JSON ({"ok": false, "error": ..., "param": ...}) on a .json or .csv address, as a
page elsewhere. A stored query's form (its address with no parameters at all) is shown as before.

Registered as Datasette's ``asgi_wrapper`` hook from kb/web/pages/__init__.py.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl, quote, unquote, urlencode

EXAMPLE_DATE = "2026-02-03"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
YEAR_RE = re.compile(r"^\d{4}$")
#: A panel may span at most this many years (one request, bounded work).
MAX_YEARS = 200


@dataclass(frozen=True)
class Param:
    kind: str  # date, year, state, states, instrument, instruments, article, style, event
    required: bool = False
    default: str | None = None  # "data_date": the data's date; "": every state / instrument


DATE = Param("date", default="data_date")
STATE = Param("state", required=True)
STATE_ALL = Param("state", default="")
STATES = Param("states", default="")
INSTRUMENT = Param("instrument", required=True)
INSTRUMENT_ALL = Param("instrument", default="")
INSTRUMENTS = Param("instruments", default="")
YEAR = Param("year", required=True)
ARTICLE_ALL = Param("article", default="")
ARTICLE_RE = re.compile(r"^(\d+|[IVXLC]+)((?:\([0-9a-zA-Z]+\))*)$")

#: The parameters of every stored query (kb/web/metadata.py); tests/test_params.py checks that each
#: named parameter of each stored query's SQL is here.
PARAMS: dict[str, dict[str, Param]] = {
    "status_on": {"as_of": DATE, "states": STATES, "instruments": INSTRUMENTS},
    "obligations_on": {"state": STATE, "as_of": DATE},
    "obligations_not_accepted": {"state": STATE, "as_of": DATE},
    "panel": {"states": STATES, "instruments": INSTRUMENTS, "from": YEAR, "to": YEAR},
    "changes": {"state": STATE, "since": Param("date", required=True), "until": DATE},
    "asks": {"state": STATE},
    "engagement": {"state": STATE},
    "reporting_status": {"state": STATE, "as_of": DATE},
    "open_asks": {"state": STATE_ALL},
    "asks_fulfilled": {"state": STATE_ALL},
    "signed_not_ratified": {"instrument": INSTRUMENT_ALL},
    "not_parties_on": {"instrument": INSTRUMENT, "as_of": DATE},
    "parties_on": {"instrument": INSTRUMENT, "as_of": DATE},
    "reservations": {"as_of": DATE, "states": STATES, "instrument": INSTRUMENT_ALL, "article": ARTICLE_ALL},
}
#: The pages' own JSON and CSV: /country/<ISO3>.json|csv, /instrument/<ID>.json|csv.
PAGE_DATA = re.compile(r"^/(?P<kind>country|instrument)/(?P<id>[^/]+)\.(?P<fmt>json|csv)$")
#: An instrument's reservations as JSON and CSV: /instrument/<ID>/article/<N>.json|csv, /instrument/<ID>/reservations.json|csv.
INSTRUMENT_DATA = re.compile(r"^/(?P<kind>instrument)/(?P<id>[^/]+)/(?P<rest>article/[^/]+|reservations)\.(?P<fmt>json|csv)$")
#: The citations (kb/web/pages/cite.py): /cite/<what>.<format>, each parameter in the query string.
CITE = re.compile(r"^/cite/(?P<what>status|event|instrument|kb|all)\.(?P<fmt>json|txt|ris|bib|csl\.json)$")
CITE_PARAMS: dict[str, dict[str, Param]] = {
    "status": {"state": STATE, "instrument": INSTRUMENT, "as_of": DATE},
    "event": {"key": Param("event", required=True)},
    "instrument": {"instrument": INSTRUMENT},
    "kb": {},
    "all": {"state": STATE_ALL, "instrument": INSTRUMENT_ALL, "as_of": DATE},
}
#: The styles a citation is written in as text (.txt): the knowledge base's sentence and the CSL styles.
TEXT_STYLES = ("plain", "oscola", "bluebook", "chicago", "apa")
STYLE = Param("style", default="plain")
MAX_KEY = 300
STORED = re.compile(r"^/(?P<db>[^/]+)/(?P<query>[^/.]+)(?:\.(?P<fmt>json|csv))?$")


class Refusal(Exception):
    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


def _date(name: str, raw: str) -> str:
    if DATE_RE.match(raw):
        try:
            dt.date.fromisoformat(raw)
            return raw
        except ValueError:
            pass
    raise Refusal(name, f"{name} must be a date written YYYY-MM-DD (for example {EXAMPLE_DATE})")


#: The most pages a paged list (the search's results) may be asked for.
MAX_PAGE = 10_000


def page_number(raw: str | None, name: str = "page") -> int:
    """A paged list's ?page=: missing or empty -> 1; else a whole number written in digits, 1 to MAX_PAGE,
    or Refusal."""
    raw = (raw or "").strip()
    if not raw:
        return 1
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Refusal(name, f"{name} must be a whole number from 1 to {MAX_PAGE} (for example 2)")
    return int(raw)


def _year(name: str, raw: str) -> str:
    if not YEAR_RE.match(raw):
        raise Refusal(name, f"{name} must be a year written YYYY (for example 2016)")
    return raw


def _article(name: str, raw: str) -> str:
    ref = re.sub(r"\s+", "", raw)
    if not ARTICLE_RE.match(ref):
        raise Refusal(name, f"{name} must be an article as a reservation cites it: the article, then each paragraph or "
                            "sub-paragraph in brackets (for example 16, 29(1) or 2(f))")
    return ref


class Resolver:
    """What a parameter may name, read from the served snapshot (kb/web/pages/common.py's memo)."""

    def __init__(self, datasette) -> None:  # noqa: ANN001
        self.datasette = datasette

    async def data_date(self) -> str:
        from .pages.common import _db, default_as_of

        return await default_as_of(_db(self.datasette))

    async def state(self, name: str, raw: str) -> str:
        from .pages.common import _db, _resolve_state, _states

        db = _db(self.datasette)
        if raw in await _states(db):
            return raw
        sid = await _resolve_state(db, raw)
        if sid is None:
            raise Refusal(name, f"{name}: no state is known by {raw!r}; send an ISO 3166-1 alpha-3 code (for example PRK), "
                                "the depositary's name or an alias (for example North Korea)")
        return sid

    async def instrument(self, name: str, raw: str) -> str:
        from .pages.common import _db, _instruments

        ids = list(await _instruments(_db(self.datasette)))
        if raw in ids:
            return raw
        match = next((i for i in ids if i.upper() == raw.upper()), None)
        if match is None:
            raise Refusal(name, f"{name}: no instrument has the id {raw!r}; send an id listed at /instrument "
                                "(for example CAT)")
        return match


async def check(spec: dict[str, Param], args: dict[str, str], resolver: Resolver) -> dict[str, str]:
    """The query string's parameters, checked and resolved, with the defaults filled in; or Refusal."""
    out = dict(args)
    for name, p in spec.items():
        raw = (args.get(name) or "").strip()
        if not raw:
            if p.required:
                what = {"date": f"a date written YYYY-MM-DD (for example {EXAMPLE_DATE})",
                        "year": "a year written YYYY (for example 2016)",
                        "state": "an ISO 3166-1 alpha-3 code (for example PRK), the depositary's name or an alias",
                        "instrument": "an instrument id listed at /instrument (for example CAT)",
                        "event": "an engagement event's key, as a country page's Cite links name it "
                                 "(for example PRK/treaty_body/CRPD/2025-08-19/concluding_observations)"}[p.kind]
                raise Refusal(name, f"{name} is required: send {what}")
            out[name] = await resolver.data_date() if p.default == "data_date" else (p.default or "")
            continue
        if p.kind == "date":
            out[name] = _date(name, raw)
        elif p.kind == "year":
            out[name] = _year(name, raw)
        elif p.kind == "article":
            out[name] = _article(name, raw)
        elif p.kind == "style":
            if raw not in TEXT_STYLES:
                raise Refusal(name, f"{name} must be one of {', '.join(TEXT_STYLES)} (the exchange formats are the "
                                    ".ris, .bib and .csl.json addresses)")
            out[name] = raw
        elif p.kind == "event":
            if len(raw) > MAX_KEY or not raw.isprintable():
                raise Refusal(name, f"{name} must be an engagement event's key, at most {MAX_KEY} characters")
            out[name] = raw
        elif p.kind == "state":
            out[name] = await resolver.state(name, raw)
        elif p.kind == "instrument":
            out[name] = await resolver.instrument(name, raw)
        elif p.kind in ("states", "instruments"):
            one = resolver.state if p.kind == "states" else resolver.instrument
            ids: list[str] = []
            for part in (x.strip() for x in raw.split(",")):
                if part:
                    rid = await one(name, part)
                    if rid not in ids:
                        ids.append(rid)
            out[name] = ",".join(ids)
    if "from" in spec and "to" in spec and out.get("from") and out.get("to"):
        if int(out["from"]) > int(out["to"]):
            raise Refusal("to", "to must be the same year as from or later")
        if int(out["to"]) - int(out["from"]) >= MAX_YEARS:
            raise Refusal("to", f"a panel spans at most {MAX_YEARS} years: send a later from or an earlier to")
    return out


def _json_refusal(r: Refusal) -> tuple[int, bytes, str]:
    body = json.dumps({"ok": False, "error": r.message, "param": r.param}, ensure_ascii=False) + "\n"
    return 400, body.encode(), "application/json; charset=utf-8"


def _html_refusal(r: Refusal) -> tuple[int, bytes, str]:
    msg = html.escape(r.message[:1].upper() + r.message[1:]) + "."
    body = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bad request · Treaty ratification "
            "knowledge base</title></head><body><main><h1>Bad request</h1><p class=\"error\" data-param=\""
            + html.escape(r.param) + "\">" + msg + "</p><p><a href=\"/\">Home page</a></p></main></body></html>\n")
    return 400, body.encode(), "text/html; charset=utf-8"


async def _send(send, status: int, body: bytes, content_type: str) -> None:  # noqa: ANN001
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


def _route(datasette, path: str) -> tuple[dict[str, Param], str | None, bool] | None:  # noqa: ANN001
    """(parameters, format, is a stored query) of a path this module checks, or None."""
    m = PAGE_DATA.match(path) or INSTRUMENT_DATA.match(path)
    if m:
        return {"as_of": DATE}, m.group("fmt"), False
    m = CITE.match(path)
    if m:
        spec = dict(CITE_PARAMS[m.group("what")])
        if m.group("fmt") == "txt":
            spec["style"] = STYLE
        return spec, "json", False  # refused as JSON, whatever the format
    m = STORED.match(path)
    if m and m.group("query") in PARAMS and m.group("db") in datasette.databases:
        return PARAMS[m.group("query")], m.group("fmt"), True
    return None


def wrap(datasette, app: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:  # noqa: ANN001
    resolver = Resolver(datasette)

    async def checked(scope, receive, send):  # noqa: ANN001, ANN202
        if scope.get("type") != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await app(scope, receive, send)
        base = datasette.setting("base_url") or "/"
        path = scope.get("path") or "/"
        if base != "/" and path.startswith(base):
            path = "/" + path[len(base):]
        route = _route(datasette, unquote(path))
        if route is None:
            return await app(scope, receive, send)
        spec, fmt, stored = route
        m = None if stored else PAGE_DATA.match(unquote(path)) or INSTRUMENT_DATA.match(unquote(path))
        if m:
            try:
                rid = await (resolver.state if m.group("kind") == "country" else resolver.instrument)("id", m.group("id"))
            except Refusal as r:
                body = json.dumps({"ok": False, "error": r.message.replace("id: ", "", 1), "param": "id"},
                                  ensure_ascii=False).encode() + b"\n"
                return await _send(send, 404, body, "application/json; charset=utf-8")
            except Exception:  # noqa: BLE001 - not a KB database: the route says so itself
                return await app(scope, receive, send)
            if rid != m.group("id") and m.groupdict().get("rest"):
                # /instrument/<id>/article/<N>.json: the article as the address gave it (decoded once), quoted again
                sub = INSTRUMENT_DATA.match(path)
                prefix = (scope.get("path") or "/")[: len(scope.get("path") or "/") - len(path)]
                new = prefix + f"/instrument/{rid}/{sub.group('rest')}.{sub.group('fmt')}"
                scope = dict(scope, path=new, raw_path=quote(new, safe="/()").encode())
            elif rid != m.group("id"):
                new = path[: len(path) - len(path.rsplit("/", 1)[1])] + f"{rid}.{m.group('fmt')}"
                prefix = (scope.get("path") or "/")[: len(scope.get("path") or "/") - len(path)]
                scope = dict(scope, path=prefix + new, raw_path=(prefix + new).encode())
        query = (scope.get("query_string") or b"").decode("latin-1")
        pairs = parse_qsl(query, keep_blank_values=True)
        args = {k: v for k, v in pairs}
        if stored and not fmt and not any(k in spec for k in args):
            return await app(scope, receive, send)  # the stored query's form
        try:
            resolved = await check(spec, args, resolver)
        except Refusal as r:
            if not fmt:
                try:  # the site's own error page
                    from .pages.common import _error

                    page = await _error(datasette, None, 400, "Bad request",
                                        r.message[:1].upper() + r.message[1:] + ".", param=r.param)
                    page.headers["cache-control"] = "no-store"
                    return await page.asgi_send(send)
                except Exception:  # noqa: BLE001 - a database that is not the KB's: a plain page
                    pass
            status, body, ctype = _json_refusal(r) if fmt else _html_refusal(r)
            return await _send(send, status, body, ctype)
        except Exception:  # noqa: BLE001 - not a KB database (or an old one): the page says so itself
            return await app(scope, receive, send)
        seen = set()
        rewritten = []
        for k, v in pairs:
            if k in spec:
                if k in seen:
                    continue
                seen.add(k)
                rewritten.append((k, resolved[k]))
            else:
                rewritten.append((k, v))
        rewritten += [(k, resolved[k]) for k in spec if k not in seen]
        scope = dict(scope, query_string=urlencode(rewritten).encode("latin-1", "replace"))
        return await app(scope, receive, send)

    return checked
