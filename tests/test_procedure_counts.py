"""Optional procedures against the depositary's own declaration sections, counted.

Independent of scripts/import_untc.py: the UNTC status pages (as at 2026-02-03) are parsed here
with lxml, and for each procedure the set of states that accept it on that date is computed from
the page's text sections -- CAT "Declarations made under articles 21 and 22", CPED "Declarations
recognizing the competence of the Committee under articles 31 and 32", ICCPR "Declarations
recognizing the competence of the Human Rights Committee under article 41", and for CAT art. 20 the
participants in "Declarations and Reservations" whose text says they do not recognize the
Committee's competence under article 20 (the art. 28 opt-out), less those whose footnote records
the withdrawal of that opt-out.  The KB's sets come from kb/query/sql/obligations_on.sql run for every
state on the same date.  The test compares the counts and the sets, and names every difference.

Where the page is not self-explanatory, the reading is written down below, quoting the page.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from kb.query import sql as query_sql

lxml_html = pytest.importorskip("lxml.html")

REF = Path(__file__).resolve().parents[2] / "shared" / "reference" / "untc-chapter-iv-2026-02-03"
AS_OF = "2026-02-03"
P = "ctl00_ctl00_ContentPlaceHolder1_ContentPlaceHolderInnerPage_"
PAGES = {"CAT": "cat.html", "CPED": "ced.html", "ICCPR": "iccpr.html"}
# Section headings the parser relies on (checked, so that a changed page fails loudly).
HEADINGS = {
    "CAT": "Declarations made under articles 21 and 22",
    "CPED": "Declarations recognizing the competence of the Committee under articles 31 and 32",
    "ICCPR": "Declarations recognizing the competence of the Human Rights Committee under article 41",
}
OPT_IN = {"CAT": ("21", "22"), "CPED": ("31", "32"), "ICCPR": ("41",)}
PROCEDURES = ("CAT-20", "CAT-21", "CAT-22", "CPED-31", "CPED-32", "ICCPR-41")

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_RE = re.compile(rf"\b\d{{1,2}}\s+(?:{MONTHS})\s*,?\s+\d{{4}}\b|\b(?:{MONTHS})\s+\d{{1,2}},?\s+\d{{4}}\b")

# --- Readings of the page that the generic rules below cannot make on their own -----------------
#
# Opt-in sections: entries whose text is empty (it is in a footnote) or that need a reading.
# (instrument, participant) -> (articles accepted, the page's words that support the reading)
OPT_IN_READINGS = {
    # Entry text is empty; footnote 18 (on "Ukraine"): "On 12 September 2003, Ukraine not only had
    # decided to withdraw the reservation under article 20 but also the declarations made under
    # articles 21 and 22 whic read as follows: ... Ukraine fully recognizes extension to its territory
    # of Article 21 ... Article 22". Despite "withdraw ... the declarations", the quoted text
    # recognizes the competence, and Ukraine is listed in the 21/22 section: read as accepting both.
    ("CAT", "Ukraine"): ({"21", "22"}, "Ukraine fully recognizes extension to its territory of Article 22"),
    # Listed, text empty, footnote 7: "on 12 March 1991, the Government of Czechoslovakia had declared
    # the following: [The Czech and Slovak Federal Republic] recognizes the competence of the Human
    # Rights Committee ..." -- the successor states are listed in the art. 41 section: accepting.
    ("ICCPR", "Czech Republic"): ({"41"}, "on 12 March 1991, the Government of Czechoslovakia had declared the following"),
    ("ICCPR", "Slovakia"): ({"41"}, "on 12 March 1991, the Government of Czechoslovakia had declared the following"),
}
# Time-limited declarations: (instrument, participant) -> (the page's words, last day in force).
# Every entry whose text speaks of "a period of ... years" must be listed here (checked).
TIME_LIMITED = {
    # Switzerland, ICCPR art. 41, latest of five successive five-year declarations:
    # "(This declaration replaces the one transmitted to the Secretary-General on 27 March 2017 and
    # is in effect for five years from 24 January 2022.)" -> in force until 2027-01-23: current.
    ("ICCPR", "Switzerland"): ("is in effect for five years from 24 January 2022", "2027-01-23"),
}
# Art. 20 opt-outs the generic rule (a sentence naming article 20 that says "does not recognize",
# "does not consider itself bound" or "reservation") would misread, or that need a word.
# participant -> (is a current opt-out?, the page's words)
CAT20_READINGS = {
    # Made under art. 28 but does not say it does not recognize the competence: an interpretative
    # declaration, not an opt-out.
    "Cuba": (False, "the provisions of paragraphs 1, 2 and 3 of article 20 of the Convention will have to be "
                    "invoked in strict compliance with the principle of the sovereignty of States"),
    # Not made under art. 28, and not an opt-out.
    "Indonesia": (False, "the provisions of paragraphs 1, 2, and 3 of article 20 of the Convention will have to be "
                         "implemented in strict compliance with the principles of the sovereignty"),
    # A bare "reservation" to article 20 is the art. 28(1) declaration (cf. Zambia's withdrawn
    # "With a reservation on article 20.", footnote 33): an opt-out.
    "Kuwait": (True, "With reservations as to article (20)"),
    # Made "Upon signature" and not said to be confirmed upon ratification; art. 28(1) allows the
    # declaration "at the time of signature", and the page records no withdrawal of it (the entry's
    # dated note of 19 December 2025 withdraws only the art. 30(1) reservation): an opt-out.
    "Poland": (True, "Under article 28, the Polish People's Republic does not consider itself bound by article 20"),
}

# --- Cases where the imported data (data/imported/untc/<ID>.yaml) is known to disagree with the page.
# (procedure, state id): why.  Each must actually differ (checked), so a fix shows up here.
KNOWN_DATA_GAPS: dict[tuple[str, str], str] = {
    # (procedure, state): why the KB differs from the page. Empty: the KB agrees with every page.
}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _name(div) -> str:
    """A participant's name, without the footnote markers."""
    div = lxml_html.fromstring(lxml_html.tostring(div))
    for sup in div.xpath(".//sup|.//SUP|.//superscript"):
        sup.drop_tree()
    return _norm(div.text_content())


