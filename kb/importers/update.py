"""Import newer UN Treaty Collection status pages into the KB, with a change report.

    kb import untc DIR [--data DIR] [--format text|json] [--check] [--accept-removals]

DIR may hold any subset of the 18 Chapter IV status pages, under any file names: each page is
recognised by its content (the MTDSG number of the page's own address, ``mtdsg_no=IV-9``), and
its as-at date is read from its own "STATUS AS AT" header.  Each page rewrites only its
instrument's import (``data/imported/untc/<ID>.yaml``), that instrument's entries in
``counts.yaml`` and its ``status_source.as_at`` in ``treaties.yaml``; instruments whose pages are
absent keep what they have.

What "the same fact" is.  An action's identity is the build's key: (instrument, state, type,
date, article, target_state).  Comparing an old import with a new one:

* a key in both whose other fields differ (text, footnote, effective date, symbol, ...) is
  **changed**, with the fields before and after; the source's ``as_at`` and ``first_recorded``
  are not compared (a source re-dated to the new as-at is not a change);
* a key only in the old import is **removed**, a key only in the new one **added**; but when, for
  one (instrument, state, type, article, target_state), exactly one action is removed and one
  added, the pair is one **changed** fact (e.g. an altered date), with before and after.

Nothing is lost silently: a removal stops the import (exit 1, each missing fact named, nothing
written) unless ``accept_removals``.  A page the importer cannot read (a changed layout) stops it
the same way, for every page: all pages are read and checked before any file is written.

History: each imported action carries ``first_recorded``, the as-at date of the first snapshot
that recorded it (kept from the previous import for the same key; the new page's as-at date for a
new key, including an altered date).

Curated corrections: a curated action (data/actions/<ID>.yaml) with the key of an imported action
overrides it.  When a new page no longer has the imported action a curated one matched, the
report names the curated action (its file and line) so that it is reviewed; validation then also
reports two consents without an exit between them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..data import files as FILES
from ..data.loader import LoadError, load_text
from . import untc as U

MTDSG_RE = re.compile(r"mtdsg_no=([IVXL]+-\d+(?:-[a-z])?)(?=[&\"'\s])")
BY_MTDSG = {m: (stem, inst) for stem, (inst, m) in U.INSTRUMENTS.items()}
ORDER = [inst for inst, _ in U.INSTRUMENTS.values()]
DATE_KEYS = {"date", "effective_date", "first_recorded", "as_at", "as_of"}
# The fields compared, in the order the report shows them (source fields as "source.<name>").
COMPARED = [k for k in U.ACTION_KEYS if k not in ("source", "first_recorded")] + [
    f"source.{k}" for k in U.SOURCE_KEYS if k != "as_at"]
KEY_FIELDS = ("state", "type", "date", "article", "target_state")


# What a whole saved status page ends with: the status section closes with the cell holding the
# "bottom" anchor (id ..._tclnkNote), after the participant grid, the text sections and the
# footnotes; then the form, the body and the document close.  A page cut anywhere lacks at least
# the last of these (and a cut page that a browser closed itself, e.g. "Web page, complete" of a
# page still loading, lacks the others).
END_RE = re.compile(r"</html>\s*\Z", re.I)
CLOSING = [(f'id="{U.P}tclnkNote"', "the end of the status section (the cell after the footnotes, id ..._tclnkNote)"),
           ("</form>", "the end of the page's form (</form>)"),
           ("</body>", "the end of the page's body (</body>)")]
TITLE_RE = re.compile(r"^(?P<num>\d+)\s*\.\s*(?:(?P<letter>[a-z])\s+)?(?P<title>\S.*)$")


# What to do about a page the importer cannot read, when its message does not say it already.
LAYOUT_TODO = ("compare the saved page with the live one and save it again; if the depositary changed the page's "
               "layout, the importer (kb/importers/untc.py) needs updating")
TODO_RE = re.compile(r"\b(?:save|add|keep one|correct|model it|FOOTNOTE_EVENTS|import again|pass --today)\b")


def incomplete(path: Path, what: str) -> U.ImportFailure:
    return U.ImportFailure(f"{path}: incomplete page: {what}; it was cut short while saving or downloading: "
                           "save the whole page again from treaties.un.org (a whole status page ends with "
                           "the page footer and </html>)")


#: Characters no status page holds (the HTML parser refuses C0 controls but tab, newline, return).
#: U+FFFD: what reading with errors="replace" makes of bytes that are not UTF-8 (every saved page is UTF-8).
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


def check_closed(path: Path, raw: str | None = None) -> None:
    """Refuse a page that lacks the closing structure of a whole page (before it is parsed)."""
    raw = path.read_text(encoding="utf-8", errors="replace") if raw is None else raw
    if not END_RE.search(raw):
        raise incomplete(path, "it does not end with </html>")
    m = CONTROL_RE.search(raw)  # the HTML parser refuses them with an error that names nothing
    if m:
        line, col = raw.count("\n", 0, m.start()) + 1, m.start() - raw.rfind("\n", 0, m.start())
        what = ("bytes that are not UTF-8 are" if m.group() == "\ufffd" else
                f"character U+{ord(m.group()):04X} (a control character) is")
        raise U.ImportFailure(f"{path}:{line}:{col}: {what} not in a status page: an edited or damaged page: "
                              "save the page again from treaties.un.org")
    at = 0
    notes = [m.end() for m in re.finditer(r'class="divNotesAll"', raw)]
    start = notes[-1] if notes else raw.find(f'{U.P}tblgrid"')
    for marker, what in CLOSING:
        i = raw.rfind(marker)
        if i < max(at, start):
            raise incomplete(path, f"{what} is missing" + (" after the last footnote" if notes and at == 0 else ""))
        at = i


def check_footnotes(path: Path, page: U.Page) -> None:
    """Refuse a page that cites a footnote whose text it lacks (or has a footnote without text)."""
    cited: dict[str, str] = {}
    for a in page.tree.xpath('//a[contains(concat(" ", normalize-space(@class), " "), " noteIndex ")]'):
        num = U.norm_space(a.text_content())
        if num.isdigit():
            cited.setdefault(num, "")
    for r in page.rows:
        for n in r.footnotes:
            cited[n] = f" (on {r.name} in the participant grid)"
    missing = [n for n in sorted(cited, key=int) if n not in page.footnotes]
    empty = [n for n in sorted(page.footnotes, key=int) if not page.footnotes[n].strip()]
    if missing:
        raise incomplete(path, "the text of footnote" + ("s " if len(missing) > 1 else " ") + ", ".join(
            n + cited[n] for n in missing) + " is missing, though the page refers to " +
            ("them" if len(missing) > 1 else "it"))
    if empty:
        raise incomplete(path, "footnote" + ("s " if len(empty) > 1 else " ") + ", ".join(empty) + " ha"
                         + ("ve" if len(empty) > 1 else "s") + " a number but no text")


def norm_title(t: str) -> str:
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    t = re.sub(r"[\u2010-\u2015]", "-", t)
    return " ".join(t.split()).strip(" .").casefold()


def check_instrument(path: Path, page: U.Page, record: dict | None, shown_treaties: str) -> None:
    """Refuse a page whose own title line disagrees with its MTDSG number or with the instrument's title."""
    head = U.norm_space(page.tree.xpath(f'//*[@id="{U.P}rptTreaty_ctl00_tcTreaty"]')[0].text_content())
    m = TITLE_RE.match(head)
    if not m:
        raise U.ImportFailure(f"{path}: the treaty title line {head!r} is not '<number>. [letter] <title>': "
                              "save the page again; if the depositary changed its layout, the importer "
                              "(kb/importers/untc.py) needs updating")
    number = f"IV-{m['num']}" + (f"-{m['letter']}" if m["letter"] else "")
    inst = page.instrument
    if number != page.mtdsg:
        raise U.ImportFailure(
            f"{path}: the page's links say MTDSG {page.mtdsg} ({inst}), but its title line numbers it {number} "
            f"({m['num']}.{' ' + m['letter'] if m['letter'] else ''} {m['title']}): a page of another treaty, or "
            f"an edited page: save {inst}'s own page from {page.url}")
    if record is None:
        return
    if record.get("mtdsg") and str(record["mtdsg"]) != page.mtdsg:
        raise U.ImportFailure(f"{path}: the page is MTDSG {page.mtdsg}, but {shown_treaties} gives {inst} the "
                              f"number {record['mtdsg']}: correct one of them")
    if norm_title(m["title"]) != norm_title(str(record.get("title") or "")):
        raise U.ImportFailure(
            f"{path}: the page's title {m['title']!r} is not the title of {inst} in {shown_treaties} "
            f"({record.get('title')!r}), though its links say MTDSG {page.mtdsg}: a page of another treaty, or "
            f"an edited page: save {inst}'s own page from {page.url} (if the depositary renamed the treaty, "
            f"correct the title in {shown_treaties} first)")


