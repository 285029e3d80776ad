"""Citations in the Citation Style Language: one CSL-JSON record per citable thing, validated
against the CSL data schema; the official styles rendered by citeproc-py; RIS and BibLaTeX read
back with the libraries reference managers' users rely on (rispy, bibtexparser)."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy

import kb.query as q
from kb.cli import CITE_STYLES
from kb.query import csl

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "kb" / "csl" / "schema" / "csl-data.json").read_text())
CRPD_URL = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-15&chapter=4&clang=_en"
CAT_URL = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-9&chapter=4&clang=_en"
CO = "PRK/treaty_body/CRPD/2025-08-19/concluding_observations"
CO_TITLE = ("Concluding observations on the initial report (CRPD/C/PRK/1) of the Democratic People's Republic "
            "of Korea")
CO_TITLE_TYPESET = CO_TITLE.replace("People's", "People’s")
DOCSTORE = ("https://docstore.ohchr.org/SelfServices/FilesHandler.ashx?enc=PlDB6rEw%2F8YdGFubmJ0K4RUlGX%2FG4M5gSopBmwqKs4"
            "YAAUYdWiOIg5JfBiPSTrXsvzHbuF%2FS9u2oI5ed%2Bfc7bA%3D%3D")
SPANISH = ("CRPD/C/PRK/CO/1: Observaciones finales sobre el informe inicial de la República Popular Democrática de "
           "Corea (Spanish version)")


@pytest.fixture(scope="module")
def conn(built_db):
    c = q.connect(built_db)
    yield c
    c.close()


def records(conn):
    return {
        "status": csl.status_record(conn, "PRK", "CRPD", "2026-02-03"),
        "status_past": csl.status_record(conn, "PRK", "CAT", "2026-11-28"),
        "not_yet_adopted": csl.status_record(conn, "PRK", "CRPD", "2000-01-01"),
        "event": csl.event_record(conn, CO),
        "instrument": csl.instrument_record(conn, "CAT"),
        "kb": csl.kb_record(conn),
    }


# --------------------------------------------------------------------------- the record

def test_every_record_validates_against_the_csl_data_schema(conn):
    for name, items in records(conn).items():
        jsonschema.validate(items, SCHEMA)
        assert json.loads(q.cite(conn, "PRK", "CRPD", style="csl-json")) == records(conn)["status"]


def test_the_schema_refuses_a_malformed_record():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"id": "x", "type": "treaty", "issued": {"date-parts": "2006"}}], SCHEMA)


def test_status_record_is_the_treaty_then_the_depositary_page(conn):
    v = q.version(conn)
    treaty, page = csl.status_record(conn, "PRK", "CRPD", "2026-02-03")
    assert treaty == {
        "id": "CRPD", "type": "treaty", "title": "Convention on the Rights of Persons with Disabilities",
        "title-short": "CRPD", "issued": {"date-parts": [[2006, 12, 13]]}, "event-place": "New York",
        "container-title": "United Nations Treaty Series", "container-title-short": "UNTS",
        "volume": "2515", "page": "3", "genre": "2515 UNTS", "note": f"KB version {v}"}
    assert page["type"] == "webpage"
    assert page["title"] == "Chapter IV, IV-15: Convention on the Rights of Persons with Disabilities, status"
    assert page["container-title"] == "United Nations Treaty Collection"
    assert page["URL"] == CRPD_URL
    # the source's as-at date is both when it was issued and when the KB's data was read from it
    assert page["issued"] == page["accessed"] == {"date-parts": [[2026, 2, 3]]}
    assert page["note"] == f"KB version {v}"
    assert page["abstract"] == q.cite(conn, "PRK", "CRPD", "2026-02-03", "plain")


def test_a_status_past_the_record_keeps_its_caveat_in_the_abstract(conn):
    page = csl.status_record(conn, "PRK", "CAT", "2026-11-28")[1]
    assert page["abstract"].startswith("As recorded by the UN Treaty Collection on 3 February 2026,")
    assert "so it cannot say whether this still held on 28 November 2026." in page["abstract"]
    assert page["accessed"] == {"date-parts": [[2026, 2, 3]]}


def test_before_adoption_cites_the_depositary_record_with_the_sentence(conn):
    treaty, item = csl.status_record(conn, "PRK", "CRPD", "2000-01-01")
    assert treaty["type"] == "treaty" and item["URL"] == CRPD_URL
    assert item["abstract"].startswith("On 1 January 2000, the Convention on the Rights of Persons with Disabilities "
                                       "had not yet been adopted")


def test_event_record_names_the_un_document_in_english(conn):
    doc, copy = csl.event_record(conn, CO)
    assert doc["type"] == "report" and doc["number"] == "CRPD/C/PRK/CO/1"
    assert doc["URL"] == "https://undocs.org/en/CRPD/C/PRK/CO/1" and doc["language"] == "en"
    assert doc["title"] == CO_TITLE
    assert doc["author"] == [{"literal": "Committee on the Rights of Persons with Disabilities"}]
    assert "accessed" not in doc  # the KB read the Spanish copy, not this one
    assert copy["URL"] == DOCSTORE and copy["title"] == SPANISH and copy["language"] == "es"
    assert copy["accessed"] == {"date-parts": [[2025, 10, 2]]}


def test_the_depositary_notification_symbol_is_in_every_style(conn):
    items = csl.status_record(conn, "BLR", "ICCPR-OP1", "2026-02-03")
    jsonschema.validate(items, SCHEMA)
    assert items[-1] == {
        "id": "C.N.400.2022.TREATIES-IV.5", "type": "report", "title": "Depositary notification C.N.400.2022.TREATIES-IV.5",
        "author": [{"literal": "Secretary-General of the United Nations"}], "issued": {"date-parts": [[2022]]},
        "note": f"KB version {q.version(conn)}"}
    assert "number" not in items[1]
    for style in ("oscola", "bluebook", "chicago", "apa", "ris", "bibtex"):
        assert q.cite(conn, "BLR", "ICCPR-OP1", style=style).count("C.N.400.2022.TREATIES-IV.5") == (
            3 if style in ("ris", "bibtex") else 1), style  # ris, bibtex: also its id and the abstract
    assert q.cite(conn, "BLR", "ICCPR-OP1", style="oscola").endswith(
        "; Secretary-General of the United Nations, ‘Depositary Notification C.N.400.2022.TREATIES-IV.5’ (2022).")


def test_a_secondary_source_says_so(conn):
    page = csl.status_record(conn, "PRK", "C029", "2025-02-01")[1]
    assert page["URL"] == "https://en.wikipedia.org/wiki/Member_states_of_the_International_Labour_Organization"
    assert page["note"] == f"KB version {q.version(conn)}; secondary source"


def test_kb_record_carries_the_version_kb_info_shows(conn):
    (item,) = csl.kb_record(conn)
    assert item["type"] == "dataset" and item["version"] == q.info(conn)["version"]


# --------------------------------------------------------------------------- the styles

def test_cli_offers_the_api_styles():
    assert CITE_STYLES == q.CITE_STYLES


def test_oscola(conn):
    assert q.cite(conn, "PRK", "CRPD", style="oscola") == (
        "Convention on the Rights of Persons with Disabilities (13 December 2006), 2515 UNTS 3; "
        "‘Chapter IV, IV-15: Convention on the Rights of Persons with Disabilities, Status’ (United Nations Treaty "
        f"Collection, 3 February 2026) <{CRPD_URL}> accessed 3 February 2026.")


def test_bluebook(conn):
    assert q.cite(conn, "PRK", "CRPD", style="bluebook") == (
        "Convention on the Rights of Persons with Disabilities, 2515 United Nations Treaty Series 3 (2006); "
        "Chapter IV, IV-15: Convention on the Rights of Persons with Disabilities, Status, United Nations Treaty "
        f"Collection (Feb. 3, 2026), {CRPD_URL}.")


def test_chicago(conn):
    assert q.cite(conn, "PRK", "CRPD", style="chicago") == (
        "Convention on the Rights of Persons with Disabilities, December 13, 2006, 2515 United Nations Treaty Series 3; "
        "“Chapter IV, IV-15: Convention on the Rights of Persons with Disabilities, Status,” United Nations Treaty "
        f"Collection, United Nations, February 3, 2026, {CRPD_URL}.")


def test_apa(conn):
    assert q.cite(conn, "PRK", "CRPD", style="apa") == (
        "Convention on the Rights of Persons with Disabilities, December 13, 2006, 2515 United Nations Treaty Series 3.\n"
        "United Nations. (2026, February 3). Chapter IV, IV-15: Convention on the Rights of Persons with Disabilities, "
        f"status. United Nations. United Nations Treaty Collection. {CRPD_URL}")


def test_plain_is_the_knowledge_base_sentence(conn):
    assert q.cite(conn, "PRK", "CRPD", style="plain").startswith(
        "As of 3 February 2026, according to the UN Treaty Collection, the Democratic People's Republic of Korea has "
        "been a party to the Convention on the Rights of Persons with Disabilities (New York, 13 December 2006; "
        "United Nations, Treaty Series, vol. 2515, p. 3) since 6 December 2016 (ratification);")


def test_event_oscola_names_the_document_and_links_it_in_english(conn):
    assert q.cite_event(conn, CO, "oscola") == (
        f"Committee on the Rights of Persons with Disabilities, ‘{CO_TITLE_TYPESET.replace('Concluding observations on the initial report', 'Concluding Observations on the Initial Report')}’"
        " (United Nations 2025) CRPD/C/PRK/CO/1 <https://undocs.org/en/CRPD/C/PRK/CO/1>; "
        f"‘{SPANISH}’ (2 October 2025) <{DOCSTORE}> accessed 2 October 2025.")


def test_instrument_bluebook(conn):
    assert q.cite_instrument(conn, "CAT", "bluebook") == (
        "Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment, 1465 United "
        f"Nations Treaty Series 85 (1984), {CAT_URL}.")


def test_the_processor_agrees_with_citeproc_js_where_citeproc_py_did_not():
    """Each difference found by rendering the same records with citeproc-js 2.4.63 (Zotero's processor)."""
    from kb.csl.render import render

    item = {"id": "x", "type": "webpage", "title": "A page about Korea's reports", "URL": "https://example.org/"}
    # Chicago (American English): the comma goes inside the closing quote; apostrophes are typographic.
    assert render([item, dict(item, id="y", title="Another")], "chicago") == (
        "“A Page about Korea’s Reports,” https://example.org/; “Another,” https://example.org/.")
    # OSCOLA (British English): the comma stays outside.
    assert render([item, dict(item, id="y", title="Another")], "oscola") == (
        "‘A Page about Korea’s Reports’ <https://example.org/>; ‘Another’ <https://example.org/>.")
    # Title case keeps small words such as "against" in lower case.
    assert render([{"id": "t", "type": "treaty", "title": "Convention against torture"}], "oscola") == (
        "Convention against Torture.")


def test_oscola_prints_a_substituted_title_once():
    """citeproc-py repeated a title that OSCOLA's author macro substitutes (kb/csl/render.py patches it)."""
    from kb.csl.render import render

    item = {"id": "x", "type": "webpage", "title": "A page", "URL": "https://example.org/",
            "accessed": {"date-parts": [[2026, 2, 3]]}}
    assert render([item], "oscola") == "‘A Page’ <https://example.org/> accessed 3 February 2026."


# --------------------------------------------------------------------------- exchange formats

def test_ris_of_a_status_reads_back(conn):
    treaty, page = rispy.loads(q.cite(conn, "PRK", "CRPD", style="ris"))
    assert treaty["type_of_reference"] == "LEGAL"
    assert (treaty["title"], treaty["secondary_title"], treaty["volume"], treaty["start_page"]) == (
        "Convention on the Rights of Persons with Disabilities", "United Nations Treaty Series", "2515", "3")
    assert page["type_of_reference"] == "ELEC"
    assert page["urls"] == [CRPD_URL]
    assert page["access_date"] == "2026/02/03" and page["date"] == "2026/02/03"
    assert page["notes"] == [f"KB version {q.version(conn)}"]


def test_ris_of_an_event_and_the_kb_read_back(conn):
    doc, copy = rispy.loads(q.cite_event(conn, CO, "ris"))
    assert (doc["type_of_reference"], doc["number"], doc["urls"]) == (
        "RPRT", "CRPD/C/PRK/CO/1", ["https://undocs.org/en/CRPD/C/PRK/CO/1"])
    assert doc["authors"] == ["Committee on the Rights of Persons with Disabilities"]
    assert copy["urls"] == [DOCSTORE] and copy["access_date"] == "2025/10/02"
    (kb,) = rispy.loads(q.cite_kb(conn, "ris"))
    assert kb["type_of_reference"] == "DATA" and kb["edition"] == q.version(conn)


def bib(text: str) -> list:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return library.entries


def test_bibtex_of_a_status_reads_back(conn):
    treaty, page = bib(q.cite(conn, "PRK", "CRPD", style="bibtex"))
    assert treaty.entry_type == "misc" and treaty["volume"] == "2515" and treaty["pages"] == "3"
    assert page.entry_type == "online"
    assert page["url"] == CRPD_URL  # a plain field, never \\url{} inside howpublished
    assert page["urldate"] == "2026-02-03" and page["date"] == "2026-02-03"
    assert page["title"] == "Chapter IV, IV-15: Convention on the Rights of Persons with Disabilities, status"
    assert "howpublished" not in page.fields_dict


def test_bibtex_of_an_event_and_the_kb_read_back(conn):
    doc, copy = bib(q.cite_event(conn, CO, "bibtex"))
    assert doc.entry_type == "report" and doc["number"] == "CRPD/C/PRK/CO/1"
    assert doc["url"] == "https://undocs.org/en/CRPD/C/PRK/CO/1"
    assert doc["author"] == "{Committee on the Rights of Persons with Disabilities}"
    assert copy["url"] == DOCSTORE and copy["urldate"] == "2025-10-02" and copy["langid"] == "spanish"
    (kb,) = bib(q.cite_kb(conn, "bibtex"))
    assert kb.entry_type == "dataset" and kb["version"] == q.version(conn)


def test_bibtex_escapes_what_latex_reads():
    from kb.csl.exchange import to_bibtex

    (e,) = bib(to_bibtex([{"id": "a b", "type": "webpage", "title": "50% of {x} & y_z", "URL": "https://e.org/?a=1&b=2"}]))
    assert e.key == "a-b" and e["title"] == r"50\% of \{x\} \& y\_z" and e["url"] == "https://e.org/?a=1&b=2"


def test_round_trip_keeps_every_field(conn):
    """RIS and BibLaTeX written from the same record give back its id, title, URL and access date; what
    rispy and bibtexparser write back from what they read, they read again unchanged."""
    for text_ris, text_bib, items in (
            (q.cite(conn, "PRK", "CRPD", style="ris"), q.cite(conn, "PRK", "CRPD", style="bibtex"),
             csl.status_record(conn, "PRK", "CRPD", "2026-02-03")),
            (q.cite_event(conn, CO, "ris"), q.cite_event(conn, CO, "bibtex"), csl.event_record(conn, CO))):
        ris, bibs = rispy.loads(text_ris), bib(text_bib)
        assert len(ris) == len(bibs) == len(items)
        for item, r, b in zip(items, ris, bibs):
            fields = {f.key: f.value for f in b.fields}
            assert r["id"] == b.key == item["id"]
            assert r["title"] == item["title"]
            assert r.get("urls", [None])[0] == fields.get("url") == item.get("URL")
            accessed = "-".join(f"{p:02d}" for p in item["accessed"]["date-parts"][0]) if "accessed" in item else None
            assert fields.get("urldate") == accessed
            assert r.get("access_date") == (accessed.replace("-", "/") if accessed else None)
        assert rispy.loads(rispy.dumps(ris)) == ris
        again = bib(bibtexparser.write_string(bibtexparser.parse_string(text_bib)))
        assert [(e.key, {f.key: f.value for f in e.fields}) for e in again] == [
            (e.key, {f.key: f.value for f in e.fields}) for e in bibs]


# --------------------------------------------------------------------------- the command line

def test_cli_cite_styles(cli, built_db):
    r = cli("cite", "PRK", "CRPD", "--style", "oscola", "--db", str(built_db))
    assert r.exit_code == 0 and "2515 UNTS 3" in r.output and "accessed 3 February 2026" in r.output
    r = cli("cite", "PRK", "CRPD", "--style", "mla", "--db", str(built_db))
    assert r.exit_code == 2
    assert ("Invalid value for '--style': 'mla' is not one of 'plain', 'oscola', 'bluebook', 'chicago', 'apa', "
            "'ris', 'bibtex', 'csl-json'.") in r.output
    r = cli("cite-event", CO, "--style", "csl-json", "--db", str(built_db))
    assert json.loads(r.output)[0]["number"] == "CRPD/C/PRK/CO/1"
    r = cli("cite-instrument", "CRPD", "--db", str(built_db))
    assert r.output.startswith("Convention on the Rights of Persons with Disabilities (13 December 2006), 2515 UNTS 3 <")
    r = cli("cite-kb", "--style", "bibtex", "--db", str(built_db))
    assert r.output.startswith("@dataset{treaty-kb-")


def test_cli_cite_loads_no_processor_for_plain(built_db):
    import subprocess
    import sys

    probe = ("import sys, json\nfrom kb.cli import main\n"
             f"try:\n    main(['cite', 'PRK', 'CRPD', '--db', {str(built_db)!r}])\nexcept SystemExit:\n    pass\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('citeproc', 'lxml')})))")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(r.stdout.splitlines()[-1]) == []


def test_citeproc_py_agrees_with_citeproc_js(conn):
    """tests/data/citeproc_js.json: the same records rendered by citeproc-js (scripts/citeproc_js_compare.js).
    Only the differences the README names remain: APA repeats the publisher standing for a missing
    author, and leaves out the knowledge base's medium."""
    import sys

    from kb.csl.render import render

    sys.path.insert(0, str(ROOT / "scripts"))
    from citeproc_js_compare import records as compared

    js = json.loads((ROOT / "tests" / "data" / "citeproc_js.json").read_text())
    assert js["version"] == "2.4.63"
    differ = set()
    for name, items in compared(conn).items():
        for style, want in js["rendered"][name].items():
            if render(items, style) != want.replace("{version}", q.version(conn)):
                differ.add((name, style))
    assert differ == {("status", "apa"), ("kb", "apa")}


# --------------------------------------------------------------------------- every citation of a page in one file

def test_cite_all_of_a_country_is_its_rows_and_its_events(conn):
    items = json.loads(q.cite_all(conn, state="North Korea", style="csl-json"))
    jsonschema.validate(items, SCHEMA)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))  # a treaty cited by many rows is one entry
    status = q.status(conn, states=["PRK"])
    # every status row's record and every engagement event's record, nothing else
    want = []
    for r in status:
        want += [i["id"] for i in csl.status_record(conn, "PRK", r["instrument"], q.data_date(conn))]
    for e in q.engagement(conn, "PRK"):
        want += [i["id"] for i in csl.event_record(conn, e["key"])]
    assert ids == list(dict.fromkeys(want))
    assert "CRPD-C-PRK-CO-1" in ids and "PRK-CRPD-2026-02-03" in ids and "CRPD" in ids


