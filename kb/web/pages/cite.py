"""Citations: /cite/<what>.<format>, what a page's Cite control offers.

  /cite/status.<f>?state=&instrument=&as_of=   a state's status on an instrument on a date
  /cite/event.<f>?key=                         an engagement event (its key, as `kb engagement` lists it)
  /cite/instrument.<f>?instrument=             an instrument itself
  /cite/kb.<f>                                 the knowledge base (this build's version)
  /cite/all.<f>?state= or ?instrument=&as_of=  every citation of a country's or an instrument's page

Formats: .json (every text style at once: the knowledge base's sentence, OSCOLA, Bluebook, Chicago,
APA; and the download addresses), .txt (?style=, one of them), .ris, .bib (BibLaTeX), .csl.json
(CSL-JSON) to download.  The records are kb.query.csl's; the styles are rendered by kb/csl with the
official style files, the same text `kb cite --style ...` prints.  Parameters are checked before
this module sees them (kb/web/params.py): a malformed one is a 400 JSON answer naming it.

Rendering every style costs about 50 ms per record (citeproc-py; Chicago and APA most), so pages
show only the sentence inline and fetch the styles from here when a reader opens Cite.
"""

from __future__ import annotations

import asyncio
import json
import re
from urllib.parse import urlencode

from datasette.utils.asgi import Response

from ...query import QueryError
from ...query import api, csl
from ...query.base import version as build_version
from .common import _db, _path

#: The formats of the downloads: (file suffix, media type).
DOWNLOADS = {
    "ris": ("ris", "application/x-research-info-systems"),
    "bibtex": ("bib", "application/x-bibtex"),
    "csl-json": ("csl.json", "application/vnd.citationstyles.csl+json"),
}
FORMAT_STYLE = {suffix: style for style, (suffix, _type) in DOWNLOADS.items()}
CSL_TEXT_STYLES = ("oscola", "bluebook", "chicago", "apa")
#: The names a reader sees for each style (one place, for translation).
STYLE_NAMES = {"plain": "The knowledge base's sentence", "oscola": "OSCOLA", "bluebook": "Bluebook",
               "chicago": "Chicago (notes)", "apa": "APA", "ris": "RIS", "bibtex": "BibTeX (BibLaTeX)",
               "csl-json": "CSL-JSON"}


def _json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, indent=2) + "\n", status=status,
                    content_type="application/json; charset=utf-8")


def _refuse(status: int, message: str, param: str) -> Response:
    return _json({"ok": False, "error": message, "param": param}, status)


def _records(conn, what: str, args: dict) -> tuple[list[dict], str | None, str]:
    """(CSL items, the knowledge base's sentence or None, a file name) of the thing asked for."""
    if what == "status":
        state, inst, as_of = args["state"], args["instrument"], args["as_of"]
        return (csl.status_record(conn, state, inst, as_of), api.cite(conn, state, inst, as_of, "plain"),
                f"{state}-{inst}-{as_of}")
    if what == "event":
        key = args["key"]
        return csl.event_record(conn, key), api.cite_event(conn, key, "plain"), re.sub(r"[^A-Za-z0-9-]+", "-", key)
    if what == "instrument":
        return csl.instrument_record(conn, args["instrument"]), None, args["instrument"]
    if what == "kb":
        return (csl.kb_record(conn, args.get("_site")), api.cite_kb(conn, "plain"),
                f"treaty-kb-{build_version(conn) or 'unversioned'}")
    state, inst, as_of = args.get("state") or "", args.get("instrument") or "", args["as_of"]
    if bool(state) == bool(inst):
        raise QueryError("name either a state or an instrument, not both and not neither", "state")
    if state:
        return csl.state_records(conn, state, as_of), None, f"{state}-{as_of}-citations"
    return csl.instrument_records(conn, inst, as_of), None, f"{inst}-{as_of}-citations"


def links(datasette, what: str, params: dict) -> dict[str, str]:
    """The addresses of one citation in each format: {'json', 'txt', 'ris', 'bib', 'csl.json'}."""
    q = {k: v for k, v in params.items() if v not in (None, "")}
    return {fmt: _path(datasette, f"/cite/{what}.{fmt}") + ("?" + urlencode(q) if q else "")
            for fmt in ("json", "txt", "ris", "bib", "csl.json")}


