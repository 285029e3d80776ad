"""The table cells of kb/web/pages/cells.py give the bytes of the Jinja macros they replaced
(tests/data/cells_macros.html, kept as they were) on every row of the real data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from jinja2 import Environment
from markupsafe import Markup

from kb.query import citation as C
from kb.query import sql as query_sql
from kb.web.pages import cells
from kb.web.pages.common import ACTION_COLUMNS, ACTION_JOINS, common_source

MACROS = Path(__file__).parent / "data" / "cells_macros.html"


@pytest.fixture(scope="module")
def macros():
    env = Environment(autoescape=True)
    env.filters["date"] = C.format_date
    env.filters["excerpt"] = cells.excerpt
    return env.from_string(MACROS.read_text()).module


@pytest.fixture(scope="module")
def conn(built_db):
    c = sqlite3.connect(f"file:{built_db}?mode=ro", uri=True)
    c.row_factory = sqlite3.Row
    yield c
    c.close()


def _rows(conn, sql, params=()):
    return [dict(r) for r in conn.execute(sql, params)]


def test_status_cells_equal_the_macros(macros, conn):
    compared = 0
    for as_of in ("1995-06-30", "2026-02-03"):
        rows = _rows(conn, query_sql("status_on"), {"as_of": as_of, "states": "", "instruments": ""})
        by_instrument: dict[str, list] = {}
        for r in rows:
            by_instrument.setdefault(r["instrument"], []).append(r)
        for group in by_instrument.values():
            common = common_source(group)
            assert cells.table_source(common) == macros.table_source(common)
            for r in group:
                for plain in (False, True):
                    assert cells.in_force(r, as_of, plain=plain) == macros.in_force(r, as_of, plain=plain), r
                assert cells.row_source(r, common) == macros.row_source(r, common), r
                assert cells.source(r) == macros.source(r), r
                compared += 1
    assert compared > 10_000


def test_action_cells_equal_the_macros(macros, conn):
    rows = _rows(conn, f"SELECT {ACTION_COLUMNS} FROM actions a {ACTION_JOINS} ORDER BY a.id")
    common = common_source(rows)
    long_texts = 0
    for a in rows:
        for record in (None, f"/kb/actions/{a['id']}"):
            assert cells.action_text(a, record) == macros.action_text(a, record), a["key"]
        assert cells.row_source(a, common) == macros.row_source(a, common), a["key"]
        assert cells.row_source(a, None) == macros.row_source(a, None), a["key"]
        long_texts += len(a["text"] or "") > cells.EXCERPT_SIZE
    assert len(rows) > 5_000 and long_texts > 100


def test_source_rows_equal_the_macros(macros, conn):
    for s in _rows(conn, "SELECT * FROM sources ORDER BY id"):
        assert cells.source(s, "") == macros.source(s, ""), s


@pytest.mark.parametrize("row", [
    {},
    {"source_url": "https://example.org/?a=1&b=<2>", "source_title": None, "source_symbol": 'C.N."1"',
     "source_footnote": 3, "source_as_at": "2026-02"},
    {"source_url": "u", "source_title": "<b>t</b>", "source_as_at": "2026-02-03", "source_footnote": "4 & 5"},
    {"status": "party", "in_force_date": None, "in_force_note": None},
    {"status": "party", "in_force_date": "2030-01-01", "in_force": 0, "in_force_article": "27(2)",
     "in_force_note": 'the "30th" day <after>'},
    {"status": "party", "in_force_date": "2000-01-01", "in_force": 1, "in_force_article": None, "in_force_note": "x"},
    {"status": "signatory", "in_force_date": "2000-01-01"},
    {"text": "<script>" + "word " * 60, "summary": "s & t", "footnote_text": "f" * 300, "unverified": "<u>"},
    {"summary": "only a summary"},
    {"footnote_text": "only a footnote"},
])
def test_unusual_rows_equal_the_macros(macros, row):
    common = {"url": "u", "as_at": "2026-02-03", "title": "T"}
    for record in (None, "/kb/actions/1?x=<y>"):
        assert cells.action_text(row, record) == macros.action_text(row, record)
    assert cells.source(row) == macros.source(row)
    for c in (None, common):
        assert cells.row_source(row, c) == macros.row_source(row, c)
    for plain in (False, True):
        assert cells.in_force(row, "2026-02-03", plain=plain) == macros.in_force(row, "2026-02-03", plain=plain)
    assert isinstance(cells.source(row), Markup)
    assert "<script>" not in cells.action_text(row, None)
