"""Strict YAML loading with libyaml, keeping every value's position.

YAML 1.1 as PyYAML implements it turns ``NO`` into ``False``, ``1:30`` into 90,
``0777`` into 511 and ``2001-02-27`` into a date object, keeps the last of two
duplicate keys and expands aliases.  A curated knowledge base needs none of
that.  Here:

* only ``true`` and ``false`` are booleans; only plain decimal integers are
  integers; ``null``, ``~`` and an empty value are null; everything else is a
  string (dates stay strings: the schema validates them);
* duplicate keys, anchors, aliases and explicit tags (``!!int``, ``!!null``,
  ``!foo``) are errors;
* a byte-order mark, bytes that are not UTF-8, tabs, an empty file and nesting
  deeper than ``MAX_DEPTH`` are errors; nesting is measured on libyaml's event
  stream (which does not recurse) before the tree is composed, because
  libyaml's composer recurses in C and a file of 100,000 ``[`` would crash it;
* integers have at most 19 digits and fit in 64 bits (SQLite's integers);
* control characters in a value are errors (``CONTROL_CHARS``): C0 other than
  tab and line feed, DEL, C1, and the bidirectional embeddings, overrides and
  isolates that can make a text read differently from what it holds;
* every error names ``file:line:column`` and what to do.

Parsing is libyaml's (``CParser``): there is no pure-Python fallback, because
the pure-Python parser is several times slower on the full data set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
import yaml.reader
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

try:
    from yaml.cyaml import CParser
except ImportError as exc:  # pragma: no cover - exercised only on a broken install
    raise ImportError(
        "PyYAML was installed without libyaml (yaml.cyaml.CParser is missing). "
        "Reinstall it from a wheel: python3 -m pip install --force-reinstall PyYAML"
    ) from exc

from .errors import Problem

MAX_DEPTH = 32

#: The largest integer a value may hold: SQLite stores integers in 64 bits.
MAX_INT = 2**63 - 1

#: Characters no value may hold: C0 controls other than tab and line feed (a line break in a
#: block scalar is text; libyaml turns CR and CRLF into line feeds), DEL, C1 controls (NEL
#: included), and the bidirectional embedding, override and isolate controls (U+202A-U+202E,
#: U+2066-U+2069). The left-to-right and right-to-left marks (U+200E, U+200F) stay allowed:
#: texts in mixed scripts use them.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_CONTROL_NAMES = {0x09: "tab", 0x0A: "line feed", 0x0D: "carriage return", 0x1B: "escape", 0x00: "null",
                  0x7F: "delete", 0x85: "next line", 0x202E: "right-to-left override",
                  0x202D: "left-to-right override", 0x202A: "left-to-right embedding",
                  0x202B: "right-to-left embedding", 0x202C: "pop directional formatting",
                  0x2066: "left-to-right isolate", 0x2067: "right-to-left isolate",
                  0x2068: "first strong isolate", 0x2069: "pop directional isolate"}

#: The same, as written in a file, where a carriage return ends a line (libyaml reads CRLF).
_RAW_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def control_char_message(ch: str) -> str:
    """What to say of a control character found in a value."""
    code = ord(ch)
    name = _CONTROL_NAMES.get(code, "a control character")
    return f"character U+{code:04X} ({name}) is not allowed in the data: remove it"

Path_ = tuple[Any, ...]


class StrictResolver(BaseResolver):
    """Implicit tags for plain scalars: the YAML 1.2 core subset we allow."""


StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))
StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:0|-?[1-9][0-9]*)$"), list("-0123456789"))
StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|)$"), ["~", "n", ""])


_INT = re.compile(r"^(?:0|-?[1-9][0-9]*)$")
_STR, _BOOL, _INT_TAG, _NULL = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:bool",
                                "tag:yaml.org,2002:int", "tag:yaml.org,2002:null")


class _StrictCLoader(CParser, StrictResolver):
    """libyaml parser + composer with the strict resolver; construction is ours."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        StrictResolver.__init__(self)

    def resolve(self, kind, value, implicit):  # noqa: ANN001
        """The same answers as StrictResolver's table, without its generic machinery:
        libyaml calls this once per node, so it is on the hot path."""
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR
            if value == "true" or value == "false":
                return _BOOL
            if value == "" or value == "null" or value == "~":
                return _NULL
            if _INT.match(value):
                return _INT_TAG
            return _STR
        return super().resolve(kind, value, implicit)


