"""Asked versus done: fulfilment is derived from the KB's own status, never typed."""

from __future__ import annotations

import json
import sqlite3

import pytest

from kb.db.build import build
from kb.query import sql as query_sql
from kb.data.errors import DataErrors
from kb.data.validate import validate

from .conftest import TODAY

ASK_FILE = """document:
  id: TEST-DOC
  title: Test document
  kind: letter
  author: Test
  date: {date}
  url: https://example.org/doc
  addressee: PRK
  source:
    url: https://example.org/doc
    title: Test document
    as_at: {date}
asks:
  - ref: "1"
    by: [Test]
    text: Ratify the CRPD.
    action: ratify
    instruments: [CRPD]
    response: not_applicable
  - ref: "2"
    by: [Test]
    text: Join the ILO.
    action: join_organization
    organization: ILO
    response: not_applicable
  - ref: "3"
    by: [Test]
    text: Withdraw the reservation to article 2(f).
    action: withdraw_reservation
    instruments: [CEDAW]
    article: 2(f)
    response: not_applicable
"""


def asks(db, state="PRK"):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute(query_sql("asks"), {"state": state})]


@pytest.mark.parametrize("date,crpd,cedaw", [
    ("2009-12-09", ("fulfilled", "2016-12-06"), ("fulfilled", "2015-11-23")),   # before: done later
    ("2016-12-06", ("fulfilled", "2016-12-06"), ("open", None)),                # on the day of ratification
    ("2016-12-07", ("open", None), ("open", None)),                             # after: already done before the ask
])
def test_fulfilment_before_on_and_after(data_copy, tmp_path, date, crpd, cedaw):
    (data_copy / "asks" / "TEST-DOC.yaml").write_text(ASK_FILE.format(date=date))
    db = tmp_path / "kb.db"
    build(data_copy, db, today=TODAY)
    rows = {r["ref"]: r for r in asks(db) if r["document"] == "TEST-DOC"}
    assert (rows["1"]["fulfilment"], rows["1"]["fulfilled_date"]) == crpd
    assert (rows["3"]["fulfilment"], rows["3"]["fulfilled_date"]) == cedaw
    assert (rows["2"]["fulfilment"], rows["2"]["fulfilled_date"]) == ("open", None)  # the DPRK is not an ILO member


def test_references_are_checked(data_copy):
    bad = ASK_FILE.format(date="2020-01-01").replace("instruments: [CRPD]", "instruments: [CRPDX]").replace("addressee: PRK", "addressee: XXX")
    (data_copy / "asks" / "TEST-DOC.yaml").write_text(bad)
    with pytest.raises(DataErrors) as exc:
        validate(data_copy, today=TODAY)
    assert [str(p) for p in exc.value.problems] == [
        "data/asks/TEST-DOC.yaml:8:14: addressee 'XXX' is not in states.yaml",
        "data/asks/TEST-DOC.yaml:18:19: instrument 'CRPDX' is not in treaties.yaml",
    ]


def test_letter_asks_are_open(built_db):
    rows = [r for r in asks(built_db) if r["document"] == "NGO-LETTER-2018-06-06"]
    ratify = [r for r in rows if r["action"] in ("ratify", "join_organization")]
    assert ratify and all(r["fulfilment"] == "open" and not r["fulfilled"] for r in ratify)
    covered = {i for r in ratify for i in r["instruments"].split(",")}
    assert {"ICCPR-OP1", "ICCPR-OP2", "CAT", "OP-CAT", "CPED", "ILO", "C087", "C098", "C029", "C105", "C138",
            "C182", "C100", "C111"} <= covered


