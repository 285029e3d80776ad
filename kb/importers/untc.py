"""Import the UN Treaty Collection (UNTC) depositary status pages into the KB's YAML.

    python3 scripts/import_untc.py   (or: python -m kb.importers.update) [--pages DIR] [--out DIR] [--check]
                                   [--pages-2015 DIR] [--out-2015 DIR] [--accept-removals]
    kb import untc DIR               (any subset of the pages, with a change report: kb/importers/update.py)

Reads the 18 Chapter IV status pages ("ViewDetails", STATUS AS AT 03-02-2026) and writes, per
instrument, ``data/imported/untc/<ID>.yaml`` (an ``ActionsFile``) plus ``counts.yaml`` (an
``ExpectedCountsFile``); and, from the 2015 CSV status tables, ``data/imported/untc-2015/<ID>.yaml``
(with, for the Genocide and Refugee instruments, the reservations and declarations of the 2015
capture's ``<stem>-declarations.txt``: see "2015 statements" below).

The output is generated, committed and reviewed; YAML stays the source of truth.  Hand-curated
facts live in ``data/actions/<ID>.yaml`` and are never touched here (the build prefers them).
Output is deterministic: re-running on the same pages gives identical bytes; ``--check`` exits 1
if any file would change.

What is read from a page, and how:

* the participant grid only: the table whose id ends in ``tblgrid`` (not the historical tables
  of former states).  Columns: Participant, Signature, consent.  Signature -> ``signature``
  (suffix ``d``: succession to signature).  Consent -> the type its suffix names (SUFFIXES).
* a date in [brackets]: the action happened but was later undone.  The participant's footnotes
  say how; they are modelled as dated events (FOOTNOTE_EVENTS, or the regex DENUNCIATION_RE for
  the plain "On <date>, the Government of X notified the Secretary-General of its denunciation
  of the Protocol [with effect from <date>]" form).  Every event date must appear verbatim in the
  footnote (asserted).  A bracketed entry without modelled events is an error.
* footnotes on a participant's name annotate that participant's row: their numbers and verbatim
  text go on the row's consent action (or on its signature when there is no consent).
* the header's "Signatories : N. Parties : N." counts, reconciled against the grid.
* the "Declarations and Reservations", "Objections" and competence-declaration sections after the
  grid, and withdrawals of reservations/declarations told in footnotes (see section_actions).
  Entries whose date (or, for an objection, the state objected to) cannot be read are not
  emitted: they are listed in the generated file's header comment.

Counts (counts.yaml): the header's Signatories and Parties ("page header") and, from the grid
("participant grid"), participants = rows, parties = rows whose consent date is not bracketed,
signatories = rows whose signature date is not bracketed.  The header does not count a bracketed
signature (ICCPR-OP1: 36 signature dates, header 35 = without Jamaica, which later denounced);
grid and header must agree or the import fails.

A denunciation whose footnote gives no date of effect (Jamaica, ICCPR-OP1 footnote 3) keeps
effective_date empty: the date follows from the instrument's denunciation clause
(treaties.yaml ``denunciation.months``), not from the page, and is not computed here.

A page that does not look as expected (no grid, changed header, unknown suffix, a participant
name not in data/states.yaml, ...) raises ImportFailure and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import yaml

ROOT = Path(__file__).resolve().parents[2]  # the repository (kb/importers/ -> ../..)
# the shared reference pages: ../shared/reference beside the repository, or $KB_REFERENCE
REFERENCE = Path(os.environ.get("KB_REFERENCE") or ROOT.parent / "shared" / "reference")
DEFAULT_PAGES = REFERENCE / "untc-chapter-iv-2026-02-03"
DEFAULT_PAGES_2015 = REFERENCE / "untc-selected-2015-03-14"
DEFAULT_OUT = ROOT / "data" / "imported" / "untc"
DEFAULT_OUT_2015 = ROOT / "data" / "imported" / "untc-2015"
STATES_FILE = ROOT / "data" / "states.yaml"

# page file stem -> (instrument id, MTDSG number)
INSTRUMENTS: dict[str, tuple[str, str]] = {
    "cerd": ("ICERD", "IV-2"),
    "icescr": ("ICESCR", "IV-3"),
    "icescr_op": ("OP-ICESCR", "IV-3-a"),
    "iccpr": ("ICCPR", "IV-4"),
    "iccpr_op1": ("ICCPR-OP1", "IV-5"),
    "cedaw": ("CEDAW", "IV-8"),
    "cedaw_op": ("OP-CEDAW", "IV-8-b"),
    "cat": ("CAT", "IV-9"),
    "cat_op": ("OP-CAT", "IV-9-b"),
    "crc": ("CRC", "IV-11"),
    "crc_op_ac": ("OP-CRC-AC", "IV-11-b"),
    "crc_op_sc": ("OP-CRC-SC", "IV-11-c"),
    "crc_op_ic": ("OP-CRC-IC", "IV-11-d"),
    "iccpr_op2": ("ICCPR-OP2", "IV-12"),
    "cmw": ("ICMW", "IV-13"),
    "crpd": ("CRPD", "IV-15"),
    "crpd_op": ("OP-CRPD", "IV-15-a"),
    "ced": ("CPED", "IV-16"),
}

PAGE_URL = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={mtdsg}&chapter=4&clang=_en"

# UNTC suffix after a consent date -> action type (kb/schema.py VOCABULARIES["action type"]).
SUFFIXES: dict[str, str] = {
    "": "ratification",
    "a": "accession",
    "d": "succession",
    "A": "acceptance",
    "AA": "approval",
    "c": "formal_confirmation",
    "s": "definitive_signature",
}
# Suffixes allowed in the Signature column: none, or d = succession to signature.
SIGNATURE_SUFFIXES = {"": None, "d": "Succession to signature (grid suffix d)."}

ID_SUFFIX = "tblgrid"
P = "ctl00_ctl00_ContentPlaceHolder1_ContentPlaceHolderInnerPage_"

MONTHS = {m: i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}
MONTHS_ABBR = {m[:3]: i for m, i in MONTHS.items()}

# Action field order as in kb/schema.py Action, for stable output.
ACTION_KEYS = ["state", "type", "date", "effective_date", "legal_effect", "article", "target_state",
               "text", "summary", "footnote_text", "unverified", "first_recorded", "source"]
SOURCE_KEYS = ["url", "title", "as_at", "symbol", "footnote", "note"]
# Types in the order kb/schema.py defines them (one vocabulary, one place).
from ..data.schema import ActionType  # noqa: E402

TYPE_ORDER = list(ActionType.__args__)

SYMBOL_RE = re.compile(r"C\.N\.\d+\.\d{4}\.TREATIES-[0-9IVXL]+(?:\.\d+)?")
LONG_DATE = r"\d{1,2} (?:%s) \d{4}" % "|".join(MONTHS)

# Footnote prose that describes a state leaving the instrument.  A participant footnote that
# matches must be modelled (by DENUNCIATION_RE or FOOTNOTE_EVENTS), or the import fails.
EXIT_HINT_RE = re.compile(
    r"denounc|denunciation of the|withdrawal from the (?:Covenant|Convention|Protocol|Optional Protocol)",
    re.I)

# "On 8 November 2022, the Government of Belarus notified the Secretary-General of its
#  denunciation of the Optional Protocol with effect from 8 February 2023 ..."
DENUNCIATION_RE = re.compile(
    r"On (?P<date>%s), the Government of (?P<who>[^,]+?) notified the Secretary-General of its "
    r"denunciation of the (?:Optional )?(?:Protocol|Covenant|Convention)"
    r"(?: with effect from (?P<eff>%s))?.*?(?:\.(?=\s|$)|$)" % (LONG_DATE, LONG_DATE))


# ----------------------------------------------------------------------------- explicit table
# Footnote-described events that the regex above cannot read reliably.  Keyed by (instrument,
# participant name as in the grid).  Each event quotes the footnote sentence(s) it is read from
# (`quote`, verbatim; asserted to occur in the footnote) and every date in it (`date`,
# `effective_date`) must occur in `quote` in the page's "D Month YYYY" form (asserted).
# `grid: True` marks an event that is the grid's own (bracketed or not) entry: it is not emitted
# twice, the quote only confirms it.
FOOTNOTE_EVENTS: dict[tuple[str, str], dict] = {
    # ICCPR-OP1 footnote 1.  The page tells the re-accession twice: the first paragraph says
    # "On 26 August 1998, the Government of Trinidad and Tobago re-acceded"; the closing
    # paragraph says "On 26 May 1998 ... denounce ... with effect from 26 August 1998. On that
    # same date, the Government of Trinidad and Tobago re-acceded to the Optional Protocol. The new
    # accession took effect on 26 August 1998."  Read together (and with France's objection in the
    # same footnote: "denunciation and accession on the same day"), the instrument was deposited
    # on 26 May 1998 and took effect on 26 August 1998, the day the first denunciation took
    # effect: Trinidad and Tobago was a party without interruption until 27 June 2000.
    ("ICCPR-OP1", "Trinidad and Tobago"): {
        "footnote": "1",
        "events": [
            {"type": "accession", "date": "1980-11-14", "grid": True,
             "quote": "The Government of Trinidad and Tobago acceded to the Optional Protocol on 14 November 1980."},
            {"type": "denunciation", "date": "1998-05-26", "effective_date": "1998-08-26",
             "quote": "On 26 May 1998 the Government of Trinidad and Tobago informed the Secretary-General of "
                      "its decision to denounce the Optional Protocol with effect from 26 August 1998."},
            {"type": "accession", "date": "1998-05-26", "effective_date": "1998-08-26",
             "quote": "On 26 May 1998, the Government of Trinidad and Tobago informed the Secretary-General of "
                      "its decision to denounce the Optional Protocol with effect from 26 August 1998. On that "
                      "same date, the Government of Trinidad and Tobago re-acceded to the Optional Protocol. "
                      "The new accession took effect on 26 August 1998.",
             "summary": "Re-accession with a reservation, deposited on the day the first denunciation was "
                        "notified and taking effect on 26 August 1998, the day that denunciation took effect. "
                        "The first paragraph of footnote 1 gives 26 August 1998 as the date of re-accession; "
                        "its closing paragraph distinguishes deposit (26 May 1998, 'on that same date') from "
                        "effect (26 August 1998)."},
            {"type": "denunciation", "date": "2000-03-27", "effective_date": "2000-06-27",
             "quote": "On 27 March 2000, the Government of Trinidad and Tobago notified the Secretary-General "
                      "that it had decided to denounce the Optional Protocol for the second time with effect "
                      "from 27 June 2000."},
        ],
    },
    # ICCPR-OP1 footnote 2.  Not bracketed: the grid shows the re-accession (5 Jan 1999 a); the
    # footnote adds the first accession and its denunciation.  The denunciation ends the 1993
    # accession only: Guyana has been a party without interruption since 1993.
    ("ICCPR-OP1", "Guyana"): {
        "footnote": "2",
        "events": [
            {"type": "accession", "date": "1993-05-10",
             "quote": "The Government of Guyana had initially acceded to the Optional Protocol on 10 May 1993 "
                      "(See, C.N.182.1993.TREATIES-2 of 27 August 1993).",
             "summary": "First accession, later denounced (footnote 2)."},
            {"type": "denunciation", "date": "1999-01-05", "effective_date": "1999-04-05",
             "quote": "On 5 January 1999, the Government of Guyana notified the Secretary-General that it had "
                      "decided to denounce the said Optional Protocol with effect from 5 April 1999.",
             "summary": "Denunciation of the 1993 accession; on the same day Guyana re-acceded (the grid's "
                        "5 January 1999 accession), so it remained a party."},
            {"type": "accession", "date": "1999-01-05", "grid": True,
             "quote": "On 5 January 1999, the Government of Guyana notified the Secretary-General that it had "
                      "decided to denounce the said Optional Protocol with effect from 5 April 1999. On that same "
                      "date, the Government of Guyana re-acceded to the Optional Protocol with a reservation."},
        ],
    },
    # ICCPR footnote 8: the Covenant has no withdrawal clause; the Secretary-General's position is
    # that withdrawal is not possible unless all States Parties agree: no legal effect.
    ("ICCPR", "Democratic People's Republic of Korea"): {
        "footnote": "8",
        "events": [
            {"type": "notification_of_withdrawal", "date": "1997-08-25", "legal_effect": "none",
             "quote": "On 25 August 1997, the Secretary-General received from the Government of the "
                      "Democratic People's Republic of Korea a notification of withdrawal from the Covenant, "
                      "dated 23 August 1997.",
             "symbol_quote": "C.N.467.1997.TREATIES-10",
             "summary": "Notification of withdrawal received on 25 August 1997. The Covenant has no "
                        "withdrawal clause; the Secretary-General considers that withdrawal is not possible "
                        "unless all States Parties agree, so the notification has no legal effect."},
        ],
    },
}


# Participant footnotes that match EXIT_HINT_RE but describe no exit from the instrument itself.
NOT_EXITS: dict[tuple[str, str, str], str] = {
    ("CEDAW", "New Zealand", "44"): "New Zealand's denunciation of ILO Convention No. 45, not of CEDAW.",
}


class ImportFailure(Exception):
    """The page does not look as the importer expects: nothing is written."""


# ----------------------------------------------------------------------------- helpers


def norm_space(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\u00a0", " ")).strip()


def long_date(iso: str) -> str:
    """'2022-11-08' -> '8 November 2022' (the pages' prose form)."""
    y, m, d = iso.split("-")
    return f"{int(d)} {list(MONTHS)[int(m) - 1]} {y}"


def iso_from_long(s: str) -> str:
    d, m, y = s.split()
    return f"{int(y):04d}-{MONTHS[m]:02d}-{int(d):02d}"


def block_text(el) -> str:
    """Text of an element with <br>/<p> as line breaks, whitespace normalised, empty lines dropped."""
    el = lxml.html.fromstring(lxml.html.tostring(el, encoding="unicode"))
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for p in el.iter("p", "div"):
        p.tail = "\n" + (p.tail or "")
        if p.text:
            p.text = "\n" + p.text
    lines = [norm_space(x) for x in el.text_content().split("\n")]
    return "\n".join(x for x in lines if x)


class PlainDate(str):
    """An ISO date emitted as a plain YAML scalar (the project loader keeps dates as strings)."""


class Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # never emit anchors/aliases
        return True

    def increase_indent(self, flow=False, indentless=False):  # indent lists under their key
        return super().increase_indent(flow, False)


def _plain_date(dumper, data):
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", str(data))


def _str(dumper, data):
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


Dumper.add_representer(PlainDate, _plain_date)
Dumper.add_representer(str, _str)


class StringLoader(yaml.SafeLoader):
    """safe_load, but dates stay strings (as the project loader keeps them)."""


StringLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# ----------------------------------------------------------------------------- states


class StateIndex:
    def __init__(self, path: Path):
        if not path.exists():
            raise ImportFailure(f"{path}: not found; the importer maps participant names with it")
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=StringLoader)
        self.by_name: dict[str, str] = {}
        for st in data["states"]:
            for n in [st["name"], *st.get("aliases", [])]:
                prev = self.by_name.get(n)
                if prev and prev != st["id"]:
                    raise ImportFailure(f"{path}: name {n!r} is given to both {prev} and {st['id']}")
                self.by_name[n] = st["id"]

    def resolve(self, name: str, where: str) -> str:
        try:
            return self.by_name[name]
        except KeyError:
            raise ImportFailure(
                f"{where}: participant {name!r} matches no name or alias in data/states.yaml; "
                "add the alias there (never skipped)") from None


