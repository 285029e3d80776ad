"""Strict YAML loading: each error class with its exact message and position."""

from __future__ import annotations

import pytest

from kb.data.loader import LoadError, load_text


def problem(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    with pytest.raises(LoadError) as exc:
        load_text("f.yaml", raw)
    return str(exc.value)


def test_only_true_false_are_booleans_and_dates_stay_strings():
    data = load_text("f.yaml", b"a: NO\nb: on\nc: yes\nd: true\ne: false\nf: 2001-02-27\ng: 1:30\nh: 0777\ni: 12\nj: ~\nk:\nl: 1e3\nm: True\n").data
    assert data == {"a": "NO", "b": "on", "c": "yes", "d": True, "e": False, "f": "2001-02-27",
                    "g": "1:30", "h": "0777", "i": 12, "j": None, "k": None, "l": "1e3", "m": "True"}


def test_positions_are_kept():
    loaded = load_text("f.yaml", b"top:\n  - a: 1\n    b: x\n")
    assert loaded.where(("top", 0, "b")) == (3, 8)
    assert loaded.where(("top", 0, "missing")) == (2, 5)


def test_duplicate_key():
    assert problem("a: 1\nb: 2\na: 3\n") == "f.yaml:3:1: duplicate key 'a' (first at line 1, column 1): keep one"


def test_alias():
    assert problem("a: &x [1]\nb: *x\n") == \
        "f.yaml:1:4: anchors and aliases (&name, *name) are not allowed: write the value out in full"


def test_unused_anchor():
    assert problem("a: &x 1\n") == \
        "f.yaml:1:4: anchors and aliases (&name, *name) are not allowed: write the value out in full"


def test_alias_bomb_fails_fast():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]" for i in range(1, 12)]
    assert problem("\n".join(lines) + "\n").startswith("f.yaml:1:5: anchors and aliases")


def test_merge_key():
    assert problem("a: 1\n<<: {b: 2}\n") == "f.yaml:2:1: keys must be plain names (no merge keys `<<`, no complex keys)"


def test_tab():
    assert problem("a:\n\tb: 1\n") == "f.yaml:2:1: tab character: YAML indentation must use spaces"


def test_bom():
    assert problem(b"\xef\xbb\xbfa: 1\n") == "f.yaml:1:1: the file starts with a byte-order mark: save it as UTF-8 without BOM"


def test_not_utf8():
    assert problem(b"a: 1\nb: caf\xe9\n") == "f.yaml:2:7: byte 0xe9 is not valid UTF-8: save the file as UTF-8"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty(text):
    assert problem(text) == "f.yaml:1:1: the file is empty: it must hold a YAML mapping"


def test_top_level_must_be_mapping():
    assert problem("- a\n- b\n") == "f.yaml:1:1: the file must hold a YAML mapping (key: value) at the top level"


def test_deep_nesting():
    assert problem("a: " + "[" * 5000 + "]" * 5000 + "\n") == \
        "f.yaml:1:36: nesting is deeper than 32 levels: flatten the structure"


def test_syntax_error():
    assert problem("a: [1, 2\nb: 3\n") == \
        "f.yaml:2:2: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence): fix the syntax at this place"


def test_explicit_tag():
    assert problem("a: !!python/object:os.system x\n") == "f.yaml:1:4: tag tag:yaml.org,2002:python/object:os.system is not allowed: remove it"
