"""Dates as the read side takes them: a full calendar date, YYYY-MM-DD."""

from __future__ import annotations

import calendar
import re

_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def check_day(value: str) -> str:
    """value if it names a real calendar day written YYYY-MM-DD, else ValueError saying why.

    The messages are those of the data's own date rule (kb.data.schema.check_date), which
    also accepts partial dates in the YAML; a question is always asked of a whole day."""
    m = _DAY_RE.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD")
    year, month, day = m.groups()
    y, mo, d = int(year), int(month), int(day)
    if y < 1800:
        raise ValueError(f"{value!r}: year {y} is before 1800; check the date")
    if not 1 <= mo <= 12:
        raise ValueError(f"{value!r} is not a date: month {mo} does not exist")
    last = calendar.monthrange(y, mo)[1]
    if not 1 <= d <= last:
        raise ValueError(f"{value!r} is not a date: {year}-{month} has {last} days")
    return value