# ----------------------------------------------------------------------------- page model


@dataclass
class Cell:
    date: str  # ISO
    suffix: str
    bracketed: bool


@dataclass
class Row:
    name: str
    footnotes: list[str]
    signature: Cell | None
    consent: Cell | None
    element: object = None


@dataclass
class Page:
    stem: str
    instrument: str
    mtdsg: str
    title: str
    as_at: str
    header_signatories: int | None
    header_parties: int | None
    consent_legend: str
    rows: list[Row]
    footnotes: dict[str, str]
    tree: object = None

    @property
    def url(self) -> str:
        return PAGE_URL.format(mtdsg=self.mtdsg)

    @property
    def source_title(self) -> str:
        return f"UN Treaty Collection, Chapter IV, {self.mtdsg}: {self.title}, status"

    def source(self, **kw) -> dict:
        s = {"url": self.url, "title": self.source_title, "as_at": PlainDate(self.as_at)}
        s.update({k: v for k, v in kw.items() if v is not None})
        return {k: s[k] for k in SOURCE_KEYS if k in s}


def one(tree, xpath: str, what: str, where: str):
    found = tree.xpath(xpath)
    if len(found) != 1:
        raise ImportFailure(f"{where}: expected exactly one {what}, found {len(found)}")
    return found[0]


DATE_CELL_RE = re.compile(r"^(\[)?\s*(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\s*([A-Za-z]{0,2})\s*(\])?$")


def parse_date_cell(text: str, column: str, where: str) -> Cell | None:
    text = norm_space(text)
    if not text:
        return None
    m = DATE_CELL_RE.match(text)
    if not m:
        raise ImportFailure(f"{where}: {column} cell {text!r} is not a date like '4 Oct 2007 a'")
    open_b, d, mon, y, suffix, close_b = m.groups()
    if bool(open_b) != bool(close_b):
        raise ImportFailure(f"{where}: {column} cell {text!r} has an unbalanced bracket")
    if mon not in MONTHS_ABBR:
        raise ImportFailure(f"{where}: {column} cell {text!r}: unknown month {mon!r}")
    iso = f"{int(y):04d}-{MONTHS_ABBR[mon]:02d}-{int(d):02d}"
    from ..data.schema import check_date  # noqa: PLC0415
    try:
        check_date(iso)
    except ValueError as e:
        raise ImportFailure(f"{where}: {column} cell {text!r}: {e}") from None
    return Cell(iso, suffix, bool(open_b))


STATUS_AS_AT_RE = re.compile(r"^STATUS AS AT : (\d{2})-(\d{2})-(\d{4})(?: \d{2}:\d{2}:\d{2} [A-Z]{2,4})?$")
HEADER_COUNTS_RE = re.compile(
    r"^(?:Signatories : (?P<sig>\d+)\.\s*)?(?:Parties : (?P<par>\d+)\.?)?\s*(?:\d+(?:, \d+)*)?$")


