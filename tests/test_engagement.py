"""Engagement with UN mechanisms: events as data, reporting status and engagement asks derived in SQL."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

import kb.query as q
from kb.data.errors import DataErrors
from kb.data.validate import validate
from kb.db.build import build

from .conftest import TODAY

CRPD_REVIEW = "PRK/treaty_body/CRPD/2025-08-12/review_held"


def events(db, state="PRK"):
    with q.connect(db) as conn:
        return q.engagement(conn, state)


def ask_rows(db, state="PRK"):
    with q.connect(db) as conn:
        return q.asks(conn, state)


def reporting(db, as_of, state="PRK"):
    with q.connect(db) as conn:
        return {r["instrument"]: r for r in q.reporting_status(conn, state, as_of)}


# --------------------------------------------------------------------------- the DPRK's record

def test_reviews_visits_and_refusals_are_recorded_with_sources(built_db):
    rows = events(built_db)
    assert all(r["source_url"] and r["source_kind"] in ("un_host", "un_mirror", "secondary") for r in rows)
    reviews = {(r["instrument"] or r["mechanism"], r["date"][:4]) for r in rows if r["kind"] == "review_held"}
    assert reviews >= {("ICCPR", "1984"), ("ICCPR", "2001"), ("ICESCR", "2003"), ("CRC", "1998"), ("CRC", "2004"),
                       ("CRC", "2009"), ("CRC", "2017"), ("CEDAW", "2005"), ("CEDAW", "2017"), ("CRPD", "2025"),
                       ("upr", "2009"), ("upr", "2014"), ("upr", "2019"), ("upr", "2024")}
    visit = [r for r in rows if r["mandate"] == "sr_disability" and r["kind"] == "visit_held"]
    assert [(r["date"], r["end_date"], r["source_kind"]) for r in visit] == [("2017-05-03", "2017-05-08", "un_host")]
    refused = sorted((r["date"], r["kind"]) for r in rows if r["mandate"] == "sr_dprk"
                     and r["kind"] in ("visit_refused", "visit_unanswered"))
    assert refused == [("2006-12-08", "visit_refused"), ("2007", "visit_refused"), ("2011-11", "visit_refused"),
                       ("2017-12-06", "visit_refused"), ("2019-01-03", "visit_refused"), ("2022-08", "visit_unanswered")]
    # newest first
    assert [r["date"] for r in rows[:2]] == ["2025-08-19", "2025-08-12"]


def test_the_2018_letter_is_judged_from_engagement(built_db):
    rows = {r["ref"]: r for r in ask_rows(built_db) if r["document"] == "NGO-LETTER-2018-06-06"}
    crpd = rows["item 1, bullet 3"]
    assert (crpd["fulfilment"], crpd["fulfilled_date"], crpd["done"]) == (
        "fulfilled", "2025-08-12", "upr review_held 2019-05-09, CRPD review_held 2025-08-12")
    assert crpd["done_events"] == ["PRK/upr/2019-05-09/review_held", CRPD_REVIEW]
    visit = rows["item 1, bullet 2"]
    assert (visit["fulfilment"], visit["engagement"]) == ("open", ["sr_dprk visit_held"])
    assert [(e["date"], e["kind"]) for e in visit["evidence"]] == [
        ("2019-01-03", "visit_refused"), ("2022-03-17", "non_cooperation"), ("2022-08", "visit_unanswered")]
    ohchr = rows["item 1, bullet 6"]
    assert (ohchr["fulfilment"], [(e["date"], e["kind"]) for e in ohchr["evidence"]]) == (
        "open", [("2021-06-09", "communication")])
    icrc = rows["item 4, bullet 4"]
    assert icrc["fulfilment"] == "not_tracked" and icrc["evidence"] == []
    assert icrc["not_tracked_reason"].startswith("No source read records an ICRC request to visit places of detention")


def test_upr_cycles_three_and_four_say_their_lists_are_incomplete(built_db):
    rows = [r for r in ask_rows(built_db) if r["document"] in ("UPR-2019-PRK", "UPR-2024-PRK")]
    assert len(rows) == 10 and all(r["document_incomplete"] and r["ref"] is None for r in rows)
    conn = sqlite3.connect(built_db)
    totals = conn.execute("SELECT id, total_recommendations, total_supported, total_partially_supported, total_noted,"
                          " council_adoption FROM ask_documents WHERE id LIKE 'UPR-20%' ORDER BY id").fetchall()
    assert totals == [("UPR-2009-PRK", None, None, None, None, None), ("UPR-2014-PRK", None, None, None, None, None),
                      ("UPR-2019-PRK", 262, 132, None, 130, "2019-09"), ("UPR-2024-PRK", 294, 143, 7, 144, "2025-03-25")]


NON_ENGLISH = re.compile(r"[\uac00-\ud7a3]|\b(?:el|los|las|del|que|sesiones|Comité|Informe|Respuestas|"
                         r"les|une|mais|Depuis|nomination|der|und|Vor|Aktivitäten)\b")


def test_quotes_in_another_language_say_so():
    """An event quoted in a language other than English says which, and that no English copy could be read."""
    import yaml

    from .conftest import DATA
    evs = yaml.safe_load((DATA / "engagement" / "PRK.yaml").read_text(encoding="utf-8"))["events"]
    marked = {}
    for e in evs:
        if e.get("quote") and NON_ENGLISH.search(e["quote"]):
            m = re.search(r"Quoted (?:from the (\w+) version|in (\w+) from)", e.get("note") or "")
            assert m, (e["date"], e["kind"], e["quote"][:60])
            assert "could be read" in e["note"]
            marked[(e["mechanism"], str(e["date"]), e["kind"])] = m.group(1) or m.group(2)
    assert marked == {
        ("icrc", "2020", "context"): "German",
        ("special_procedure", "2011-11", "visit_refused"): "French",
        ("treaty_body", "2018", "report_due"): "Spanish",
        ("treaty_body", "2018-12-19", "report_submitted"): "Spanish",
        ("treaty_body", "2023-12-13", "replies"): "Spanish",
        ("treaty_body", "2025-08-12", "review_held"): "Spanish",
        ("treaty_body", "2025-08-19", "concluding_observations"): "Spanish",
        ("upr", "2014-09-19", "outcome_adopted"): "Korean",
        ("upr", "2019-09", "outcome_adopted"): "Korean",
        ("upr", "2024-11-07", "review_held"): "Korean",
    }
    # English quotes carry no such note
    assert not [e for e in evs if "Quoted from the" in (e.get("note") or "") and not NON_ENGLISH.search(e["quote"])]


def test_asks_moved_by_engagement(built_db):
    conn = sqlite3.connect(built_db)
    got = dict(conn.execute("SELECT fulfilment, count(*) FROM ask_status WHERE state_id = 'PRK' GROUP BY 1"))
    assert got == {"fulfilled": 5, "not_tracked": 35, "open": 46, "partly_fulfilled": 5}


# --------------------------------------------------------------------------- derivation, on every side of the dates

ASK = """document:
  id: TEST-ENG
  title: Test
  kind: letter
  author: Test
  date: '{date}'
  url: https://example.org/doc
  addressee: PRK
  source:
    url: https://example.org/doc
    title: Test
    as_at: '{date}'
