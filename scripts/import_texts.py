"""Write data/texts/<ID>.yaml, a treaty's English text article by article, from a public copy.

Maintainer tool, run by hand (never at install, build or test time). Its input is the English
text of each instrument as the Dutch treaty database (Verdragenbank) publishes it, in the GitHub
repository statengeneraal/laws-markdown: one Markdown file per treaty that holds the English text
and, after it, the Dutch translation. The table `SOURCES` below names, for each instrument, the
file, the commit that last changed it, and the headings where its English text begins and ends.

    git clone https://github.com/statengeneraal/laws-markdown   # or any copy holding the commits
    python scripts/import_texts.py --repo laws-markdown/.git    # every instrument in SOURCES
    python scripts/import_texts.py --repo laws-markdown/.git CEDAW CRC
    python scripts/import_texts.py --repo laws-markdown/.git --check   # exit 1 if a file would change

The output is deterministic: the same input gives the same bytes. What the script does to the copy
is listed in `clean()` and `NOISE` (Markdown emphasis and links removed, the database's Dutch
status lines dropped, blank space collapsed); the words are never changed. Numbering is read from
the labels the copy gives ("1.", "(a)", "a)", "(i)", "A.", "(1)"): each kind of label opens a
level the first time it appears inside an article, and a label of a kind already open closes the
levels below it. A roman numeral is read as a letter where it continues a run of letters
("(h)" then "(i)").
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "texts"
REPO_URL = "https://github.com/statengeneraal/laws-markdown"

# id: (path, commit, English start heading, heading or line that ends the English text, adopted, title)
SOURCES: dict[str, tuple[str, str, str, str, str, str]] = {
    "ICERD": ("verdrag/international/convention/on/the/elimination/of/all/forms/of/racial/etc/BWBV0002911/README.md",
              "79c8a17947868410c1647b95f3b632a79dafaaef",
              "####International Convention on the Elimination of All Forms of Racial Discrimination",
              "####Internationaal Verdrag", "1966-03-07",
              "International Convention on the Elimination of All Forms of Racial Discrimination"),
    "ICESCR": ("verdrag/international/covenant/on/economic/social/and/cultural/rights/BWBV0001016/README.md",
               "13707468dabb04909c7a939044781d773ffa5808",
               "####International Covenant on Economic, Social and Cultural Rights",
               "####Internationaal Verdrag", "1966-12-16",
               "International Covenant on Economic, Social and Cultural Rights"),
    "OP-ICESCR": ("verdrag/optional/protocol/to/the/international/covenant/on/economic/social/and/etc/BWBV0004027/README.md",
                  "c621428491b45719be0563401dc52bb8bd3f8649",
                  "####Optional Protocol to the International Covenant on Economic, Social and Cultural Rights",
                  "####Facultatief Protocol", "2008-12-10",
                  "Optional Protocol to the International Covenant on Economic, Social and Cultural Rights"),
    "ICCPR": ("verdrag/international/covenant/on/civil/and/political/rights/BWBV0001017/README.md",
              "26ef0fbfe65b3c94585e92b256b68b334d9ad1e5",
              "####International Covenant on Civil and Political Rights",
              "####Optional Protocol to the International Covenant", "1966-12-16",
              "International Covenant on Civil and Political Rights"),
    "ICCPR-OP1": ("verdrag/international/covenant/on/civil/and/political/rights/BWBV0001017/README.md",
                  "26ef0fbfe65b3c94585e92b256b68b334d9ad1e5",
                  "####Optional Protocol to the International Covenant on Civil and Political Rights",
                  "####Internationaal Verdrag", "1966-12-16",
                  "Optional Protocol to the International Covenant on Civil and Political Rights"),
    "ICCPR-OP2": ("verdrag/second/optional/protocol/to/the/international/covenant/on/civil/and/etc/BWBV0001043/README.md",
                  "7777d5f41df635768a017f1f46a298a51fcadbce",
                  "####Second Optional Protocol to the International Covenant on Civil and Political Rights",
                  "####Tweede Facultatieve Protocol", "1989-12-15",
                  "Second Optional Protocol to the International Covenant on Civil and Political Rights, aiming at the abolition of the death penalty"),
    "CEDAW": ("verdrag/verdrag/inzake/de/uitbanning/van/alle/vormen/van/discriminatie/van/vrouwen/BWBV0002909/README.md",
              "697bfc53182d4600a927aade306d7c5d38224fd3",
              "####Convention on the Elimination of All Forms of Discrimination against Women",
              "#### Verdrag inzake", "1979-12-18",
              "Convention on the Elimination of All Forms of Discrimination against Women"),
    "OP-CEDAW": ("verdrag/cedaw-protocol/BWBV0001537/README.md",
                 "45bed390f1200bb2cb5e098d51b9ea6ed44d70b7",
                 "####Optional Protocol to the Convention on the Elimination of All Forms of Discrimination against Women",
                 "####Facultatief Protocol", "1999-10-06",
                 "Optional Protocol to the Convention on the Elimination of All Forms of Discrimination against Women"),
    "CAT": ("verdrag/folterverdrag/BWBV0002507/README.md",
            "45bed390f1200bb2cb5e098d51b9ea6ed44d70b7",
            "####against torture and other cruel, inhuman or degrading treatment or punishment",
            "####tegen foltering", "1984-12-10",
            "Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment"),
    "OP-CAT": ("verdrag/optional/protocol/to/the/convention/against/torture/and/other/cruel/etc/BWBV0004712/README.md",
               "45bed390f1200bb2cb5e098d51b9ea6ed44d70b7",
               "####Optional Protocol to the Convention against Torture",
               "####Facultatief Protocol", "2002-12-18",
               "Optional Protocol to the Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment"),
    "CRC": ("verdrag/convention/on/the/rights/of/the/child/BWBV0002508/README.md",
            "45bed390f1200bb2cb5e098d51b9ea6ed44d70b7",
            "####Convention on the Rights of the Child",
            "####Verdrag inzake de rechten van het kind", "1989-11-20",
            "Convention on the Rights of the Child"),
    "OP-CRC-AC": ("verdrag/optional/protocol/to/the/convention/on/the/rights/of/the/child/on/the/etc/BWBV0004034/README.md",
                  "c621428491b45719be0563401dc52bb8bd3f8649",
                  "####Optional Protocol to the Convention on the Rights of the Child on the involvement",
                  "####Facultatief Protocol", "2000-05-25",
                  "Optional Protocol to the Convention on the Rights of the Child on the involvement of children in armed conflict"),
    "OP-CRC-SC": ("verdrag/optional/protocol/to/the/convention/on/the/rights/of/the/child/on/the/sale/etc/BWBV0001752/README.md",
                  "d02a7d27ac083b72f97a356fbd37480b62edb891",
                  "####Optional Protocol to the Convention on the Rights of the Child on the sale",
                  "####Facultatief Protocol", "2000-05-25",
                  "Optional Protocol to the Convention on the Rights of the Child on the sale of children, child prostitution and child pornography"),
    "CPED": ("verdrag/international/convention/for/the/protection/of/all/persons/from/enforced/etc/BWBV0003065/README.md",
             "d287f849641730453e476a297925b2e71819fdca",
             "####International Convention for the Protection of all Persons from Enforced Disappearance",
             "####Internationaal Verdrag", "2006-12-20",
             "International Convention for the Protection of All Persons from Enforced Disappearance"),
    "CRPD": ("verdrag/convention/on/the/rights/of/persons/with/disabilities/BWBV0004045/README.md",
             "b19951033ab1c13d106522fda03b3d6b6be27816",
             "####Convention on the rights of persons with disabilities",
             "####Verdrag inzake de rechten van personen", "2006-12-13",
             "Convention on the Rights of Persons with Disabilities"),
    "OP-CRPD": ("verdrag/optional/protocol/to/the/convention/on/the/rights/of/persons/with/etc/BWBV0003559/README.md",
                "0eac8a0594ee0a45dfd84ed349639f6a53056a69",
                "####Optional Protocol to the Convention on the Rights of Persons with Disabilities",
                "####Facultatief Protocol", "2006-12-13",
                "Optional Protocol to the Convention on the Rights of Persons with Disabilities"),
    "GENOCIDE": ("verdrag/genocideverdrag/BWBV0005551/README.md",
                 "45bed390f1200bb2cb5e098d51b9ea6ed44d70b7",
                 "####Convention on the prevention and punishment of the crime of genocide",
                 "####Verdrag inzake de voorkoming", "1948-12-09",
                 "Convention on the Prevention and Punishment of the Crime of Genocide"),
    "REFUGEES": ("verdrag/vluchtelingenverdrag/BWBV0001002/README.md",
                 "732533e202d23c1c31efabfe1f80dc4e4cdc07d2",
                 "####CONVENTION RELATING TO THE STATUS OF REFUGEES",
                 "### SCHEDULE", "1951-07-28",
                 "Convention relating to the Status of Refugees"),
    "REFUGEES-P": ("verdrag/protocol/betreffende/de/status/van/vluchtelingen/new/york/31-01-1967/BWBV0001007/README.md",
                   "005d7abb206020407338cf603fc0249e2bfc4e18",
                   "####Protocol relating to the States of Refugees",
                   "", "1967-01-31",
                   "Protocol relating to the Status of Refugees"),
    "ROME": ("verdrag/rome/statute/of/the/international/criminal/court/BWBV0001489/README.md",
             "a96ab4406e914f61b6111535316fd521ac3146cb",
             "####Rome Statute of the International Criminal Court",
             "####Statuut van Rome", "1998-07-17",
             "Rome Statute of the International Criminal Court"),
    "TIP": ("verdrag/protocol/to/prevent/suppress/and/punish/trafficking/in/persons/especially/etc/BWBV0001749/README.md",
            "e9a1ebad2f1dd87771696075abcf1d5eef3bdb1b",
            "####Protocol to Prevent, Suppress and Punish trafficking in Persons",
            "####Protocol inzake de voorkoming", "2000-11-15",
            "Protocol to Prevent, Suppress and Punish Trafficking in Persons, especially Women and Children, supplementing the United Nations Convention against Transnational Organized Crime"),
    # ILO fundamental conventions: the English text (English and French are both authentic), as the
    # Dutch treaty database publishes it beside its Dutch translation.
    "C029": ("verdrag/convention/concerning/forced/or/compulsory/labour/BWBV0006218/README.md",
             "d97eacf6b0d4f908dd89fe39c64b7a575e04729f", "####LEAGUE OF NATIONS.", "####VOLKENBOND.", "1930-06-28",
             "Forced Labour Convention, 1930 (No. 29)"),
    "P029": ("verdrag/protocol/van/2014/bij/het/verdrag/betreffende/de/gedwongen/arbeid/geneve/etc/BWBV0006447/README.md",
             "65ceb98242bdc650ed86dff2e17ef607182271e4", "####Protocol of 2014 to the Forced Labour Convention, 1930", "", "2014-06-11",
             "Protocol of 2014 to the Forced Labour Convention, 1930"),
    "C087": ("verdrag/international/labour/conference/BWBV0005545/README.md",
             "9498d85fb3c5674b673a1021ac88bf816a5ddcee", "####INTERNATIONAL LABOUR CONFERENCE", "####Verdrag No. 87", "1948-07-09",
             "Freedom of Association and Protection of the Right to Organise Convention, 1948 (No. 87)"),
    "C098": ("verdrag/convention/concerning/the/application/of/the/principles/of/the/right/to/etc/BWBV0005525/README.md",
             "cff95d86bef17fdd00f49d02f64494daa1b10f20", "####Convention concerning the Application of the Principles of the Right to Organise",
             "####Verdrag betreffende", "1949-07-01",
             "Right to Organise and Collective Bargaining Convention, 1949 (No. 98)"),
    "C100": ("verdrag/convention/concerning/equal/remuneration/for/men/and/women/workers/for/etc/BWBV0004933/README.md",
             "9498d85fb3c5674b673a1021ac88bf816a5ddcee", "####Convention concerning equal remuneration", "####Verdrag betreffende", "1951-06-29",
             "Equal Remuneration Convention, 1951 (No. 100)"),
    "C105": ("verdrag/convention/concerning/the/abolition/of/forced/labour/BWBV0004945/README.md",
             "9498d85fb3c5674b673a1021ac88bf816a5ddcee", "####Convention concerning the abolition of forced labour", "####Verdrag betreffende",
             "1957-06-25", "Abolition of Forced Labour Convention, 1957 (No. 105)"),
    "C111": ("verdrag/verdrag/betreffende/discriminatie/in/arbeid/en/beroep/BWBV0004947/README.md",
             "9498d85fb3c5674b673a1021ac88bf816a5ddcee", "####Convention concerning discrimination in respect of employment and occupation",
             "####Verdrag betreffende", "1958-06-25",
             "Discrimination (Employment and Occupation) Convention, 1958 (No. 111)"),
    "C138": ("verdrag/convention/concerning/minimum/age/for/admission/to/employment/BWBV0003701/README.md",
             "788613a8499c7a77f1b1deb02286bd9ae3b6dc34", "####Convention concerning minimum age for admission to employment", "###Recommendation 146",
             "1973-06-26", "Minimum Age Convention, 1973 (No. 138)"),
    "C155": ("verdrag/verdrag/betreffende/arbeidsveiligheid/gezondheid/en/het/arbeidsmilieu/BWBV0002487/README.md",
             "c0fecc2e89aedc51ac06210b0b09a63c9c9ade51", "####Convention Concerning Occupational Safety and Health", "####Verdrag betreffende",
             "1981-06-22", "Occupational Safety and Health Convention, 1981 (No. 155)"),
    "C182": ("verdrag/convention/concerning/the/prohibition/and/immediate/action/for/the/etc/BWBV0001522/README.md",
             "9f9841131147b807ae182f898cf332f3e3c56b3a", "####Convention concerning the prohibition and immediate action", "####Verdrag betreffende",
             "1999-06-17", "Worst Forms of Child Labour Convention, 1999 (No. 182)"),
}

#: Lines of the copy that are the database's own, not the treaty's: dropped.
NOISE = (
    "Treedt in werking op een nader te bepalen tijdstip",  # Dutch: "enters into force on a date to be fixed"
    "Wijzigt ",  # Dutch: "amends ...", the database's note in place of an amending article's words
)
#: What a copy lacks, said in the text's source note: instrument -> the gap.
GAPS = {
    "P029": ("the copy gives no English words for article 7, only the database's Dutch note 'Wijzigt het Verdrag "
             "betreffende de gedwongen of verplichte arbeid; Genève, 28 juni 1930' (it amends the Convention): "
             "article 7 is listed without its text."),
}
#: Lines that begin the closing formula after the last article: the rest of that article is not text of it.
CLOSING = ("IN WITNESS WHEREOF", "IN WITNESS THEREOF", "IN FAITH WHEREOF", "DONE at", "Done at")
#: Words that begin the ILO's authentication of a convention, wherever they stand in a line (the copy
#: joins them to the last article's words): they and all after them are not the convention's text.
CLOSING_IN_LINE = ("The foregoing is the authentic text",)

#: Lines whose level the labels alone cannot tell, read by hand against the text: (instrument,
#: start of the line) -> the kind of label it is. Rome Statute 93(10)(b)(i)(a)-(b) and (ii)(a)-(b)
#: are letters below romans; the "c)" after them is 93(10)(c).
LEVEL_FIXES = {
    ("ROME", "c) The Court may, under the conditions set out in this paragraph"): "lower",
}

ARTICLE_RE = re.compile(r"^###\s*Article\s+([0-9]+|[IVXL]+)\s*$")
DIVISION_RE = re.compile(r"^###\s*(PART|CHAPTER|Chapter|Part|SECTION|Section)\b")
TITLE_RE = re.compile(r"^####\s*(.+?)\s*$")
ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv", "xvi",
         "xvii", "xviii", "xix", "xx", "xxi", "xxii", "xxiii", "xxiv", "xxv", "xxvi", "xxvii", "xxviii"]
# A label at the start of a line, and its kind.
LABELS = [
    # "5..": the copy's typo in OP-CRC-AC 3(5), read as "5."
    ("num", re.compile(r"^([0-9]{1,2})\.\.?(?:\s+|$|(?=[A-Z\"“(]))(.*)$")),
    # "a.Sexual exploitation": letters with a full stop, OP-CRC-SC 3(1)(a)(i)(a)-(c)
    ("lowerdot", re.compile(r"^([a-z])\.(?=[A-Z])(.*)$")),
    ("upper", re.compile(r"^([A-F])\.(?:\s+|$)(.*)$")),
    ("pnum", re.compile(r"^\(([0-9]{1,2})\)\s*(.*)$")),
    ("lower", re.compile(r"^\(([a-z]{1,5})\)\s*(.*)$")),
    ("lower", re.compile(r"^([a-z]{1,5})\)\s*(.*)$")),
]


def clean(text: str) -> str:
    """The copy's Markdown turned into plain text: links to their words, emphasis marks dropped,
    blank space collapsed. Words and punctuation are kept as the copy has them."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("*", "")
    text = re.sub(r"\s+", " ", text)
    return text.strip()


