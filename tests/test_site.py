"""The Datasette site: every table, view and stored query answers; no off-site redirects."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from kb.web.app import make_datasette


@pytest.fixture(scope="module")
def ds(built_db):
    return make_datasette(built_db)


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def relations(db):
    conn = sqlite3.connect(db)
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE '%_fts%' ORDER BY name")]


def test_every_table_and_view_answers(ds, built_db):
    names = relations(built_db)
    assert {"actions", "states", "instruments", "status_intervals", "latest_status", "reconciliation"} <= set(names)
    from kb.web.params import PARAMS

    for name in names:
        # A stored query of the same name answers at /kb/<name> (asks, engagement): with a required parameter
        # missing its JSON and CSV are refused (tests/test_params.py); its form is still shown.
        required = any(p.required for p in PARAMS.get(name, {}).values())
        for suffix in ("", ".json", ".csv"):
            r = get(ds, f"/kb/{name}{suffix}")
            assert r.status_code == (400 if required and suffix else 200), (name, suffix, r.status_code)


@pytest.mark.parametrize("path", ["/", "/kb", "/-/metadata", "/kb.db", "/-/versions"])
def test_pages(ds, path):
    assert get(ds, path).status_code == 200


def test_stored_queries_with_empty_and_sample_parameters(ds):
    samples = {
        "status_on": "as_of=2016-01-01&states=PRK&instruments=CRPD",
        "obligations_on": "as_of=2010-01-01&state=PRK",
        "changes": "state=PRK&since=2010-01-01&until=2020-12-31",
    }
    for name, params in samples.items():
        assert get(ds, f"/kb/{name}").status_code == 200
        r = get(ds, f"/kb/{name}.json?{params}&_shape=array")
        assert r.status_code == 200, name
        assert r.json(), name
    rows = get(ds, "/kb/status_on.json?as_of=2016-01-01&states=PRK&instruments=CRPD&_shape=array").json()
    assert [(x["state"], x["instrument"], x["status"]) for x in rows] == [("PRK", "CRPD", "signatory")]


def test_metadata_describes_columns(ds):
    meta = get(ds, "/-/metadata.json").json()
    kb = meta["databases"]["kb"]
    assert kb["tables"]["actions"]["columns"]["date"].startswith("Date of the action")
    assert meta["license"] and meta["source"]


@pytest.mark.parametrize("path", ["/\\evil.example/", "//evil.example/", "/%5Cevil.example/", "/%2F%2Fevil.example/",
                                  "/%5C%5Cevil.example/", "/kb/..%2F%2Fevil.example"])
def test_no_offsite_redirects(ds, path):
    r = get(ds, path)
    loc = r.headers.get("location", "")
    assert not loc.replace("\\", "/").startswith("//") and "evil.example" not in loc
    assert r.status_code in (404, 200) or (300 <= r.status_code < 400 and loc.startswith("/") and not loc.startswith("//"))


def test_security_headers(ds):
    r = get(ds, "/kb/actions")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]
