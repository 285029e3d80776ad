"""Validation: per-record schema errors and cross-record rules, with exact messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.data.errors import DataErrors
from kb.data.validate import validate

from .conftest import TODAY

SRC = """    source:
      url: https://example.org/status
      title: Example status page
      as_at: 2026-02-03
"""


def append(data: Path, instrument: str, block: str) -> int:
    """Append an action block to data/actions/<instrument>.yaml; return its first line number."""
    path = data / "actions" / f"{instrument}.yaml"
    if not path.exists():
        path.write_text(f"instrument: {instrument}\nactions:\n")
    text = path.read_text()
    if not text.endswith("\n"):
        text += "\n"
    first = text.count("\n") + 1
    path.write_text(text + block)
    return first


def errors(data: Path, today: str = TODAY) -> list[str]:
    with pytest.raises(DataErrors) as exc:
        validate(data, today=today)
    return [str(p) for p in exc.value.problems]


def test_real_data_validates():
    ds = validate(Path(__file__).parent.parent / "data", today=TODAY)
    assert {loc.record.id for loc in ds.instruments} >= {"ICCPR", "CAT", "CPED", "C029", "C187", "GENOCIDE"}


def test_unknown_key(data_copy):
    n = append(data_copy, "CAT", "  - state: PRK\n    type: signature\n    date: 2020-01-01\n    colour: red\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CAT.yaml:{n + 3}:13: unknown key 'colour': check the spelling against docs/DATA_MODEL.md, or remove it"]


def test_wrong_types_and_vocabulary(data_copy):
    n = append(data_copy, "CAT", "  - state: PRK\n    type: ratified\n    date: 2020-01-01\n    article: 29\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CAT.yaml:{n + 1}:11: type: 'ratified' is not allowed; use one of 'signature', 'ratification', "
        "'accession', 'succession', 'acceptance', 'approval', 'formal_confirmation', 'definitive_signature', "
        "'reservation', 'declaration', 'objection', 'competence_declaration', 'opt_out', "
        "'withdrawal_of_reservation', 'partial_withdrawal_of_reservation', 'withdrawal_of_declaration', "
        "'withdrawal_of_objection', 'withdrawal_of_competence_declaration', 'withdrawal_of_opt_out', "
        "'denunciation', 'notification_of_withdrawal', 'territorial_application' or 'communication'",
        f"data/actions/CAT.yaml:{n + 3}:14: article: expected text, got the number 29: put the value in quotes, e.g. \"29\"",
    ]


@pytest.mark.parametrize("date,message", [
    ("2001-02-30", "date: '2001-02-30' is not a date: 2001-02 has 28 days"),
    ("2001-13", "date: '2001-13' is not a date: month 13 does not exist"),
    ("27 Feb 2001", "date: '27 Feb 2001' is not a date: write YYYY-MM-DD (or YYYY-MM / YYYY where only that is known)"),
    ("1066", "date: '1066': year 1066 is before 1800; check the date"),
])
def test_impossible_dates(data_copy, date, message):
    n = append(data_copy, "CAT", f"  - state: PRK\n    type: signature\n    date: {date}\n" + SRC)
    assert errors(data_copy) == [f"data/actions/CAT.yaml:{n + 2}:11: {message}"]


def test_partial_dates_are_allowed(data_copy):
    append(data_copy, "CAT", "  - state: PRK\n    type: signature\n    date: 2020-03\n" + SRC)
    append(data_copy, "CPED", "  - state: PRK\n    type: signature\n    date: 2020\n" + SRC)
    validate(data_copy, today=TODAY)


def test_missing_source(data_copy):
    n = append(data_copy, "CAT", "  - state: PRK\n    type: signature\n    date: 2020-01-01\n")
    assert errors(data_copy) == [f"data/actions/CAT.yaml:{n}:5: missing required key 'source': add it"]


def test_bad_url(data_copy):
    n = append(data_copy, "CAT", "  - state: PRK\n    type: signature\n    date: 2020-01-01\n" + SRC.replace("https://example.org/status", "treaties.un.org"))
    assert errors(data_copy) == [f"data/actions/CAT.yaml:{n + 4}:12: url: 'treaties.un.org' is not a URL: write the full http(s) address"]


def test_references_must_resolve(data_copy):
    n = append(data_copy, "CAT", "  - state: XYZ\n    type: signature\n    date: 2020-01-01\n" + SRC)
    m = append(data_copy, "NOPE", "  - state: PRK\n    type: signature\n    date: 2020-01-01\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CAT.yaml:{n}:12: state 'XYZ' is not in states.yaml: use an ISO 3166-1 alpha-3 code listed there",
        "data/actions/NOPE.yaml:1:13: instrument 'NOPE' is not in treaties.yaml: add it there first",
    ]
    assert m == 3


def test_date_in_the_future(data_copy):
    n = append(data_copy, "CAT", "  - state: PRK\n    type: signature\n    date: 2027-01-01\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CAT.yaml:{n + 2}:11: date 2027-01-01 is after today ({TODAY}): record only what has happened"]


def test_before_adoption(data_copy):
    n = append(data_copy, "CAT", "  - state: PRK\n    type: signature\n    date: 1980-01-01\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CAT.yaml:{n + 2}:11: date 1980-01-01 is before CAT was adopted (1984-12-10): check the date"]


def test_signature_after_consent(data_copy):
    n = append(data_copy, "CRC", "  - state: PRK\n    type: signature\n    date: 1991-01-01\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CRC.yaml:{n + 2}:11: signature on 1991-01-01 comes after PRK's consent to be bound: "
        "a signature cannot follow consent; check the dates"]


def test_exit_needs_consent(data_copy):
    n = append(data_copy, "CAT", "  - state: PRK\n    type: denunciation\n    date: 2020-01-01\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CAT.yaml:{n + 1}:11: denunciation on 2020-01-01 but PRK is not a party to CAT then: record the consent first"]


def test_ilo_rules(data_copy):
    n = append(data_copy, "C029", "  - state: PRK\n    type: signature\n    date: 2020-01-01\n" + SRC)
    m = append(data_copy, "C087", "  - state: PRK\n    type: ratification\n    date: 2020-01-01\n" + SRC)
    # Both at once: the sequence checks run beside the other checks, not after them.
    assert errors(data_copy) == [
        f"data/actions/C029.yaml:{n + 1}:11: ILO instruments have no signature step: record the ratification only",
        f"data/actions/C087.yaml:{m + 2}:11: PRK was not an ILO member on 2020-01-01: only members can ratify ILO "
        "instruments (check the date or the state's ILO membership in states.yaml)",
    ]
    (data_copy / "actions" / "C029.yaml").unlink()
    assert errors(data_copy) == [
        f"data/actions/C087.yaml:{m + 2}:11: PRK was not an ILO member on 2020-01-01: only members can ratify ILO "
        "instruments (check the date or the state's ILO membership in states.yaml)"]


def test_duplicate_action(data_copy):
    n = append(data_copy, "CRC", "  - state: PRK\n    type: ratification\n    date: 1990-09-21\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CRC.yaml:{n}:5: duplicate action: the same ratification by PRK on 1990-09-21 is at data/actions/CRC.yaml:12: keep one"]


def test_file_name_must_match_instrument(data_copy):
    (data_copy / "actions" / "CRC.yaml").rename(data_copy / "actions" / "CRX.yaml")
    assert errors(data_copy) == ["data/actions/CRX.yaml:3:13: file CRX.yaml holds instrument 'CRC': name the file CRC.yaml"]


def test_yaml11_booleans_stay_strings(data_copy):
    # Norway's alpha-2 code, written without quotes, must stay the string NO.
    text = (data_copy / "states.yaml").read_text()
    assert "alpha2: NO\n" not in text
    text = text.replace("alpha2: 'NO'", "alpha2: NO").replace('alpha2: "NO"', "alpha2: NO")
    assert "alpha2: NO\n" in text
    (data_copy / "states.yaml").write_text(text)
    ds = validate(data_copy, today=TODAY)
    assert [loc.record.alpha2 for loc in ds.states if loc.record.id == "NOR"] == ["NO"]


def test_all_errors_at_once(data_copy):
    append(data_copy, "CAT", "  - state: PRK\n    type: signature\n    date: 2020-02-30\n" + SRC)
    (data_copy / "actions" / "CPED.yaml").write_text("instrument: CPED\nactions:\n  - state: PRK\n\ttype: x\n")
    (data_copy / "actions" / "OP-CAT.yaml").write_bytes(b"\xef\xbb\xbfinstrument: OP-CAT\n")
    errs = errors(data_copy)
    assert len(errs) == 3
    assert [e.split(":")[0] for e in errs] == ["data/actions/CAT.yaml", "data/actions/CPED.yaml", "data/actions/OP-CAT.yaml"]


def test_imported_actions_give_way_to_curated(data_copy):
    imp = data_copy / "imported" / "test"
    imp.mkdir(parents=True)
    (imp / "CRC.yaml").write_text(
        "instrument: CRC\nactions:\n  - state: PRK\n    type: ratification\n    date: 1990-09-21\n" + SRC
        + "  - state: KOR\n    type: communication\n    date: 2000-01-01\n" + SRC)
    ds = validate(data_copy, today=TODAY)
    assert [(r.action.state, r.origin) for r in ds.superseded if r.at.file.startswith("data/imported/test/")] == [("PRK", "imported")]
    crc = sorted((r.action.state, r.action.type, r.origin) for r in ds.actions if r.instrument == "CRC")
    assert ("PRK", "ratification", "curated") in crc and ("KOR", "communication", "imported") in crc


def test_second_consent_without_exit_names_both(data_copy):
    """A curated correction whose date does not match the imported action it means to correct
    is not silently a second accession."""
    path = data_copy / "actions" / "ICCPR.yaml"
    text = path.read_text()
    assert text.count("    date: 1981-09-14\n") == 1
    path.write_text(text.replace("    date: 1981-09-14\n", "    date: 1981-09\n"))
    imported = data_copy / "imported" / "untc" / "ICCPR.yaml"
    lines = imported.read_text().splitlines()
    at = next(i for i, line in enumerate(lines, 1)
              if line == "  - state: PRK" and lines[i] == "    type: accession" and lines[i + 1] == "    date: 1981-09-14")
    assert errors(data_copy) == [
        f"data/imported/untc/ICCPR.yaml:{at + 2}:11: second consent without an exit: PRK's accession of ICCPR on "
        "1981-09-14 follows its accession on 1981-09 (data/actions/ICCPR.yaml:5) with no denunciation or withdrawal "
        "between them: one of them is wrong or duplicates the other (a curated correction must have the imported "
        "action's type and date to replace it); keep one"]


def test_consent_after_denunciation_is_not_a_second_consent(data_copy):
    """Trinidad and Tobago denounced and re-acceded to ICCPR-OP1 on the same day: valid (real data)."""
    ds = validate(data_copy, today=TODAY)
    tto = [(r.action.type, r.action.date) for r in ds.actions if r.instrument == "ICCPR-OP1" and r.action.state == "TTO"
           and r.action.type in ("accession", "denunciation")]
    assert sorted(tto) == [("accession", "1980-11-14"), ("accession", "1998-05-26"),
                           ("denunciation", "1998-05-26"), ("denunciation", "2000-03-27")]
