"""Treaty texts (data/texts/): loading, counts, exact words, the article-reference check, search."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import pytest
import yaml

from kb.data import validate as V
from kb.data.errors import DataErrors
from kb.data.validate import validate

from .conftest import ROOT, TODAY
from .test_validate import SRC, append, errors

#: Articles per instrument, as each text numbers them (first-last).
ARTICLES = {
    "CAT": (33, "1", "33"), "CEDAW": (30, "1", "30"), "CPED": (45, "1", "45"), "CRC": (54, "1", "54"),
    "CRPD": (50, "1", "50"), "GENOCIDE": (19, "I", "XIX"), "ICCPR": (53, "1", "53"), "ICCPR-OP1": (14, "1", "14"),
    "ICCPR-OP2": (11, "1", "11"), "ICERD": (25, "1", "25"), "ICESCR": (31, "1", "31"), "OP-CAT": (37, "1", "37"),
    "OP-CEDAW": (21, "1", "21"), "OP-CRC-AC": (13, "1", "13"), "OP-CRC-SC": (17, "1", "17"),
    "OP-CRPD": (18, "1", "18"), "OP-ICESCR": (22, "1", "22"), "REFUGEES": (46, "1", "46"),
    "REFUGEES-P": (11, "I", "XI"), "ROME": (128, "1", "128"), "TIP": (20, "1", "20"),
    "C029": (33, "1", "33"), "P029": (12, "1", "12"), "C087": (21, "1", "21"), "C098": (16, "1", "16"),
    "C100": (14, "1", "14"), "C105": (10, "1", "10"), "C111": (14, "1", "14"), "C138": (18, "1", "18"),
    "C155": (30, "1", "30"), "C182": (16, "1", "16"),
}


def _db(built_db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{built_db}?mode=ro", uri=True)


def test_every_text_loads_and_names_its_file():
    ds = validate(ROOT / "data", today=TODAY)
    assert sorted(loc.record.instrument for loc in ds.texts) == sorted(ARTICLES)
    for loc in ds.texts:
        assert Path(loc.file).name == f"{loc.record.instrument}.yaml"
        assert loc.record.source.url.startswith("https://github.com/statengeneraal/laws-markdown/blob/")


def test_article_counts(built_db):
    with _db(built_db) as c:
        rows = c.execute(
            "SELECT instrument_id, count(*), min(CASE WHEN sort_order = 0 THEN article END),"
            " (SELECT article FROM treaty_provisions q WHERE q.instrument_id = p.instrument_id AND level = 0"
            "  ORDER BY sort_order DESC LIMIT 1)"
            " FROM treaty_provisions p WHERE level = 0 GROUP BY instrument_id").fetchall()
    assert {r[0]: (r[1], r[2], r[3]) for r in rows} == ARTICLES


def test_exact_texts(built_db):
    with _db(built_db) as c:
        def text(inst, prov):
            return c.execute("SELECT text FROM treaty_provisions WHERE instrument_id = ? AND provision = ?",
                             (inst, prov)).fetchone()[0]
        assert text("CEDAW", "29(2)") == (
            "Each State Party may at the time of signature or ratification of this Convention or accession thereto "
            "declare that it does not consider itself bound by paragraph 1 of this article. The other States Parties "
            "shall not be bound by that paragraph with respect to any State Party which has made such a reservation.")
        assert text("CEDAW", "2(f)") == (
            "To take all appropriate measures, including legislation, to modify or abolish existing laws, regulations, "
            "customs and practices which constitute discrimination against women;")
        assert text("CRC", "6(1)") == "States Parties recognize that every child has the inherent right to life."
        assert text("ICCPR", "14(3)(c)") == "To be tried without undue delay;"
        assert text("GENOCIDE", "II(a)") == "Killing members of the group;"
        assert text("ROME", "93(10)(b)(i)(b)") == "The questioning of any person detained by order of the Court;"
        assert text("ICERD", "5(d)(v)") == "The right to own property alone as well as in association with others;"
        # the copy's "5.." (OP-CRC-AC 3(5)) and "a." items (OP-CRC-SC 3(1)(a)(i)(a)-(c)) are read as paragraphs and items
        assert text("OP-CRC-AC", "3(5)").startswith("The requirement to raise the age in paragraph 1 of the present article")
        assert text("OP-CRC-SC", "3(1)(a)(i)(b)") == "Transfer of organs of the child for profit;"
        title = c.execute("SELECT title FROM treaty_provisions WHERE instrument_id = 'CRPD' AND provision = '1'").fetchone()[0]
        assert title == "Purpose"
        # a paragraph that is only a list has no words of its own
        assert c.execute("SELECT text, parent, level, label FROM treaty_provisions WHERE instrument_id = 'ICCPR'"
                         " AND provision = '10(2)'").fetchone() == (None, "10", 1, "2")


def test_ilo_texts(built_db):
    """The ILO fundamental conventions' English texts: exact words, the authentication left out, a gap said."""
    with _db(built_db) as c:
        def text(inst, prov):
            return c.execute("SELECT text FROM treaty_provisions WHERE instrument_id = ? AND provision = ?",
                             (inst, prov)).fetchone()[0]
        assert text("C182", "3(b)") == ("the use, procuring or offering of a child for prostitution, for the production "
                                        "of pornography or for pornographic performances;")
        assert text("C029", "2(2)(a)") == ("any work or service exacted in virtue of compulsory military service laws "
                                           "for work of a purely military character;")
        assert text("C087", "10") == ("In this Convention the term \u201dorganisation\u201d means any organisation of "
                                      "workers or of employers for furthering and defending the interests of workers "
                                      "or of employers.")
        # the ILO's authentication ("The foregoing is the authentic text ...") is not the last article's text
        for inst, last in (("C098", "16"), ("C138", "18"), ("C155", "30"), ("C182", "16")):
            assert text(inst, last) == ("The English and French versions of the text of this Convention are equally "
                                        "authoritative."), inst
        # P029 article 7: the copy holds only the database's Dutch note, so the article has no words here
        assert text("P029", "7") is None
    data = yaml.safe_load((ROOT / "data" / "texts" / "P029.yaml").read_text(encoding="utf-8"))
    assert data["source"]["note"].endswith(
        "Not in the copy: the copy gives no English words for article 7, only the database's Dutch note 'Wijzigt het "
        "Verdrag betreffende de gedwongen of verplichte arbeid; Genève, 28 juni 1930' (it amends the Convention): "
        "article 7 is listed without its text.")