def check_dates(path: Path, page: U.Page, actions: list[dict], today: str) -> None:
    """Refuse a page dated after today, or dated before the actions it records."""
    if page.as_at > today:
        raise U.ImportFailure(
            f"{path}: the page says STATUS AS AT {page.as_at}, which is later than today ({today}): a status page "
            "cannot be dated in the future: save the page again from treaties.un.org (to import as on another "
            "day, pass --today or set $KB_TODAY)")
    later = sorted((str(a["date"]), a["state"], a["type"]) for a in actions if str(a["date"]) > page.as_at)
    if later:
        d, st, ty = later[-1]
        raise U.ImportFailure(
            f"{path}: the page says STATUS AS AT {page.as_at}, but it records {len(later)} action"
            f"{'s' if len(later) > 1 else ''} dated later (the latest: {st} {ty} on {d}): its date and its "
            "contents disagree (an edited page?): save the page again from treaties.un.org")


class Refused(Exception):
    """The import cannot be made as asked: nothing is written."""


@dataclass
class PageRead:
    file: Path
    instrument: str
    mtdsg: str
    as_at: str
    as_at_before: str | None


@dataclass
class Plan:
    pages: list[PageRead] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    writes: dict[Path, str] = field(default_factory=dict)  # only files whose text changes
    removals: list[dict] = field(default_factory=list)
    accept_removals: bool = False

    @property
    def refused(self) -> bool:
        return bool(self.removals) and not self.accept_removals