def _notes_of(div) -> list[str]:
    return [n for sup in div.xpath(".//sup") for n in re.findall(r"\d+", sup.text_content())]


def _body(div) -> str:
    """An entry's text, without the hidden participant name and the date paragraphs."""
    div = lxml_html.fromstring(lxml_html.tostring(div))
    for p in div.xpath(".//p[@class='invisible']|.//p[@align='right']"):
        p.drop_tree()
    return _norm(div.text_content())


class Page:
    def __init__(self, path: Path):
        self.root = lxml_html.parse(str(path)).getroot()
        self.text = _norm(self.root.text_content())
        self.parties = self._parties()
        self.notes = self._notes()

    def _parties(self) -> set[str]:
        grid = self.root.get_element_by_id(P + "tblgrid")
        out = set()
        for tr in grid.xpath("./tr|./tbody/tr")[1:]:
            tds = tr.xpath("./td")
            if len(tds) >= 3 and re.search(r"\d{4}", tds[2].text_content()):
                out.add(_name(tds[0]))
        return out

    def _notes(self) -> dict[str, str]:
        out = {}
        for tr in self.root.get_element_by_id(P + "dgNotesAll").iter("tr"):
            m = re.match(r"(\d+)(.*)", _norm(tr.text_content()))
            if m:
                out[m.group(1)] = m.group(2)
        return out

    def entries(self, grid: str) -> list[tuple[str, list[str], str]]:
        """(participant, footnote numbers on the name, text) for each row of a text section."""
        out = []
        for tr in self.root.get_element_by_id(P + grid).iter("tr"):
            divs = {d.get("id", "").rsplit("_", 1)[-1]: d for d in tr.iter("div")}
            if "divParticipant" in divs:
                out.append((_name(divs["divParticipant"]), _notes_of(divs["divParticipant"]), _body(divs["divText"])))
        return out


INTER_STATE = re.compile(r"State Party claim|another State Party|a Party claims that another Party|"
                         r"submitted by another State|from a State Party claiming", re.I)
INDIVIDUAL = re.compile(r"individual|persons subject to", re.I)


def _articles(instrument: str, text: str) -> set[str]:
    wanted = OPT_IN[instrument]
    numbers = set(re.findall(r"\b(\d{2})\b", DATE_RE.sub(" ", text))) & set(wanted)
    if instrument == "ICCPR":
        return {"41"}  # every entry of the art. 41 section is an art. 41 declaration
    if instrument == "CAT":  # inter-State (21) and individual (22) communications, named or described
        if INTER_STATE.search(text):
            numbers.add("21")
        if INDIVIDUAL.search(text):
            numbers.add("22")
    return numbers


def page_sets(pages: dict[str, Page]) -> dict[str, set[str]]:
    """Participant names accepting each procedure on AS_OF (CAT-20: current opt-outs)."""
    sets: dict[str, set[str]] = {p: set() for p in PROCEDURES}
    for instrument, page in pages.items():
        heading = _norm(page.root.get_element_by_id(P + "divMainDecArt").text_content())
        assert heading.startswith(HEADINGS[instrument]), heading
        for name, _notes, text in page.entries("dgDecUnderArticle"):
            if name not in page.parties:  # former states (Yugoslavia) and non-parties
                continue
            if (instrument, name) in OPT_IN_READINGS:
                articles, quote = OPT_IN_READINGS[(instrument, name)]
                assert _norm(quote) in page.text, (instrument, name, quote)
            else:
                assert text, f"{instrument}: {name}'s entry is empty: read its footnote and add a reading"
                articles = _articles(instrument, text)
                assert articles, f"{instrument}: no article found in {name}'s entry: {text[:200]}"
            if re.search(r"period of \w+ years", text, re.I) or (instrument, name) in TIME_LIMITED:
                quote, last_day = TIME_LIMITED[(instrument, name)]
                assert _norm(quote) in text, (instrument, name, quote)
                if last_day < AS_OF:
                    continue
            for article in articles:
                sets[f"{instrument}-{article}"].add(name)

    cat = pages["CAT"]
    for name, notes, text in cat.entries("dgDec"):
        if name not in cat.parties:
            continue
        if name in CAT20_READINGS:
            opted_out, quote = CAT20_READINGS[name]
            assert _norm(quote) in text, (name, quote)
        else:
            opted_out = any(
                re.search(r"articles?(?:\(s\))?\s*\(?20\b", s, re.I)
                and re.search(r"not recogni[sz]e|not consider itself bound|reservation", s, re.I)
                for s in re.split(r"(?<=[.;])\s*", text))
        # A footnote on the name that records the withdrawal of the art. 28 declaration (Chile, fn 20:
        # "decided to withdraw the declaration made by virtue of article 28 (1) ...").
        withdrawn = any(re.search(r"withdr[ae]w[^.]*\b(?:article 28|article 20)\b", cat.notes.get(n, ""), re.I)
                        for n in notes)
        if opted_out and not withdrawn:
            sets["CAT-20"].add(name)
    return sets


