"""A careless or hostile editor's input: every case is a located error with what to do,
never a crash, an "internal error" or a value that slips into the database."""

from __future__ import annotations

import pytest

from kb.data.loader import LoadError, load_text

from .test_validate import SRC, append, errors


def problem(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    with pytest.raises(LoadError) as exc:
        load_text("f.yaml", raw)
    return str(exc.value)


DEEP = "f.yaml:{}: nesting is deeper than 32 levels: flatten the structure"


# --------------------------------------------------------------------------- nesting

@pytest.mark.parametrize("text, where", [
    ("a: " + "[" * 100_000, "1:36"),                                   # libyaml's composer would crash
    ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "1:36"),
    ("a: " + "{a: " * 100_000, "1:132"),
    ("a: " + "[a: " * 50_000, "1:68"),
    ("- " * 50_000 + "x\n", "1:67"),
    ("a:\n" + "".join(" " * i + "k:\n" for i in range(1, 300)), "34:34"),
])
def test_deep_nesting_is_located_not_a_crash(text, where):
    assert problem(text) == DEEP.format(where)


def test_nesting_within_the_limit_loads():
    assert load_text("f.yaml", ("a: " + "[" * 31 + "]" * 31 + "\n").encode()).data["a"] is not None


# --------------------------------------------------------------------------- tags and numbers

@pytest.mark.parametrize("text, tag", [
    ("a: !!int abc\n", "tag:yaml.org,2002:int"),
    ("a: !!null x\n", "tag:yaml.org,2002:null"),
    ("a: !!null\n", "tag:yaml.org,2002:null"),
    ("a: !!bool yes\n", "tag:yaml.org,2002:bool"),
    ("a: !!str 12\n", "tag:yaml.org,2002:str"),
    ("a: !!float 1.5\n", "tag:yaml.org,2002:float"),
    ("a: ! x\n", "!"),
])
def test_explicit_tags_are_refused(text, tag):
    assert problem(text) == f"f.yaml:1:4: tag {tag} is not allowed: remove it (put the value in quotes if it is text)"


def test_other_tags_are_refused():
    assert problem("a:\n  b: !thing x\n") == "f.yaml:2:6: tag !thing is not allowed: remove it"
    assert problem("a: !!seq [1]\n") == "f.yaml:1:4: tag tag:yaml.org,2002:seq is not allowed: remove it"


def test_exclamation_marks_in_text_are_text():
    assert load_text("f.yaml", b"a: Stop! now\nb: 'x !y'\nc: \"!\"\n").data == {"a": "Stop! now", "b": "x !y", "c": "!"}


TOO_LARGE = "whole numbers go up to 9223372036854775807; put the value in quotes if it is text"


@pytest.mark.parametrize("text, shown", [
    ("a: " + "7" * 5000 + "\n", "77777777777777777777..."),
    ("a: 9223372036854775808\n", "9223372036854775808"),
    ("a: 123456789012345678901\n", "12345678901234567890..."),
])
def test_integers_beyond_64_bits(text, shown):
    assert problem(text) == f"f.yaml:1:4: the number {shown} is too large: {TOO_LARGE}"


def test_largest_integer_loads():
    assert load_text("f.yaml", b"a: 9223372036854775807\n").data == {"a": 9223372036854775807}


# --------------------------------------------------------------------------- control characters

@pytest.mark.parametrize("text, where, code, name", [
    ('a: "x\\e[31my"\n', "1:4", "001B", "escape"),
    ('a: "\\x07"\n', "1:4", "0007", "a control character"),
    ('a: "x\\0"\n', "1:4", "0000", "null"),
    ('a: "x\\N"\n', "1:4", "0085", "next line"),
    ('a: "x\\r"\n', "1:4", "000D", "carriage return"),
    ('a: "\\u202e"\n', "1:4", "202E", "right-to-left override"),
    ("a: b\nc: abc\u202edef\n", "2:7", "202E", "right-to-left override"),
    ("a: x\u2066y\n", "1:5", "2066", "left-to-right isolate"),
    ("a: x\x85y\n", "1:5", "0085", "next line"),
    ("a: x\x9by\n", "1:5", "009B", "a control character"),
    ("# note \u202e\na: 1\n", "1:8", "202E", "right-to-left override"),
])
def test_control_characters_in_values(text, where, code, name):
    assert problem(text) == f"f.yaml:{where}: character U+{code} ({name}) is not allowed in the data: remove it"