def english_lines(raw: str, start: str, end: str) -> list[str]:
    lines = raw.splitlines()
    try:
        i = next(n for n, line in enumerate(lines) if line.strip().startswith(start))
    except StopIteration:
        raise SystemExit(f"start heading {start!r} not found") from None
    out = []
    for line in lines[i + 1:]:
        if end and line.strip().startswith(end):
            break
        out.append(line)
    return out


def _kind(label_kind: str, label: str, stack: list[dict], following: str | None) -> str:
    """`lower` or `roman` for a lower-case label, by the run it continues; `following` is the next
    lower-case label in the article ("(h)", "(i)", "(ii)": the "(i)" opens a run of romans)."""
    kinds = [n["_kind"] for n in stack]
    if label_kind == "lower" and stack and kinds[-1] == "roman" and label == "a" and following != "ii":
        return "lower2"  # letters below a roman numeral: Rome Statute 93(10)(b)(i)(a)
    if label_kind == "lower" and len(label) == 1 and "lower2" in kinds and stack[kinds.index("lower2")]["id"] == chr(ord(label) - 1):
        return "lower2"
    if label_kind != "lower" or label not in ROMAN:
        return label_kind
    last = {k: n for n, k in zip(stack, kinds)}
    idx = ROMAN.index(label)
    if "roman" in last and idx > 0 and last["roman"]["id"] == ROMAN[idx - 1]:
        return "roman"
    if label == "i" and following == "ii":
        return "roman"
    if "lower" in last and len(label) == 1 and last["lower"]["id"] == chr(ord(label) - 1):
        return "lower"
    if label == "i":
        return "roman"
    return "lower"