asks:
  - ref: "1"
    by: [Test]
    text: Undergo the CRPD review.
    action: cooperate
    response: not_applicable
    engagement:
      - mechanism: treaty_body
        instrument: CRPD
        kind: review_held
  - ref: "2"
    by: [Test]
    text: Allow the visit, and report under the CRPD.
    action: cooperate
    response: not_applicable
    engagement:
      - mechanism: special_procedure
        mandate: sr_disability
        kind: visit_held
      - mechanism: treaty_body
        instrument: CRPD
        kind: report_submitted
"""


@pytest.mark.parametrize("date,review,both", [
    ("2025-08-11", ("fulfilled", "2025-08-12"), ("open", None)),      # the day before the review
    ("2025-08-12", ("fulfilled", "2025-08-12"), ("open", None)),      # on the day
    ("2025-08-13", ("open", None), ("open", None)),                   # the day after: nothing later
    ("2017-05-03", ("fulfilled", "2025-08-12"), ("fulfilled", "2018-12-19")),  # visit day: both done, the later counts
    ("2017-05-04", ("fulfilled", "2025-08-12"), ("partly_fulfilled", None)),   # visit began before the ask
])
def test_engagement_fulfilment_on_every_side(data_copy, tmp_path, date, review, both):
    (data_copy / "asks" / "TEST-ENG.yaml").write_text(ASK.format(date=date))
    db = tmp_path / "kb.db"
    build(data_copy, db, today=TODAY)
    rows = {r["ref"]: r for r in ask_rows(db) if r["document"] == "TEST-ENG"}
    assert (rows["1"]["fulfilment"], rows["1"]["fulfilled_date"]) == review
    assert (rows["2"]["fulfilment"], rows["2"]["fulfilled_date"]) == both


def test_a_partial_event_date_fulfils_only_an_ask_certainly_before_it(data_copy, tmp_path):
    eng = data_copy / "engagement" / "PRK.yaml"
    eng.write_text(eng.read_text().replace("date: '2025-08-12'", "date: '2025-08'", 1))
    for date, want in (("2025-08-01", "fulfilled"), ("2025-08-02", "open")):  # August 2025 is on or after 1 August
        (data_copy / "asks" / "TEST-ENG.yaml").write_text(ASK.format(date=date))
        db = tmp_path / f"{date}.db"
        build(data_copy, db, today=TODAY)
        row = next(r for r in ask_rows(db) if r["document"] == "TEST-ENG" and r["ref"] == "1")
        assert row["fulfilment"] == want, date


@pytest.mark.parametrize("as_of,overdue,reason", [
    ("2011-12-31", "not_yet_due", "The fifth periodic report is due in 2012."),
    ("2012-06-01", "unknown", "The fifth periodic report was due in 2012: the source gives no day, so on 2012-06-01 "
                              "it cannot be said whether it was overdue."),
    ("2013-01-01", "overdue", "The fifth periodic report was due in 2012 (CRC/C/PRK/5); no submission recorded by 2013-01-01."),
    ("2016-05-02", "overdue", "The fifth periodic report was due in 2012 (CRC/C/PRK/5); no submission recorded by 2016-05-02."),
    ("2016-05-03", "unknown", "No source read states a report due after the last one recorded: whether a report is overdue is unknown."),
])
def test_crc_reporting_status_on_every_side_of_the_due_date(built_db, as_of, overdue, reason):
    crc = reporting(built_db, as_of)["CRC"]
    assert (crc["overdue"], crc["overdue_reason"]) == (overdue, reason)


def test_reporting_status_today_is_unknown_where_no_source_states_a_due_date(built_db):
    rows = reporting(built_db, "2026-02-03")
    assert list(rows) == ["ICESCR", "ICCPR", "CEDAW", "CRC", "OP-CRC-SC", "CRPD"]
    assert {r["overdue"] for r in rows.values()} == {"unknown"}
    assert (rows["ICCPR"]["last_review_date"], rows["ICCPR"]["last_report_date"]) == ("2001-07-20", None)
    crpd = rows["CRPD"]
    assert (crpd["last_report_date"], crpd["last_review_date"], crpd["last_co_date"], crpd["last_co_symbol"]) == (
        "2018-12-19", "2025-08-12", "2025-08-19", "CRPD/C/PRK/CO/1")
    assert "CRPD" not in reporting(built_db, "2016-01-01")  # not a party then


DUE = """- mechanism: treaty_body
  instrument: ICCPR
  kind: report_due
  date: '2004-01-01'
  report: third periodic report
  summary: Test.
  source:
    url: https://example.org/due
    title: Test
    as_at: '2005'
    kind: un_host