def kb_sets(db: Path) -> dict[str, set[str]]:
    """State ids the KB says accept each procedure on AS_OF (CAT-20: parties that opted out)."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    sql = query_sql("obligations_on")
    sets: dict[str, set[str]] = {p: set() for p in PROCEDURES}
    for (state,) in conn.execute("SELECT id FROM states ORDER BY id"):
        for r in conn.execute(sql, {"state": state, "as_of": AS_OF}):
            key = f"{r['instrument']}-{r['article']}"
            if r["kind"] != "procedure" or key not in sets:
                continue
            if key == "CAT-20":
                if not r["accepted"] and "opted out" in (r["reason"] or ""):
                    sets[key].add(state)
            elif r["accepted"]:
                sets[key].add(state)
    return sets


@pytest.fixture(scope="module")
def pages() -> dict[str, Page]:
    if not all((REF / f).exists() for f in PAGES.values()):
        pytest.skip(f"UNTC reference pages not found under {REF}")
    return {inst: Page(REF / f) for inst, f in PAGES.items()}


@pytest.fixture(scope="module")
def from_page(pages) -> dict[str, set[str]]:
    return page_sets(pages)


@pytest.fixture(scope="module")
def from_kb(built_db) -> dict[str, set[str]]:
    return kb_sets(built_db)


def _ids(db: Path, names: set[str]) -> dict[str, str]:
    conn = sqlite3.connect(db)
    out, missing = {}, []
    for name in sorted(names):
        row = conn.execute("SELECT state_id FROM state_names WHERE name = ? COLLATE NOCASE", (name,)).fetchone()
        (out.__setitem__(name, row[0]) if row else missing.append(name))
    assert not missing, f"participant names not in state_names: {missing}"
    return out


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_procedure_counts_match_page(built_db, from_page, from_kb, procedure):
    ids = _ids(built_db, from_page[procedure])
    names = {v: k for k, v in ids.items()}
    page = {ids[n] for n in from_page[procedure]}
    kb = from_kb[procedure]

    gaps = {s for (p, s) in KNOWN_DATA_GAPS if p == procedure}
    for s in sorted(gaps):
        assert (s in page) != (s in kb), f"{procedure} {s} is in KNOWN_DATA_GAPS but the KB now agrees with the page"
    only_page = sorted(f"{s} ({names[s]})" for s in page - kb - gaps)
    only_kb = sorted(kb - page - gaps)
    assert not only_page and not only_kb, (
        f"{procedure}: page {len(page)} states, KB {len(kb)}; "
        f"on the page but not in the KB: {only_page}; in the KB but not on the page: {only_kb}")
    # The count comparison: the KB's count is the page's, less the known gaps the KB misses,
    # plus the known gaps the KB has and the page does not.
    expected = len(page) - len(gaps & page) + len(gaps - page)
    assert len(kb) == expected, f"{procedure}: page {len(page)}, KB {len(kb)}, expected {expected} given the known gaps"


def test_counts_are_plausible(from_page):
    """Guards the parser itself: the sets are of the size the page's sections show."""
    sets = from_page
    counts = {p: len(s) for p, s in sets.items()}
    # Counted by hand from the sections of the 2026-02-03 pages (a frozen snapshot): CAT 21/22 has
    # 74 current participants' entries, 4 of them art. 21 only (Japan, Uganda, the United Kingdom,
    # the United States) and 11 art. 22 only; CPED 31/32 has 32, 3 of them art. 31 only (Colombia,
    # Mexico, Peru) and 2 art. 32 only (Japan, Sri Lanka); ICCPR art. 41 has 50.
    assert counts == {"CAT-20": 18, "CAT-21": 63, "CAT-22": 70, "CPED-31": 30, "CPED-32": 29, "ICCPR-41": 50}, counts
    assert {"Chile", "Afghanistan", "Bahrain", "Morocco"}.isdisjoint(sets["CAT-20"])  # withdrawn (footnotes)
    assert {"China", "Israel", "Pakistan", "Viet Nam"} <= sets["CAT-20"]
    assert "Switzerland" in sets["ICCPR-41"] and "Yugoslavia (former)" not in sets["CAT-21"]
