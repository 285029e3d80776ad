"""The imported UNTC record, end to end: derived status against the depositary's own grid,
and the undone (denounced, re-acceded) cases on dates before, between and after the events."""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

import pytest

from kb.query import sql as query_sql

REF = Path(__file__).resolve().parents[2] / "shared" / "reference" / "untc-chapter-iv-2026-02-03"
PAGES = {"cerd": "ICERD", "icescr": "ICESCR", "icescr_op": "OP-ICESCR", "iccpr": "ICCPR", "iccpr_op1": "ICCPR-OP1",
         "cedaw": "CEDAW", "cedaw_op": "OP-CEDAW", "cat": "CAT", "cat_op": "OP-CAT", "crc": "CRC",
         "crc_op_ac": "OP-CRC-AC", "crc_op_sc": "OP-CRC-SC", "crc_op_ic": "OP-CRC-IC", "iccpr_op2": "ICCPR-OP2",
         "cmw": "ICMW", "crpd": "CRPD", "crpd_op": "OP-CRPD", "ced": "CPED"}
SUFFIX = {"": "ratification", "a": "accession", "d": "succession", "A": "acceptance", "AA": "approval",
          "c": "formal_confirmation", "s": "definitive_signature"}
MONTHS = {m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


def status(db, state, instrument, as_of):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    (row,) = conn.execute(query_sql("status_on"), {"as_of": as_of, "states": state, "instruments": instrument}).fetchall()
    return row["status"], row["consent_date"], row["consent_type"]


@pytest.mark.parametrize("state,instrument,as_of,expected", [
    # Belarus: accession 1992-09-30, denunciation notified 2022-11-08, effective 2023-02-08 (footnote 6).
    ("BLR", "ICCPR-OP1", "1992-09-29", ("not_party", None, None)),
    ("BLR", "ICCPR-OP1", "1992-09-30", ("party", "1992-09-30", "accession")),
    ("BLR", "ICCPR-OP1", "2022-11-08", ("party", "1992-09-30", "accession")),
    ("BLR", "ICCPR-OP1", "2023-02-07", ("party", "1992-09-30", "accession")),
    ("BLR", "ICCPR-OP1", "2023-02-08", ("withdrawn", "1992-09-30", "accession")),
    ("BLR", "ICCPR-OP1", "2026-02-03", ("withdrawn", "1992-09-30", "accession")),
    # Jamaica: ratification 1975-10-03, denunciation notified 1997-10-23; effect three months later (art. 12(1)).
    ("JAM", "ICCPR-OP1", "1997-10-23", ("party", "1975-10-03", "ratification")),
    ("JAM", "ICCPR-OP1", "1998-01-22", ("party", "1975-10-03", "ratification")),
    ("JAM", "ICCPR-OP1", "1998-01-23", ("withdrawn", "1975-10-03", "ratification")),
    # Trinidad and Tobago: accession 1980, denounced and re-acceded on 1998-05-26 (both effective
    # 1998-08-26), denounced again 2000-03-27 with effect from 2000-06-27.
    ("TTO", "ICCPR-OP1", "1998-06-01", ("party", "1980-11-14", "accession")),
    ("TTO", "ICCPR-OP1", "1998-08-26", ("party", "1998-05-26", "accession")),
    ("TTO", "ICCPR-OP1", "2000-06-26", ("party", "1998-05-26", "accession")),
    ("TTO", "ICCPR-OP1", "2000-06-27", ("withdrawn", "1998-05-26", "accession")),
    # Guyana: accession 1993-05-10, denounced and re-acceded 1999-01-05: a party throughout.
    ("GUY", "ICCPR-OP1", "1993-05-10", ("party", "1993-05-10", "accession")),
    ("GUY", "ICCPR-OP1", "1999-04-05", ("party", "1999-01-05", "accession")),
    ("GUY", "ICCPR-OP1", "2026-02-03", ("party", "1999-01-05", "accession")),
])
def test_undone_cases(built_db, state, instrument, as_of, expected):
    assert status(built_db, state, instrument, as_of) == expected


def _date(text: str) -> tuple[str, str, bool] | None:
    text = re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()
    if not text:
        return None
    m = re.fullmatch(r"(\[)? ?(\d{1,2}) (\w{3}) (\d{4})(?: (AA|a|d|A|c|s))? ?(\])?", text)
    assert m, text
    return f"{m.group(4)}-{MONTHS[m.group(3)]:02d}-{int(m.group(2)):02d}", m.group(5) or "", bool(m.group(1))


def grid(page: str) -> dict[str, tuple]:
    lxml = pytest.importorskip("lxml.html")
    doc = lxml.parse(str(REF / f"{page}.html")).getroot()
    (table,) = [t for t in doc.iter("table") if (t.get("id") or "").endswith("tblgrid")]
    out = {}
    for tr in table.findall(".//tr")[1:]:
        cells = tr.findall("td")
        for sup in cells[0].findall(".//sup"):
            sup.drop_tree()
        name = re.sub(r"\s+", " ", cells[0].text_content()).strip()
        out[name] = (_date(cells[1].text_content()), _date(cells[2].text_content()))
    return out


@pytest.mark.skipif(not REF.exists(), reason="the shared UNTC reference pages are not beside the repository")
def test_random_sample_matches_the_grid(built_db):
    conn = sqlite3.connect(built_db)
    names = dict(conn.execute("SELECT name, state_id FROM state_names"))
    pairs = [(page, name, cells) for page in PAGES for name, cells in grid(page).items()]
    rng = random.Random(20260203)
    sample = [p for p in rng.sample(pairs, 300) if not (p[2][1] and p[2][1][2]) and not (p[2][0] and p[2][0][2])]
    assert len(sample) > 250
    for page, name, (sig, consent) in sample:
        got = status(built_db, names[name], PAGES[page], "2026-02-03")
        signed = conn.execute("SELECT min(date) FROM actions WHERE state_id = ? AND instrument_id = ? AND type = 'signature'",
                              (names[name], PAGES[page])).fetchone()[0]
        if consent:
            assert got == ("party", consent[0], SUFFIX[consent[1]]), (page, name)
        else:
            assert got[0] == "signatory", (page, name)
        assert signed == (sig[0] if sig else None), (page, name)


def test_counts_per_instrument(built_db):
    conn = sqlite3.connect(built_db)
    rows = conn.execute("SELECT instrument_id, measure, basis, expected, derived FROM reconciliation").fetchall()
    assert len(rows) >= 18 * 3
    assert [r for r in rows if r[3] != r[4]] == []
    parties = dict(conn.execute("SELECT instrument_id, expected FROM reconciliation WHERE measure = 'parties' AND basis = 'page header'"))
    assert parties["CAT"] == 175 and parties["ICCPR"] == 175 and parties["CRC"] == 196 and parties["CPED"] == 78