#: Quotes in treaties.yaml read in an older commit of the same copy, whose typo a later commit (the
#: one data/texts/ reads) corrects: (instrument, paragraph) -> (typo as quoted, the later copy's words).
OLDER_COPY_TYPOS = {
    ("C138", "12(2)"): ("DirectorGeneral", "Director-General"),
    ("C138", "12(3)"): ("twelvemonths", "twelve months"),
}


def test_entry_into_force_clauses_quote_the_texts(built_db):
    """treaties.yaml quotes each entry-into-force paragraph from the same copies: the words agree."""
    treaties = yaml.safe_load((ROOT / "data" / "treaties.yaml").read_text())
    checked = 0
    with _db(built_db) as c:
        for inst in treaties["instruments"]:
            clause = inst.get("entry_into_force_clause")
            if not clause or inst["id"] not in ARTICLES:
                continue
            for part in ("general", "later"):
                p = clause.get(part) or {}
                if not p.get("paragraph"):
                    continue
                row = c.execute("SELECT text FROM treaty_provisions WHERE instrument_id = ? AND provision = ?",
                                (inst["id"], p["paragraph"])).fetchone()
                assert row is not None, (inst["id"], p["paragraph"])
                quoted = p["text"]
                for (i, para), (typo, word) in OLDER_COPY_TYPOS.items():
                    if (inst["id"], p["paragraph"]) == (i, para):
                        quoted = quoted.replace(typo, word)
                assert quoted in row[0], (inst["id"], p["paragraph"])
                checked += 1
    assert checked == 62


