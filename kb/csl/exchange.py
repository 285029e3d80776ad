"""CSL-JSON items written in the exchange formats reference managers import: RIS, BibLaTeX
(`.bib`), CSL-JSON.  Standard library only.

Types map as the importers read them (Zotero, Mendeley, EndNote): a treaty -> RIS `LEGAL` and
BibLaTeX `@misc` (BibLaTeX has no treaty type that reference managers map), with its UNTS volume
and page as `volume`, `pages` and `series`; a web page -> RIS `ELEC`, `@online`; a UN document ->
RIS `RPRT`, `@report` (its symbol as `number`); the knowledge base -> RIS `DATA`, `@dataset`.
`url` and `urldate` are plain BibLaTeX fields (never `howpublished={\\url{...}}`).
"""

from __future__ import annotations

import json
import re

RIS_TYPES = {"treaty": "LEGAL", "webpage": "ELEC", "report": "RPRT", "dataset": "DATA"}
BIB_TYPES = {"treaty": "misc", "webpage": "online", "report": "report", "dataset": "dataset"}


def _date(value: dict | None) -> list[int]:
    if not value or "date-parts" not in value:
        return []
    return list(value["date-parts"][0])


def _iso(value: dict | None) -> str:
    parts = _date(value)
    return "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts))


def _names(item: dict, var: str) -> list[str]:
    return [n.get("literal") or ", ".join(x for x in (n.get("family"), n.get("given")) if x)
            for n in item.get(var, [])]


def to_csl_json(items: list[dict]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2)


def to_ris(items: list[dict]) -> str:
    """RIS records, one per item (tags as the RIS specification and rispy read them)."""
    out = []
    for it in items:
        lines = [("TY", RIS_TYPES.get(it["type"], "GEN")), ("ID", it["id"]), ("TI", it.get("title"))]
        lines += [("AU", a) for a in _names(it, "author")]
        lines += [
            ("T2", it.get("container-title")),
            ("VL", it.get("volume")),
            ("SP", it.get("page")),
            ("IS", it.get("number")),
            ("PB", it.get("publisher")),
            ("CY", it.get("event-place")),
            ("PY", str(_date(it.get("issued"))[0]) if _date(it.get("issued")) else None),
            ("DA", "/".join(_iso(it.get("issued")).split("-")) if it.get("issued") else None),
            ("Y2", "/".join(_iso(it.get("accessed")).split("-")) if it.get("accessed") else None),
            ("UR", it.get("URL")),
            ("LA", it.get("language")),
            ("ET", it.get("version")),
            ("AB", it.get("abstract")),
            ("N1", it.get("note")),
        ]
        out.extend(f"{tag}  - {value}" for tag, value in lines if value)
        out.append("ER  - ")
        out.append("")
    return "\n".join(out)


_BIB_SPECIAL = re.compile(r"([{}&%$#_\\~^])")


def _bib(value: str) -> str:
    return _BIB_SPECIAL.sub(lambda m: {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}",
                                       "^": r"\textasciicircum{}"}.get(m.group(1), "\\" + m.group(1)), value)


def bib_key(item: dict) -> str:
    return re.sub(r"[^A-Za-z0-9:._-]+", "-", item["id"]).strip("-")


def to_bibtex(items: list[dict]) -> str:
    """BibLaTeX entries, one per item; `url` and `urldate` plain fields, corporate authors braced."""
    out = []
    for it in items:
        typ = BIB_TYPES.get(it["type"], "misc")
        fields = [("title", _bib(it["title"]) if it.get("title") else None)]
        authors = _names(it, "author")
        if authors:
            fields.append(("author", " and ".join("{" + _bib(a) + "}" for a in authors)))
        fields += [
            ("series", _bib(it["container-title"]) if typ == "misc" and it.get("container-title") else None),
            ("volume", it.get("volume")),
            ("pages", it.get("page")),
            ("number", _bib(it["number"]) if it.get("number") else None),
            ("institution" if typ == "report" else "publisher", _bib(it["publisher"]) if it.get("publisher") else None),
            ("type", "UN document" if typ == "report" else None),
            ("organization", _bib(it["container-title"]) if typ == "online" and it.get("container-title") else None),
            ("version", _bib(it["version"]) if it.get("version") else None),
            ("date", _iso(it.get("issued")) or None),
            ("url", it.get("URL")),
            ("urldate", _iso(it.get("accessed")) or None),
            ("langid", {"en": "english", "es": "spanish"}.get(it.get("language", ""))),
            ("abstract", _bib(it["abstract"]) if it.get("abstract") else None),
            ("note", _bib(it["note"]) if it.get("note") else None),
        ]
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
        out.append(f"@{typ}{{{bib_key(it)},\n{body},\n}}")
    return "\n\n".join(out)


WRITERS = {"ris": to_ris, "bibtex": to_bibtex, "csl-json": to_csl_json}
