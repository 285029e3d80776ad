"""The kb command line: exit codes, exact messages, and the JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import TODAY

STATUS_KEYS = ["state", "state_name", "instrument", "instrument_title", "as_of", "status", "signature_date",
               "consent_date", "consent_type", "withdrawal_date", "note", "source_url", "source_title",
               "source_as_at", "source_symbol", "known_to", "in_force_date", "in_force", "in_force_article",
               "in_force_note", "beyond_record", "source_kind"]


def test_status_json_contract(cli, built_db):
    r = cli("status", "PRK", "--as-of", "2016-01-01", "--db", str(built_db), "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.output)
    assert all(list(row) == STATUS_KEYS for row in rows)
    by = {row["instrument"]: row for row in rows}
    assert by["CRPD"]["status"] == "signatory" and by["CRPD"]["signature_date"] == "2013-07-03"
    assert by["CEDAW"]["status"] == "party" and by["CEDAW"]["consent_type"] == "accession"
    assert by["C029"]["status"] == "not_applicable"
    assert {row["state"] for row in rows} == {"PRK"}
    assert len(rows) == 34


def test_status_names_and_aliases(cli, built_db):
    for name in ("prk", "North Korea", "DPRK", "democratic people's republic of korea"):
        r = cli("status", name, "--instrument", "CRPD", "--as-of", "2017-01-01", "--db", str(built_db), "--format", "csv")
        assert r.exit_code == 0, r.output
        lines = r.output.splitlines()
        assert lines[0].split(",")[:6] == STATUS_KEYS[:6]
        assert lines[1].startswith("PRK,Democratic People's Republic of Korea,CRPD,")
        assert ",party,2013-07-03,2016-12-06,ratification," in lines[1]


def test_status_all_states_on_one_instrument(cli, built_db):
    r = cli("status", "--instrument", "CAT", "--as-of", "2026-02-03", "--db", str(built_db), "--format", "json")
    rows = json.loads(r.output)
    assert len(rows) == 198
    assert sum(row["status"] == "party" for row in rows) == 175
    assert {row["status"] for row in rows if row["state"] == "PRK"} == {"not_party"}


def test_status_table(cli, built_db):
    # Words, not field names or raw terms; the last column warns where the date is past the record.
    r = cli("status", "PRK", "--instrument", "ICCPR", "--instrument", "CAT", "--instrument", "GENOCIDE",
            "--as-of", "2026-02-03", "--db", str(built_db))
    assert r.output.splitlines() == [
        "state  instrument  status       signed  consented   by         in force from  withdrawal  note                                                        recorded to",
        "-----  ----------  -----------  ------  ----------  ---------  -------------  ----------  ----------------------------------------------------------  -----------",
        "PRK    ICCPR       party                1981-09-14  accession  1981-12-14                 notification of withdrawal of 1997-08-25 (no legal effect)",
        "PRK    CAT         not a party",
        "PRK    GENOCIDE    party                1989-01-31  accession  1989-05-01                                                                             2015-03-14",
    ]
    for bad in ("None", "True", "False", "null", "_"):
        assert bad not in r.output.replace("PRK", "")


def test_unknown_state(cli, built_db):
    r = cli("status", "Nort Korea", "--db", str(built_db))
    assert r.exit_code == 2
    assert "Invalid value for STATE: unknown state 'Nort Korea'; did you mean 'North Korea', 'South Korea', 'DPR Korea'?" in r.output


def test_unknown_instrument(cli, built_db):
    r = cli("status", "PRK", "--instrument", "CATT", "--db", str(built_db))
    assert r.exit_code == 2
    assert "Invalid value for --instrument: unknown instrument 'CATT'; did you mean CAT" in r.output


def test_bad_date(cli, built_db):
    r = cli("status", "PRK", "--as-of", "2016-02-30", "--db", str(built_db))
    assert r.exit_code == 2
    assert "Invalid value for --as-of: '2016-02-30' is not a date: 2016-02 has 29 days" in r.output
    r = cli("status", "PRK", "--as-of", "1 Jan 2016", "--db", str(built_db))
    assert "Invalid value for --as-of: '1 Jan 2016' is not a date: write YYYY-MM-DD" in r.output


def test_missing_database(cli, tmp_path):
    r = cli("status", "PRK", "--db", str(tmp_path / "none.db"))
    assert r.exit_code == 1
    assert r.output == f"Error: database {tmp_path / 'none.db'} not found: run `kb build` first (or pass --db)\n"


def test_not_a_database(cli, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("hello")
    r = cli("status", "PRK", "--db", str(bad))
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: {bad} is not a KB database (")


def test_validate_reports_all_errors_without_traceback(data_copy):
    with open(data_copy / "actions" / "CRC.yaml", "a") as f:
        f.write("  - state: PRK\n    type: signature\n    date: 2030-01-01\n")
    (data_copy / "actions" / "CPED.yaml").write_text("instrument: CPED\nactions:\n  - state: PRK\n\ttype: x\n")
    r = subprocess.run([sys.executable, "-m", "kb", "validate", "--data", str(data_copy), "--today", TODAY],
                       capture_output=True, text=True, cwd=data_copy.parent)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "data/actions/CPED.yaml:4:1: tab character: YAML indentation must use spaces",
        "data/actions/CRC.yaml:19:5: missing required key 'source': add it",
        "2 errors found; nothing was built.",
    ]
    assert "Traceback" not in r.stderr


def test_build_and_validate_ok(cli, data_copy, tmp_path):
    r = cli("validate", "--data", str(data_copy), "--today", TODAY)
    assert r.exit_code == 0 and r.output.startswith("ok: 34 instruments, 198 states, ")
    r = cli("build", "--data", str(data_copy), "--db", str(tmp_path / "x.db"), "--today", TODAY)
    assert r.exit_code == 0 and r.output.startswith(f"built {tmp_path / 'x.db'}: 34 instruments, 198 states, ")


def test_missing_data_dir(cli, tmp_path):
    r = cli("validate", "--data", str(tmp_path / "nope"))
    assert r.exit_code == 1
    assert r.output == f"Error: data directory {tmp_path / 'nope'} not found: run from the repository root or pass --data\n"


def test_every_command_has_help_and_an_example(cli):
    from kb.cli import main
    for name in main.commands:
        r = cli(name, "--help")
        assert r.exit_code == 0
        assert "Example" in r.output, name


def test_docs_are_generated_from_the_code():
    r = subprocess.run([sys.executable, "scripts/gen_docs.py", "--check"], capture_output=True, text=True,
                       cwd=__import__("pathlib").Path(__file__).parent.parent)
    assert r.returncode == 0, r.stderr