def test_control_characters_libyaml_refuses_are_located():
    assert problem("a: x\x1by\n") == "f.yaml:1:5: character U+001B is not allowed in YAML: remove it"
    assert problem("a: x\x7fy\n") == "f.yaml:1:5: character U+007F is not allowed in YAML: remove it"


def test_legitimate_text_characters_stay():
    text = "a: |\n  line one\n  line\ttwo\nb: \"x\\ty\\nz\"\nc: \u200fمرحبا\u200e ok\nd: x\r\ne: “quoted” – dash\n"
    assert load_text("f.yaml", text.encode()).data == {
        "a": "line one\nline\ttwo\n", "b": "x\ty\nz", "c": "\u200fمرحبا\u200e ok", "d": "x", "e": "“quoted” – dash"}


# --------------------------------------------------------------------------- through validate

def test_date_with_a_trailing_newline(data_copy):
    n = append(data_copy, "CAT", "  - state: PRK\n    type: signature\n    date: |\n      2001-02-27\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CAT.yaml:{n + 2}:11: date: '2001-02-27\\n' is not a date: write YYYY-MM-DD "
        "(or YYYY-MM / YYYY where only that is known)"]


def test_url_with_a_trailing_newline(data_copy):
    block = "  - state: PRK\n    type: signature\n    date: 2001-02-27\n" + SRC.replace(
        "url: https://example.org/status", "url: |\n        https://example.org/status")
    n = append(data_copy, "CAT", block)
    assert errors(data_copy) == [
        f"data/actions/CAT.yaml:{n + 4}:12: url: 'https://example.org/status\\n' is not a URL: write the full http(s) address"]


def test_integer_beyond_64_bits_in_a_record(data_copy):
    path = data_copy / "treaties.yaml"
    text = path.read_text()
    i = text.index("unts_volume: ") + len("unts_volume: ")
    j = text.index("\n", i)
    path.write_text(text[:i] + "99999999999999999999" + text[j:])
    line = text[:i].count("\n") + 1
    col = i - text.rfind("\n", 0, i)
    assert errors(data_copy) == [f"data/treaties.yaml:{line}:{col}: the number 99999999999999999999 is too large: {TOO_LARGE}"]


# --------------------------------------------------------------------------- stray files

def test_stray_files_under_data_are_errors(data_copy):
    (data_copy / "actions" / "CRPD.yml").write_text("instrument: CRPD\nactions: []\n")
    (data_copy / "actions" / "notes.txt").write_text("x\n")
    (data_copy / "treaty.yaml").write_text("a: 1\n")
    (data_copy / "action").mkdir()
    (data_copy / "action" / "CAT.yaml").write_text("a: 1\n")
    (data_copy / "imported" / "stray.yaml").write_text("a: 1\n")
    (data_copy / "imported" / "untc" / "old").mkdir()
    (data_copy / "asks" / "UPR.YAML").write_text("a: 1\n")
    layout = ("the data directory holds treaties.yaml, states.yaml, procedures.yaml, reference_overrides.yaml, coverage.yaml, actions/, asks/, engagement/, "
              "texts/ (ID.yaml files) and imported/SOURCE/ (.yaml files)")
    assert errors(data_copy) == [
        f"data/action:1:1: folder action/ is not read: {layout}: move its files or remove it",
        "data/actions/CRPD.yml:1:1: CRPD.yml is not read: only files ending in .yaml are data: rename it to CRPD.yaml or remove it",
        "data/actions/notes.txt:1:1: notes.txt is not read: only files ending in .yaml are data: rename it to .yaml or remove it",
        "data/asks/UPR.YAML:1:1: UPR.YAML is not read: only files ending in .yaml are data: rename it to UPR.yaml or remove it",
        f"data/imported/stray.yaml:1:1: stray.yaml is not read here: {layout}: move it or remove it",
        f"data/imported/untc/old:1:1: folder old/ is not read: {layout}: move its files or remove it",
        f"data/treaty.yaml:1:1: treaty.yaml is not read here: {layout}: move it or remove it",
    ]