def _label(line: str) -> tuple[str, str, str] | None:
    for kind, rx in LABELS:
        lm = rx.match(line)
        if lm:
            return kind, lm.group(1), lm.group(2)
    return None


def parse(lines: list[str], instrument: str = "") -> list[dict]:
    articles: list[dict] = []
    art: dict | None = None
    stack: list[dict] = []  # open numbered nodes, outermost first
    closed = False
    pending_title = False
    stripped = [raw.strip() for raw in lines]
    # for each line, the next lower-case label after it (before the next article heading)
    following: list[str | None] = [None] * len(stripped)
    nxt: str | None = None
    for n in range(len(stripped) - 1, -1, -1):
        following[n] = nxt
        if ARTICLE_RE.match(stripped[n]):
            nxt = None
        else:
            lab = _label(stripped[n])
            if lab and lab[0] == "lower":
                nxt = lab[1]
    for n, line in enumerate(stripped):
        if not line:
            continue
        m = ARTICLE_RE.match(line)
        if m:
            art = {"id": m.group(1), "title": None, "text": [], "items": [], "_kind": "article"}
            articles.append(art)
            stack, closed, pending_title = [], False, True
            continue
        if DIVISION_RE.match(line):
            art, stack, pending_title = None, [], False
            continue
        t = TITLE_RE.match(line)
        if t:
            if art is not None and pending_title:
                art["title"] = clean(t.group(1))
            pending_title = False
            continue
        pending_title = False
        if art is None or closed or line.startswith("#"):
            continue
        if any(line.startswith(n) for n in NOISE):
            continue
        if any(line.startswith(c) for c in CLOSING):
            closed = True
            continue
        cut = min((line.find(c) for c in CLOSING_IN_LINE if c in line), default=-1)
        if cut >= 0:
            closed = True
            line = line[:cut].strip()
            if not line:
                continue
        lab = _label(line)
        if lab:
            kind, label, body = lab
            kind = next((k for (i, start), k in LEVEL_FIXES.items() if i == instrument and line.startswith(start)),
                        None) or _kind(kind, label, stack, following[n])
            kinds = [x["_kind"] for x in stack]
            if kind in kinds:
                del stack[kinds.index(kind):]
            parent = stack[-1] if stack else art
            node = {"id": label, "text": [clean(body)] if clean(body) else [], "items": [], "_kind": kind}
            parent["items"].append(node)
            stack.append(node)
        else:
            # Unlabelled text: the article's opening words, or words that follow the items of
            # the innermost open node (kept after them, as the treaty prints them).
            target = stack[-1] if stack else art
            if target["items"]:
                target.setdefault("after", []).append(clean(line))
            else:
                target["text"].append(clean(line))
    return [_final(a) for a in articles]


