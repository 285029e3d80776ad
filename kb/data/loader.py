"""Strict YAML loading with libyaml, keeping every value's position.

YAML 1.1 as PyYAML implements it turns ``NO`` into ``False``, ``1:30`` into 90,
``0777`` into 511 and ``2001-02-27`` into a date object, keeps the last of two
duplicate keys and expands aliases.  A curated knowledge base needs none of
that.  Here:

* only ``true`` and ``false`` are booleans; only plain decimal integers are
  integers; ``null``, ``~`` and an empty value are null; everything else is a
  string (dates stay strings: the schema validates them);
* duplicate keys, anchors and aliases are errors;
* a byte-order mark, bytes that are not UTF-8, tabs, an empty file and nesting
  deeper than ``MAX_DEPTH`` are errors;
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
                return value
            if tag == "tag:yaml.org,2002:bool":
                return value == "true"
            if tag == "tag:yaml.org,2002:int":
                return int(value)
            if tag == "tag:yaml.org,2002:null":
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


def _check_anchors(path: str, text: str) -> None:
    """Unused anchors leave no trace in the node graph; find them in the event stream.

    Only run when the text could contain one, so ordinary files pay nothing.
    """
    i = text.find("&")
    while i != -1 and not (i == 0 or text[i - 1] in " \t\n[{,:-"):
        i = text.find("&", i + 1)  # '&' inside a word or URL cannot start an anchor
    if i == -1:
        return
    loader = _StrictCLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if getattr(event, "anchor", None):
                m = event.start_mark
                raise LoadError(Problem(path, m.line + 1, m.column + 1,
                                        "anchors and aliases (&name, *name) are not allowed: write the value out in full"))
    finally:
        loader.dispose()


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
    _check_anchors(path, text)
    builder = _Builder(path)
    data = builder.build(node, (), 0)
    if not isinstance(data, dict):
        raise LoadError(Problem(path, 1, 1, "the file must hold a YAML mapping (key: value) at the top level"))
    return Loaded(path, data, builder.positions)


def load_file(path: Path, display: str | None = None) -> Loaded:
    return load_text(display or str(path), path.read_bytes())