def parse_page(path: Path, stem: str | None = None) -> Page:
    stem = stem or path.stem
    if stem not in INSTRUMENTS:
        raise ImportFailure(f"{path}: unknown page {stem!r}; known: {', '.join(INSTRUMENTS)}")
    instrument, mtdsg = INSTRUMENTS[stem]
    where = str(path)
    tree = lxml.html.parse(str(path))

    as_at_text = norm_space(one(tree, f'//*[@id="{P}div3"]', "STATUS AS AT line", where).text_content())
    m = STATUS_AS_AT_RE.match(as_at_text)
    if not m:
        raise ImportFailure(f"{where}: header {as_at_text!r} is not 'STATUS AS AT : DD-MM-YYYY ...'")
    as_at = f"{m.group(3)}-{m.group(2)}-{m.group(1)}"
    try:
        dt.date.fromisoformat(as_at)
    except ValueError:
        raise ImportFailure(f"{where}: header {as_at_text!r} names no real date: an edited or damaged page: "
                            "save the page again from treaties.un.org") from None

    title_text = norm_space(one(tree, f'//*[@id="{P}rptTreaty_ctl00_tcTreaty"]', "treaty title", where)
                            .text_content())
    m = re.match(r"^\d+\s*\.\s*(\S.*)$", title_text)
    if not m:
        raise ImportFailure(f"{where}: treaty title {title_text!r} is not '<number>. <title>'")
    title = m.group(1)

    status_el = one(tree, f'//*[@id="{P}rptStatus_ctl00_tcText"]', "Status (Signatories/Parties) header", where)
    status_text = norm_space(status_el.text_content())
    m = HEADER_COUNTS_RE.match(status_text)
    if not m or not (m.group("sig") or m.group("par")):
        raise ImportFailure(f"{where}: status header {status_text!r} is not 'Signatories : N. Parties : N.'")
    header_sig = int(m.group("sig")) if m.group("sig") else None
    header_par = int(m.group("par")) if m.group("par") else None

    grids = tree.xpath(f'//table[substring(@id, string-length(@id) - {len(ID_SUFFIX) - 1}) = "{ID_SUFFIX}"]')
    if len(grids) != 1:
        raise ImportFailure(
            f"{where}: expected exactly one participant grid (a table whose id ends in '{ID_SUFFIX}'), "
            f"found {len(grids)}")
    trs = grids[0].xpath("./tr | ./tbody/tr")
    if not trs:
        raise ImportFailure(f"{where}: the participant grid has no rows")
    head = [norm_space(c.text_content()) for c in trs[0].xpath("./td | ./th")]
    if (len(head) != 3 or not head[0].startswith("Participant") or not head[1].startswith("Signature")
            or not re.search(r"Ratification|Accession|Acceptance|Approval|Succession|confirmation", head[2])):
        raise ImportFailure(f"{where}: participant grid header {head!r} is not [Participant, Signature, consent]")
    legend = head[2]
    legend_suffixes = {""} | set(re.findall(r"\((\w{1,2})\)", legend))
    unknown_legend = legend_suffixes - set(SUFFIXES)
    if unknown_legend:
        raise ImportFailure(f"{where}: grid header {legend!r} names unknown suffix(es) {sorted(unknown_legend)}")
    sig_legend = {""} | set(re.findall(r"\((\w{1,2})\)", head[1]))

    rows: list[Row] = []
    for i, tr in enumerate(trs[1:], start=2):
        tds = tr.xpath("./td")
        rwhere = f"{where}: grid row {i}"
        if len(tds) != 3:
            raise ImportFailure(f"{rwhere}: expected 3 cells, found {len(tds)}")
        name_td = lxml.html.fromstring(lxml.html.tostring(tds[0], encoding="unicode"))
        notes = []
        for sup in name_td.xpath(".//sup"):
            notes += re.findall(r"\d+", sup.text_content())
            sup.drop_tree()
        name = norm_space(name_td.text_content())
        if not name:
            raise ImportFailure(f"{rwhere}: empty participant name")
        rwhere = f"{where}: {name}"
        sig = parse_date_cell(tds[1].text_content(), "Signature", rwhere)
        con = parse_date_cell(tds[2].text_content(), "consent", rwhere)
        if sig and sig.suffix not in SIGNATURE_SUFFIXES:
            raise ImportFailure(f"{rwhere}: unknown suffix {sig.suffix!r} in the Signature column")
        if sig and sig.suffix not in sig_legend:
            raise ImportFailure(f"{rwhere}: Signature suffix {sig.suffix!r} not in the column header {head[1]!r}")
        if con and con.suffix not in SUFFIXES:
            raise ImportFailure(f"{rwhere}: unknown suffix {con.suffix!r} after consent date")
        if con and con.suffix not in legend_suffixes:
            raise ImportFailure(f"{rwhere}: consent suffix {con.suffix!r} not in the column header {legend!r}")
        if not sig and not con:
            raise ImportFailure(f"{rwhere}: row has neither a signature nor a consent date")
        rows.append(Row(name, notes, sig, con, tr))
    names = [r.name for r in rows]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise ImportFailure(f"{where}: participant(s) listed twice in the grid: {dups}")

    footnotes: dict[str, str] = {}
    for div in tree.xpath('//div[@class="divNotesAll"]'):
        anchor = div.xpath("./a[@name]")
        if not anchor:
            raise ImportFailure(f"{where}: a footnote without its <a name> number")
        num = anchor[0].get("name")
        text = block_text(div)
        if not re.fullmatch(r"\d+", num or "") or not text.startswith(num):
            raise ImportFailure(f"{where}: footnote {num!r} does not start with its number")
        text = text[len(num):].strip()
        if num in footnotes:
            raise ImportFailure(f"{where}: footnote {num} appears twice")
        footnotes[num] = text
    for r in rows:
        for n in r.footnotes:
            if n not in footnotes:
                raise ImportFailure(f"{where}: incomplete page: {r.name}: footnote {n} is referenced but its text is "
                                    "not on the page: save the whole page again from treaties.un.org")
    return Page(stem, instrument, mtdsg, title, as_at, header_sig, header_par, legend, rows, footnotes, tree)


# ----------------------------------------------------------------------------- grid -> actions


def action(state: str, type_: str, date: str, source: dict, **kw) -> dict:
    a = {"state": state, "type": type_, "date": PlainDate(date)}
    for k, v in kw.items():
        if v is None:
            continue
        a[k] = PlainDate(v) if k == "effective_date" else v
    a["source"] = source
    return {k: a[k] for k in ACTION_KEYS if k in a}


def footnote_block(page: Page, nums: list[str]) -> str | None:
    if not nums:
        return None
    return "\n\n".join(page.footnotes[n] for n in nums)


def check_quote(page: Page, row: Row, footnote: str, ev: dict) -> None:
    where = f"{page.stem}: {row.name}: footnote {footnote}"
    text = page.footnotes.get(footnote)
    if text is None:
        raise ImportFailure(f"{where}: the footnote is not on the page")
    flat = norm_space(text)
    if norm_space(ev["quote"]) not in flat:
        raise ImportFailure(f"{where}: quoted sentence not found in the footnote (page changed?): {ev['quote']!r}")
    for key in ("date", "effective_date"):
        if ev.get(key) and long_date(ev[key]) not in ev["quote"]:
            raise ImportFailure(f"{where}: {key} {ev[key]} ({long_date(ev[key])}) does not appear in the quote")


def events_for(page: Page, row: Row) -> tuple[list[dict], str | None]:
    """Footnote-described events for a participant: from the explicit table, else the regex."""
    key = (page.instrument, row.name)
    if key in FOOTNOTE_EVENTS:
        spec = FOOTNOTE_EVENTS[key]
        if spec["footnote"] not in row.footnotes:
            raise ImportFailure(f"{page.stem}: {row.name}: FOOTNOTE_EVENTS names footnote {spec['footnote']}, "
                                f"but the row references {row.footnotes}")
        for ev in spec["events"]:
            check_quote(page, row, spec["footnote"], ev)
        return spec["events"], spec["footnote"]
    found = []
    fn = None
    for n in row.footnotes:
        for m in DENUNCIATION_RE.finditer(norm_space(page.footnotes[n])):
            if m.group("who").removeprefix("the ") != row.name:
                raise ImportFailure(f"{page.stem}: {row.name}: footnote {n} describes a denunciation by "
                                    f"{m.group('who')!r}; model it in FOOTNOTE_EVENTS")
            ev = {"type": "denunciation", "date": iso_from_long(m.group("date")), "quote": m.group(0)}
            if m.group("eff"):
                ev["effective_date"] = iso_from_long(m.group("eff"))
            else:
                ev["summary"] = (f"Denunciation notified on {m.group('date')}. The footnote gives no date on which "
                                 "it took effect; that follows from the instrument's denunciation clause "
                                 "(effective_date left empty rather than computed).")
            check_quote(page, row, n, ev)
            found.append(ev)
            fn = n
    return found, fn


def grid_actions(page: Page, states: StateIndex) -> tuple[list[dict], list[dict]]:
    """Actions for every grid row, and a log of the bracketed/footnote-modelled cases."""
    out: list[dict] = []
    cases: list[dict] = []
    for row in page.rows:
        sid = states.resolve(row.name, f"{page.stem}.html grid")
        events, ev_fn = events_for(page, row)
        fn_text = footnote_block(page, row.footnotes)
        fn_nums = ", ".join(row.footnotes) if row.footnotes else None
        exit_hint = [n for n in row.footnotes if EXIT_HINT_RE.search(page.footnotes[n])
                     and (page.instrument, row.name, n) not in NOT_EXITS]
        if exit_hint and not events:
            raise ImportFailure(f"{page.stem}: {row.name}: footnote(s) {exit_hint} describe a denunciation or "
                                "withdrawal that is not modelled; add it to FOOTNOTE_EVENTS")
        bracketed = [c for c in (row.signature, row.consent) if c and c.bracketed]
        if bracketed and not any(e["type"] in ("denunciation", "notification_of_withdrawal") for e in events):
            raise ImportFailure(f"{page.stem}: {row.name}: bracketed date(s) "
                                f"{[c.date for c in bracketed]} but no denunciation modelled from the footnotes "
                                "(add it to FOOTNOTE_EVENTS)")
        consent_type = SUFFIXES[row.consent.suffix] if row.consent else None
        target_for_note = "consent" if row.consent else "signature"
        if row.signature:
            c = row.signature
            note = SIGNATURE_SUFFIXES[c.suffix]
            if c.bracketed:
                note = ((note + " ") if note else "") + (
                    "Date in brackets in the participant grid: the participation was later ended "
                    f"(footnote {fn_nums}).")
            attach = target_for_note == "signature"
            out.append(action(sid, "signature", c.date,
                              page.source(footnote=fn_nums if attach else None, note=note),
                              footnote_text=fn_text if attach else None))
        if row.consent:
            c = row.consent
            note = None
            if c.bracketed:
                note = ("Date in brackets in the participant grid: the action was later undone "
                        f"(footnote {fn_nums}).")
            for e in (e for e in events if e.get("grid")):
                if e["type"] != consent_type or e["date"] != c.date:
                    raise ImportFailure(f"{page.stem}: {row.name}: FOOTNOTE_EVENTS grid event {e['type']} "
                                        f"{e['date']} does not match the grid ({consent_type} {c.date})")
            out.append(action(sid, consent_type, c.date, page.source(footnote=fn_nums, note=note),
                              footnote_text=fn_text))
        for e in events:
            if e.get("grid"):
                continue
            syms = SYMBOL_RE.findall(e["quote"])
            if e.get("symbol_quote"):
                if e["symbol_quote"] not in page.footnotes[ev_fn]:
                    raise ImportFailure(f"{page.stem}: {row.name}: symbol {e['symbol_quote']} not in footnote {ev_fn}")
                syms = [e["symbol_quote"]]
            if len(syms) > 1:
                raise ImportFailure(f"{page.stem}: {row.name}: several symbols {syms} for one event")
            out.append(action(
                sid, e["type"], e["date"],
                page.source(symbol=syms[0] if syms else None, footnote=ev_fn,
                            note=f"Footnote {ev_fn}: \u201c{norm_space(e['quote'])}\u201d"),
                effective_date=e.get("effective_date"), legal_effect=e.get("legal_effect"),
                summary=e.get("summary"), footnote_text=page.footnotes[ev_fn]))
        if bracketed or events:
            cases.append({"instrument": page.instrument, "state": sid, "name": row.name,
                          "bracketed": [(("signature" if c is row.signature else consent_type), c.date)
                                        for c in bracketed],
                          "events": [(e["type"], e["date"], e.get("effective_date")) for e in events
                                     if not e.get("grid")]})
    return out, cases