@dataclass
class Loaded:
    """A loaded file: the plain data and the position of every key and value."""

    path: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Path_) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``loc``, or of its nearest parent."""
        loc = tuple(loc)
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (1, 1))


class LoadError(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, path: str):
        self.path = path
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.seen: set[int] = set()

    def fail(self, where: tuple[int, int], message: str) -> None:
        raise LoadError(Problem(self.path, where[0], where[1], message))

    def build(self, node: Node, loc: Path_, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self.fail(_mark(node), f"nesting is deeper than {MAX_DEPTH} levels: flatten the structure")
        if id(node) in self.seen:
            self.fail(_mark(node), "anchors and aliases (&name, *name) are not allowed: write the value out in full")
        self.seen.add(id(node))
        self.positions[loc] = _mark(node)
        if isinstance(node, ScalarNode):
            tag = node.tag
            value = node.value
            if tag == "tag:yaml.org,2002:str":
                if node.style == '"':  # only escapes (\\e, \\x1b) put control characters in a value
                    bad = CONTROL_CHARS.search(value)
                    if bad:
                        self.fail(_mark(node), control_char_message(bad.group()))
                return value
            # Explicit tags are refused before composing (_scan_events); these checks keep a
            # tagged value that slipped past from ever meaning something else.
            if tag == "tag:yaml.org,2002:bool" and value in ("true", "false"):
                return value == "true"
            if tag == "tag:yaml.org,2002:int" and _INT.match(value):
                if len(value.lstrip("-")) > 19 or abs(int(value)) > MAX_INT:
                    self.fail(_mark(node), f"the number {value[:20]}{'...' if len(value) > 20 else ''} is too large: "
                              f"whole numbers go up to {MAX_INT}; put the value in quotes if it is text")
                return int(value)
            if tag == "tag:yaml.org,2002:null" and value in ("", "null", "~"):
                return None
            self.fail(_mark(node), f"tag {tag} is not allowed: remove it")
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self.fail(_mark(node), f"tag {node.tag} is not allowed: remove it")
            return [self.build(item, loc + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                self.fail(_mark(node), f"tag {node.tag} is not allowed: remove it")
            out: dict[str, Any] = {}
            first: dict[str, tuple[int, int]] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or (key_node.value == "<<" and not key_node.style):
                    self.fail(_mark(key_node), "keys must be plain names (no merge keys `<<`, no complex keys)")
                key = key_node.value
                if key in first:
                    line, col = first[key]
                    self.fail(_mark(key_node), f"duplicate key {key!r} (first at line {line}, column {col}): keep one")
                first[key] = _mark(key_node)
                out[key] = self.build(value_node, loc + (key,), depth + 1)
                self.positions.setdefault(loc + (key,), _mark(value_node))
            return out
        self.fail(_mark(node), "unsupported YAML node")  # pragma: no cover


#: Where a '&' (anchor) or '!' (tag) can start a token: at the start of the text or after one of these.
_TOKEN_PREVIOUS = frozenset(" \t\n\r[{,:?-")
#: Nesting needs at least one of these per level: '[' or '{', indentation, or a chain of '- ' and
#: '? ' on one line. A text within all three limits cannot nest deeper than about twice their sum,
#: far below the depth at which libyaml's composer runs out of stack (tens of thousands of
#: levels), so it need not be scanned.
_FLOW_OPENERS_SAFE = 1000
_INDENT = " " * 200
_COMPACT_HINTS = ("- -", "- ?", "? -", "? ?", "-  ", "?  ", "\t")
_COMPACT_CHAIN = re.compile(r"(?:[-?][ \t]+){50}")


_SCALAR_TAGS = frozenset(["!"] + [f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null", "float", "timestamp", "binary")])


def _may_tag_or_anchor(text: str) -> bool:
    for ch in ("&", "!"):  # '&' is common inside URLs, where it cannot start an anchor
        i = text.find(ch)
        while i != -1:
            if i == 0 or text[i - 1] in _TOKEN_PREVIOUS:
                return True
            i = text.find(ch, i + 1)
    return False


def _may_nest_deep(text: str) -> bool:
    """Whether the text could nest deeper than is safe to compose (cheap, conservative)."""
    if text.count("[") + text.count("{") > _FLOW_OPENERS_SAFE or text.startswith(_INDENT):
        return True
    if any(br + _INDENT in text for br in ("\n", "\r", "\u2028", "\u2029")):
        return True
    return any(h in text for h in _COMPACT_HINTS) and _COMPACT_CHAIN.search(text) is not None


def _scan_events(path: str, text: str) -> None:
    """Refuse anchors, explicit tags and nesting deeper than MAX_DEPTH from libyaml's event stream.

    Anchors, tags and depth leave no trace in the composed nodes (an unused anchor), cannot be told
    from them (an explicit ``!!str``), or crash the composer (depth); the parser that yields the
    events does not recurse. Run only when the text could hold one of them, so ordinary files pay
    nothing. A syntax error stops the scan: composing reports it with its place."""
    if not _may_tag_or_anchor(text) and not _may_nest_deep(text):
        return
    from yaml.events import CollectionStartEvent, CollectionEndEvent, NodeEvent

    loader = _StrictCLoader(text)
    level = -1
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, NodeEvent):
                m = event.start_mark
                if event.anchor:
                    raise LoadError(Problem(path, m.line + 1, m.column + 1,
                                            "anchors and aliases (&name, *name) are not allowed: write the value out in full"))
                tag = getattr(event, "tag", None)
                if tag is not None:
                    raise LoadError(Problem(path, m.line + 1, m.column + 1, f"tag {tag} is not allowed: remove it"
                                            + (" (put the value in quotes if it is text)" if tag in _SCALAR_TAGS else "")))
                if isinstance(event, CollectionStartEvent):
                    level += 1
                    if level > MAX_DEPTH:
                        raise LoadError(Problem(path, m.line + 1, m.column + 1,
                                                f"nesting is deeper than {MAX_DEPTH} levels: flatten the structure"))
            elif isinstance(event, CollectionEndEvent):
                level -= 1
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()


def _check_raw_controls(path: str, text: str) -> None:
    """Control characters written as themselves (libyaml refuses most; not NEL or the bidi controls)."""
    bad = None if text.isascii() else _RAW_CONTROL_CHARS.search(text)
    if bad:
        i = bad.start()
        before = text[:i]
        line = before.count("\n") + 1
        col = i - (before.rfind("\n") + 1) + 1
        raise LoadError(Problem(path, line, col, control_char_message(bad.group())))


def _decode(path: str, raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raise LoadError(Problem(path, 1, 1, "the file starts with a byte-order mark: save it as UTF-8 without BOM"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise LoadError(Problem(path, line, col,
                                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8: save the file as UTF-8")) from None


def _yaml_problem(path: str, exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    col = mark.column + 1 if mark else 1
    what = (exc.problem or "").strip()
    if "\t" in text:
        # Tabs are the commonest cause of scanner errors; say so plainly.
        lines = text.split("\n")
        if 0 < line <= len(lines) and "\t" in lines[line - 1]:
            col = lines[line - 1].index("\t") + 1
            return Problem(path, line, col, "tab character: YAML indentation must use spaces")
    ctx = f" ({exc.context.strip()})" if exc.context else ""
    return Problem(path, line, col, f"YAML syntax error: {what}{ctx}: fix the syntax at this place")


def load_text(path: str, raw: bytes) -> Loaded:
    """Load one YAML document from bytes; raise ``LoadError`` at the first problem."""
    text = _decode(path, raw)
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise LoadError(Problem(path, 1, 1, "the file is empty: it must hold a YAML mapping"))
    _check_raw_controls(path, text)
    _scan_events(path, text)
    loader = _StrictCLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise LoadError(_yaml_problem(path, exc, text)) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        raise LoadError(Problem(path, line, col, f"character U+{exc.character:04X} is not allowed in YAML: remove it")) from None
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml marks its other errors
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LoadError(Problem(path, 1, 1, f"YAML error: {first}: fix the file")) from None
    finally:
        loader.dispose()
    builder = _Builder(path)
    data = builder.build(node, (), 0)
    if not isinstance(data, dict):
        raise LoadError(Problem(path, 1, 1, "the file must hold a YAML mapping (key: value) at the top level"))
    return Loaded(path, data, builder.positions)


def load_file(path: Path, display: str | None = None) -> Loaded:
    return load_text(display or str(path), path.read_bytes())