"""


def test_a_stated_due_date_with_no_submission_is_overdue_after_it(data_copy, tmp_path):
    eng = data_copy / "engagement" / "PRK.yaml"
    eng.write_text(eng.read_text().replace("events:\n", "events:\n" + DUE, 1))
    db = tmp_path / "kb.db"
    build(data_copy, db, today=TODAY)
    assert reporting(db, "2003-12-31")["ICCPR"]["overdue"] == "not_yet_due"
    assert reporting(db, "2004-01-01")["ICCPR"]["overdue"] == "unknown"   # due that day: not yet late
    assert reporting(db, "2004-01-02")["ICCPR"]["overdue"] == "overdue"
    assert reporting(db, "2026-02-03")["ICCPR"]["next_due"] == "2004-01-01"


# --------------------------------------------------------------------------- validation

BAD = """state: PRK
events:
  - mechanism: treaty_body
    instrument: CRPDX
    kind: review_held
    date: '2020-01-01'
    summary: Unknown instrument.
    source: {{url: 'https://example.org/a', title: A, as_at: '2020', kind: un_host}}
  - mechanism: treaty_body
    instrument: GENOCIDE
    kind: review_held
    date: '2020-01-01'
    summary: No treaty body.
    source: {{url: 'https://example.org/b', title: B, as_at: '2020', kind: un_host}}
  - mechanism: treaty_body
    instrument: C029
    kind: report_submitted
    date: '2020-01-01'
    summary: ILO.
    source: {{url: 'https://example.org/c', title: C, as_at: '2020', kind: un_host}}
  - mechanism: upr
    instrument: CRPD
    kind: visit_held
    date: '2030-01-01'
    summary: Future, and an instrument on a upr event.
    source: {{url: 'https://example.org/d', title: D, as_at: '2020', kind: un_host}}
  - mechanism: special_procedure
    kind: concluding_observations
    date: '2020-01-01'
    summary: No mandate, wrong kind.
    source: {{url: 'https://example.org/e', title: E, as_at: '2020'}}
  - mechanism: treaty_body
    kind: reviewed
    date: '2020-01-01'
    summary: Bad kind.
    source: {{url: 'https://example.org/f', title: F, as_at: '2020', kind: blog}}