def sort_key(a: dict):
    return (a["state"], a["date"], TYPE_ORDER.index(a["type"]), a.get("article") or "",
            a.get("target_state") or "", a.get("text") or a.get("summary") or "")


# ----------------------------------------------------------------------------- counts


def page_actions(page: Page, states: StateIndex, *, sections: bool = True) -> tuple[list[dict], list[dict], list[str]]:
    """All actions for a page, sorted; the bracketed/footnote cases; entries left out (no date)."""
    actions, cases = grid_actions(page, states)
    skipped: list[str] = []
    if sections:
        from_sections, skipped = section_actions(page, states)
        actions += from_sections
    actions.sort(key=sort_key)
    return merge_same_key(actions), cases, skipped


def action_key(a: dict) -> tuple:
    """The build's identity of an action (kb/validate.py): one action per key."""
    return (a["state"], a["type"], str(a["date"]), a.get("article"), a.get("target_state"))


def merge_same_key(actions: list[dict]) -> list[dict]:
    """Merge actions that share the build's key (e.g. two unnumbered reservations made on the same
    day): texts are joined in page order, footnotes united; the note says how many were merged."""
    groups: dict[tuple, list[dict]] = {}
    for a in actions:
        groups.setdefault(action_key(a), []).append(a)
    out = []
    for a in actions:
        g = groups.get(action_key(a))
        if g is None:
            continue
        del groups[action_key(a)]
        if len(g) == 1:
            out.append(a)
            continue
        if any(x["type"] in CONSENT_OR_SIGNATURE for x in g):
            raise ImportFailure(f"{a['state']}: two {a['type']} actions on {a['date']}: the grid lists a participant once")
        m = dict(g[0])
        for k in ("text", "summary", "footnote_text"):
            vals = []
            for x in g:
                if x.get(k) and x[k] not in vals:
                    vals.append(x[k])
            if vals:
                m[k] = "\n\n".join(vals)
        src = dict(g[0]["source"])
        fns = []
        for x in g:
            for f in (x["source"].get("footnote") or "").split(", "):
                if f and f not in fns:
                    fns.append(f)
        if fns:
            src["footnote"] = ", ".join(fns)
        syms = {x["source"].get("symbol") for x in g} - {None}
        src.pop("symbol", None)
        if len(syms) == 1:
            src["symbol"] = syms.pop()
        src["note"] = (src.get("note") or "") + f" ({len(g)} entries with the same state, type, date and article merged.)"
        m["source"] = {k: src[k] for k in SOURCE_KEYS if k in src}
        out.append({k: m[k] for k in ACTION_KEYS if k in m})
    return out


CONSENT_OR_SIGNATURE = set(SUFFIXES.values()) | {"signature"}


def grid_counts(page: Page) -> dict[str, int]:
    return {
        "participants": len(page.rows),
        "parties": sum(1 for r in page.rows if r.consent and not r.consent.bracketed),
        "signatories": sum(1 for r in page.rows if r.signature and not r.signature.bracketed),
    }


def count_records(page: Page) -> list[dict]:
    recs = []
    src = page.source
    gc = grid_counts(page)
    if page.header_signatories is not None:
        recs.append(("signatories", page.header_signatories, "page header",
                     "Status header: 'Signatories : N.'"))
    if page.header_parties is not None:
        recs.append(("parties", page.header_parties, "page header", "Status header: 'Parties : N.'"))
    recs.append(("participants", gc["participants"], "participant grid", "Rows of the participant grid."))
    recs.append(("parties", gc["parties"], "participant grid",
                 "Grid rows with a consent date not in brackets."))
    recs.append(("signatories", gc["signatories"], "participant grid",
                 "Grid rows with a signature date not in brackets (the header does not count a signature "
                 "whose date is bracketed)."))
    return [{"instrument": page.instrument, "as_of": PlainDate(page.as_at), "measure": m, "value": v,
             "basis": b, "source": src(note=n)} for m, v, b, n in recs]


def reconcile(page: Page) -> list[str]:
    gc = grid_counts(page)
    diffs = []
    if page.header_parties is not None and page.header_parties != gc["parties"]:
        diffs.append(f"{page.instrument}: header Parties {page.header_parties} != grid parties {gc['parties']}")
    if page.header_signatories is not None and page.header_signatories != gc["signatories"]:
        diffs.append(f"{page.instrument}: header Signatories {page.header_signatories} "
                     f"!= grid signatories {gc['signatories']}")
    return diffs


# ----------------------------------------------------------------------------- rendering


def header_comment(lines: list[str]) -> str:
    return "".join(f"# {x}".rstrip() + "\n" for x in lines)


def render_actions(instrument: str, actions: list[dict], comment: list[str]) -> str:
    body = yaml.dump({"instrument": instrument, "actions": actions}, Dumper=Dumper, allow_unicode=True,
                     sort_keys=False, width=100, default_flow_style=False)
    return header_comment(comment) + body


def validate_text(text: str, model: str, where: str) -> None:
    from ..data import schema  # noqa: PLC0415
    from ..data.loader import LoadError, load_text  # noqa: PLC0415
    try:
        data = load_text(where, text.encode("utf-8")).data  # libyaml, as the build reads it
    except LoadError as e:
        raise ImportFailure(f"{where}: generated YAML does not load: {e}") from None
    try:
        getattr(schema, model).model_validate(data)
    except Exception as e:  # pydantic.ValidationError
        raise ImportFailure(f"{where}: generated YAML does not validate as {model}: {e}") from None


# ----------------------------------------------------------------------------- 2015 CSV tables

CSV_2015: dict[str, tuple[str, str, str]] = {
    # csv stem -> (instrument id, MTDSG no., chapter)
    "4-1": ("GENOCIDE", "IV-1", "4"),
    "5-2": ("REFUGEES", "V-2", "5"),
    "5-5": ("REFUGEES-P", "V-5", "5"),
    "18-10": ("ROME", "XVIII-10", "18"),
    "18-12-a": ("TIP", "XVIII-12-a", "18"),
}
AS_AT_2015 = "2015-03-14"
# The 2015 tables use depositary names since changed.  Where data/states.yaml does not (yet) list
# the 2015 form as an alias, the name is resolved through its current depositary form.
NAMES_2015 = {
    "Bahamas": "Bahamas (The)",
    "Netherlands": "Netherlands (Kingdom of the)",
}
CSV_DATE_RE = re.compile(r"^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})(?: ([A-Za-z]{1,2}))?$")