def page_mtdsg(path: Path) -> str:
    """The MTDSG number of a saved status page, read from the page's own links."""
    try:
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise U.ImportFailure(f"{path}: cannot be read ({exc.strerror})") from None
    if not END_RE.search(raw):
        raise incomplete(path, "it does not end with </html>" if raw.strip() else "the file is empty")
    found = set(MTDSG_RE.findall(raw))
    if not found and (U.P in raw or "United Nations Treaty Collection" in raw):  # a status page cut before its
        # links (then closed): say what it lacks
        check_closed(path, raw)
    if len(found) != 1:
        what = "no MTDSG number (mtdsg_no=...)" if not found else f"several MTDSG numbers {sorted(found)}"
        raise U.ImportFailure(f"{path}: {what}: not a UN Treaty Collection status page as the importer knows them")
    m = found.pop()
    if m not in BY_MTDSG:
        raise U.ImportFailure(f"{path}: MTDSG {m} is not one of the 18 Chapter IV pages this importer reads "
                              f"({', '.join(BY_MTDSG)})")
    return m


def find_pages(pages_dir: Path) -> dict[str, Path]:
    """{stem: file} for every status page in pages_dir (*.html, *.htm), recognised by content."""
    if not pages_dir.is_dir():
        raise U.ImportFailure(f"{pages_dir}: not a directory")
    files = sorted(p for p in pages_dir.iterdir() if p.is_file() and p.suffix.lower() in (".html", ".htm"))
    if not files:
        raise U.ImportFailure(f"{pages_dir}: no .html page in it: save the UNTC status pages there")
    out: dict[str, Path] = {}
    for f in files:
        stem, inst = BY_MTDSG[page_mtdsg(f)]
        if stem in out:
            raise U.ImportFailure(f"{pages_dir}: {out[stem].name} and {f.name} are both the page of {inst}: keep one")
        out[stem] = f
    return out