def _final(node: dict) -> dict:
    out: dict = {"id": node["id"]}
    if node["_kind"] == "article":
        out["title"] = node["title"]
    text = " ".join(t for t in node["text"] if t)
    if text:
        out["text"] = text
    if node["items"]:
        out["items"] = [_final(n) for n in node["items"]]
    after = " ".join(node.get("after", []))
    if after:
        out["text_after"] = after
    return out


def render(inst: str, git_dir: str) -> str:
    path, commit, start, end, adopted, title = SOURCES[inst]
    raw = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{path}"],
                         check=True, capture_output=True).stdout.decode("utf-8")
    articles = parse(english_lines(raw, start, end), inst)
    doc = {
        "instrument": inst,
        "source": {
            "url": f"{REPO_URL}/blob/{commit}/{path}",
            "title": f"{title}, English text, Dutch treaty database (Verdragenbank) copy in statengeneraal/laws-markdown",
            "as_at": adopted,
            "note": (f"English text read from {path} at commit {commit} (the commit that last changed the file); "
                     "as_at is the date of the text itself (its adoption or opening for signature as "
                     "data/treaties.yaml gives it). Written by scripts/import_texts.py: Markdown emphasis and links "
                     "removed, the database's Dutch status lines dropped, the preamble and the closing formula "
                     "left out; the words are the copy's." + (f" Not in the copy: {GAPS[inst]}" if inst in GAPS else "")),
        },
        "articles": articles,
    }
    head = (f"# {title}: the English text, article by article.\n"
            "# Written by scripts/import_texts.py from the copy named in `source`; edit that script, not this file,\n"
            "# except to correct a reading error (then say so in source.note).\n")
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repo", required=True, help="git directory of statengeneraal/laws-markdown")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    ap.add_argument("instruments", nargs="*", help="instrument ids (default: every one in SOURCES)")
    args = ap.parse_args(argv)
    wanted = args.instruments or list(SOURCES)
    changed = 0
    for inst in wanted:
        if inst not in SOURCES:
            print(f"{inst}: no source known; add it to SOURCES", file=sys.stderr)
            return 2
        text = render(inst, args.repo)
        dest = OUT / f"{inst}.yaml"
        if dest.exists() and dest.read_text(encoding="utf-8") == text:
            continue
        changed += 1
        if args.check:
            print(f"{dest.relative_to(ROOT)} would change")
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
            print(f"wrote {dest.relative_to(ROOT)}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