def read_index_2015(pages: Path) -> dict[str, tuple[str, str]]:
    idx = {}
    with open(pages / "index.csv", newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if len(row) < 4:
                raise ImportFailure(f"{pages / 'index.csv'}: row {row!r} has fewer than 4 fields")
            idx[f"{row[0]}-{row[1]}"] = (row[2], row[3])
    return idx


def import_2015(pages: Path, states: StateIndex) -> dict[str, str]:
    from ..data.schema import check_date  # noqa: PLC0415
    idx = read_index_2015(pages)
    outputs = {}
    for stem, (instrument, mtdsg, chapter) in CSV_2015.items():
        path = pages / f"{stem}.csv"
        where = str(path)
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        head = rows[0]
        if not head or head[0] != "Participant":
            raise ImportFailure(f"{where}: header {head!r} does not start with 'Participant'")
        if len(head) == 3 and head[1] == "Signature":
            sig_col, con_col = 1, 2
        elif len(head) == 2:
            sig_col, con_col = None, 1
        else:
            raise ImportFailure(f"{where}: header {head!r} is not [Participant, (Signature,) consent]")
        legend = {""} | set(re.findall(r"\((\w{1,2})\)", head[con_col]))
        if legend - set(SUFFIXES):
            raise ImportFailure(f"{where}: header names unknown suffix(es) {sorted(legend - set(SUFFIXES))}")
        # The page address in the canonical form of the 2026 pages (index.csv gives the older
        # http://.../pages/...&lang=en form of the same page); index.csv has no row for 18-12-a.
        url = f"https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={mtdsg}&chapter={chapter}&clang=_en"
        if stem in idx:
            title_txt = re.sub(r"\s*\([^)]*\)", "", idx[stem][0]).split(". ")[0].strip()
            if f"mtdsg_no={mtdsg}&" not in idx[stem][1]:
                raise ImportFailure(f"{pages / 'index.csv'}: {stem}: URL {idx[stem][1]} is not for {mtdsg}")
        elif stem == "18-12-a":
            title_txt = ("Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and "
                         "Children, supplementing the United Nations Convention against Transnational Organized Crime")
        else:
            raise ImportFailure(f"{pages / 'index.csv'}: no entry for {stem}")
        source_title = f"UN Treaty Collection, Chapter {chapter_roman(chapter)}, {mtdsg}: {title_txt}, status"
        actions = []
        consents: dict[str, tuple[str, str, str]] = {}  # participant -> (state id, date, type)
        for i, r in enumerate(rows[1:], start=2):
            if len(r) != len(head):
                raise ImportFailure(f"{where}: line {i}: {len(r)} fields, expected {len(head)}")
            name = r[0]
            lookup = name if name in states.by_name else NAMES_2015.get(name, name)
            sid = states.resolve(lookup, f"{where}: line {i}")
            src = {"url": url, "title": source_title, "as_at": PlainDate(AS_AT_2015),
                   "note": f"Status table captured 14 March 2015 (shared reference untc-selected-2015-03-14/{stem}.csv)."}
            cells = []
            if sig_col is not None and r[sig_col]:
                cells.append(("Signature", r[sig_col]))
            if r[con_col]:
                cells.append(("consent", r[con_col]))
            if not cells:
                raise ImportFailure(f"{where}: line {i}: {name}: neither signature nor consent")
            for col, v in cells:
                m = CSV_DATE_RE.match(v)
                if not m or m.group(2) not in MONTHS_ABBR:
                    raise ImportFailure(f"{where}: line {i}: {name}: {col} {v!r} is not a date like '4 Oct 2007 a'")
                iso = f"{int(m.group(3)):04d}-{MONTHS_ABBR[m.group(2)]:02d}-{int(m.group(1)):02d}"
                check_date(iso)
                sfx = m.group(4) or ""
                if col == "Signature":
                    if sfx:
                        raise ImportFailure(f"{where}: line {i}: {name}: suffix {sfx!r} on a signature")
                    t = "signature"
                else:
                    if sfx not in SUFFIXES or sfx not in legend:
                        raise ImportFailure(f"{where}: line {i}: {name}: unknown suffix {sfx!r}")
                    t = SUFFIXES[sfx]
                    consents[name] = (sid, iso, t)
                actions.append(action(sid, t, iso, dict(src)))
        comment = [
            f"GENERATED by scripts/import_untc.py from untc-selected-2015-03-14/{stem}.csv",
            f"(UN Treaty Collection {mtdsg} status table, captured {AS_AT_2015}; stale: nothing after early 2015).",
            "Do not edit by hand: corrections go in data/actions/%s.yaml, which the build prefers." % instrument,
            "Participant grid only (signature and consent by suffix); the CSV has no footnotes or brackets.",
        ]
        if stem in STATEMENTS_2015:
            decl = pages / f"{stem}-declarations.txt"
            if not decl.exists():
                raise ImportFailure(f"{decl}: not found; the {instrument} statements are read from it")
            found, skipped = statements_2015(decl, stem, instrument, consents, dict(
                url=url, title=source_title), text_ids(instrument))
            actions += found
            comment += statements_2015_comment(stem, len(found), skipped)
        actions.sort(key=sort_key)
        actions = merge_same_key(actions)
        text = render_actions(instrument, actions, comment)
        validate_text(text, "ActionsFile", f"untc-2015/{instrument}.yaml")
        outputs[f"{instrument}.yaml"] = text
    return outputs


# ----------------------------------------------------------------------------- 2015 statements
#
# <stem>-declarations.txt: the "Declarations and Reservations" of the 2015 capture, "#<participant>"
# then the entry's text.  The capture's scraper (zmjones/untreaties, un_data.py) kept only the
# paragraphs of each entry, joined without a break: the entry's dates and headings ("Upon
# signature", "Reservation:") are not in it, nor are the objections (another section of the page).
# So, never a guessed date:
# * date: the participant's consent date in <stem>.csv (the depositary's rule for an entry without
#   a date of its own is that it was made upon ratification, accession or succession).  An entry
#   whose words speak of a signature or of a ratification to come (SIGNATURE_2015_RE) may hold
#   parts made on another date that the capture no longer shows: not emitted, listed.  A
#   participant without a consent date in the table: not emitted, listed.
# * type: from the wording, as for an entry without a heading on the 2026 pages (classify()).
# * article: as for the 2026 pages: the one article the entry names (IX in the Genocide
#   Convention's Roman numbering, 17(2) ...), or, for a reservation whose paragraphs each name one
#   article, one action per article; otherwise empty.  A paragraph naming several articles counts
#   for the one its opening words name ("With reference to article VI, ... acts enumerated in
#   article III").  References to the instrument's reservations clause (ways of making the
#   statement, not its subject), and to articles the instrument's text does not have (another
#   text's articles: a Convention article named in a Protocol statement, a national law's), are
#   not read as the statement's article: each is listed.
# * the text: the capture's words as they are (its joined paragraphs included).

STATEMENTS_2015 = {"4-1", "5-2", "5-5"}
# The instrument's reservations clause: a reference to it says how a statement is made.
RESERVATION_CLAUSE_2015 = {"REFUGEES": "42", "REFUGEES-P": "VII"}
# Arabic numbers read as the instrument's Roman-numbered article, where nothing else is numbered in
# the entry: (instrument, state id, as given) -> (article, why).
ROMAN_FOR_ARABIC_2015 = {
    ("GENOCIDE", "ARE", "9"): ("IX", "the text reads 'article 9 thereof' (of the Convention), which numbers its "
                                     "articles in Roman numerals: article IX, on the International Court of Justice"),
    ("REFUGEES-P", "SLV", "4"): ("IV", "the text reads 'article 4 of the Protocol', which numbers its articles in "
                                       "Roman numerals: article IV, on the International Court of Justice"),
}
# "in accordance with article VII", "under article I of the Protocol": the article under which a
# statement is made, not the one it concerns.
WAY_2015_RE = re.compile(r"\b(?:in accordance with|in conformity with|under the terms of|under|pursuant to|"
                         r"according to|made under)(?: the provisions of)?(?: the terms of)?(?: the)?\s*$", re.I)
# An article "of the <title>" is another instrument's (OTHER_INSTRUMENT_RE), unless the title is the
# instrument's own.
OWN_TITLE_2015 = {"GENOCIDE": "Convention on the Prevention and Punishment of the Crime of Genocide",
                  "REFUGEES": "Convention relating to the Status of Refugees",
                  "REFUGEES-P": "Protocol relating to the Status of Refugees"}
SIGNATURE_2015_RE = re.compile(r"\b(?:this signature|upon signature|on signature|at the time of signature|"
                               r"upon signing|on signing|at the time of ratification)\b", re.I)
CROSS_REF_2015_RE = re.compile(r"^\[?See chapter [0-9IVXL.]+\.?\]?$", re.I)
ARTICLE_2015_RE = re.compile(
    r"(?:[Pp]aragraph|para\.)\s*(?P<pp>\(?[0-9a-z]{1,3}\)?)\s*,?\s+of\s+(?:the\s+)?[Aa]rticle\s+(?P<pa>\d+|[IVXL]+)\b"
    r"|\b[Aa]rticle\s+(?P<a>\d+|[IVXL]+)\b(?P<sub>(?:\s?\(\s?[0-9a-z]{1,4}\s?\))*)"
    r"(?:,?\s*[Pp]aragraph\s+(?P<ap>\d+))?")
PLURAL_2015_RE = re.compile(r"\b[Aa]rticles\s+(?:\d|[IVXL]+\b)")
# Where a paragraph's joined neighbour begins: after . ; : or a closing quote, directly (no space)
# a capital, an opening quote, or a label such as "2." or "(b)".
SEGMENT_2015_RE = re.compile(r'(?<=[.;:"\u201d\u2019])(?=[A-Z\u201c"]|\(?\d{1,2}[.)]|\([a-z]{1,3}\))')
LABEL_2015_RE = re.compile(r"^\W{0,2}(?:\(?\d{1,2}[.)]|\([a-z]{1,3}\))")
LEAD_2015_RE = re.compile(
    r"^\W*(?:\(?[0-9a-z]{1,3}[.)]\s*)?(?:With (?:reference|respect|regard) to|As regards|Ad|In respect of|"
    r"Regarding|Concerning)\s+(?:the\s+)?(?=[Aa]rticle\s)")


def text_ids(instrument: str) -> set[str]:
    """The article ids of data/texts/<ID>.yaml ('IX', '17'), or none when the KB has no text."""
    path = ROOT / "data" / "texts" / f"{instrument}.yaml"
    if not path.exists():
        return set()
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=StringLoader)
    return {str(a["id"]) for a in data.get("articles") or []}


def refs_2015(text: str, instrument: str, sid: str, ids: set[str], notes: list[str]) -> list[str]:
    """The instrument's articles a 2015 text names, normalised ('IX', '17(2)', '12(1)'), in order.
    What is set aside (the reservations clause, another text's article) is told in `notes`."""
    out: list[str] = []
    for m in ARTICLE_2015_RE.finditer(text):
        after = text[m.end():m.end() + 80]
        if OTHER_INSTRUMENT_RE.match(after) and OWN_TITLE_2015[instrument] not in after:
            continue
        if m.group("pa"):
            art, lead = f"{m.group('pa')}({m.group('pp').strip('()')})", m.group("pa")
        else:
            lead = m.group("a")
            art = lead + re.sub(r"\s", "", m.group("sub") or "")
            if m.group("ap"):
                art += f"({m.group('ap')})"
        if lead == RESERVATION_CLAUSE_2015.get(instrument) or WAY_2015_RE.search(text[max(0, m.start() - 45):m.start()]):
            continue
        roman = ROMAN_FOR_ARABIC_2015.get((instrument, sid, lead))
        if roman:
            art, lead = roman[0] + art[len(lead):], roman[0]
            note = f"article {roman[0]}: {roman[1]}"
            if note not in notes:
                notes.append(note)
        if ids and lead not in ids:
            note = f"'{m.group(0).strip()}' is not an article of the {instrument} text: not read as the statement's article"
            if note not in notes:
                notes.append(note)
            continue
        if art not in out:
            out.append(art)
    return out


