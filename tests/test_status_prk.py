"""The DPRK record: status derived from the curated and imported actions, today and on past dates."""

from __future__ import annotations

import sqlite3

import pytest

from kb.query import sql as query_sql

ILO = ["C029", "P029", "C087", "C098", "C100", "C105", "C111", "C138", "C155", "C182", "C187"]


def status_on(db, state, instrument, as_of):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(query_sql("status_on"), {"as_of": as_of, "states": state, "instruments": instrument}).fetchall()
    assert len(rows) == 1
    return dict(rows[0])


@pytest.mark.parametrize("instrument,as_of,status,signature,consent,consent_type", [
    ("ICESCR", "1981-09-13", "not_party", None, None, None),
    ("ICESCR", "1981-09-14", "party", None, "1981-09-14", "accession"),
    ("ICCPR", "1981-09-14", "party", None, "1981-09-14", "accession"),
    # The 1997 notice of withdrawal has no legal effect: still a party after it.
    ("ICCPR", "1997-08-25", "party", None, "1981-09-14", "accession"),
    ("ICCPR", "2026-02-03", "party", None, "1981-09-14", "accession"),
    ("CEDAW", "2000-12-31", "not_party", None, None, None),
    ("CEDAW", "2001-02-27", "party", None, "2001-02-27", "accession"),
    ("CRC", "1990-08-22", "not_party", None, None, None),
    ("CRC", "1990-08-23", "signatory", "1990-08-23", None, None),
    ("CRC", "1990-09-21", "party", "1990-08-23", "1990-09-21", "ratification"),
    ("OP-CRC-SC", "2014-09-09", "signatory", "2014-09-09", None, None),
    ("OP-CRC-SC", "2014-11-10", "party", "2014-09-09", "2014-11-10", "ratification"),
    ("CRPD", "2013-07-02", "not_party", None, None, None),
    ("CRPD", "2016-01-01", "signatory", "2013-07-03", None, None),
    ("CRPD", "2016-12-05", "signatory", "2013-07-03", None, None),
    ("CRPD", "2016-12-06", "party", "2013-07-03", "2016-12-06", "ratification"),
    ("GENOCIDE", "1989-01-30", "not_party", None, None, None),
    ("GENOCIDE", "1989-01-31", "party", None, "1989-01-31", "accession"),
    *[(i, "2026-02-03", "not_party", None, None, None) for i in
      ["ICERD", "OP-ICESCR", "ICCPR-OP1", "ICCPR-OP2", "OP-CEDAW", "CAT", "OP-CAT", "OP-CRC-AC", "OP-CRC-IC",
       "ICMW", "CPED", "OP-CRPD"]],
    *[(i, d, "not_applicable", None, None, None) for i in ILO for d in ("1999-01-01", "2026-02-03")
      if (i, d) not in {("P029", "1999-01-01"), ("C182", "1999-01-01"), ("C187", "1999-01-01")}],
    # Before adoption (P029: 11 June 2014; C182: 17 June 1999; C187: 15 June 2006) the convention did not yet exist.
    *[(i, "1999-01-01", "not_yet_adopted", None, None, None) for i in ("P029", "C182", "C187")],
])
def test_prk_status(built_db, instrument, as_of, status, signature, consent, consent_type):
    row = status_on(built_db, "PRK", instrument, as_of)
    assert (row["status"], row["signature_date"], row["consent_date"], row["consent_type"]) == \
        (status, signature, consent, consent_type)


def test_iccpr_withdrawal_notice_is_noted_with_its_source(built_db):
    row = status_on(built_db, "PRK", "ICCPR", "2026-02-03")
    assert row["note"] == "notification_of_withdrawal of 1997-08-25 (no legal effect)"
    assert row["source_url"] == "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-4&chapter=4&clang=_en"
    assert row["source_as_at"] == "2026-02-03"
    conn = sqlite3.connect(built_db)
    assert conn.execute(
        "SELECT a.legal_effect, s.symbol, s.footnote FROM actions a JOIN sources s ON s.id = a.source_id"
        " WHERE a.state_id = 'PRK' AND a.type = 'notification_of_withdrawal'").fetchall() == \
        [("none", "C.N.467.1997.TREATIES-10", "8")]


def test_ilo_not_applicable_cites_non_membership(built_db):
    row = status_on(built_db, "PRK", "C087", "2026-02-03")
    conn = sqlite3.connect(built_db)
    member = conn.execute("SELECT member, note FROM memberships WHERE state_id = 'PRK' AND organization = 'ILO'").fetchall()
    assert member == [(0, "not listed among ILO member States as of February 2025")]
    assert row["source_url"] is not None


def test_cedaw_reservations(built_db):
    conn = sqlite3.connect(built_db)
    rows = conn.execute(
        "SELECT type, date, article FROM actions WHERE state_id = 'PRK' AND instrument_id = 'CEDAW'"
        " AND type LIKE '%reservation%' ORDER BY date, type, article").fetchall()
    assert rows == [
        ("reservation", "2001-02-27", "2(f)"),
        ("reservation", "2001-02-27", "29"),
        ("reservation", "2001-02-27", "9(2)"),
        ("withdrawal_of_reservation", "2015-11-23", "2(f)"),
        ("withdrawal_of_reservation", "2015-11-23", "9(2)"),
    ]


def test_un_admission(built_db):
    conn = sqlite3.connect(built_db)
    assert conn.execute("SELECT since FROM memberships WHERE state_id = 'PRK' AND organization = 'UN'").fetchall() == [("1991-09-17",)]
