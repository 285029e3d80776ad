"""Pages say only what the record supports: a status past an instrument's record is "as recorded on"
its date, a date before adoption is "not yet adopted", a secondary source is named beside its fact,
and no page speaks the data's vocabulary."""

from __future__ import annotations

import asyncio
import html as html_lib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from kb.web.app import make_datasette
from kb.web.pages.record import reader_note


def get(db: Path, path: str):
    async def run():
        return await make_datasette(db).client.get(path)
    return asyncio.run(run())


def visible(page: str) -> str:
    """The text a reader sees: no tags, scripts, styles, comments or attributes; entities read."""
    page = re.sub(r"(?is)<(script|style)\b[^>]*>.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html_lib.unescape(page)).strip()


def row(page: str, instrument: str) -> str:
    m = re.search(rf'<tr id="i-{re.escape(instrument)}"[^>]*>(.*?)</tr>', page, re.S)
    assert m, instrument
    return visible(m.group(1))


# --------------------------------------------------------------------------- beyond the record

def test_rome_counts_and_chart_stop_at_the_record(built_db):
    page = get(built_db, "/instrument/ROME").text
    text = visible(page)
    # 122 parties in the 2015 table, with the later events recorded singly: the State of Palestine (missing from
    # the table), El Salvador, Armenia and Ukraine joined; Burundi and the Philippines left.
    assert "124 parties on 3 February 2026 (as recorded on 14 March 2015, where the record ends)" in text
    assert ("The record of this instrument ends on 14 March 2015. The status shown for 3 February 2026 is the status as "
            "recorded on 14 March 2015, with 10 later events added singly from later sources: it is not a complete record "
            "of what changed after 14 March 2015.") in text
    assert "Map of status, 3 February 2026 as recorded on 14 March 2015" in text
    assert ("Status of states on the Rome Statute of the International Criminal Court, 3 February 2026, "
            "as recorded on 14 March 2015") in text
    assert ("Status as recorded on 14 March 2015, where the record of this instrument ends: it is not a complete "
            "record of later changes.") in text
    # The chart's data stops at the record's end: no flat line to 2026.
    dates = re.findall(r"<tr><td>(\d{4}-\d{2}-\d{2})</td><td>\d+</td></tr>", page)
    assert dates[-1] == "2015-03-14" and dates[-2] == "2014-12-31"
    assert ("The chart stops on 14 March 2015, where the record of this instrument ends: the number of parties after "
            "that date is not recorded.") in text
    assert ("Status recorded to Recorded from the depositary's table, UN Treaty Collection, Chapter XVIII, XVIII-10: "
            "Rome Statute of the International Criminal Court, status (CSV export of 14 March 2015), as at 14 March 2015; "
            "10 later events added singly from later sources (not a complete record after that date).") \
        in text.replace(" ,", ",")


def test_a_date_within_the_record_says_nothing_of_it(built_db):
    text = visible(get(built_db, "/instrument/ROME?as_of=2010-01-01").text)
    assert "as recorded on 14 March 2015" not in text and "The chart stops" not in text
    cat = visible(get(built_db, "/instrument/CAT").text)
    assert "as recorded on 3 February 2026" not in cat and "The chart stops" not in cat


def test_later_events_are_counted_after_the_record(built_db, tmp_path):
    db = tmp_path / "kb.db"
    shutil.copy(built_db, db)
    with sqlite3.connect(db) as conn:  # one ROME action dated after the record's end, as a later source would add
        conn.execute("UPDATE actions SET date = '2016-11-16', date_on = '2016-11-16', effective_on = '2016-11-16' WHERE id = "
                     "(SELECT min(id) FROM actions WHERE instrument_id = 'ROME' AND type = 'signature' AND effective_date IS NULL)")
    text = visible(get(db, "/instrument/ROME").text)
    # The data records 10 later events; this one more makes 11.
    assert ("as at 14 March 2015; 11 later events added singly from later sources (not a complete record after that "
            "date).") in text
    assert "is the status as recorded on 14 March 2015, with 11 later events added singly from later sources" in text


def test_country_page_marks_each_row_past_its_record(built_db):
    page = get(built_db, "/country/PRK").text
    assert row(page, "GENOCIDE").startswith("Genocide Convention GENOCIDE Party as recorded on 14 March 2015, where the record ends")
    assert "as recorded" not in row(page, "CRPD")
    assert "Secondary source (the list of ILO members)" in row(page, "C029")
    assert "as recorded on 1 February 2025, where the record ends" in row(page, "C029")
    text = visible(page)
    assert ("Status on 3 February 2026 is as recorded on 14 March 2015 for Genocide Convention, Refugee Convention, "
            "Protocol relating to the Status of Refugees, Rome Statute of the International Criminal Court, Trafficking in "
            "Persons Protocol; on 1 February 2025 for Forced Labour Convention, Protocol of 2014 to the Forced Labour "
            "Convention,") in text


def test_home_page_states_each_source_date(built_db):
    text = visible(get(built_db, "/").text)
    assert ("has and has not accepted on 3 February 2026, as the sources record it: to 3 February 2026 for 18 "
            "instruments; to 1 February 2025 for 11 instruments (a secondary source), shown as recorded then; and to "
            "14 March 2015 for 5 instruments, shown as recorded then.") in text
    assert "Genocide Convention since 31 January 1989 (accession) (as recorded on 14 March 2015)" in text
    assert ("ILO membership from a secondary source (a list of ILO member States), as recorded on 1 February 2025. "
            "Forced Labour Convention Protocol of 2014") in text


def test_compare_marks_instruments_past_their_record(built_db):
    text = visible(get(built_db, "/compare").text)
    assert "Rome Statute of the International Criminal Court ROME as recorded on 14 March 2015, where its record ends" in text
    assert "Convention against Torture CAT Not a party" in text


# --------------------------------------------------------------------------- not yet adopted

def test_not_yet_adopted_on_a_date_before_adoption(built_db):
    page = get(built_db, "/country/PRK?as_of=1990-01-01").text
    for iid, adopted in (("CPED", "20 December 2006"), ("CRPD", "13 December 2006")):
        cells = row(page, iid)
        assert "Not yet adopted" in cells and f"Adopted on {adopted}." in cells
        assert "Not a party" not in cells and "not a party" not in cells
    assert "Secondary source" not in row(page, "P029") and "Secondary source" in row(page, "C029")
    assert "Not yet adopted 15" in visible(page)


def test_instrument_page_before_adoption(built_db):
    page = get(built_db, "/instrument/CPED?as_of=1990-01-01").text
    text = visible(page)
    assert "Not yet adopted (198)" in text and "0 parties" not in text
    assert ("Not yet adopted on 1 January 1990: the International Convention for the Protection of All Persons from "
            "Enforced Disappearance was adopted on 20 December 2006, so no state could be a party to it.") in text
    assert "No chart: the instrument was not yet adopted on 1 January 1990." in text
    assert "The instrument was adopted on 20 December 2006; on 1 January 1990 no state could be a party to it:" in text
    assert 'data-status="not_yet_adopted"' in page and "Not yet adopted: 1" in text


# --------------------------------------------------------------------------- secondary sources

def test_secondary_sources_beside_the_fact(built_db):
    c029 = visible(get(built_db, "/instrument/C029").text)
    assert "Not ILO members, so they cannot ratify (membership from a secondary source) :" in c029
    assert "Recorded from a secondary source, Wikipedia: Member states of the International Labour Organization, " \
           "as at 1 February 2025." in c029.replace(" ,", ",").replace(" .", ".")
    prk = get(built_db, "/country/PRK").text
    m = re.search(r"<td>ILO</td>(.*?)</tr>", prk, re.S)
    assert m and "(secondary source)" in visible(m.group(1))


# --------------------------------------------------------------------------- words a reader understands

#: The data's and the SQL's vocabulary, and Python's or JSON's empty values, never shown to a reader.
FORBIDDEN = [
    r"\b[a-z]+_[a-z_]+\b",  # snake_case: not_party, status_source, known_to, status_on ...
    r"\b[a-z_]+\.sql\b",
    r"\bnull\b(?! and void)",
    r"\bNone\b(?! recorded|\.| the less)",
    r"\bTrue\b", r"\bFalse\b",
    r"\bas_at\b", r"\bknown_to\b", r"\bnot_applicable\b",
    r"\bcorpus\b", r"\bcorpora\b", r"\bread_file\b",  # how a fact was looked up is not the reader's business
]
PAGES = ["/", "/country/PRK", "/country/PRK?as_of=1990-01-01", "/country/FRA", "/instrument", "/instrument/CAT",
         "/instrument/ROME", "/instrument/C029", "/instrument/P029", "/instrument/TIP", "/instrument/GENOCIDE", "/instrument/CAT/maps",
         "/instrument/OP-CAT/maps", "/compare", "/compare?as_of=1990-01-01", "/search?q=article+29",
         "/search?q=torture", "/country/XXX", "/instrument/NOPE", "/country/PRK?as_of=garbage"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_speak_a_readers_words(built_db, path):
    text = visible(get(built_db, path).text)
    text = re.sub(r"\b(?:https?://|www\.)\S+", " ", text)  # a link shown as its address is not vocabulary
    found = sorted({m.group(0) for p in FORBIDDEN for m in re.finditer(p, text)})
    assert found == [], f"{path}: {found}"


def test_curators_notes_in_a_readers_words():
    assert reader_note("unts_page null: the sources read give the volume (2187) and registration number but no page. "
                       "monitoring_body null: the Assembly of States Parties is not a monitoring body.") == (
        "UNTS page not recorded: the sources read give the volume (2187) and registration number but no page. "
        "Monitoring body not recorded: the Assembly of States Parties is not a monitoring body.")
    assert reader_note("UNTS reference not recorded. status_source.as_at is a recording date, not a NORMLEX status "
                       "date (see its note).") == (
        "UNTS reference not recorded. Date of the status record is a recording date, not a NORMLEX status date "
        "(see its note).")
    assert reader_note("No ratifications are recorded for any state yet (complete_for: []); ILO members read unknown.") \
        == "No ratifications are recorded for any state yet; ILO members read unknown."
    assert reader_note("Kept as weird_field_name says.") == ""
    assert reader_note(None) == ""


def test_instrument_kind_in_words(built_db):
    assert "Forced Labour Convention (C029) · ILO convention Adopted" in visible(get(built_db, "/instrument/C029").text)
    assert "(CAT) · UN convention" in visible(get(built_db, "/instrument/CAT").text)


def test_feeds_mark_later_events(built_db, tmp_path):
    db = tmp_path / "kb.db"
    shutil.copy(built_db, db)
    with sqlite3.connect(db) as conn:  # a later event on ROME, recorded last
        conn.execute("UPDATE actions SET date = '2016-11-16', date_on = '2016-11-16', effective_on = '2016-11-16', "
                     "recorded = '2099-01-01' WHERE id = (SELECT min(id) FROM actions WHERE instrument_id = 'ROME' "
                     "AND type = 'signature' AND effective_date IS NULL)")
    items = get(db, "/changes.json").json()["items"]
    assert items[0]["_kb"]["beyond_record"] is True and items[1]["_kb"]["beyond_record"] is False
    assert items[0]["content_text"].endswith(
        "Recorded singly from a later source: the record of this instrument ends on 14 March 2015 and is not complete "
        "after that date.")
    atom = get(db, "/instrument/ROME/changes.atom").text
    assert "Recorded singly from a later source: the record of this instrument ends on 14 March 2015" in atom


def test_engagement_events_from_secondary_sources_say_so(built_db):
    page = get(built_db, "/country/PRK").text
    rows = re.findall(r'<tr id="event-\d+" class="kind-[a-z_]+ source-([a-z_]+)">(.*?)</tr>', page, re.S)
    secondary = [visible(r) for kind, r in rows if kind == "secondary"]
    assert secondary and all("(secondary source)" in r for r in secondary)
    assert all("(secondary source)" not in visible(r).split("Source text")[0] for kind, r in rows if kind != "secondary")


def test_every_instrument_page_under_250_kb(built_db):
    with sqlite3.connect(built_db) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM instruments ORDER BY sort_order")]

    async def run():
        ds = make_datasette(built_db)
        return {i: len((await ds.client.get(f"/instrument/{i}")).content) for i in ids}

    sizes = asyncio.run(run())
    assert len(sizes) == 34
    assert {i: n for i, n in sizes.items() if n >= 250_000} == {}


def test_engagement_symbols_link_the_english_document(built_db):
    page = get(built_db, "/country/PRK").text
    # Beside the copy read (a Spanish copy in the OHCHR document store), the document by its symbol, in English.
    assert ('<span class="symbol"><a href="https://undocs.org/en/CRPD/C/PRK/CO/1" rel="noopener" hreflang="en" '
            'title="CRPD/C/PRK/CO/1 in the UN\'s official document system (English)">CRPD/C/PRK/CO/1</a></span>') in page
    # Two documents in one field: each linked where it stands; a range of summary records is not one document.
    assert ('>CEDAW/C/SR.1554</a> and <a href="https://undocs.org/en/CEDAW/C/SR.1555"') in page
    assert "undocs.org/en/CRC/C/SR.458" not in page


def test_undocs_links_filter():
    from kb.web.pages.common import undocs_links
    assert str(undocs_links("A/60/38, paras 19-76")).endswith(">A/60/38</a>, paras 19-76")
    assert undocs_links("CRC/C/SR.458-460") == "CRC/C/SR.458-460"
    assert undocs_links(None) == ""