def all_styles(items: list[dict], plain: str | None) -> dict[str, str]:
    """{style: text} of every text style (the sentence first where there is one)."""
    out = {"plain": plain} if plain else {}
    out.update((style, csl.format_items(items, style)) for style in CSL_TEXT_STYLES)
    return out


async def cite(datasette, request):
    db = _db(datasette)
    what, fmt = request.url_vars["what"], request.url_vars["fmt"]
    args = {k: request.args.get(k) for k in request.args.keys() if not k.startswith("_")}
    args["_site"] = site_url(datasette, request)
    if what == "all" and fmt in ("json", "txt"):
        return _refuse(400, "every citation of a page is written as .ris, .bib or .csl.json", "format")
    try:
        items, plain, name = await db.execute_fn(lambda conn: _records(conn, what, args))
    except QueryError as e:
        param = {"event": "key"}.get(e.param or "", e.param or "")
        unknown = str(e).startswith(("unknown", "no status"))
        return _refuse(404 if unknown else 400, str(e), param)
    loop = asyncio.get_running_loop()
    if fmt == "txt":
        style = args.get("style") or "plain"
        if style == "plain" and not plain:
            return _refuse(400, "an instrument has no sentence of its own: ask for style oscola, bluebook, chicago "
                                "or apa", "style")
        text = plain if style == "plain" else await loop.run_in_executor(None, csl.format_items, items, style)
        return Response(text + "\n", content_type="text/plain; charset=utf-8")
    if fmt == "json":
        styles = await loop.run_in_executor(None, all_styles, items, plain)
        here = links(datasette, what, {k: v for k, v in args.items() if k not in ("style", "_site")})
        return _json({"styles": styles, "names": {s: STYLE_NAMES[s] for s in styles},
                      "downloads": {style: here[suffix] for style, (suffix, _t) in DOWNLOADS.items()}})
    style = FORMAT_STYLE[fmt]
    suffix, media = DOWNLOADS[style]
    return Response(csl.format_items(items, style) + "\n", content_type=f"{media}; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}.{suffix}"'})


_KB_MEMO: dict[tuple, dict[str, str]] = {}
_HOST = re.compile(r"^(?:[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


def site_url(datasette, request) -> str | None:
    """The site's own address, for the knowledge base's citation: the address asked for (the response
    cache keys on the Host), or in a static export the live site's (--live-url), else None."""
    export = getattr(datasette, "_kb_export", None)
    if export is not None:
        return (export.get("live_url") or "").rstrip("/") + "/" if export.get("live_url") else None
    host = getattr(request, "host", None) if request is not None else None
    if not host or not _HOST.match(host) or request.scheme not in ("http", "https"):
        return None  # a Host header that is no host name is not written into a citation
    return f"{request.scheme}://{host}{datasette.setting('base_url')}"


def kb_citations(conn, url: str | None = None) -> dict[str, str]:
    """The knowledge base's own citation in every style and format (the home page's "Cite this
    database"), rendered once per build and address."""
    key = (build_version(conn), url)
    if key not in _KB_MEMO:
        items = csl.kb_record(conn, url)
        out = all_styles(items, api.cite_kb(conn, "plain"))
        out.update((style, csl.format_items(items, style)) for style in DOWNLOADS)
        if len(_KB_MEMO) > 16:
            _KB_MEMO.clear()
        _KB_MEMO[key] = out
    return _KB_MEMO[key]


# --------------------------------------------------------------------------- metadata for reference managers

PUBLISHER = csl.KB_TITLE


def page_meta(title: str, description: str, version: str | None, date: str | None, kind: str = "Dataset") -> list[tuple[str, str]]:
    """The <meta> tags reference managers capture from a page (docs/CITATION_METADATA.md): Highwire
    Press citation_* (Zotero's and Mendeley's "Embedded Metadata", Google Scholar) and Dublin Core
    (DC.*, read by the same translator).  date: the data's as-at date (YYYY-MM-DD), written as each
    scheme asks (citation_date YYYY/MM/DD; DC.date ISO 8601)."""
    tags = [("citation_title", title), ("citation_publisher", PUBLISHER)]
    if date:
        tags.append(("citation_date", date.replace("-", "/")))
    tags += [("citation_abstract", description), ("citation_language", "en")]
    tags += [("DC.title", title), ("DC.publisher", PUBLISHER)]
    if date:
        tags.append(("DC.date", date))
    tags += [("DC.type", kind), ("DC.description", description), ("DC.language", "en")]
    if version:
        tags.append(("DC.relation", f"KB version {version}"))
    return tags


def dataset_jsonld(description: str, version: str | None, date: str | None, downloads: dict[str, str]) -> dict:
    """The knowledge base as a schema.org Dataset (the home page): what dataset search engines read."""
    return {k: v for k, v in {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": PUBLISHER,
        "description": description,
        "version": version,
        "dateModified": date,
        "inLanguage": "en",
        "isAccessibleForFree": True,
        "distribution": [{"@type": "DataDownload", "encodingFormat": fmt, "contentUrl": url}
                         for fmt, url in downloads.items()],
    }.items() if v not in (None, "", [])}


#: The words of each page's metadata (one place, for translation).
META_WORDS = {
    "country": ("{state}: treaty status on {date}",
                "The status of {state} on each treaty and convention on {date}, derived from the depositaries' "
                "records, each with its source, and its engagement with UN human rights mechanisms."),
    "instrument": ("{title}: status of states on {date}",
                   "The status of each state on the {title} on {date}, derived from the depositary's record, each "
                   "with its source, and the reservations, declarations and objections made to it."),
    "article": ("{id}, article {article}: reservations and declarations on {date}",
                "The words of article {article} of the {title}, and the reservations, declarations and objections "
                "on it, in force or not, on {date}."),
    "home": ("Treaty and convention ratification knowledge base",
             "Signatures, ratifications, accessions, reservations, declarations and withdrawals of treaties and "
             "conventions, derived from dated, sourced events: status on any date, every fact with its source."),
}


def meta_for(kind: str, version: str | None, **fields: str) -> list[tuple[str, str]]:
    """page_meta with the page's words (META_WORDS); fields name the page's state, instrument, date."""
    from ...query.citation import format_date

    data_date = version.split("+")[0] if version else None
    words = {k: v for k, v in fields.items()}
    if "date" in words:
        words["date"] = format_date(words["date"])
    title, description = (w.format(**words) for w in META_WORDS[kind])
    return page_meta(title, description, version, data_date)


async def cite_this_database(datasette, request, db, version: str | None, data_date: str, download: str) -> dict:
    """The home page's "Cite this database" (every style and format) and its schema.org Dataset."""
    import sqlite3

    url = site_url(datasette, request)
    try:
        cites = await db.execute_fn(lambda conn: kb_citations(conn, url))
    except (sqlite3.Error, QueryError):  # not a KB database: the page shows no citation
        return {}
    names = {s: STYLE_NAMES[s] for s in cites}
    files = {style: f"/cite/kb.{suffix}" for style, (suffix, _t) in DOWNLOADS.items()}
    return {
        "kb_cite": cites, "kb_cite_names": names, "kb_cite_files": files,
        "cite_meta": meta_for("home", version),
        "cite_jsonld": dataset_jsonld(META_WORDS["home"][1], version, data_date,
                                      {"application/vnd.sqlite3": download}),
    }


def event_meta(items: list[dict], sentence: str, version: str | None) -> list[tuple[str, str]]:
    """An event page's tags: the UN document it names as a report (Zotero's Embedded Metadata makes a
    report of citation_technical_report_institution, with its symbol as the number and its English
    link as the URL); an event that names no document, as the other pages (a dataset)."""
    doc = next((i for i in items if i["type"] == "report"), None)
    if doc is None:  # the page, a view of the knowledge base's data (dated as the other pages)
        return page_meta(sentence, sentence, version, version.split("+")[0] if version else None)
    parts = doc["issued"]["date-parts"][0]
    date = "-".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(parts))
    body = (doc.get("author") or [{}])[0].get("literal") or doc.get("publisher") or "United Nations"
    tags = [("citation_title", doc["title"]), ("citation_technical_report_institution", body),
            ("citation_technical_report_number", doc["number"]), ("citation_publisher", doc.get("publisher", "")),
            ("citation_date", date.replace("-", "/")), ("citation_public_url", doc["URL"]),
            ("citation_abstract", sentence), ("citation_language", "en"),
            ("DC.title", doc["title"]), ("DC.creator", body), ("DC.publisher", doc.get("publisher", "")),
            ("DC.date", date), ("DC.identifier", doc["number"]), ("DC.language", "en")]
    if version:
        tags.append(("DC.relation", f"KB version {version}"))
    return [(k, v) for k, v in tags if v]