def test_full_text_search_finds_an_article(built_db):
    with _db(built_db) as c:
        rows = c.execute(
            "SELECT p.instrument_id, p.provision FROM treaty_provisions_fts f JOIN treaty_provisions p ON p.id = f.rowid"
            " WHERE treaty_provisions_fts MATCH '\"inherent right to life\"' ORDER BY p.instrument_id").fetchall()
        assert rows == [("CRC", "6(1)"), ("CRPD", "10"), ("ICCPR", "6(1)")]
        doc = c.execute("SELECT description FROM table_docs WHERE table_name = 'treaty_provisions' AND column_name = 'provision'").fetchone()
        assert doc[0].startswith("The provision as a reservation cites it")


def test_site_searches_the_texts(built_db):
    import asyncio

    from kb.web.app import make_datasette

    ds = make_datasette(built_db)
    r = asyncio.run(ds.client.get("/kb/treaty_provisions.json?_search=%22inherent+right+to+life%22&_shape=array"
                                  "&_col=instrument_id&_col=provision"))
    assert r.status_code == 200
    assert [(x["instrument_id"], x["provision"]) for x in r.json()] == [("CRC", "6(1)"), ("CRPD", "10"), ("ICCPR", "6(1)")]


# --------------------------------------------------------------------------- the article-reference check

def _reservation(article: str, state: str = "FRA", date: str = "2001-01-01") -> str:
    return f"  - state: {state}\n    type: reservation\n    date: {date}\n    article: '{article}'\n" + SRC


def test_reference_to_a_missing_article_is_a_located_error(data_copy):
    n = append(data_copy, "CEDAW", _reservation("99(1)"))
    assert errors(data_copy) == [
        f"data/actions/CEDAW.yaml:{n + 3}:14: article: article 99 does not exist in CEDAW (articles 1-30) (given '99(1)'): "
        "check the number against the depositary's text and data/texts/CEDAW.yaml; if the source names an article "
        "of another text (a national law), correct the record, or list it in NOT_TREATY_ARTICLES (kb/data/validate.py) "
        "with the reason"]


def test_roman_numerals_and_words(data_copy):
    append(data_copy, "GENOCIDE", _reservation("IX") + _reservation("preamble", date="2002-01-01")
           + _reservation("general", date="2003-01-01"))
    validate(data_copy, today=TODAY)  # all three accepted
    n = append(data_copy, "GENOCIDE", _reservation("XX", date="2004-01-01") + _reservation("Part III", date="2005-01-01"))
    step = 1 + SRC.count("\n") + 3
    assert errors(data_copy) == [
        f"data/actions/GENOCIDE.yaml:{n + 3}:14: article: article XX does not exist in GENOCIDE (articles I-XIX) (given 'XX'): "
        "check the number against the depositary's text and data/texts/GENOCIDE.yaml; if the source names an article "
        "of another text (a national law), correct the record, or list it in NOT_TREATY_ARTICLES (kb/data/validate.py) "
        "with the reason",
        f"data/actions/GENOCIDE.yaml:{n + step + 3}:14: article: 'Part III' does not start with an article number: "
        "write it as the instrument numbers it, e.g. '29(1)' or '2(f)', or one of 'preamble', 'general'"]


def test_instrument_without_a_text_is_not_checked(data_copy):
    (data_copy / "actions" / "ICMW.yaml").write_text("instrument: ICMW\nactions:\n" + _reservation("999", state="MEX"))
    validate(data_copy, today=TODAY)