def test_the_2018_letter_is_recorded_whole(built_db):
    """Every bullet of the letter's six items is an ask (item 2, bullet 4 asks two things: two asks)."""
    rows = [r for r in asks(built_db) if r["document"] == "NGO-LETTER-2018-06-06"]
    refs = [r["ref"] for r in rows]
    bullets = {(1, 6), (2, 6), (3, 3), (4, 4), (5, 6), (6, 3)}
    want = [f"item {i}, bullet {b}" for i, n in sorted(bullets) for b in range(1, n + 1)]
    want[want.index("item 2, bullet 4"):want.index("item 2, bullet 4") + 1] = [
        "item 2, bullet 4 (membership)", "item 2, bullet 4 (conventions)"]
    assert refs == want and len(refs) == 29
    assert all(r["document_incomplete"] is None for r in rows)
    by_ref = {r["ref"]: r for r in rows}
    assert by_ref["item 5, bullet 1"]["text"] == (
        "Establish regular reunion meetings of separated families of any foreign national with relatives in the DPRK")
    assert (by_ref["item 5, bullet 1"]["fulfilment"], by_ref["item 5, bullet 1"]["not_tracked_reason"]) == (
        "not_tracked", "The KB records treaty actions and engagement with UN mechanisms; it does not record reunions "
        "of separated families.")
    aid = by_ref["item 6, bullet 3"]
    assert aid["text"].startswith("Accept international or national humanitarian aid, with proper monitoring")
    assert aid["not_tracked_reason"].endswith("it does not record humanitarian aid, its acceptance or its monitoring.")
    # every ask the KB cannot judge says why, in words
    assert all(r["not_tracked_reason"] for r in rows if r["fulfilment"] == "not_tracked")
    assert sum(r["fulfilment"] == "not_tracked" for r in rows) == 23
    # the letter's emphasis marks are not carried into the text
    assert not any("*" in r["text"] for r in rows)
    conn = sqlite3.connect(built_db)
    assert conn.execute("SELECT url FROM ask_documents WHERE id = 'NGO-LETTER-2018-06-06'").fetchone() == (
        "https://www.hrw.org/es/node/318747",)


def test_every_partial_ask_document_says_what_it_leaves_out(built_db):
    """A document is recorded whole, or its `incomplete` says how many of its asks are recorded and which are not."""
    conn = sqlite3.connect(built_db)
    docs = dict(conn.execute("SELECT id, incomplete FROM ask_documents ORDER BY id"))
    assert docs["NGO-LETTER-2018-06-06"] is None
    recorded = dict(conn.execute("SELECT document_id, count(DISTINCT ref) FROM asks GROUP BY 1"))
    assert (recorded["UPR-2009-PRK"], recorded["UPR-2014-PRK"]) == (19, 30)
    assert docs["UPR-2009-PRK"].startswith("Only 19 of the report's 167 recommendations are recorded")
    assert "The other 148 are not recorded yet" in docs["UPR-2009-PRK"]
    assert docs["UPR-2014-PRK"].startswith("Only 30 of the report's 268 recommendations are recorded")
    assert "The other 238 are not recorded yet" in docs["UPR-2014-PRK"]
    assert docs["UPR-2019-PRK"].startswith("Only the asks that press and NGO reports name are listed (5 of 262)")
    assert docs["UPR-2024-PRK"].startswith("Only the asks that press and NGO reports name are listed (5 of 294)")


def test_upr_crpd_recommendation_fulfilled(built_db):
    rows = [r for r in asks(built_db) if r["document"] == "UPR-2009-PRK" and r["instruments"] == "CRPD"]
    assert rows and all((r["fulfilment"], r["fulfilled_date"], r["days_to_fulfil"]) == ("fulfilled", "2016-12-06", 2554)
                        for r in rows)
    cycles = {r["document"] for r in asks(built_db) if r["document"].startswith("UPR-") and r["response"] != "no_response"}
    assert len(cycles) >= 2


def test_cli_asks_json(cli, built_db):
    r = cli("asks", "PRK", "--db", str(built_db), "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.output)
    first = rows[0]
    assert list(first) == ["date", "document", "symbol", "by", "ref", "text", "action", "instruments", "response",
                           "fulfilled", "fulfilled_date", "fulfilment", "done", "days_to_fulfil", "document_url",
                           "engagement", "evidence", "not_tracked_reason", "done_events", "document_incomplete"]
    assert isinstance(first["by"], list) and isinstance(first["instruments"], list) and isinstance(first["fulfilled"], bool)