def _plain_dates(obj):
    """Loaded YAML (dates as str) -> the importer's dump form (dates as plain scalars)."""
    if isinstance(obj, dict):
        return {k: (U.PlainDate(v) if k in DATE_KEYS and isinstance(v, str) else _plain_dates(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain_dates(x) for x in obj]
    return obj


def _load(path: Path, shown: str):
    try:
        return load_text(shown, path.read_bytes())
    except LoadError as exc:
        raise U.ImportFailure(f"{exc.problem}") from None


def key(instrument: str, a: dict) -> tuple:
    return (instrument, a["state"], a["type"], str(a["date"]), a.get("article"), a.get("target_state"))


def fact(a: dict) -> dict:
    """The compared fields of an action ({field: value}, missing fields left out)."""
    out = {k: str(a[k]) if k in DATE_KEYS else a[k] for k in COMPARED if not k.startswith("source.") and a.get(k) is not None}
    src = a.get("source") or {}
    out.update({f"source.{k}": src[k] for k in U.SOURCE_KEYS if k != "as_at" and src.get(k) is not None})
    return out


def _change(kind: str, instrument: str, a: dict, line: str | None = None, before: dict | None = None,
            after: dict | None = None) -> dict:
    c = {"change": kind, "state": a["state"], "instrument": instrument, "type": a["type"], "date": str(a["date"]),
         "article": a.get("article"), "target_state": a.get("target_state")}
    if before is not None or after is not None:
        c["before"], c["after"] = before, after
    if line:
        c["where"] = line
    return c


def compare(instrument: str, old: list[tuple[dict, str]], new: list[dict]) -> list[dict]:
    """Changes from old (action, 'file:line') to new actions of one instrument, in a stable order."""
    o = {key(instrument, a): (a, where) for a, where in old}
    n = {key(instrument, a): a for a in new}
    changes = []
    for k in n.keys() & o.keys():
        fo, fn = fact(o[k][0]), fact(n[k])
        if fo != fn:
            diff = [f for f in COMPARED if fo.get(f) != fn.get(f)]
            changes.append(_change("changed", instrument, n[k], o[k][1], {f: fo.get(f) for f in diff},
                                   {f: fn.get(f) for f in diff}))
    removed = [k for k in o if k not in n]
    added = [k for k in n if k not in o]
    group = lambda k: (k[1], k[2], k[4], k[5])  # noqa: E731  (state, type, article, target_state)
    rem_by: dict[tuple, list] = {}
    add_by: dict[tuple, list] = {}
    for k in removed:
        rem_by.setdefault(group(k), []).append(k)
    for k in added:
        add_by.setdefault(group(k), []).append(k)
    for g, ks in rem_by.items():
        if len(ks) == 1 and len(add_by.get(g, [])) == 1:
            ko, kn = ks[0], add_by.pop(g)[0]
            fo, fn = fact(o[ko][0]), fact(n[kn])
            diff = ["date"] + [f for f in COMPARED if f != "date" and fo.get(f) != fn.get(f)]
            changes.append(_change("changed", instrument, n[kn], o[ko][1], {f: fo.get(f) for f in diff},
                                   {f: fn.get(f) for f in diff}))
        else:
            changes += [_change("removed", instrument, o[k][0], o[k][1]) for k in ks]
    for ks in add_by.values():
        changes += [_change("added", instrument, n[k]) for k in ks]
    changes.sort(key=lambda c: (c["state"], c["date"], U.TYPE_ORDER.index(c["type"]), c["article"] or "",
                                c["target_state"] or "", c["change"]))
    return changes


def _replace_as_at(text: str, loaded, index: int, new: str, shown: str) -> str:
    """treaties.yaml with instruments[index].status_source.as_at set to `new`, nothing else touched."""
    line, col = loaded.where(("instruments", index, "status_source", "as_at"))
    lines = text.split("\n")
    cur = lines[line - 1]
    m = re.match(r"^(\s*as_at:\s*)(\"?)(\d{4}(?:-\d{2}){0,2})(\"?)(\s*(?:#.*)?)$", cur)
    if not m:
        raise U.ImportFailure(f"{shown}:{line}:{col}: expected 'as_at: YYYY-MM-DD' for the status source here")
    lines[line - 1] = f"{m.group(1)}{m.group(2)}{new}{m.group(4)}{m.group(5)}"
    return "\n".join(lines)


def instrument_text(page: U.Page, actions: list[dict], skipped: list[str], label: str) -> str:
    comment = [
        f"GENERATED by the UNTC importer (kb import untc) from {label}",
        f"(UN Treaty Collection {page.mtdsg}, {page.url}, STATUS AS AT {page.as_at}).",
        f"Do not edit by hand: corrections go in data/actions/{page.instrument}.yaml, which the build prefers.",
    ]
    if skipped:
        comment.append("")
        comment.append("Not imported: text-section entries whose date (or, for objections, the state objected to)")
        comment.append("could not be determined from the page, and entries of former states:")
        comment += [f"  - {s}" for s in skipped]
    return U.render_actions(page.instrument, actions, comment)


def counts_text(records: list[dict]) -> str:
    text = U.header_comment([
        "GENERATED by the UNTC importer (kb import untc): do not edit by hand.",
        "Counts the depositary states (page header) and counts read from the participant grid, each as at",
        "its page's own date, checked against the KB's derived status after every build.",
    ]) + yaml.dump({"expected_counts": records}, Dumper=U.Dumper, allow_unicode=True, sort_keys=False,
                   width=100, default_flow_style=False)
    U.validate_text(text, "ExpectedCountsFile", "counts.yaml")
    return text


def plan(pages: dict[str, Path], out_dir: Path, *, treaties: Path | None = None, actions_dir: Path | None = None,
         states_file: Path | None = None, accept_removals: bool = False, sections: bool = True,
         root: Path | None = None, today: str | None = None) -> Plan:
    """Read the pages ({stem: file}) and work out every change and every file to write.

    Raises ImportFailure (a page that cannot be read, is not whole, is not its instrument's, is dated
    after `today` (default: today, or $KB_TODAY) or before its own contents, or is older than the
    KB's record; every page's problem at once) or returns a Plan; nothing is written here (see write())."""
    if not today and os.environ.get("KB_TODAY"):
        today = os.environ["KB_TODAY"]
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", today):
                raise ValueError
            dt.date.fromisoformat(today)
        except ValueError:
            raise U.ImportFailure(f"$KB_TODAY: {today!r} is not a date: set it to a date YYYY-MM-DD, "
                                  "or unset it") from None
    today = today or dt.date.today().isoformat()
    root = root or out_dir.parent.parent
    show = lambda p: os.path.relpath(p, root.parent) if str(p).startswith(str(root)) else str(p)  # noqa: E731
    states = U.StateIndex(states_file or (root / "states.yaml"))
    result = Plan(accept_removals=accept_removals)
    # the instruments' status sources (treaties.yaml), for the as-at dates before and after
    tre_text = tre_loaded = None
    tre_index: dict[str, int] = {}
    if treaties and treaties.exists():
        tre_text = treaties.read_text(encoding="utf-8")
        tre_loaded = _load(treaties, show(treaties))
        tre_index = {r["id"]: i for i, r in enumerate(tre_loaded.data.get("instruments") or [])}
    counts_path = out_dir / "counts.yaml"
    old_counts = _load(counts_path, show(counts_path)).data["expected_counts"] if counts_path.exists() else []
    new_counts: dict[str, list[dict]] = {}
    for r in old_counts:
        new_counts.setdefault(r["instrument"], []).append(_plain_dates(r))
    new_tre = tre_text
    diffs = []
    read: list[tuple[U.Page, list[dict], list[str], Path]] = []
    problems = []
    for stem in U.INSTRUMENTS:  # read and check every page before anything else
        if stem not in pages:
            continue
        try:
            check_closed(pages[stem])
            page = U.parse_page(pages[stem], stem)
            check_footnotes(pages[stem], page)
            record = tre_loaded.data["instruments"][tre_index[page.instrument]] \
                if tre_loaded is not None and page.instrument in tre_index else None
            check_instrument(pages[stem], page, record, show(treaties) if treaties else "treaties.yaml")
            actions, _cases, skipped = U.page_actions(page, states, sections=sections)
            check_dates(pages[stem], page, actions, today)
        except U.ImportFailure as exc:
            msg = str(exc)
            if not TODO_RE.search(msg):
                msg += ": " + LAYOUT_TODO
            problems.append(msg if str(pages[stem]) in msg else f"{pages[stem]}: {msg}")
            continue
        diffs += [f"{pages[stem]}: {d}" for d in U.reconcile(page)]
        read.append((page, actions, skipped, pages[stem]))
    if diffs:
        problems.append("grid counts differ from the page headers:\n  " + "\n  ".join(diffs) + "\n" + LAYOUT_TODO)
    if len(problems) == 1:
        raise U.ImportFailure(problems[0])
    if problems:
        raise U.ImportFailure(f"{len(problems)} problems:\n" + "\n".join("  " + m.replace("\n", "\n  ") for m in problems))
    for page, actions, skipped, file in read:
        inst = page.instrument
        before = None
        if tre_loaded is not None:
            if inst not in tre_index:
                raise U.ImportFailure(f"{show(treaties)}: instrument {inst} is not there: add it before importing its page")
            before = str(tre_loaded.data["instruments"][tre_index[inst]]["status_source"]["as_at"])
            if page.as_at < before:
                raise U.ImportFailure(f"{file}: the page is as at {page.as_at}, older than the KB's record of {inst} "
                                      f"(as at {before}): save the current page")
            if page.as_at != before:
                new_tre = _replace_as_at(new_tre, tre_loaded, tre_index[inst], page.as_at, show(treaties))
        result.pages.append(PageRead(file, inst, page.mtdsg, page.as_at, before))
        path = out_dir / f"{inst}.yaml"
        old: list[tuple[dict, str]] = []
        if path.exists():
            loaded = _load(path, show(path))
            old = [(a, f"{show(path)}:{loaded.where(('actions', i))[0]}") for i, a in enumerate(loaded.data["actions"])]
        old_by_key = {key(inst, a): a for a, _ in old}
        for a in actions:
            prev = old_by_key.get(key(inst, a))
            first = (prev.get("first_recorded") or prev["source"]["as_at"]) if prev else page.as_at
            a["first_recorded"] = U.PlainDate(str(first))
            # keep the field order of kb/data/schema.py Action
            ordered = {k: a[k] for k in U.ACTION_KEYS if k in a}
            a.clear()
            a.update(ordered)
        changes = compare(inst, old, actions)
        result.changes += changes
        result.removals += [c for c in changes if c["change"] == "removed"]
        result.warnings += curated_warnings(inst, old, actions, changes, actions_dir, show)
        text = instrument_text(page, actions, skipped, f"{file.parent.name}/{file.name}")
        U.validate_text(text, "ActionsFile", f"{inst}.yaml")
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            result.writes[path] = text
        new_counts[inst] = U.count_records(page)
    records = [r for inst in ORDER for r in new_counts.get(inst, [])]
    records += [r for inst, rs in new_counts.items() if inst not in ORDER for r in rs]
    ctext = counts_text(records)
    if not counts_path.exists() or counts_path.read_text(encoding="utf-8") != ctext:
        result.writes[counts_path] = ctext
    if treaties and new_tre != tre_text:
        result.writes[treaties] = new_tre
    result.changes.sort(key=lambda c: ORDER.index(c["instrument"]))  # stable: keeps each instrument's order
    return result


def curated_warnings(inst: str, old: list[tuple[dict, str]], new: list[dict], changes: list[dict],
                     actions_dir: Path | None, show) -> list[str]:
    """Curated actions that matched an imported action the new page no longer has."""
    if not actions_dir:
        return []
    path = actions_dir / f"{inst}.yaml"
    if not path.exists():
        return []
    loaded = _load(path, show(path))
    old_keys = {key(inst, a) for a, _ in old}
    new_keys = {key(inst, a) for a in new}
    out = []
    for i, a in enumerate((loaded.data or {}).get("actions") or []):
        if not isinstance(a, dict) or not all(k in a for k in ("state", "type", "date")):
            continue
        k = key(inst, a)
        if k in old_keys and k not in new_keys:
            now = [c for c in changes if c["change"] == "changed" and c["state"] == a["state"] and c["type"] == a["type"]
                   and c["article"] == a.get("article") and c["target_state"] == a.get("target_state")
                   and (c.get("before") or {}).get("date") == str(a["date"])]
            line = loaded.where(("actions", i))[0]
            out.append(f"{show(path)}:{line}: the curated {a['type']} of {a['state']} dated {a['date']} corrected an "
                       f"imported action that the new {inst} page no longer has"
                       + (f" (the page now dates it {now[0]['after']['date']})" if now else "")
                       + ": review it (correct its date or remove it)")
    return out


# --------------------------------------------------------------------------- writing: all files or none
#
# An import rewrites several files (an instrument's import, counts.yaml, treaties.yaml) that must
# agree.  write() makes that all-or-nothing:
#
# 1. every new text is written (and flushed to disk) to a temporary file beside its target,
#    ``.NAME.kb-import-new``; every target that exists gets a backup beside it, ``.NAME.kb-import-old``
#    (a hard link to the current file: no copy, and the old bytes stay reachable after the rename);
# 2. a journal (``.kb-import-journal.json`` in the data directory) lists the targets; it is written
#    to a temporary file and renamed into place, so it is either absent or whole;
# 3. each temporary file is renamed over its target (a rename is atomic within a directory);
# 4. the journal is deleted: this is the moment the import takes effect; then the backups go.
#
# A failure at any step (read-only file, full disk, interrupted) rolls back at once: renamed targets
# get their backup back, new targets are deleted, temporary files removed; the message says that
# nothing was written.  A crash (power cut, killed process) between two renames leaves the journal:
# the next `kb import untc` finds it and restores every target from its backup before anything else
# (recover()); `--check` refuses until then.  Leftover temporary files without a journal (a crash
# before step 2) are only removed: no target was touched.

JOURNAL = FILES.IMPORT_JOURNAL
NEW_SUFFIX, OLD_SUFFIX = FILES.IMPORT_LEFTOVERS


class WriteFailed(Exception):
    """Writing the import failed; the message says whether data/ was restored."""


class FS:
    """Every file-system step write() and recover() take, in one place (tests inject faults here)."""

    @staticmethod
    def write(path: Path, data: bytes, mode: int = 0o644) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)

    @staticmethod
    def replace(src: Path, dst: Path) -> None:
        os.replace(src, dst)

    @staticmethod
    def link(src: Path, dst: Path) -> None:
        try:
            os.link(src, dst)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            FS.write(dst, src.read_bytes(), src.stat().st_mode & 0o777)  # no hard links here: a copy

    @staticmethod
    def unlink(path: Path) -> None:
        os.unlink(path)

    @staticmethod
    def sync_dir(path: Path) -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def _new(t: Path) -> Path:
    return t.with_name(f".{t.name}{NEW_SUFFIX}")


def _old(t: Path) -> Path:
    return t.with_name(f".{t.name}{OLD_SUFFIX}")


def _quiet_unlink(path: Path) -> None:
    try:
        if path.exists() or path.is_symlink():
            FS.unlink(path)
    except OSError:
        pass


def _rollback(targets: list[Path], existed: dict[Path, bool], jpath: Path) -> list[str]:
    """Put every target back as it was; [] when all is restored, else what could not be."""
    problems = []
    for t in targets:
        try:
            if existed[t]:
                if _old(t).exists():
                    FS.replace(_old(t), t)
            elif t.exists():
                FS.unlink(t)
        except OSError as exc:
            problems.append(f"{t}: {exc.strerror or exc}")
        _quiet_unlink(_new(t))
    if problems:  # keep the journal: the next run restores from the backups it names
        return problems
    for t in targets:
        _quiet_unlink(_old(t))
    _quiet_unlink(jpath.with_name(jpath.name + NEW_SUFFIX))
    _quiet_unlink(jpath)
    return []


def write(p: Plan, journal_dir: Path, show=str) -> list[Path]:
    """Write the plan's files, all or none (see above); raises WriteFailed with what happened."""
    if p.refused:
        raise Refused("removals not accepted")
    targets = list(p.writes)
    if not targets:
        return []
    jpath = journal_dir / JOURNAL
    if jpath.exists():
        raise WriteFailed(f"{show(jpath)}: an interrupted import's journal is there: run the import again to "
                          "restore data/ first")
    outside = [show(t) for t in targets if ".." in Path(os.path.relpath(t, journal_dir)).parts]
    if outside:
        raise WriteFailed(f"nothing written: {', '.join(outside)} outside {show(journal_dir)}, where the journal is "
                          "kept: the import can only write inside its data directory")
    existed = {t: t.exists() for t in targets}
    step = "?"
    try:
        for t in targets:
            step = f"cannot write {show(t)}"
            t.parent.mkdir(parents=True, exist_ok=True)
            FS.write(_new(t), p.writes[t].encode("utf-8"), (t.stat().st_mode & 0o777) if existed[t] else 0o644)
        for t in targets:
            if existed[t]:
                step = f"cannot keep a backup of {show(t)}"
                _quiet_unlink(_old(t))
                FS.link(t, _old(t))
        step = f"cannot write the journal {show(jpath)}"
        journal = {"journal": "kb import untc", "files": [
            {"path": os.path.relpath(t, journal_dir), "existed": existed[t]} for t in targets]}
        jtmp = jpath.with_name(jpath.name + NEW_SUFFIX)
        FS.write(jtmp, (json.dumps(journal, indent=1) + "\n").encode("utf-8"))
        FS.replace(jtmp, jpath)
        FS.sync_dir(journal_dir)
        for t in targets:
            step = f"cannot replace {show(t)}"
            FS.replace(_new(t), t)
        for d in {t.parent for t in targets}:
            FS.sync_dir(d)
        step = f"cannot remove the journal {show(jpath)}"
        FS.unlink(jpath)  # the import takes effect here
    except BaseException as exc:  # noqa: BLE001  (a fault of any kind, even an interrupt, is rolled back)
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else (str(exc) or type(exc).__name__)
        problems = _rollback(targets, existed, jpath)
        if problems:
            raise WriteFailed(
                f"{step} ({why}), and data/ could not be restored ({'; '.join(problems)}): some files may be "
                f"new, some old; the journal {show(jpath)} remains: fix the fault, then run `kb import untc` "
                "again, which restores data/ before anything else") from None
        if not isinstance(exc, Exception):
            raise
        raise WriteFailed(f"nothing written: {step} ({why}); data/ is as it was before the import: free space "
                          "or fix the permissions, then run the import again") from None
    FS.sync_dir(journal_dir)
    for t in targets:
        _quiet_unlink(_old(t))
    return targets


def recover(journal_dir: Path, dirs: list[Path] = (), show=str) -> list[str]:
    """Undo an import a crash interrupted (its journal is in journal_dir); remove stale temporary
    files in journal_dir and dirs.  Returns a line per file restored ([] if there was nothing to do)."""
    jpath = journal_dir / JOURNAL
    done = []
    if jpath.exists():
        try:
            files = json.loads(jpath.read_text(encoding="utf-8"))["files"]
            if not all(isinstance(f["path"], str) and f["path"].endswith(".yaml") and not os.path.isabs(f["path"])
                       and ".." not in Path(f["path"]).parts for f in files):
                raise ValueError("it names a file that is not a .yaml file inside the directory")
            targets = [Path(os.path.normpath(journal_dir / f["path"])) for f in files]
            existed = {t: bool(f["existed"]) for t, f in zip(targets, files)}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise WriteFailed(f"{show(jpath)}: an interrupted import's journal cannot be read ({exc}): restore "
                              "data/ from git (`git checkout -- data/`), then delete the journal") from None
        for t in targets:
            if existed[t] and _old(t).exists():
                done.append(f"restored {show(t)}")
            elif not existed[t] and t.exists():
                done.append(f"removed {show(t)}")
        problems = _rollback(targets, existed, jpath)
        if problems:
            raise WriteFailed(f"{show(jpath)}: an interrupted import could not be undone ({'; '.join(problems)}): "
                              "fix the fault and run again, or restore data/ from git")
    for d in {journal_dir, *dirs}:
        if d.is_dir():
            for f in d.iterdir():
                if f.name.startswith(".") and f.name.endswith((NEW_SUFFIX, OLD_SUFFIX)):
                    _quiet_unlink(f)
    return done


def interrupted(journal_dir: Path) -> bool:
    """True while an interrupted import's journal is in journal_dir (data/ may be partly written)."""
    return (journal_dir / JOURNAL).exists()


# --------------------------------------------------------------------------- the report

def _short(v, n: int = 70) -> str:
    if v is None:
        return "(none)"
    s = " ".join(str(v).split())
    return repr(s if len(s) <= n else s[: n - 1] + "\u2026")


def fact_label(c: dict) -> str:
    bits = [c["instrument"], c["state"], c["type"], c["date"]]
    if c.get("article"):
        bits.append(f"article {c['article']}")
    if c.get("target_state"):
        bits.append(f"concerning {c['target_state']}")
    return "  ".join(bits)


def report_text(p: Plan, show=str) -> str:
    lines = [f"Read {len(p.pages)} page{'s' if len(p.pages) != 1 else ''}:"]
    for r in p.pages:
        dated = (f"status as at {r.as_at_before} -> {r.as_at}" if r.as_at_before and r.as_at_before != r.as_at
                 else f"status as at {r.as_at}")
        lines.append(f"  {r.instrument} ({r.mtdsg}) from {r.file.name}: {dated}")
    n = {k: sum(1 for c in p.changes if c["change"] == k) for k in ("added", "removed", "changed")}
    if not p.changes:
        lines.append("No change: the pages record the same facts as the KB.")
    else:
        lines.append(f"Changes: {n['added']} added, {n['removed']} removed, {n['changed']} changed")
        for c in p.changes:
            lines.append(f"  {c['change']:<8} {fact_label(c)}")
            for f in (c.get("before") or {}):
                lines.append(f"           {f}: {_short(c['before'][f])} -> {_short(c['after'][f])}")
    for w in p.warnings:
        lines.append(f"Review: {w}")
    return "\n".join(lines)


def refusal_text(p: Plan) -> str:
    lines = [f"refused, nothing written: the pages lack {len(p.removals)} fact{'s' if len(p.removals) != 1 else ''} "
             "the KB holds from the depositary:"]
    for c in p.removals:
        lines.append(f"  {fact_label(c)}  ({c['where']})")
    lines.append("A missing row is more often a page or parsing fault than a withdrawal by the depositary: check "
                 "the saved page; if the depositary's record really no longer has these facts, import again with "
                 "--accept-removals.")
    return "\n".join(lines)


# --------------------------------------------------------------------------- scripts/import_untc.py

def main(argv: list[str] | None = None) -> int:
    """`scripts/import_untc.py`: re-import every Chapter IV page (and the 2015 tables): the same code as `kb import untc`."""
    ap = argparse.ArgumentParser(description=U.__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, default=U.DEFAULT_PAGES, help="directory of the 18 UNTC status pages")
    ap.add_argument("--out", type=Path, default=U.DEFAULT_OUT, help="output directory (default data/imported/untc)")
    ap.add_argument("--pages-2015", type=Path, default=U.DEFAULT_PAGES_2015,
                    help="directory of the 2015 CSV status tables ('-' to skip)")
    ap.add_argument("--out-2015", type=Path, default=U.DEFAULT_OUT_2015)
    ap.add_argument("--states", type=Path, default=U.STATES_FILE)
    ap.add_argument("--no-sections", action="store_true",
                    help="grid and footnotes only: skip reservations/declarations/objections")
    ap.add_argument("--check", action="store_true", help="exit 1 if any output would change; write nothing")
    ap.add_argument("--accept-removals", action="store_true",
                    help="write facts the pages no longer have as removals (otherwise the import is refused)")
    args = ap.parse_args(argv)
    data = args.out.parent.parent
    # the journal sits in the directory that holds every file written (treaties.yaml too, when it is there)
    journal_dir = data if (data / "treaties.yaml").exists() else args.out
    try:
        if interrupted(journal_dir) and args.check:
            raise U.ImportFailure(f"{journal_dir / JOURNAL}: an interrupted import left it: run without --check to "
                                  "restore the outputs first")
        if not args.check:
            for line in recover(journal_dir, [args.out]):
                print(f"import_untc: interrupted import undone: {line}", file=sys.stderr)
        pages = find_pages(args.pages)
        missing = [s for s in U.INSTRUMENTS if s not in pages]
        if missing:
            raise U.ImportFailure(f"{args.pages}: page(s) missing: {', '.join(f'{s}.html' for s in missing)}")
        states = U.StateIndex(args.states)
        p = plan(pages, args.out, treaties=data / "treaties.yaml", actions_dir=data / "actions",
                       states_file=args.states, accept_removals=args.accept_removals,
                       sections=not args.no_sections, root=data)
        out2015 = U.import_2015(args.pages_2015, states) if str(args.pages_2015) != "-" else {}
    except (U.ImportFailure, WriteFailed) as e:
        print(f"import_untc: FAILED, nothing written:\n{e}", file=sys.stderr)
        return 2
    if p.changes or p.warnings:
        print(report_text(p))
    if p.refused:
        print("import_untc: " + refusal_text(p), file=sys.stderr)
        return 1
    changed = sorted(f.name for f in p.writes)
    if not args.check:
        try:
            write(p, journal_dir)
        except WriteFailed as e:
            print(f"import_untc: FAILED: {e}", file=sys.stderr)
            return 2
    if out2015:
        changed += [f"untc-2015/{n}" for n in U.write_or_check(out2015, args.out_2015, args.check)]
    if args.check:
        if changed:
            print("import_untc --check: these outputs would change (re-run scripts/import_untc.py and review):\n  "
                  + "\n  ".join(changed), file=sys.stderr)
            return 1
        print("import_untc --check: outputs up to date")
        return 0
    print(f"import_untc: read {len(p.pages)} page(s) into {args.out}" + (
        f" and {len(out2015)} table(s) into {args.out_2015}" if out2015 else "") + (
        f"; changed: {', '.join(changed)}" if changed else "; no changes"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
