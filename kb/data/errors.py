"""Errors that name a place and say what to do.

Every problem found in the data becomes a ``Problem`` with ``file:line:column``;
loading and validation collect them all and report them together.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class DataErrors(Exception):
    """One or more problems in the data; ``str()`` lists them all, sorted."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.problems)
        lines = [str(p) for p in self.problems]
        lines.append(f"{n} error{'s' if n != 1 else ''} found; nothing was built.")
        return "\n".join(lines)

