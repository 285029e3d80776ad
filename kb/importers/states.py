"""Generate data/states.yaml from the shared reference files.

Re-runnable and deterministic: the same inputs give byte-identical output.

Inputs (under --ref, default ../shared/reference, beside the repository):
  untc-chapter-iv-2026-02-03/*.html   UN Treaty Collection status pages (current participant names)
  untc-selected-2015-03-14/1-1.csv    Charter of the UN: the original members' ratifications (I-1)
  untc-selected-2015-03-14/1-2.csv    Admission of later members: GA resolution and date (I-2)
  untc-selected-2015-03-14/{4-1,5-2,5-5,18-10,18-12-a}.csv   2015 participant names (aliases)
  ilo-members-2025-02/ilo_member_states.csv                  ILO members (secondary source)
plus pycountry for ISO 3166-1 codes and names.

Usage:
  python scripts/import_states.py               # write data/states.yaml
  python scripts/import_states.py --out PATH    # write elsewhere
  python scripts/import_states.py --check       # exit 1 if data/states.yaml would change
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import re
import sys
from pathlib import Path

import lxml.html
import pycountry
import yaml

ROOT = Path(__file__).resolve().parents[2]  # the repository (kb/importers/ -> ../..)
DEFAULT_REF = ROOT.parent / "shared" / "reference"
DEFAULT_OUT = ROOT / "data" / "states.yaml"

UNTC_2026 = "untc-chapter-iv-2026-02-03"
UNTC_2015 = "untc-selected-2015-03-14"
ILO_DIR = "ilo-members-2025-02"
OTHER_2015_CSVS = ("4-1.csv", "5-2.csv", "5-5.csv", "18-10.csv", "18-12-a.csv")

# ----------------------------------------------------------------------------- name -> code
# Names that pycountry.countries.lookup() does not resolve, or that are pinned by hand so a
# pycountry change cannot silently remap them.  Values are ISO 3166-1 alpha-3 (or the
# documented non-ISO codes in SPECIAL_CODES).
NAME_OVERRIDES: dict[str, str] = {
    "Bahamas (The)": "BHS",
    "Bolivia (Plurinational State of)": "BOL",
    "Cape Verde": "CPV",
    "Côte d'Ivoire": "CIV",
    "Democratic People's Republic of Korea": "PRK",
    "Democratic Republic of the Congo": "COD",
    "European Union": "EUU",
    "Holy See": "VAT",
    "Iran (Islamic Republic of)": "IRN",
    "Kosovo": "XKX",
    "Libyan Arab Jamahiriya": "LBY",
    "Micronesia (Federated States of)": "FSM",
    "Netherlands (Kingdom of the)": "NLD",
    "Republic of Korea": "KOR",
    "St. Kitts and Nevis": "KNA",
    "St. Lucia": "LCA",
    "St. Vincent and the Grenadines": "VCT",
    "State of Palestine": "PSE",
    "Swaziland": "SWZ",
    "São Tomé and Príncipe": "STP",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "Turkey": "TUR",
    "Türkiye": "TUR",
    "Venezuela (Bolivarian Republic of)": "VEN",
}

# Codes that are not ISO 3166-1 country assignments.
SPECIAL_CODES: dict[str, dict] = {
    "EUU": {
        "alpha2": "EU",
        "short_name": "European Union",
        "note": (
            "Not a state. 'EU' is an exceptionally reserved ISO 3166-1 alpha-2 code, not a country "
            "assignment; 'EUU' is not an ISO 3166-1 code and is used as this KB's id by convention."
        ),
    },
    "XKX": {
        "alpha2": "XK",
        "short_name": "Kosovo",
        "note": (
            "Kosovo has no ISO 3166-1 code; XKX/XK are user-assigned codes used by convention."
        ),
    },
}

# Participants that existed in 2015 tables but are not states today (skipped, reported).
FORMER_STATES = {
    "Czechoslovakia", "Yugoslavia", "Serbia and Montenegro", "German Democratic Republic",
    "Union of Soviet Socialist Republics", "Democratic Yemen",
}

KIND_OVERRIDES = {
    "VAT": "non_member_state", "PSE": "non_member_state", "COK": "non_member_state",
    "NIU": "non_member_state", "XKX": "non_member_state", "EUU": "organization",
}

SHORT_NAME_OVERRIDES = {
    "COD": "DR Congo",
    "FSM": "Micronesia",
    "KOR": "Republic of Korea",
    "MDA": "Moldova",
    "PRK": "DPR Korea",
    "PSE": "Palestine",
    "VAT": "Holy See",
}

EXTRA_ALIASES = {
    "PRK": ["North Korea", "DPRK", "DPR Korea", "Korea, Democratic People's Republic of"],
    "KOR": ["South Korea", "Korea, Republic of", "ROK"],
}

# Names the KB accepts in another language (curated: the names Korean readers type for the two Korean
# states; each state's own Korean name, the name used in the Republic of Korea, and the short forms).
# These are names to look a state up by, not a fact about it: the depositary's English name stays the
# authority, and the build adds CLDR's name of every state in each of the site's languages (Babel).
LANGUAGE_ALIASES = {
    "PRK": {"ko": ["조선민주주의인민공화국", "조선", "북한"]},
    "KOR": {"ko": ["대한민국", "한국", "남한"]},
}

# The seven UN members the ILO README says are not ILO members.
ILO_NON_MEMBER_UN_STATES = {"AND", "BTN", "PRK", "LIE", "FSM", "MCO", "NRU"}

# ----------------------------------------------------------------------------- sources
EIF_URL = "https://ask.un.org/faq/14595"
EIF_CITATION = (
    "the Charter's entry into force on 24 October 1945 (United Nations, Dag Hammarskjöld Library, "
    f"Ask DAG FAQ 14595, last updated 2 May 2018, {EIF_URL})"
)
EIF_DATE = "1945-10-24"

SRC_UN_I1 = {
    "url": "http://treaties.un.org/pages/ViewDetails.aspx?src=TREATY&mtdsg_no=I-1&chapter=1&lang=en",
    "title": "UN Treaty Collection, Chapter I, I-1: Charter of the United Nations, status",
    "as_at": "2015-03-14",
}
SRC_UN_I2 = {
    "url": "http://treaties.un.org/pages/ViewDetails.aspx?src=TREATY&mtdsg_no=I-2&chapter=1&lang=en",
    "title": (
        "UN Treaty Collection, Chapter I, I-2: Declarations of acceptance of the obligations "
        "contained in the Charter of the United Nations, status"
    ),
    "as_at": "2015-03-14",
}
# No list of member States published by the ILO itself could be read (searched for: the ILO's
# "Alphabetical list of ILO member countries", NORMLEX country profiles; only copies of the
# Wikipedia article were found), so the secondary source is cited as what it is, on every
# membership it gives: `kind: secondary` and a note a reader understands.
SRC_ILO = {
    "url": "https://en.wikipedia.org/wiki/Member_states_of_the_International_Labour_Organization",
    "title": "Wikipedia: Member states of the International Labour Organization",
    "as_at": "2025-02-01",
    "kind": "secondary",
    "note": (
        "Secondary source, not the ILO's own list: no list of member States published by the ILO "
        "could be read. Read in the article's table 'Current member states of the International "
        "Labour Organization', as of February 2025 (transcribed from a copy in the public repository "
        "isauravmanitripathi/One-Time-Use-Files, commit b437b13b6962a12dec1ca0c9eea5386c8e4d8191)."
    ),
}
ILO_MEMBER_NOTE = "current membership; earlier memberships not recorded in this source"
ILO_NON_MEMBER_NOTE = "not listed among ILO member States as of February 2025"

NON_MEMBER_STATE_NOTE = (
    "Not a UN member state; participates in treaties deposited with the Secretary-General "
    "(UN Treaty Collection, Chapter IV status pages as at 2026-02-03)."
)

# Curator's notes on UN membership rows that need reading with care.  Facts here come from the
# source rows themselves; nothing outside the source is dated.
UN_NOTES: dict[str, str] = {
    "RUS": (
        "The source lists this original Member as 'Russian Federation': the Russian Federation "
        "continues the membership of the Union of Soviet Socialist Republics, whose Charter "
        "ratification this is."
    ),
    "EGY": (
        "Original Member; the period of the United Arab Republic (Egypt and Syria) is not "
        "recorded in this source."
    ),
    "SYR": (
        "Original Member; the period of the United Arab Republic (Egypt and Syria) is not "
        "recorded in this source."
    ),
    "YEM": (
        "The source's row 'Yemen' gives the admission of Yemen; Democratic Yemen's separate "
        "membership and the two states' union as the Republic of Yemen are not recorded in this "
        "source."
    ),
    "TZA": (
        "The source's row 'United Republic of Tanzania' gives the admission of Tanganyika; "
        "Zanzibar and the union of the two are not recorded in this source."
    ),
    "CZE": (
        "Admitted on the dissolution of Czechoslovakia, an original Member that the source's "
        "I-1 table does not list."
    ),
    "SVK": (
        "Admitted on the dissolution of Czechoslovakia, an original Member that the source's "
        "I-1 table does not list."
    ),
    "SRB": (
        "The resolution admitted the Federal Republic of Yugoslavia, whose membership Serbia "
        "continues (the source lists the row as 'Serbia'); the Socialist Federal Republic of "
        "Yugoslavia, an original Member, is not listed in the source's I-1 table."
    ),
    "MNE": "Admitted after separating from the state union with Serbia.",
    "MKD": (
        "The source lists the row as 'The former Yugoslav Republic of Macedonia', the name "
        "under which the state was admitted; the depositary's current name is 'North Macedonia'."
    ),
    "IDN": (
        "The source records only this admission. Indonesia's announced withdrawal of 7 January "
        "1965 (see https://ir.wgtn.ac.nz/handle/123456789/25693) and its later resumption of "
        "participation are not recorded in it; the membership is given as continuous, as the "
        "depositary's table gives it."
    ),
}
# Resolution numbers that the source prints oddly; quoted verbatim and flagged.
RESOLUTION_SIC = {"21 75 (XXI)", "57 (I)"}

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def parse_date(text: str) -> str:
    """'24 Sep 1945' (also 'Sept', 'July') -> '1945-09-24'."""
    m = re.fullmatch(r"\s*(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})\s*", text)
    if not m:
        raise ValueError(f"cannot read date {text!r}")
    day, mon, year = int(m.group(1)), MONTHS[m.group(2)[:3].lower()], int(m.group(3))
    return dt.date(year, mon, day).isoformat()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def participant_names_2026(ref: Path) -> dict[str, list[str]]:
    """Participant names on each 2026 status page (footnote numbers stripped)."""
    out: dict[str, list[str]] = {}
    for page in sorted((ref / UNTC_2026).glob("*.html")):
        doc = lxml.html.parse(str(page)).getroot()
        tables = [t for t in doc.iter("table") if (t.get("id") or "").endswith("tblgrid")]
        if len(tables) != 1:
            raise SystemExit(f"{page.name}: expected one *tblgrid table, found {len(tables)}")
        names = []
        for row in tables[0].iter("tr"):
            cells = row.findall("td")
            if not cells:
                continue
            cell = copy.deepcopy(cells[0])
            for sup in cell.xpath(".//sup|.//superscript"):
                sup.drop_tree()
            name = " ".join(cell.text_content().split())
            name = re.sub(r"[\s\d,]+$", "", name)
            if not name or name == "Participant":
                continue
            names.append(name)
        out[page.name] = names
    return out


def code_for(name: str) -> str:
    if name in NAME_OVERRIDES:
        return NAME_OVERRIDES[name]
    return pycountry.countries.lookup(name).alpha_3


def iso_entry(code: str):
    return pycountry.countries.get(alpha_3=code)


def untc_note_res(row: dict[str, str]) -> str:
    res = row["Resolution"]
    if res:
        part = f"General Assembly resolution {res}"
        if res in RESOLUTION_SIC:
            part += " (so printed in the source)"
    else:
        part = "General Assembly resolution not given in the source"
    vol, page = row["UNTS Volume"], row["UNTS Page"]
    if vol and page and page.upper() != "N/A":
        part += f"; UNTS vol. {vol}, p. {page}"
    elif vol:
        part += f"; UNTS vol. {vol} (page not given in the source)"
    else:
        part += "; UNTS volume and page not given in the source"
    return part


def build(ref: Path) -> tuple[list[dict], list[str]]:
    report: list[str] = []
    pages = participant_names_2026(ref)
    current = sorted({n for names in pages.values() for n in names})

    records: dict[str, dict] = {}
    for name in current:
        code = code_for(name)
        if code in records:
            raise SystemExit(f"two current names map to {code}: {records[code]['name']!r}, {name!r}")
        records[code] = {"name": name, "aliases": set()}

    # 2015 UN membership tables
    i1 = read_csv(ref / UNTC_2015 / "1-1.csv")
    i2 = read_csv(ref / UNTC_2015 / "1-2.csv")
    un: dict[str, dict] = {}
    for row in i1:
        code = code_for(row["Participant"])
        ratified = parse_date(row["Ratification"])
        since = max(ratified, EIF_DATE)
        if ratified <= EIF_DATE:
            how = (f"Original Member: Charter ratification {ratified} (I-1 table); membership dated "
                   f"from {EIF_CITATION}.")
        else:
            how = (f"Original Member: Charter ratification {ratified} (I-1 table), after "
                   f"{EIF_CITATION}; membership dated from the ratification.")
        un[code] = {"since": since, "note": how, "source": SRC_UN_I1, "row": row["Participant"]}
    for row in i2:
        code = code_for(row["Participant"])
        if code in un:
            raise SystemExit(f"{code} in both 1-1.csv and 1-2.csv")
        un[code] = {"since": parse_date(row["Date of Adoption"]), "note": untc_note_res(row),
                    "source": SRC_UN_I2, "row": row["Participant"]}
    for code, m in un.items():
        if code not in records:
            raise SystemExit(f"UN member {m['row']!r} ({code}) is not on the 2026 pages")
        if m["row"] != records[code]["name"]:
            records[code]["aliases"].add(m["row"])
            report.append(f"UN row {m['row']!r} -> {code} ({records[code]['name']!r})")

    # other 2015 participant names: aliases only
    for fname in OTHER_2015_CSVS:
        for row in read_csv(ref / UNTC_2015 / fname):
            name = row["Participant"]
            if name in FORMER_STATES:
                report.append(f"{fname}: former state {name!r} skipped")
                continue
            code = code_for(name)
            if code not in records:
                raise SystemExit(f"{fname}: {name!r} ({code}) has no state record")
            if name != records[code]["name"]:
                records[code]["aliases"].add(name)

    # ILO
    ilo: dict[str, str] = {}
    for row in read_csv(ref / ILO_DIR / "ilo_member_states.csv"):
        code = code_for(row["member_state"])
        if code not in records:
            raise SystemExit(f"ILO member {row['member_state']!r} ({code}) has no state record")
        if code in ilo:
            raise SystemExit(f"ILO member {code} listed twice")
        ilo[code] = row["current_membership_since"]
        if row["member_state"] != records[code]["name"]:
            records[code]["aliases"].add(row["member_state"])

    states = []
    for code in sorted(records):
        rec = records[code]
        kind = KIND_OVERRIDES.get(code, "state")
        if code in SPECIAL_CODES:
            alpha2 = SPECIAL_CODES[code]["alpha2"]
            short = SPECIAL_CODES[code]["short_name"]
            note = SPECIAL_CODES[code]["note"]
            iso_names: list[str] = []
        else:
            c = iso_entry(code)
            alpha2 = c.alpha_2
            short = SHORT_NAME_OVERRIDES.get(code) or getattr(c, "common_name", None) or c.name
            note = None
            iso_names = [re.sub(r"^the ", "", n) for n in (c.name, getattr(c, "official_name", None),
                                                          getattr(c, "common_name", None)) if n]
        if kind == "non_member_state":
            note = NON_MEMBER_STATE_NOTE if note is None else f"{note} {NON_MEMBER_STATE_NOTE}"

        alias_pool = list(EXTRA_ALIASES.get(code, [])) + iso_names + sorted(rec["aliases"])
        exclude = {rec["name"].casefold(), short.casefold()}
        seen: dict[str, str] = {}
        for a in alias_pool:
            key = a.casefold()
            if key not in exclude and key not in seen:
                seen[key] = a
        aliases = sorted(seen.values(), key=lambda s: (s.casefold(), s))

        memberships = []
        if kind == "state":
            if code not in un:
                raise SystemExit(f"{code} ({rec['name']}) has no UN membership row")
            m = un[code]
            un_note = m["note"]
            if code in UN_NOTES:
                sep = " " if un_note.endswith(".") else ". "
                un_note = f"{un_note}{sep}{UN_NOTES[code]}"
            memberships.append({"organization": "UN", "since": m["since"], "note": un_note,
                                "source": dict(m["source"])})
        elif code in un:
            raise SystemExit(f"{code} is a UN member but kind {kind}")
        if code in ilo:
            memberships.append({"organization": "ILO", "since": ilo[code], "note": ILO_MEMBER_NOTE,
                                "source": dict(SRC_ILO)})
        else:
            memberships.append({"organization": "ILO", "member": False,
                                "note": ILO_NON_MEMBER_NOTE, "source": dict(SRC_ILO)})

        state = {"id": code, "alpha2": alpha2, "name": rec["name"], "short_name": short,
                 "aliases": aliases, "kind": kind}
        if code in LANGUAGE_ALIASES:
            state["aliases_by_language"] = {lang: list(names) for lang, names in sorted(LANGUAGE_ALIASES[code].items())}
        if note:
            state["note"] = note
        state["memberships"] = memberships
        states.append(state)

    # consistency checks
    n_un = sum(1 for s in states if s["kind"] == "state")
    if n_un != 193 or len(un) != 193:
        raise SystemExit(f"expected 193 UN members, got {n_un} records / {len(un)} rows")
    if len(ilo) != 187:
        raise SystemExit(f"expected 187 ILO members, got {len(ilo)}")
    missing_ilo = {s["id"] for s in states if s["kind"] == "state" and s["id"] not in ilo}
    if missing_ilo != ILO_NON_MEMBER_UN_STATES:
        raise SystemExit(f"UN members not in ILO CSV {sorted(missing_ilo)} differ from the README's seven")
    owner: dict[str, str] = {}
    for s in states:
        for n in [s["name"], s["short_name"], *s["aliases"],
                  *(n for names in s.get("aliases_by_language", {}).values() for n in names)]:
            k = n.casefold()
            if owner.get(k, s["id"]) != s["id"]:
                raise SystemExit(f"name {n!r} used by {owner[k]} and {s['id']}")
            owner[k] = s["id"]
    return states, report


# ----------------------------------------------------------------------------- YAML output
class Quoted(str):
    """A string always written double-quoted."""


class Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # never emit anchors/aliases
        return True

    def increase_indent(self, flow=False, indentless=False):  # indent lists under their key
        return super().increase_indent(flow, False)


def _quoted(dumper, data):
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')


Dumper.add_representer(Quoted, _quoted)

DATE_KEYS = {"since", "until", "as_at"}
QUOTED_KEYS = {"alpha2", "name", "short_name"}


def to_yaml_tree(obj, key=None):
    if isinstance(obj, dict):
        return {k: to_yaml_tree(v, k) for k, v in obj.items()}
    if isinstance(obj, list):
        return [to_yaml_tree(v, key) for v in obj]
    if isinstance(obj, str):
        if key in DATE_KEYS:
            return dt.date.fromisoformat(obj)  # emitted unquoted: 1945-10-24
        if key in QUOTED_KEYS or key in ("aliases", "ko"):
            return Quoted(obj)
    return obj


HEADER = (
    "# GENERATED by scripts/import_states.py from the shared reference files: do not edit by hand;\n"
    "# change the script and re-run it.  See kb/schema.py (StatesFile) for the fields.\n"
)


def render(states: list[dict]) -> str:
    body = yaml.dump({"states": to_yaml_tree(states)}, Dumper=Dumper, allow_unicode=True,
                     sort_keys=False, width=100, default_flow_style=False)
    return HEADER + body


class _StrDateLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings (the schema validates ISO date strings)."""


_StrDateLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in rs if tag != "tag:yaml.org,2002:timestamp"]
    for ch, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def validate(text: str) -> None:
    from ..data.schema import StatesFile  # noqa: PLC0415

    StatesFile.model_validate(yaml.load(text, Loader=_StrDateLoader))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ref", type=Path, default=DEFAULT_REF, help="shared reference directory")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output path (default data/states.yaml)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the output file would change")
    ap.add_argument("--verbose", "-v", action="store_true", help="print the mapping report")
    args = ap.parse_args(argv)

    states, report = build(args.ref)
    text = render(states)
    validate(text)
    if args.verbose:
        for line in report:
            print(line, file=sys.stderr)
    data = text.encode("utf-8")
    if args.check:
        old = args.out.read_bytes() if args.out.exists() else None
        if old != data:
            print(f"{args.out} is out of date: re-run scripts/import_states.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date ({len(states)} records)")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(states)} records)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