def test_a_folder_named_like_a_data_file_is_a_located_error(data_copy):
    layout = ("the data directory holds treaties.yaml, states.yaml, procedures.yaml, reference_overrides.yaml, coverage.yaml, actions/, asks/, engagement/, "
              "texts/ (ID.yaml files) and imported/SOURCE/ (.yaml files)")
    (data_copy / "actions" / "X.yaml").mkdir()
    (data_copy / "imported" / "untc" / "Y.yaml").mkdir()
    assert errors(data_copy) == [
        f"data/actions/X.yaml:1:1: folder X.yaml/ is not read: {layout}: move its files or remove it",
        f"data/imported/untc/Y.yaml:1:1: folder Y.yaml/ is not read: {layout}: move its files or remove it",
    ]


def test_a_folder_named_like_a_data_file_stops_a_build(data_copy, tmp_path, cli):
    (data_copy / "actions" / "X.yaml").mkdir()
    res = cli("build", "--data", str(data_copy), "--db", str(tmp_path / "kb.db"), "--today", "2026-02-03")
    assert res.exit_code == 1
    assert res.output.startswith("data/actions/X.yaml:1:1: folder X.yaml/ is not read")


def test_texts_folder_is_known(data_copy):
    from kb.data.files import stray_files

    (data_copy / "texts").mkdir(exist_ok=True)
    (data_copy / "texts" / "CAT.yaml").write_text("a: 1\n")
    assert stray_files(data_copy) == []


def test_a_stray_file_stops_a_build_that_would_be_up_to_date(data_copy, tmp_path, cli):
    db = tmp_path / "kb.db"
    assert cli("build", "--data", str(data_copy), "--db", str(db), "--today", "2026-02-03").exit_code == 0
    (data_copy / "actions" / "CRPD.yml").write_text("instrument: CRPD\nactions: []\n")
    res = cli("build", "--data", str(data_copy), "--db", str(db), "--today", "2026-02-03")
    assert res.exit_code == 1
    assert res.output.startswith("data/actions/CRPD.yml:1:1: CRPD.yml is not read")


# --------------------------------------------------------------------------- the build cache

def _cached(data_copy, tmp_path):
    from kb.data.validate import validate
    from kb.db.cache import FileCache

    cache = FileCache(tmp_path / ".kb-cache")
    validate(data_copy, today="2026-02-03", cache=cache)
    return cache, validate


def test_cache_entries_are_json_and_pickles_are_never_loaded(data_copy, tmp_path):
    import json
    import pickle

    cache, validate = _cached(data_copy, tmp_path)
    entries = sorted(cache.directory.glob("*.json"))
    assert entries and not list(cache.directory.glob("*.pickle"))
    head = json.loads(entries[0].read_bytes().split(b"\n", 1)[0])
    assert sorted(head) == ["file", "format", "key", "sha256"] and head["format"] == "kb-file-cache 1"

    class Boom:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))

    for e in entries:  # a pickle where an entry was, and a pickle beside it under the old name
        e.write_bytes(pickle.dumps(Boom()))
        e.with_suffix(".pickle").write_bytes(pickle.dumps(Boom()))
    ds = validate(data_copy, today="2026-02-03", cache=cache)
    assert ds.actions and not (tmp_path / "pwned").exists()
    assert not list(cache.directory.glob("*.pickle"))  # old entries are removed