def test_cite_all_of_an_instrument_reads_back_in_every_format(conn):
    rows = q.status(conn, instruments=["CRPD"])
    ris = rispy.loads(q.cite_all(conn, instrument="crpd", style="ris"))
    assert ris[0]["id"] == "CRPD" and ris[0]["type_of_reference"] == "LEGAL"
    # the treaty once, then each state's source page (and a notification where the KB holds its symbol)
    pages = [r["id"] for r in ris if r["type_of_reference"] == "ELEC"]
    assert pages == [f"{r['state']}-CRPD-2026-02-03" for r in rows if r.get("source_url")]
    entries = bib(q.cite_all(conn, instrument="CRPD", style="bibtex"))
    assert [e.key for e in entries] == [r["id"] for r in ris]
    assert entries[0].entry_type == "misc" and all(e.entry_type in ("misc", "online", "report") for e in entries)
    assert json.loads(q.cite_all(conn, instrument="CRPD", style="csl-json"))[0]["volume"] == "2515"


def test_cite_all_refuses_what_it_cannot_write(conn):
    with pytest.raises(q.QueryError) as e:
        q.cite_all(conn, state="PRK", style="oscola")
    assert str(e.value) == "an export of all citations is written as one of ris, bibtex, csl-json, not 'oscola'"
    with pytest.raises(q.QueryError) as e:
        q.cite_all(conn, state="PRK", instrument="CRPD")
    assert str(e.value) == "name either a state or an instrument, not both and not neither"
    with pytest.raises(q.QueryError) as e:
        q.cite_all(conn, instrument="NOPE")
    assert e.value.param == "instrument"


def test_cli_cite_all(cli, built_db):
    r = cli("cite-all", "--state", "PRK", "--style", "bibtex", "--db", str(built_db))
    assert r.exit_code == 0 and r.output.startswith("@misc{ICERD,")
    assert bib(r.output)[1]["urldate"] == "2026-02-03"
    r = cli("cite-all", "--db", str(built_db))
    assert r.exit_code == 2 and "Error: name either --state or --instrument (one of them)" in r.output
    r = cli("cite-all", "--instrument", "CRPD", "--style", "apa", "--db", str(built_db))
    assert r.exit_code == 2 and "'apa' is not one of 'ris', 'bibtex', 'csl-json'." in r.output
    r = cli("cite-all", "--instrument", "NOPE", "--db", str(built_db))
    assert r.exit_code == 2 and "Invalid value for --instrument" in r.output