"""


def test_bad_engagement_records_are_reported_at_once(data_copy):
    (data_copy / "engagement" / "PRK.yaml").write_text(BAD.format())
    with pytest.raises(DataErrors) as exc:
        validate(data_copy, today=TODAY)
    # All at once, in the file's order: the cross-checks of the records that parse (test_engagement_cross_checks),
    # then the two records the schema refuses.
    assert [str(p) for p in exc.value.problems] == CROSS_CHECKS + [
        "data/engagement/PRK.yaml:33:11: kind: 'reviewed' is not allowed; use one of 'report_due', 'report_submitted', "
        "'list_of_issues', 'replies', 'review_held', 'concluding_observations', 'outcome_adopted', 'visit_requested', "
        "'visit_accepted', 'visit_held', 'visit_refused', 'visit_unanswered', 'cooperation', 'non_cooperation', "
        "'communication' or 'context'",
        "data/engagement/PRK.yaml:36:75: kind: 'blog' is not allowed; use one of 'un_host', 'un_mirror' or 'secondary'",
    ]


def test_engagement_cross_checks(data_copy):
    bad = BAD.format().split("  - mechanism: treaty_body\n    kind: reviewed")[0]
    (data_copy / "engagement" / "PRK.yaml").write_text(bad)
    with pytest.raises(DataErrors) as exc:
        validate(data_copy, today=TODAY)
    assert [str(p) for p in exc.value.problems] == CROSS_CHECKS


CROSS_CHECKS = [
    "data/engagement/PRK.yaml:4:17: instrument 'CRPDX' is not in treaties.yaml: use an instrument id, e.g. CRPD",
    "data/engagement/PRK.yaml:10:17: instrument 'GENOCIDE' has no UN treaty body (monitoring_body is null in "
    "treaties.yaml): a treaty_body event or target names a UN treaty with a monitoring committee",
    "data/engagement/PRK.yaml:16:17: instrument 'C029' has no UN treaty body (an ILO instrument): a treaty_body "
    "event or target names a UN treaty with a monitoring committee",
    "data/engagement/PRK.yaml:22:17: `instrument` is only for treaty_body events; a upr event has none: remove it",
    "data/engagement/PRK.yaml:23:11: kind 'visit_held' is for a mechanism that visits (special_procedure, ohchr, "
    "commission_of_inquiry, icrc), not a upr event",
    "data/engagement/PRK.yaml:24:11: date 2030-01-01 is after today (2026-11-28): record only what has happened",
    "data/engagement/PRK.yaml:27:16: a special_procedure event needs `mandate` (see docs/DATA_MODEL.md, 'mandate')",
    "data/engagement/PRK.yaml:28:11: kind 'concluding_observations' is a treaty body's (reports, lists of issues, "
    "concluding observations), not a special_procedure event's",
    "data/engagement/PRK.yaml:31:13: source needs `kind`: un_host, un_mirror or secondary (see docs/DATA_MODEL.md, "
    "'source kind')",
]


def test_engagement_file_is_named_after_its_state_and_targets_are_checked(data_copy):
    eng = data_copy / "engagement" / "PRK.yaml"
    eng.rename(data_copy / "engagement" / "KOR.yaml")
    (data_copy / "asks" / "TEST-ENG.yaml").write_text(ASK.format(date="2020-01-01").replace(
        "instrument: CRPD\n        kind: review_held", "instrument: ROME\n        kind: review_held").replace(
        "action: cooperate\n    response: not_applicable\n    engagement:\n      - mechanism: special_procedure",
        "action: ratify\n    response: not_applicable\n    engagement:\n      - mechanism: special_procedure"))
    with pytest.raises(DataErrors) as exc:
        validate(data_copy, today=TODAY)
    assert [str(p) for p in exc.value.problems] == [
        "data/asks/TEST-ENG.yaml:21:21: instrument 'ROME' has no UN treaty body (monitoring_body is null in "
        "treaties.yaml): a treaty_body event or target names a UN treaty with a monitoring committee",
        "data/asks/TEST-ENG.yaml:29:7: `engagement` targets are for cooperate or other asks; a ratify ask is judged "
        "from the status data: remove them",
        "data/engagement/KOR.yaml:15:8: file KOR.yaml holds the engagement of 'PRK': name the file PRK.yaml",
    ]


# --------------------------------------------------------------------------- public surface

def test_cli_engagement_json_and_csv(cli, built_db):
    r = cli("engagement", "North Korea", "--db", str(built_db), "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.output)
    assert list(rows[0]) == list(q.ENGAGEMENT_KEYS)
    assert rows == events(built_db)
    review = next(x for x in rows if x["key"] == CRPD_REVIEW)
    assert {k: review[k] for k in ("date", "mechanism", "instrument", "kind", "symbol", "source_kind")} == {
        "date": "2025-08-12", "mechanism": "treaty_body", "instrument": "CRPD", "kind": "review_held", "symbol": None,
        "source_kind": "un_host"}
    upr = next(x for x in rows if x["key"] == "PRK/upr/2024-11-07/review_held")
    assert (upr["instrument"], upr["source_kind"]) == (None, "secondary")
    r = cli("engagement", "PRK", "--db", str(built_db), "--format", "csv")
    assert r.output.splitlines()[0] == ",".join(q.ENGAGEMENT_KEYS)
    assert len(r.output.splitlines()) == len(rows) + 1


def test_cite_event(cli, built_db):
    r = cli("cite-event", CRPD_REVIEW, "--db", str(built_db))
    assert r.exit_code == 0
    assert r.output.startswith(
        "The Committee on the Rights of Persons with Disabilities reviewed the Democratic People's Republic of Korea's "
        "initial report (CRPD/C/PRK/1) on 12 August 2025 (CRPD/C/PRK/CO/1). Source: CRPD/C/PRK/CO/1: ")
    import kb.query as q  # every citation names the KB version it was made from

    assert r.output.rstrip().endswith("(CRPD/C/PRK/CO/1; as at 2 October 2025; UN text on a UN site). "
                                      f"KB version {q.version(q.connect(built_db))}.")
    visit = cli("cite-event", "PRK/special_procedure/sr_disability/2017-05-03/visit_held", "--db", str(built_db)).output
    assert visit.startswith("The Special Rapporteur on the rights of persons with disabilities visited the Democratic "
                            "People's Republic of Korea from 3 to 8 May 2017. Source: ")
    bad = cli("cite-event", "PRK/treaty_body/CRPD/2025-08-12/review", "--db", str(built_db))
    assert bad.exit_code == 2
    assert "Invalid value for KEY: unknown engagement event 'PRK/treaty_body/CRPD/2025-08-12/review'; did you mean " \
           "'PRK/treaty_body/CRPD/2025-08-12/review_held'" in bad.output


def test_cli_reporting(cli, built_db):
    r = cli("reporting", "PRK", "--as-of", "2013-06-01", "--db", str(built_db), "--format", "json")
    rows = {x["instrument"]: x for x in json.loads(r.output)}
    assert (rows["CRC"]["overdue"], rows["CRC"]["next_due"], rows["ICCPR"]["overdue"]) == ("overdue", "2012", "unknown")