def articles_2015(text: str, instrument: str, sid: str, ids: set[str], typ: str,
                  notes: list[str]) -> list[tuple[str | None, str]]:
    """[(article, text)]: one entry for the whole text, or, for a reservation whose paragraphs each
    name one article, one per article: a paragraph naming none joins the article before it, unless
    it is numbered ("2.", "(b)"), when it stands for itself with no article."""
    if PLURAL_2015_RE.search(text):
        return [(None, text)]
    refs = refs_2015(text, instrument, sid, ids, notes)
    segs: list[str] = []
    for x in SEGMENT_2015_RE.split(text):  # a bare label ("2.") opens the paragraph after it
        if segs and re.fullmatch(r"\W{0,2}(?:\(?\d{1,2}[.)]|\([a-z]{1,3}\))\W{0,2}", segs[-1]):
            segs[-1] += x
        elif x:
            segs.append(x)
    labelled = any(LABEL_2015_RE.match(x) for x in segs)
    if typ != "reservation" or not refs or (len(refs) == 1 and not labelled):
        return [(refs[0] if len(refs) == 1 else None, text)]
    groups: list[tuple[str | None, list[str]]] = []
    preamble: list[str] = []
    for seg in segs:
        r = refs_2015(seg, instrument, sid, ids, [])
        if len(r) > 1:
            lead = LEAD_2015_RE.match(seg)
            r = refs_2015(seg[lead.end():], instrument, sid, ids, [])[:1] if lead else []
            if not r:
                return [(None, text)]
        if not r and LABEL_2015_RE.match(seg) and (groups or preamble):
            groups.append((None, preamble + [seg]))
            preamble = []
        elif not r:
            (groups[-1][1] if groups else preamble).append(seg)
        elif groups and groups[-1][0] == r[0]:
            groups[-1][1].append(seg)
        else:
            groups.append((r[0], preamble + [seg]))
            preamble = []
    arts = [g[0] for g in groups if g[0] is not None]
    if preamble or len(groups) < 2 or not arts or len(set(arts)) != len(arts):
        return [(refs[0] if len(refs) == 1 else None, text)]
    return [(a, "".join(segs)) for a, segs in groups]


