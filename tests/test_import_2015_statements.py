"""The 2015 capture's reservations and declarations (Genocide Convention, Refugee Convention and
Protocol): how they are dated, typed and given an article, what is left out, and bad input."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

import kb.importers.untc as imp
from kb.query import api

ROOT = Path(__file__).resolve().parents[1]
REAL_2015 = imp.DEFAULT_PAGES_2015
needs_real = pytest.mark.skipif(not REAL_2015.exists(), reason="../shared/reference not present")
GENOCIDE_IDS = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
                "XVI", "XVII", "XVIII", "XIX"}


@pytest.fixture(scope="module")
def states():
    return imp.StateIndex(ROOT / "data" / "states.yaml")


def arts(text, instrument="GENOCIDE", sid="XXX", ids=GENOCIDE_IDS, typ="reservation"):
    notes: list[str] = []
    return imp.articles_2015(text, instrument, sid, ids, typ, notes), notes


# ----------------------------------------------------------------------------- reading a text


def test_roman_article_and_sub_paragraph():
    assert imp.refs_2015("the term `mental harm' in article II (b) means", "GENOCIDE", "USA", GENOCIDE_IDS, []) == ["II(b)"]
    assert imp.refs_2015("does not consider itself bound by article IX of the Convention", "GENOCIDE", "CHN",
                         GENOCIDE_IDS, []) == ["IX"]


def test_own_title_is_not_another_instrument():
    text = ("does not consider itself bound by Article IX of the Convention on the Prevention and Punishment of "
            "the Crime of Genocide")
    assert imp.refs_2015(text, "GENOCIDE", "SRB", GENOCIDE_IDS, []) == ["IX"]
    assert imp.refs_2015("article 5 of the Convention on the Rights of the Child", "REFUGEES", "X", {"5"}, []) == []


def test_arabic_number_for_a_roman_article_only_where_listed():
    notes: list[str] = []
    assert imp.refs_2015("a reservation with respect to article 9 thereof", "GENOCIDE", "ARE", GENOCIDE_IDS,
                         notes) == ["IX"]
    assert notes == ["article IX: the text reads 'article 9 thereof' (of the Convention), which numbers its "
                     "articles in Roman numerals: article IX, on the International Court of Justice"]
    notes = []
    assert imp.refs_2015("With a reservation in respect of article 4.", "REFUGEES-P", "CHN",
                         {"I", "II", "III", "IV"}, notes) == []
    assert notes == ["'article 4' is not an article of the REFUGEES-P text: not read as the statement's article"]


def test_reservations_clause_and_the_article_a_statement_is_made_under_are_not_its_subject():
    ids = {str(n) for n in range(1, 47)}
    assert imp.refs_2015("in conformity with the terms of article 42, paragraph 1, of the Convention, makes the "
                         "reservation that", "REFUGEES", "VAT", ids, []) == []
    assert imp.refs_2015("The Government of Angola, in accordance with article VII, paragraph 1, declares that it "
                         "does not consider itself bound by article IV of the Protocol", "REFUGEES-P", "AGO",
                         {"I", "IV", "VII"}, []) == ["IV"]


def test_one_action_per_article_where_each_paragraph_names_one():
    text = ("With reference to article VI, notice is given that any proceedings are invalid.With reference to "
            "article VII, notice is given that the laws do not permit extradition.With reference to article IX, "
            "the reservation is made that the submission of a dispute needs an agreement.")
    got, _ = arts(text)
    assert [a for a, _ in got] == ["VI", "VII", "IX"]
    assert "".join(t for _, t in got) == text  # the words are kept whole


def test_the_opening_words_name_the_article_of_a_paragraph_naming_several():
    text = ('"(1)With reference to article VI, the reservation is that nothing in the said Article deprives its '
            'courts of jurisdiction over any of the acts enumerated in article III."(2)With reference to article '
            'VIII, the reservation is that the said article shall not apply."')
    got, _ = arts(text)
    assert [a for a, _ in got] == ["VI", "VIII"]


def test_a_numbered_paragraph_naming_no_article_stands_without_one():
    text = ("1.The Socialist Republic does not consider itself bound by article IX of the Convention.2.The "
            "Republic does not accept article XII of the Convention.3.The Republic holds that all States should "
            "be able to accede.")
    got, _ = arts(text)
    assert got == [("IX", "1.The Socialist Republic does not consider itself bound by article IX of the Convention."),
                   ("XII", "2.The Republic does not accept article XII of the Convention."),
                   (None, "3.The Republic holds that all States should be able to accede.")]


def test_no_split_for_several_articles_in_one_paragraph_a_plural_or_a_declaration():
    ambiguous = ("The Republic does not consider itself bound by article IX.The Republic declares that no "
                 "provision of article VI shall deprive its tribunals of jurisdiction over acts in article III.")
    assert arts(ambiguous)[0] == [(None, ambiguous)]
    plural = "With reference to articles VI and IX of the Convention, nothing shall be construed as depriving."
    assert arts(plural)[0] == [(None, plural)]
    decl = "With reference to article VI, the courts have jurisdiction.With reference to article IX, consent is needed."
    assert arts(decl, typ="declaration")[0] == [(None, decl)]
    one = "With reference to article IX, the specific consent of the State is required in each case."
    assert arts(one, typ="declaration")[0] == [("IX", one)]


# ----------------------------------------------------------------------------- the real capture


@pytest.fixture(scope="module")
def generated(states):
    if not REAL_2015.exists():
        pytest.skip("../shared/reference not present")
    out = imp.import_2015(REAL_2015, states)
    return {name[:-5]: yaml.load(text, Loader=imp.StringLoader) for name, text in out.items()}, out


def statements(generated, instrument):
    return {(a["state"], a["type"], a["date"], a.get("article")): a for a in generated[0][instrument]["actions"]
            if a["type"] in ("reservation", "declaration", "objection")}


@needs_real
def test_genocide_article_ix_reservations_dated_by_consent(generated):
    got = statements(generated, "GENOCIDE")
    ix = sorted((s, t, d) for (s, t, d, a) in got if a == "IX")
    assert ix == [("ARE", "reservation", "2005-11-11"), ("ARG", "reservation", "1956-06-05"),
                  ("BGD", "declaration", "1998-10-05"), ("BHR", "declaration", "1990-03-27"),
                  ("CHN", "reservation", "1983-04-18"), ("IND", "declaration", "1959-08-27"),
                  ("MNE", "reservation", "2006-10-23"), ("SGP", "declaration", "1995-08-18"),
                  ("SRB", "reservation", "2001-03-12"), ("VEN", "reservation", "1960-07-12"),
                  ("VNM", "reservation", "1981-06-09"), ("YEM", "reservation", "1987-02-09")]
    yem = got[("YEM", "reservation", "1987-02-09", "IX")]
    assert yem["text"].startswith("In acceding to this Convention, the People's Democratic Republic of Yemen does "
                                  "not consider itself bound by article IX of the Convention")
    assert yem["source"]["as_at"] == "2015-03-14"
    assert yem["source"]["url"] == \
        "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-1&chapter=4&clang=_en"
    assert yem["source"]["note"] == (
        "Declarations and reservations captured 14 March 2015 (shared reference "
        "untc-selected-2015-03-14/4-1-declarations.txt); no date in the capture (it keeps the statements' "
        "paragraphs only, not their dates or headings): the accession date in 4-1.csv; no heading; type read "
        "from the wording.")
    # article XII (territorial application), in the states' own words
    xii = sorted(s for (s, t, d, a) in got if a == "XII")
    assert xii == ["ALB", "ARG", "BGR", "BLR", "HUN", "POL", "ROU", "RUS", "UKR", "VNM"]
    # the United States' reservations and understandings name several articles, some twice: no article
    assert [k for k in got if k[0] == "USA"] == [("USA", "reservation", "1988-11-25", None)]


@needs_real
def test_refugees_references_and_one_action_per_article(generated):
    got = statements(generated, "REFUGEES")
    assert sorted(a for (s, t, d, a) in got if s == "ZMB") == ["17", "17(2)", "22(1)", "26", "28"]
    assert ("POL", "reservation", "1991-09-27", "24(2)") in got
    assert ("NZL", "declaration", "1960-06-30", "24(2)") in got
    # "Article 199 of the Brazilian Constitutional Amendment": another text's article
    bra = got[("BRA", "declaration", "1960-11-16", None)]
    assert bra["source"]["note"].endswith(
        "'Article 199' is not an article of the REFUGEES text: not read as the statement's article.")
    got_p = statements(generated, "REFUGEES-P")
    assert sorted(s for (s, t, d, a) in got_p if a == "IV") == ["AGO", "COG", "GHA", "MWI", "SLV", "TZA", "VEN"]


@needs_real
def test_left_out_entries_are_listed_and_no_objections(generated):
    text = generated[1]["REFUGEES.yaml"]
    assert ("#   - Netherlands: 'This signature is appended subject to the reservat'... (speaks of 'This "
            "signature': parts may date from a signature or another day, which the capture does not show)") in text
    assert "#   - Australia: no text in the capture" in text
    assert "#   - Chile: 'See chapter V.2.' (a cross-reference, no text of its own)" in generated[1]["REFUGEES-P.yaml"]
    assert "# The capture holds no objections and no withdrawals: none are recorded from it." in \
        generated[1]["GENOCIDE.yaml"]
    assert not [k for k in statements(generated, "GENOCIDE") if k[1] == "objection"]
    assert not [k for k in statements(generated, "REFUGEES") if k[0] == "NLD"]
    counts = {i: len(statements(generated, i)) for i in ("GENOCIDE", "REFUGEES", "REFUGEES-P")}
    assert counts == {"GENOCIDE": 33, "REFUGEES": 69, "REFUGEES-P": 25}


@needs_real
def test_committed_2015_files_are_up_to_date(generated):
    for name, text in generated[1].items():
        assert (ROOT / "data" / "imported" / "untc-2015" / name).read_text(encoding="utf-8") == text, name


# ----------------------------------------------------------------------------- bad input


@pytest.fixture
def pages(tmp_path):
    if not REAL_2015.exists():
        pytest.skip("../shared/reference not present")
    dst = tmp_path / "2015"
    shutil.copytree(REAL_2015, dst)
    for p in dst.iterdir():
        p.chmod(0o644)
    return dst


def test_participant_without_consent_is_refused(pages, states):
    p = pages / "4-1-declarations.txt"
    p.write_text(p.read_text(encoding="utf-8") + "\n#Atlantis\nA reservation to article IX.\n", encoding="utf-8")
    with pytest.raises(imp.ImportFailure) as e:
        imp.import_2015(pages, states)
    assert str(e.value) == (
        f"{p}:98: Atlantis: participant not in 4-1.csv with a consent date; a statement is dated "
        "by it (a signatory's statement has no date in the capture): add the case to the importer")


def test_text_before_the_first_participant_and_duplicates_are_refused(pages, states):
    p = pages / "5-5-declarations.txt"
    original = p.read_text(encoding="utf-8")
    p.write_text("Stray words\n" + original, encoding="utf-8")
    with pytest.raises(imp.ImportFailure) as e:
        imp.import_2015(pages, states)
    assert str(e.value) == f"{p}:1: text before the first '#<participant>' line"
    p.write_text(original + "\n#Ghana\nAgain.\n", encoding="utf-8")
    with pytest.raises(imp.ImportFailure) as e:
        imp.import_2015(pages, states)
    assert str(e.value) == f"{p}: participant(s) listed twice: ['Ghana']"
    p.unlink()
    with pytest.raises(imp.ImportFailure) as e:
        imp.import_2015(pages, states)
    assert str(e.value) == f"{p}: not found; the REFUGEES-P statements are read from it"


# ----------------------------------------------------------------------------- built


def test_built_genocide_article_ix_known_to_2015(built_db):
    conn = sqlite3.connect(built_db)
    rows = api.reservations(conn, instrument="GENOCIDE", article="IX", as_of="2015-01-01")
    by_state = {(r["state"], r["kind"]) for r in rows}
    assert {("YEM", "reservation"), ("CHN", "reservation"), ("IND", "declaration")} <= by_state
    yem = next(r for r in rows if r["state"] == "YEM")
    assert (yem["article"], yem["made_on"], yem["in_force"], yem["objections"]) == ("IX", "1987-02-09", True, [])
    before = api.reservations(conn, "YEM", instrument="GENOCIDE", as_of="1987-02-08")
    assert before == []
    later = api.reservations(conn, "YEM", instrument="GENOCIDE", as_of="2026-02-03")
    assert later[0]["in_force"] is None and later[0]["known_to"] == "2015-03-14"
