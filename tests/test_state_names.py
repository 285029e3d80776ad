"""States named in Korean (CLDR's names, by Babel, and curated aliases) and by `ROK`: the build's
state_names, and every door that takes a state's name (CLI, kb.query, the site's parameters, pages, search)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import unicodedata
from pathlib import Path

import babel
import pytest
from babel.core import get_cldr_version

import kb.query as q
from kb.data.errors import DataErrors
from kb.data.schema import name_key as data_name_key
from kb.data.validate import validate
from kb.query.base import name_key
from kb.web.app import make_datasette

from .conftest import TODAY

CLDR = f"CLDR {get_cldr_version()} (Babel {babel.__version__})"
NAMES = {"북한": "PRK", "조선": "PRK", "조선민주주의인민공화국": "PRK", "남한": "KOR", "한국": "KOR", "대한민국": "KOR",
         "ROK": "KOR", "rok": "KOR", "코트디부아르": "CIV", "CÔTE D'IVOIRE": "CIV", "  north   KOREA ": "PRK",
         unicodedata.normalize("NFD", "북한"): "PRK", unicodedata.normalize("NFD", "대한민국"): "KOR"}


@pytest.fixture(scope="module")
def conn(built_db):
    c = q.connect(built_db)
    yield c
    c.close()


def test_babel_is_the_pinned_one():
    assert babel.__version__ == "2.18.0"


def test_the_build_writes_cldr_names_with_their_source(conn):
    rows = conn.execute("SELECT name, kind, lang, source FROM state_names WHERE state_id = 'PRK' AND lang = 'ko' "
                        "ORDER BY rowid").fetchall()
    assert rows == [("북한", "cldr_name", "ko", CLDR),
                    ("조선민주주의인민공화국", "alias", "ko", "data/states.yaml aliases_by_language: curated"),
                    ("조선", "alias", "ko", "data/states.yaml aliases_by_language: curated")]
    kor = conn.execute("SELECT name, kind FROM state_names WHERE state_id = 'KOR' AND lang = 'ko' ORDER BY rowid").fetchall()
    assert kor == [("대한민국", "cldr_name"), ("한국", "alias"), ("남한", "alias")]
    # every state has its Korean name from CLDR; the English names are the depositary's, unchanged
    n_states = conn.execute("SELECT count(*) FROM states").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM state_names WHERE kind = 'cldr_name' AND lang = 'ko'").fetchone()[0] == n_states
    assert conn.execute("SELECT name FROM state_names WHERE state_id = 'FRA' AND lang = 'ko'").fetchall() == [("프랑스",)]
    assert conn.execute("SELECT count(*) FROM state_names WHERE lang = 'en' AND kind = 'name'").fetchone()[0] == n_states
    assert conn.execute("SELECT value FROM build_info WHERE key = 'state_names_source'").fetchone() == (CLDR,)
    assert conn.execute("SELECT count(*) FROM state_names WHERE name_key IS NULL OR name_key = ''").fetchone() == (0,)


def test_name_key_is_one_function_in_both_rooms():
    for s in [*NAMES, "Türkiye", "STRASSE Straße", "Ǆ", "Côte d'Ivoire"]:
        assert name_key(s) == data_name_key(s)
    assert name_key(unicodedata.normalize("NFD", "북한")) == "북한"
    assert name_key("  North\tKOREA ") == "north korea"


@pytest.mark.parametrize("name,state", sorted(NAMES.items()))
def test_kb_query_resolves(conn, name, state):
    assert q.resolve_state(conn, name) == state


def test_kb_query_status_in_korean(conn):
    rows = q.status(conn, states=["북한", "대한민국"], instruments=["CRPD"], as_of="2026-02-03")
    assert sorted((r["state"], r["state_name"], r["status"]) for r in rows) == [
        ("KOR", "Republic of Korea", "party"), ("PRK", "Democratic People's Republic of Korea", "party")]


def test_unknown_names_still_refused(conn):
    with pytest.raises(q.QueryError) as exc:
        q.resolve_state(conn, "Narnia")
    assert exc.value.param == "state"
    assert str(exc.value).startswith("unknown state 'Narnia'")
    with pytest.raises(q.QueryError) as exc:
        q.resolve_state(conn, "북조선")
    assert str(exc.value) == "unknown state '북조선'; did you mean '조선'?"


@pytest.mark.parametrize("name", ["북한", "조선민주주의인민공화국", "대한민국", "ROK"])
def test_cli_status(cli, built_db, name):
    r = cli("status", name, "--instrument", "CAT", "--db", str(built_db), "--format", "json")
    assert r.exit_code == 0, r.output
    assert [row["state"] for row in json.loads(r.output)] == [NAMES[name]]


def get_all(db: Path, *paths: str):
    async def run():
        ds = make_datasette(db)
        return [await ds.client.get(p) for p in paths]
    return asyncio.run(run())


def test_site_resolves_korean_names(built_db):
    lookup, stored, page_data, compare, search, refused = get_all(
        built_db, "/country?state=%EB%B6%81%ED%95%9C", "/kb/status_on.json?states=%EB%8C%80%ED%95%9C%EB%AF%BC%EA%B5%AD,ROK&instruments=CAT&_shape=array",
        "/country/%EC%A1%B0%EC%84%A0.json", "/ko/compare?states=%EB%B6%81%ED%95%9C,%EB%8C%80%ED%95%9C%EB%AF%BC%EA%B5%AD",
        "/ko/search?q=%EC%A1%B0%EC%84%A0", "/kb/status_on.json?states=%EB%B6%81%EC%A1%B0%EC%84%A0")
    assert lookup.status_code == 302 and lookup.headers["location"] == "/country/PRK"
    assert [r["state"] for r in stored.json()] == ["KOR"]
    assert page_data.status_code == 200 and {r["state"] for r in page_data.json()} == {"PRK"}
    assert compare.status_code == 200 and 'href="/ko/country/PRK"' in compare.text and 'href="/ko/country/KOR"' in compare.text
    assert ('<a href="/ko/country/PRK">북한 <span class="depositary-name" lang="en">(Democratic People&#39;s Republic '
            'of Korea)</span></a>') in search.text
    assert refused.status_code == 400
    assert refused.json() == {"ok": False, "param": "states", "error": (
        "states: no state is known by '북조선'; send an ISO 3166-1 alpha-3 code (for example PRK), the depositary's "
        "name or an alias (for example North Korea)")}


def test_country_page_heading_in_korean_with_the_depositary_name(built_db):
    en, ko = get_all(built_db, "/country/PRK", "/ko/country/PRK")
    assert "<h1>Democratic People&#39;s Republic of Korea</h1>" in en.text
    assert '<h1>북한 <span class="depositary-name" lang="en">(Democratic People&#39;s Republic of Korea)</span></h1>' in ko.text
    assert "조선민주주의인민공화국" in ko.text and "조선민주주의인민공화국" not in en.text


def test_korean_alias_clash_is_refused(data_copy):
    path = data_copy / "states.yaml"
    text = path.read_text(encoding="utf-8")
    assert '        - "남한"\n' in text
    path.write_text(text.replace('        - "남한"\n', '        - "남한"\n        - "북한"\n', 1), encoding="utf-8")
    with pytest.raises(DataErrors) as exc:
        validate(data_copy, today=TODAY)
    msgs = [str(p) for p in exc.value.problems]
    # KOR now names 북한 first in the file: PRK's own 북한 is the one refused, at its line
    line = path.read_text(encoding="utf-8").splitlines().index('        - "북한"', 4000) + 1
    assert msgs == [f"data/states.yaml:{line}:11: name '북한' is already used by KOR: names and aliases must be unique"]


def test_bad_language_tag_is_refused(data_copy):
    path = data_copy / "states.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    aliases_by_language:\n      ko:\n", "    aliases_by_language:\n      Korean:\n", 1),
                    encoding="utf-8")
    with pytest.raises(DataErrors) as exc:
        validate(data_copy, today=TODAY)
    msgs = [str(p) for p in exc.value.problems]
    assert len(msgs) == 1 and "'Korean' is not a language tag: two or three small letters, e.g. ko" in msgs[0], msgs