@pytest.mark.parametrize("tamper", ["truncate", "flip", "other_key", "other_file", "valid_digest_bad_records"])
def test_corrupt_or_tampered_cache_entries_are_rebuilt(data_copy, tmp_path, tamper):
    import hashlib
    import json

    cache, validate = _cached(data_copy, tmp_path)
    raw = (data_copy / "actions" / "CRPD.yaml").read_bytes()
    key = cache.key("data/actions/CRPD.yaml", raw)
    entry = cache.directory / f"{key}.json"
    good = entry.read_bytes()
    head, body = good.split(b"\n", 1)
    if tamper == "truncate":
        entry.write_bytes(good[: len(good) // 2])
    elif tamper == "flip":
        entry.write_bytes(good.replace(b"2013-07-03", b"2013-07-04"))
    elif tamper == "other_key":
        other = cache.key("data/actions/CAT.yaml", (data_copy / "actions" / "CAT.yaml").read_bytes())
        entry.write_bytes((cache.directory / f"{other}.json").read_bytes())
    elif tamper == "other_file":
        h = json.loads(head)
        h["file"] = "data/actions/CAT.yaml"
        entry.write_bytes(json.dumps(h).encode() + b"\n" + body)
    else:  # a consistent entry whose records are wrong: validated like a parsed file, then not trusted
        content = json.loads(body)
        content["data"]["actions"][0]["type"] = "ratified"
        body = json.dumps(content).encode()
        h = json.loads(head)
        h["sha256"] = hashlib.sha256(body).hexdigest()
        entry.write_bytes(json.dumps(h).encode() + b"\n" + body)
    assert cache.get(key, "data/actions/CRPD.yaml") is None or tamper == "valid_digest_bad_records"
    ds = validate(data_copy, today="2026-02-03", cache=cache)
    crpd = sorted(r.action.date for r in ds.actions if r.instrument == "CRPD" and r.action.state == "PRK" and r.origin == "curated")
    assert crpd == ["2013-07-03", "2016-12-06"]
    assert entry.read_bytes() == good  # parsed again and stored again


# --------------------------------------------------------------------------- --db

def test_db_inside_the_data_directory_is_refused(data_copy, cli):
    before = {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file()}
    for target in (data_copy / "states.yaml", data_copy / "new.db", data_copy / "actions" / "x.db"):
        res = cli("build", "--data", str(data_copy), "--db", str(target))
        assert res.exit_code == 1
        assert res.output == (f"Error: --db {target} is inside the data directory {data_copy}: the database is built "
                              "from the data and must be written elsewhere (e.g. --db kb.db); nothing was written\n")
    assert {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file()} == before


def test_db_that_is_not_sqlite_is_refused(data_copy, tmp_path, cli):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    res = cli("build", "--data", str(data_copy), "--db", str(notes))
    assert res.exit_code == 1
    assert res.output == (f"Error: --db {notes} exists and is not a SQLite database: a build would replace it; "
                          "choose another file or move this one away; nothing was written\n")
    assert notes.read_text() == "my notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "notes.txt"]


# --------------------------------------------------------------------------- terminal output

def test_control_characters_never_reach_the_terminal(built_db, tmp_path, cli):
    import json
    import shutil
    import sqlite3

    db = tmp_path / "kb.db"
    shutil.copy(built_db, db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE instruments SET short_title = 'CAT\x1b[2J\x9b31m\u202eevil\x7f' WHERE id = 'CAT'")
    conn.commit()
    conn.close()
    table = cli("instruments", "--db", str(db)).output
    assert "CAT\\x1b[2J\\x9b31m\\u202eevil\\x7f" in table
    assert not any(ch in table for ch in "\x1b\x9b\u202e\x7f")
    out = cli("instruments", "--db", str(db), "--format", "json").output
    assert not any(ch in out for ch in "\x1b\x9b\u202e\x7f")
    assert [r["short_title"] for r in json.loads(out) if r["id"] == "CAT"] == ["CAT\x1b[2J\x9b31m\u202eevil\x7f"]


def test_printable_keeps_tabs_newlines_and_letters():
    from kb.cli import _printable

    assert _printable("a\tb\nc é “q” \u200f") == "a\tb\nc é “q” \u200f"
    assert _printable("\x00\x1b\x85\u2066") == "\\x00\\x1b\\x85\\u2066"


# --------------------------------------------------------------------------- statements by non-parties

RULE_HINT = ("record the signature or consent first, or check the date; if the depositary records the statement from a "
             "state that had neither signed nor consented, set `legal_effect: none` and say so in `summary` "
             "(docs/DATA_MODEL.md, 'Statements need a signature or a consent')")


def test_statement_by_a_state_that_never_signed_or_consented(data_copy):
    n = append(data_copy, "CAT", "  - state: PRK\n    type: objection\n    target_state: USA\n    date: 2020-01-01\n" + SRC)
    m = append(data_copy, "CAT", "  - state: PRK\n    type: withdrawal_of_reservation\n    article: '20'\n    date: 2021-01-01\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CAT.yaml:{n}:12: objection by PRK on 2020-01-01, but no signature or consent of CAT by PRK is "
        f"recorded at all: {RULE_HINT}",
        f"data/actions/CAT.yaml:{m}:12: withdrawal_of_reservation by PRK on 2021-01-01, but no signature or consent of "
        f"CAT by PRK is recorded at all: {RULE_HINT}",
    ]


def test_statement_before_the_signature(data_copy):
    # The DPRK signed the CRPD on 2013-07-03 (data/actions/CRPD.yaml).
    n = append(data_copy, "CRPD", "  - state: PRK\n    type: declaration\n    date: 2013-07\n" + SRC)
    m = append(data_copy, "CRPD", "  - state: PRK\n    type: reservation\n    article: '1'\n    date: 2012-12-31\n" + SRC)
    assert errors(data_copy) == [
        f"data/actions/CRPD.yaml:{m}:12: reservation by PRK on 2012-12-31, but no signature or consent of CRPD by PRK "
        f"is recorded on or before that date (the first is 2013-07-03): {RULE_HINT}"]
    assert n  # 2013-07 may mean the day of the signature: not an error


def test_statements_on_signature_or_without_legal_effect_pass(data_copy):
    from kb.data.validate import validate

    append(data_copy, "CRPD", "  - state: PRK\n    type: declaration\n    date: 2013-07-03\n" + SRC)
    append(data_copy, "CAT", "  - state: PRK\n    type: objection\n    target_state: USA\n    date: 2020-01-01\n"
                             "    legal_effect: none\n    summary: Recorded by the depositary from a non-signatory.\n" + SRC)
    validate(data_copy, today="2026-02-03")


# --------------------------------------------------------------------------- all errors at once

def test_schema_errors_do_not_hide_cross_file_errors(data_copy):
    # One bad field in one action, one in one state, one in one instrument ...
    n = append(data_copy, "CRC", "  - state: PRK\n    type: ratified\n    date: 2020-01-01\n" + SRC)
    states = data_copy / "states.yaml"
    text = states.read_text()
    i = text.index("  - id: NOR\n")
    j = text.index("\n", text.index("alpha2:", i))
    states.write_text(text[:i] + text[i:j].replace('alpha2: "NO"', "alpha2: 12") + text[j:])
    s_line = text[:j].count("\n") + 1
    # ... and, elsewhere, errors across records: a signature after the consent, a statement by a
    # state with no consent, and a reference to an unknown state.
    m = append(data_copy, "CRPD", "  - state: PRK\n    type: signature\n    date: 2020-01-01\n" + SRC)
    k = append(data_copy, "CAT", "  - state: PRK\n    type: objection\n    target_state: XXX\n    date: 2020-01-01\n" + SRC)
    # A reference to the state whose record failed its own check is not flagged.
    append(data_copy, "CAT", "  - state: PRK\n    type: objection\n    target_state: NOR\n    date: 2020-01-01\n"
                             "    legal_effect: none\n    summary: test\n" + SRC)
    got = errors(data_copy)
    assert got == [
        f"data/actions/CAT.yaml:{k}:12: objection by PRK on 2020-01-01, but no signature or consent of CAT by PRK is "
        f"recorded at all: {RULE_HINT}",
        f"data/actions/CAT.yaml:{k + 2}:19: target_state 'XXX' is not in states.yaml",
        f"data/actions/CRC.yaml:{n + 1}:11: type: 'ratified' is not allowed; use one of 'signature', 'ratification', "
        "'accession', 'succession', 'acceptance', 'approval', 'formal_confirmation', 'definitive_signature', "
        "'reservation', 'declaration', 'objection', 'competence_declaration', 'opt_out', "
        "'withdrawal_of_reservation', 'partial_withdrawal_of_reservation', 'withdrawal_of_declaration', "
        "'withdrawal_of_objection', 'withdrawal_of_competence_declaration', 'withdrawal_of_opt_out', "
        "'denunciation', 'notification_of_withdrawal', 'territorial_application' or 'communication'",
        f"data/actions/CRPD.yaml:{m + 2}:11: signature on 2020-01-01 comes after PRK's consent to be bound: a signature "
        "cannot follow consent; check the dates",
        f"data/states.yaml:{s_line}:13: alpha2: expected text, got the number 12: put the value in quotes, e.g. \"12\"",
    ]


def test_a_state_with_a_failed_record_is_not_judged(data_copy):
    # The bad CRC action is PRK's: PRK's CRC sequence is not judged (a second consent would be
    # flagged otherwise), but other pairs are.
    n = append(data_copy, "CRC", "  - state: PRK\n    type: ratification\n    date: 2021-01-01\n" + SRC)
    append(data_copy, "CRC", "  - state: PRK\n    type: accession\n    date: 2021-02-30\n" + SRC)
    got = errors(data_copy)
    assert got == [f"data/actions/CRC.yaml:{n + 9}:11: date: '2021-02-30' is not a date: 2021-02 has 28 days"]


def test_unreadable_states_file_still_stops_reference_checks(data_copy):
    (data_copy / "states.yaml").write_text("states: [\n")
    append(data_copy, "CAT", "  - state: PRK\n    type: objection\n    target_state: XXX\n    date: 2020-01-01\n" + SRC)
    assert errors(data_copy) == [
        "data/states.yaml:2:1: YAML syntax error: did not find expected node content (while parsing a flow node): "
        "fix the syntax at this place"]


# --------------------------------------------------------------------------- property: no crash from data

import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from .conftest import DATA, ROOT  # noqa: E402

#: Examples per run; KB_FUZZ_EXAMPLES=200 for a longer hunt.
FUZZ_EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "4"))
FUZZ_FILES = ["treaties.yaml", "states.yaml", "actions/CAT.yaml", "imported/untc/CRPD.yaml",
              "engagement/PRK.yaml", "asks/UPR-2019-PRK.yaml", "imported/untc/counts.yaml"]
LOCATED = re.compile(r"^data/[^:\n]+:\d+:\d+: \S.*$")

yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
              st.sampled_from(["2001-02-30", "!!int x", "&a", "*a", "[" * 40, "{", "- - -", "\x1b[2J", "\u202e"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)


def _mutate(raw: bytes, op: str, pick: int, junk: bytes, doc) -> bytes:
    pos = pick % (len(raw) + 1)
    if op == "truncate":
        return raw[:pos]
    if op == "bytes":
        return raw[:pos] + junk + raw[pos:]
    if op == "deep":
        return raw[:pos] + b"[" * (20_000 + pick % 80_000) + raw[pos:]
    import yaml

    text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=pick % 2 == 0).encode()
    if op == "replace":
        return text
    line_start = raw.rfind(b"\n", 0, pos) + 1  # random YAML spliced in at the start of a line
    return raw[:line_start] + text + raw[line_start:]


@pytest.fixture(scope="module")
def fuzz_copy(tmp_path_factory):
    data = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(DATA, data)
    return data


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=st.sampled_from(FUZZ_FILES), op=st.sampled_from(["truncate", "bytes", "deep", "replace", "splice"]),
       pick=st.integers(min_value=0, max_value=10**7), junk=st.binary(min_size=1, max_size=16), doc=yaml_values)
def test_kb_validate_never_crashes_on_mutated_data(fuzz_copy, name, op, pick, junk, doc):
    path = fuzz_copy / name
    original = path.read_bytes()
    path.write_bytes(_mutate(original, op, pick, junk, doc))
    try:
        proc = subprocess.run([sys.executable, "-m", "kb", "validate", "--data", "data", "--today", "2026-02-03"],
                              cwd=fuzz_copy.parent, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        path.write_bytes(original)
    assert proc.returncode in (0, 1), (op, name, proc.returncode, proc.stderr[-2000:])
    if proc.returncode == 1:
        lines = proc.stderr.rstrip("\n").split("\n")
        assert re.fullmatch(r"\d+ errors? found; nothing was built\.", lines[-1]), proc.stderr[-2000:]
        assert lines[:-1] and all(LOCATED.match(ln) for ln in lines[:-1]), proc.stderr[-2000:]