def test_special_cases_are_in_the_data():
    """Each listed exception still names an action of the real data (a stale entry must go)."""
    ds = validate(ROOT / "data", today=TODAY)
    keys = {(r.instrument, r.action.state, r.action.date, r.action.article) for r in ds.actions}
    assert set(V.NOT_TREATY_ARTICLES) <= keys
    assert {(i, a) for i, a in V.ARTICLE_TYPOS} <= {(k[0], k[3]) for k in keys}
    assert V.leading_article("30(l)", "CAT") == "30"
    assert V.leading_article("29(1)", "CEDAW") == "29"
    assert V.leading_article("2(f)", "CEDAW") == "2"
    assert V.leading_article("40(2)(b)(v)", "CRC") == "40"
    assert V.leading_article("IX", "GENOCIDE") == "IX"
    assert V.leading_article("Preamble", "CRC") is None


def test_text_file_checks(data_copy):
    texts = data_copy / "texts"
    (texts / "CAT.yaml").rename(texts / "TORTURE.yaml")
    doc = yaml.safe_load((texts / "OP-CAT.yaml").read_text())
    doc["articles"][1]["items"][1]["id"] = "1"  # article 2: paragraphs 1, 1, 3, 4
    doc["articles"][2]["id"] = "1"
    (texts / "OP-CAT.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    (texts / "NARNIA.yaml").write_text((texts / "OP-CRPD.yaml").read_text().replace("instrument: OP-CRPD", "instrument: NARNIA"))
    got = errors(data_copy)
    assert got[0].startswith("data/texts/NARNIA.yaml:4:13: instrument 'NARNIA' is not in treaties.yaml: add it there first")
    assert "data/texts/OP-CAT.yaml:" in got[1] and got[1].endswith(
        "duplicate provision id '1' at the same level: ids must be unique there")
    assert got[2].endswith("duplicate article id '1' in the text of OP-CAT: ids must be unique")
    assert got[3] == "data/texts/TORTURE.yaml:4:13: file TORTURE.yaml holds the text of 'CAT': name the file CAT.yaml"
    assert len(got) == 4


def test_bad_text_record_is_a_located_schema_error(data_copy):
    path = data_copy / "texts" / "OP-CRPD.yaml"
    path.write_text(path.read_text().replace("articles:\n- id: '1'\n", "articles:\n- id: 1\n", 1))
    got = errors(data_copy)
    assert len(got) == 1 and got[0].startswith("data/texts/OP-CRPD.yaml:") and got[0].endswith(
        "id: expected text, got the number 1: put the value in quotes, e.g. \"1\"")


# --------------------------------------------------------------------------- the import script's reading

def _importer():
    spec = importlib.util.spec_from_file_location("import_texts", ROOT / "scripts" / "import_texts.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_import_reads_levels_and_drops_noise():
    mod = _importer()
    md = """### PART  I

### Article  1

####Purpose

Treedt in werking op een nader te bepalen tijdstip

1.  States Parties *shall*: 
(a) first;
(h) eighth;
(i) ninth, a letter;
2.
(a) report:
(i) If so, [a link](../x/README.md);
(ii) If not;
(b) close.

### Article  2

The whole article.

IN WITNESS WHEREOF the undersigned have signed.
"""
    arts = mod.parse(md.splitlines())
    assert arts == [
        {"id": "1", "title": "Purpose", "items": [
            {"id": "1", "text": "States Parties shall:", "items": [
                {"id": "a", "text": "first;"}, {"id": "h", "text": "eighth;"}, {"id": "i", "text": "ninth, a letter;"}]},
            {"id": "2", "items": [
                {"id": "a", "text": "report:", "items": [{"id": "i", "text": "If so, a link;"}, {"id": "ii", "text": "If not;"}]},
                {"id": "b", "text": "close."}]}]},
        {"id": "2", "title": None, "text": "The whole article."},
    ]


def test_import_output_is_the_committed_file_format():
    """The committed files are what the script's render() writes: a header, then YAML that loads."""
    text = (ROOT / "data" / "texts" / "CEDAW.yaml").read_text()
    assert text.startswith("# Convention on the Elimination of All Forms of Discrimination against Women: "
                           "the English text, article by article.\n# Written by scripts/import_texts.py")
    assert "CEDAW" in _importer().SOURCES
    with pytest.raises(KeyError):
        _importer().SOURCES["ICMW"]