def read_statements_2015(path: Path) -> list[tuple[int, str, str]]:
    """[(line, participant, text)] from a '#<participant>' / text file."""
    out: list[tuple[int, str, list[str]]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#"):
            out.append((n, line[1:].strip(), []))
        elif line.strip():
            if not out:
                raise ImportFailure(f"{path}:{n}: text before the first '#<participant>' line")
            out[-1][2].append(line.strip())
    names = [x[1] for x in out]
    dups = sorted({x for x in names if names.count(x) > 1})
    if dups:
        raise ImportFailure(f"{path}: participant(s) listed twice: {dups}")
    return [(n, name, "\n".join(lines)) for n, name, lines in out]


def statements_2015(path: Path, stem: str, instrument: str, consents: dict[str, tuple[str, str, str]],
                    src: dict, ids: set[str]) -> tuple[list[dict], list[str]]:
    out: list[dict] = []
    skipped: list[str] = []
    for line, name, text in read_statements_2015(path):
        where = f"{path}:{line}: {name}"
        if not text:
            skipped.append(f"{name}: no text in the capture")
            continue
        if CROSS_REF_2015_RE.match(text.strip()):
            skipped.append(f"{name}: {text.strip()!r} (a cross-reference, no text of its own)")
            continue
        if name not in consents:
            raise ImportFailure(f"{where}: participant not in {stem}.csv with a consent date; a statement is dated by "
                                "it (a signatory's statement has no date in the capture): add the case to the importer")
        sid, date, ctype = consents[name]
        sign = SIGNATURE_2015_RE.search(text)
        if sign:
            skipped.append(f"{name}: {text[:50]!r}... (speaks of '{sign.group(0)}': parts may date from a signature "
                           "or another day, which the capture does not show)")
            continue
        typ, how_type = classify(None, text)
        notes: list[str] = []
        parts = articles_2015(text, instrument, sid, ids, typ, notes)
        how_date = (f"no date in the capture (it keeps the statements' paragraphs only, not their dates or headings): "
                    f"the {ctype} date in {stem}.csv")
        note = (f"Declarations and reservations captured 14 March 2015 (shared reference "
                f"untc-selected-2015-03-14/{stem}-declarations.txt); {how_date}; {how_type}"
                + ("; one action per article its numbered paragraphs name (those naming none: one action "
                   "without an article)" if len(parts) > 1 else "")
                + "".join(f"; {x}" for x in notes) + ".")
        for art, words in parts:
            out.append(action(sid, typ, date, {**src, "as_at": PlainDate(AS_AT_2015), "note": note},
                              article=art, text=words))
    return out, skipped


def statements_2015_comment(stem: str, emitted: int, skipped: list[str]) -> list[str]:
    lines = [
        f"Statements: {emitted} reservation/declaration action(s) from untc-selected-2015-03-14/{stem}-declarations.txt,",
        "dated by the participant's consent date (the capture keeps no dates or headings; see kb/importers/untc.py).",
        "The capture holds no objections and no withdrawals: none are recorded from it.",
    ]
    if skipped:
        lines.append(f"Entries not emitted ({len(skipped)}):")
        lines += [f"  - {x}" for x in skipped]
    return lines


def chapter_roman(ch: str) -> str:
    return {"4": "IV", "5": "V", "18": "XVIII"}[ch]


# ----------------------------------------------------------------------------- main


def write_or_check(outputs: dict[str, str], out: Path, check: bool) -> list[str]:
    """Write (or, with check, compare) the outputs; return the names that differ."""
    changed = []
    for name, text in sorted(outputs.items()):
        path = out / name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            changed.append(name)
            if not check:
                out.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    if out.exists():
        stale = sorted(p.name for p in out.glob("*.yaml") if p.name not in outputs)
        for name in stale:
            changed.append(f"{name} (no longer generated)")
            if not check:
                (out / name).unlink()
    return changed


# ----------------------------------------------------------------------------- text sections (step 5)
#
# After the grid come, per participant, "Declarations and Reservations" (table dgDec), "Objections"
# (dgObj) and, for some instruments, declarations recognising a committee's competence
# (dgDecUnderArticle).  Each participant's text is a sequence of right-aligned dates, left-aligned
# italic headings ("Reservations:", "Article 21", "With regard to the reservations made by Oman
# upon accession:") and paragraphs.  An entry is a heading (or date) and the paragraphs under it.
#
# Rules (never a guessed date):
# * date: the entry's own right-aligned date (carried to the entries that follow it), else the
#   section's rule "unless otherwise indicated, made upon ratification, accession or succession":
#   the grid's consent date; "upon signature" headings take the grid's signature date.  No usable
#   date (signatory only, bracketed consent, unreadable date) -> not emitted, listed in the file's
#   header comment.
# * type: from the heading (Reservation(s) / Declaration(s), Understanding, Statement); a heading
#   naming both, or none, -> from the wording (reserv.../"does not consider itself bound" ->
#   reservation, else declaration).  Wording recognising a committee's competence under the
#   instrument's opt-in article (COMPETENCE_ARTICLES) -> competence_declaration.
# * article: where the entry names exactly one article; a reservation whose paragraphs each name
#   one article becomes one action per article; otherwise null.
# * objections: target_state read from "... made by <State> upon ..." and resolved via
#   data/states.yaml; unresolvable -> not emitted, listed.
# * withdrawals: from the participant's footnotes, "On <date>, the Government of X notified the
#   Secretary-General ... withdraw the reservation(s)/declaration(s) ..." -> withdrawal_of_*,
#   one per article where the sentence names them.

COMPETENCE_ARTICLES: dict[str, dict[str, str]] = {
    # instrument -> {article: what it covers}; "individual" / "inter-state" / "inquiry"
    "ICCPR": {"41": "inter-state"},
    "ICERD": {"14": "individual"},
    "CAT": {"21": "inter-state", "22": "individual"},
    "CPED": {"31": "individual", "32": "inter-state"},
    "ICMW": {"76": "inter-state", "77": "individual"},
    "OP-ICESCR": {"10": "inter-state", "11": "inquiry"},
    "OP-CRC-IC": {"12": "inter-state"},
}
# Participants in the text sections that are not current participants (historical entries).
FORMER_PARTICIPANTS = {"Yugoslavia (former)"}

INTER_STATE_RE = re.compile(r"claims? that another (?:State )?Party", re.I)
INDIVIDUAL_RE = re.compile(r"communications (?:from|submitted by|by) (?:or on behalf of )?individuals|"
                           r"individuals? or groups of individuals|on behalf of individuals", re.I)
INQUIRY_RE = re.compile(r"article 11|inquiry procedure", re.I)
NOT_COMPETENCE_RE = re.compile(r"(?:not|n't) recogni[sz]e", re.I)
COMPETENCE_RE = re.compile(r"recogni[sz](?:e|es|ed|ing)\b.{0,200}?competence|competence.{0,120}?recogni[sz]", re.I | re.S)

ARTICLE_RE = re.compile(
    r"(?:paragraph|para\.)\s*(?P<pp>\(?[0-9a-z]{1,3}\)?)\s+of\s+article\s+(?P<pa>\d+)"
    r"|[Aa]rticle\s+(?P<a>\d+)(?P<sub>(?:\s?\(\s?[0-9a-z]{1,4}\s?\))*)(?:,?\s*paragraph\s+(?P<ap>\d+))?", re.I)
ARTICLES_PLURAL_RE = re.compile(r"\b[Aa]rticles\s+\d")
OTHER_INSTRUMENT_RE = re.compile(
    r"^\s*(?:,?\s*(?:paragraph|sub-?paragraph)\s+\S+\s*)?(?:of|of the)\s+(?:its|the)?\s*(?:Political\s+|Federal\s+|"
    r"National\s+)?(?:Constitution|Charter|Vienna Convention|Civil Code|Penal Code|Criminal Code|Code|Law|Act|"
    r"Basic Law|Universal Declaration|European Convention|American Convention|International Covenant|Convention on|"
    r"Optional Protocol to the Convention|Statute)", re.I)
SECTION_DATE_RE = re.compile(r"^(\d{1,2}) ?([A-Z][a-z]+) ?([0-9l]{4})\*?$")
WITHDRAW_RE = re.compile(
    r"(?:On|In a (?:communication|notification) received (?:by the Secretary-General )?on) (?P<date>%s),? "
    r"the Government (?:of )?(?P<who>[^,]{2,80}?) (?:notified|informed) the Secretary-General "
    r"(?:of its decision to |that it (?:had decided|has decided|decided|was withdrawing|withdr\w*) ?(?:to )?|of a |of the |its decision to )?"
    r"(?P<partial>partial(?:ly)? )?withdraw\w*\s+(?:of\s+)?(?:its |the |her |their )?(?:following )?"
    r"(?P<what>reservations?|declarations?|interpretative declarations?)(?P<rest>[^.:]*)" % LONG_DATE)


# Procedures a party accepts unless it opts out: instrument -> (procedure article, opt-out article).
OPT_OUT = {"CAT": ("20", "28"), "OP-CEDAW": ("8", "10"), "OP-CRPD": ("6", "8"), "OP-CRC-IC": ("13", "13(7)")}
OPT_OUT_WORDING = re.compile(
    r"(?:not|n't) recogni[sz]e|not consider (?:itself|themselves) bound|"
    r"reservations? (?:as to|to|with regard to|in respect of) article", re.I)


def section_date(text: str) -> str | None:
    for wrong, right in MONTH_TYPOS.items():
        text = text.replace(wrong, right)
    m = SECTION_DATE_RE.match(text.strip())
    if not m or m.group(2) not in MONTHS:
        return None
    d, mon, y = m.group(1), m.group(2), m.group(3).replace("l", "1")
    return f"{int(y):04d}-{MONTHS[mon]:02d}-{int(d):02d}"


@dataclass
class Entry:
    date_text: str | None
    heading: str | None
    lines: list[str] = field(default_factory=list)


def split_entries(div) -> list[Entry]:
    """A participant's text div -> entries (date, heading, paragraphs)."""
    el = lxml.html.fromstring(lxml.html.tostring(div, encoding="unicode"))
    for p in el.xpath(".//p"):
        if "invisible" in (p.get("class") or ""):
            p.drop_tree()
            continue
        align = (p.get("align") or "").lower()
        if align in ("right", "left"):
            marker = "\ue000D" if align == "right" else "\ue000H"
            txt = norm_space(p.text_content())
            for ch in list(p):
                p.remove(ch)
            p.text = f"\n{marker}{txt}\n"
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    entries: list[Entry] = []
    cur = None
    for raw in el.text_content().split("\n"):
        line = norm_space(raw)
        if not line and not raw.startswith("\ue000"):
            continue
        if raw.strip().startswith("\ue000D"):
            cur = Entry(norm_space(raw.strip()[2:]), None)
            entries.append(cur)
        elif raw.strip().startswith("\ue000H"):
            h = norm_space(raw.strip()[2:])
            if cur is not None and not cur.lines and cur.heading is None:
                cur.heading = h
            else:
                cur = Entry(None, h)
                entries.append(cur)
        else:
            if cur is None:
                cur = Entry(None, None)
                entries.append(cur)
            cur.lines.append(line)
    return [e for e in entries if e.lines or e.heading]


def article_refs(text: str) -> list[str]:
    """Articles named in a text, normalised like '9(2)', '2(f)', '29', in order, without repeats."""
    out = []
    for m in ARTICLE_RE.finditer(text):
        if OTHER_INSTRUMENT_RE.match(text[m.end():m.end() + 80]):
            continue
        if m.group("pa"):
            art = f"{m.group('pa')}({m.group('pp').strip('()')})"
        else:
            art = m.group("a") + re.sub(r"\s", "", m.group("sub") or "")
            if m.group("ap"):
                art += f"({m.group('ap')})"
        if art not in out:
            out.append(art)
    return out


def single_article(text: str) -> str | None:
    if ARTICLES_PLURAL_RE.search(text):
        return None
    refs = article_refs(text)
    return refs[0] if len(refs) == 1 else None


def classify(heading: str | None, text: str) -> tuple[str, str]:
    h = (heading or "").lower()
    has_res, has_dec = "reserv" in h, bool(re.search(r"declar|understanding|statement", h))
    if has_res and not has_dec:
        return "reservation", f"type from the heading '{heading}'"
    if has_dec and not has_res:
        return "declaration", f"type from the heading '{heading}'"
    if re.search(r"reserv|not consider (?:itself|themselves) bound|does not accept", text, re.I):
        how = f"the heading '{heading}' names both" if heading else "no heading"
        return "reservation", f"{how}; type read from the wording"
    how = f"the heading '{heading}' names neither" if heading and not has_res else (
        f"the heading '{heading}' names both" if heading else "no heading")
    return "declaration", f"{how}; type read from the wording"


def competence_articles(instrument: str, text: str, heading: str | None) -> list[str]:
    arts = COMPETENCE_ARTICLES.get(instrument, {})
    if not arts:
        return []
    named = [a for a in arts if re.search(rf"\barticles?\s+(?:\d+\s*(?:,|and)\s*)*{a}\b", (heading or "") + " " + text, re.I)]
    if len(arts) == 1:
        return list(arts)
    found = list(named)
    for a, kind in arts.items():
        if a in found:
            continue
        if ((kind == "inter-state" and INTER_STATE_RE.search(text))
                or (kind == "individual" and INDIVIDUAL_RE.search(text))
                or (kind == "inquiry" and INQUIRY_RE.search(text))):
            found.append(a)
    return sorted(found, key=int)


def resolve_target(states: StateIndex, name: str) -> str | None:
    name = norm_space(name).strip(" ,;:")
    cands = [name, name.replace("\u2019", "'"), re.sub(r"^the ", "", name, flags=re.I),
             re.sub(r"^the ", "", name.replace("\u2019", "'"), flags=re.I)]
    cands += ["The " + c for c in cands[2:]]
    cands += [TARGET_TYPOS[c] for c in cands if c in TARGET_TYPOS]
    for c in cands:
        if c in states.by_name:
            return states.by_name[c]
    return None


def resolve_targets(states: StateIndex, who: str) -> list[str] | None:
    """'Brunei Darussalam, Kiribati and Saudi Arabia' -> [BRN, KIR, SAU]; None unless all resolve.

    Also 'X and Y upon ratification, by Z upon accession, and by W' (several 'by' clauses)."""
    clauses = re.split(r",?\s+(?:and\s+)?by\s+", who)
    if len(clauses) > 1:
        ids: list[str] = []
        for c in clauses:
            c = re.split(r"\s+(?:upon|at the time|made upon|concerning|with respect|in respect|regarding)\b", c)[0]
            got = resolve_targets(states, c)
            if not got:
                return None
            ids += got
        return sorted(set(ids))
    one_ = resolve_target(states, who)
    if one_:
        return [one_]
    parts = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", who) if p.strip()]
    if len(parts) < 2:
        return None
    ids = [resolve_target(states, p) for p in parts]
    return None if None in ids else sorted(set(ids))


TARGET_RE = re.compile(
    r"(?:made|formulated|entered|lodged)\s+by\s+(?:the\s+Government\s+of\s+)?(?P<who>.+?)"
    r"(?:\s+(?:upon|at the time|made upon|concerning|to article|to the|with respect|in respect|regarding|on \d)"
    r"(?![^:]*,\s+(?:and\s+)?by\s)|\s*:|$)",
    re.I)
# Misspelt state names in the objection headings, as the pages print them -> the state's name.
TARGET_TYPOS = {
    "Democcratic Republic of Korea": "Democratic People's Republic of Korea",
    "Decmocatic People's Republic of Korea": "Democratic People's Republic of Korea",
    "Democratic People's Republique of Korea": "Democratic People's Republic of Korea",
    "Maysia": "Malaysia",
    "Brunei Darussalem": "Brunei Darussalam",
    "United Arab Emriates": "United Arab Emirates",
    "teh United Arab Emirates": "United Arab Emirates",
    "Iran (Islamic Republic)": "Iran (Islamic Republic of)",
    "Venezuela": "Venezuela (Bolivarian Republic of)",
}
# Misspelt month names in the section dates, as the pages print them.
MONTH_TYPOS = {"Septembre": "September", "Octobre": "October", "Decmeber": "December"}


def section_actions(page: Page, states: StateIndex) -> tuple[list[dict], list[str]]:
    """Reservations, declarations, objections, competence declarations and footnote withdrawals."""
    out: list[dict] = []
    skipped: list[str] = []
    rows = {r.name: r for r in page.rows}
    grids = [("dgDec", "Declarations and Reservations"), ("dgObj", "Objections"),
             ("dgDecUnderArticle", "Declarations recognizing the competence of the Committee")]
    seen_footnotes: set[tuple[str, str]] = set()
    for grid_id, section in grids:
        for tr in page.tree.xpath(f'//table[@id="{P}{grid_id}"]/tr'):
            pdivs = tr.xpath('.//div[contains(@id, "divParticipant")]')
            tdivs = tr.xpath('.//div[contains(@id, "divText")]')
            if len(pdivs) != 1 or len(tdivs) != 1:
                raise ImportFailure(f"{page.stem}: {section}: an entry without one participant and one text")
            pd = lxml.html.fromstring(lxml.html.tostring(pdivs[0], encoding="unicode"))
            notes = []
            for sup in pd.xpath(".//sup"):
                notes += re.findall(r"\d+", sup.text_content())
                sup.drop_tree()
            name = norm_space(pd.text_content())
            if name in FORMER_PARTICIPANTS:
                skipped.append(f"{section}: {name}: a former state, not a current participant")
                continue
            sid = states.resolve(name, f"{page.stem}.html {section}")
            row = rows.get(name)
            for n in notes:
                if n not in page.footnotes:
                    raise ImportFailure(f"{page.stem}: incomplete page: {section}: {name}: footnote {n} is referenced "
                                        "but its text is not on the page: save the whole page again from treaties.un.org")
                if (name, n) not in seen_footnotes:
                    seen_footnotes.add((name, n))
                    out += footnote_withdrawals(page, sid, name, n, skipped)
            carried_date = None
            for e in split_entries(tdivs[0]):
                text = "\n".join(e.lines)
                if e.date_text is not None:
                    carried_date = section_date(e.date_text)
                    if carried_date is None:
                        skipped.append(f"{section}: {name}: unreadable date {e.date_text!r} "
                                       f"({(e.heading or text)[:60]!r}...)")
                        carried_date = "?"
                        continue
                if not text:
                    continue
                if not re.search(r"[A-Za-z]{3}", text) or re.fullmatch(r"\[See [^\]]*\]\.?", text):
                    skipped.append(f"{section}: {name}: {text[:50]!r} (no text of its own: an ellipsis or a "
                                   "cross-reference)")
                    continue
                # an objection's heading qualifies the reservation objected to, not the objection
                date, how_date = entry_date(carried_date, None if grid_id == "dgObj" else e.heading, row, section)
                label = f"{section}: {name}: {(e.heading + ' ' if e.heading else '')}{text[:50]!r}..."
                if date is None:
                    skipped.append(f"{label} ({how_date})")
                    continue
                fn = ", ".join(notes) if notes else None
                src = lambda note: page.source(footnote=fn, note=note)  # noqa: E731
                if grid_id == "dgObj":
                    who = None
                    for probe in ([e.heading] if e.heading else []) + e.lines[:2]:
                        m = TARGET_RE.search(probe or "")
                        if m:
                            who = m.group("who")
                            break
                    targets = resolve_targets(states, who) if who else None
                    if not targets:
                        skipped.append(f"{label} (state objected to not identified: {who!r})")
                        continue
                    art = single_article(e.heading or "")
                    body = (e.heading + "\n" + text) if e.heading else text
                    for target in targets:
                        out.append(action(sid, "objection", date, src(f"{section}; {how_date}."),
                                          article=art, target_state=target, text=body))
                    continue
                is_comp = (grid_id == "dgDecUnderArticle" or (
                    COMPETENCE_RE.search(text) and not NOT_COMPETENCE_RE.search(text)
                    and page.instrument in COMPETENCE_ARTICLES
                    and competence_articles(page.instrument, text, e.heading)
                    and not re.search(r"reserv", (e.heading or ""), re.I)))
                if is_comp:
                    if grid_id == "dgDecUnderArticle" and re.search(r"withdr", text, re.I):
                        skipped.append(f"{label} (mentions a withdrawal: read by hand)")
                        continue
                    arts = competence_articles(page.instrument, text, e.heading)
                    if not arts:
                        arts = [None]
                    for a in arts:
                        out.append(action(sid, "competence_declaration", date,
                                          src(f"{section}; {how_date}." + (
                                              "" if a else " Article not identified.")),
                                          article=a, text=text))
                    continue
                if re.match(r"^(?:On|In a communication received on) %s" % LONG_DATE, text) and re.search(r"withdr", text):
                    m = re.search(r"remaining reservations? (?:reads|read) as follows:\s*(.+)$", text, re.S)
                    if not m:
                        skipped.append(f"{label} (a withdrawal narrative: see the footnotes)")
                        continue
                    text = m.group(1).strip()
                    how_date += "; the text is the remaining reservation quoted after a withdrawal"
                    e = Entry(e.date_text, e.heading, text.split("\n"))
                typ, how_type = classify(e.heading, text)
                note = f"{section}; {how_date}; {how_type}."
                opt = OPT_OUT.get(page.instrument)
                if opt and OPT_OUT_WORDING.search(text) and re.search(
                        rf"\barticles?(?:\s*\(s\))?\s*\(?(?:\d+\s*(?:,|and)\s*)*{re.escape(opt[0])}\)?(?![\d(])", text, re.I):
                    # Recorded as what it does, whatever the heading calls it; the
                    # reservation or declaration itself is recorded below as well.
                    out.append(action(sid, "opt_out", date, src(
                        f"{section}; {how_date}; an opt-out under article {opt[1]}: the text does not recognise the "
                        f"competence under article {opt[0]}."), article=opt[0], text=text))
                if typ == "reservation":
                    groups = split_by_article(e.lines)
                    if groups:
                        for art, lines in groups:
                            out.append(action(sid, "reservation", date, src(note + " One action per article."),
                                              article=art, text="\n".join(lines)))
                        continue
                art = single_article((e.heading or "") + " " + text)
                out.append(action(sid, typ, date, src(note), article=art, text=text))
    # footnotes on grid rows that record withdrawals
    for r in page.rows:
        sid = states.resolve(r.name, f"{page.stem}.html grid")
        for n in r.footnotes:
            if (r.name, n) not in seen_footnotes:
                seen_footnotes.add((r.name, n))
                out += footnote_withdrawals(page, sid, r.name, n, skipped)
    return out, skipped


def entry_date(carried: str | None, heading: str | None, row: Row | None, section: str) -> tuple[str | None, str]:
    if carried == "?":
        return None, "date unreadable"
    if carried:
        return carried, "date as given with the entry"
    h = (heading or "").lower()
    if row is None:
        return None, "participant not in the grid"
    if "upon signature" in h and "confirmed" not in h:
        if row.signature and not row.signature.bracketed:
            return row.signature.date, "made upon signature: the grid's signature date"
        return None, "made upon signature, but no signature date in the grid"
    if row.consent is None:
        return None, "no date given and no consent in the grid"
    if row.consent.bracketed:
        return None, "no date given and the grid's consent date is bracketed (later undone)"
    if "confirmed" in h:
        return row.consent.date, "made upon signature and confirmed upon consent: the grid's consent date"
    return row.consent.date, "no date given (made upon ratification, accession or succession): the grid's consent date"


CAPTION_RE = re.compile(r"^[\"“]?(?:Article|Art\.)\s+\d+[^.]{0,25}:?[\"”]?$", re.I)


def split_by_article(lines: list[str]) -> list[tuple[str, list[str]]] | None:
    """A reservation whose paragraphs each name one article -> [(article, paragraphs)], else None.

    A caption line ('Article 37:') joins the paragraph after it; that paragraph's (more precise)
    reference, e.g. 37(c), names the group when it is the same article."""
    groups: list[tuple[str, list[str]]] = []
    preamble: list[str] = []
    caption: tuple[str, str] | None = None
    for line in lines:
        if ARTICLES_PLURAL_RE.search(line):
            return None
        refs = article_refs(line)
        if len(refs) > 1:
            return None
        if refs and CAPTION_RE.match(line):
            if caption:
                return None
            caption = (refs[0], line)
            continue
        if caption:
            art = refs[0] if refs and re.match(r"\d+", refs[0]).group() == re.match(r"\d+", caption[0]).group() else (
                caption[0] if not refs else None)
            if art is None:
                return None
            groups.append((art, preamble + [caption[1], line]))
            caption = None
            continue
        if refs:
            if groups and groups[-1][0] == refs[0]:
                groups[-1][1].append(line)
            else:
                groups.append((refs[0], preamble + [line]))
        elif groups:
            groups[-1][1].append(line)
        else:
            preamble.append(line)
    if caption:
        return None
    arts = [g[0] for g in groups]
    if len(groups) < 2 or len(set(arts)) != len(arts):
        return None
    return groups


def footnote_withdrawals(page: Page, sid: str, name: str, num: str, skipped: list[str]) -> list[dict]:
    text = norm_space(page.footnotes[num])
    out = []
    matches = list(WITHDRAW_RE.finditer(text))
    for i, m in enumerate(matches):
        who = m.group("who")
        # a symbol counts only within this withdrawal's own stretch of the footnote, up to the next
        # dated sentence ("On <date>, ...")
        nxt = re.compile(r"(?:^|\s)(?:On|In a (?:communication|notification) received on) %s" % LONG_DATE)
        after = nxt.search(text, m.end())
        span = text[m.start(): after.start() if after else len(text)]
        if resolve_target_name(who) != resolve_target_name(name):
            continue
        date = iso_from_long(m.group("date"))
        assert long_date(date) in text
        what = m.group("what").lower()
        if "reservation" in what:
            typ = "partial_withdrawal_of_reservation" if m.group("partial") else "withdrawal_of_reservation"
        else:
            typ = "withdrawal_of_declaration"
        sentence = m.group(0)
        rest = m.group("rest")
        arts = article_refs(rest) if not re.search(r"\barticles\s+\d", rest) else []
        syms = sorted(set(SYMBOL_RE.findall(span)))
        src = page.source(symbol=syms[0] if len(syms) == 1 else None, footnote=num,
                          note=f"Footnote {num}: \u201c{sentence}\u2026\u201d")
        for a in (arts or [None]):
            out.append(action(sid, typ, date, dict(src), article=a, footnote_text=page.footnotes[num]))
    return out


def resolve_target_name(s: str) -> str:
    s = norm_space(s).replace("\u2019", "'")
    return re.sub(r"^the ", "", s, flags=re.I)

