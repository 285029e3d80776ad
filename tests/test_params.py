"""Parameters checked at every door (kb/web/params.py): every stored query and every page's JSON and CSV
refuses a missing, empty or malformed parameter with HTTP 400 naming it, resolves state names and
aliases as the command line does, and fills the documented defaults."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from kb.web.app import make_datasette
from kb.web.metadata import canned_queries
from kb.web.params import PARAMS

DATE_ERROR = "{} must be a date written YYYY-MM-DD (for example 2026-02-03)"
STATE_REQUIRED = ("state is required: send an ISO 3166-1 alpha-3 code (for example PRK), the depositary's name "
                  "or an alias")
INSTRUMENT_REQUIRED = "instrument is required: send an instrument id listed at /instrument (for example CAT)"
#: A valid value of each parameter, to send beside the one under test.
GOOD = {"as_of": "2016-01-01", "since": "2014-01-01", "until": "2020-12-31", "state": "PRK", "states": "PRK",
        "instrument": "CAT", "instruments": "CAT", "from": "2015", "to": "2016", "article": "20"}
ARTICLE_ERROR = ("article must be an article as a reservation cites it: the article, then each paragraph or "
                 "sub-paragraph in brackets (for example 16, 29(1) or 2(f))")


def get_all(db: Path, paths: list[str]):
    async def run():
        ds = make_datasette(db)
        return [await ds.client.get(p) for p in paths]
    return asyncio.run(run())


def url(query: str, fmt: str, **params: str) -> str:
    from urllib.parse import urlencode
    return f"/kb/{query}.{fmt}" + ("?" + urlencode(params) if params else "")


def test_every_stored_query_parameter_is_checked():
    for name, q in canned_queries().items():
        named = set(re.findall(r"(?<![:\w]):([a-z_]+)\b", q["sql"]))
        assert name in PARAMS, name
        assert named == set(PARAMS[name]), name


def _cases() -> list[tuple[str, str, dict, int, str | None, str | None]]:
    """(query, format, params, expected status, expected param, expected error) for each stored query's
    missing, empty and malformed parameters."""
    cases = []
    for name, spec in PARAMS.items():
        for fmt in ("json", "csv"):
            for param, p in spec.items():
                others = {k: GOOD[k] for k in spec if k != param}
                bad = {"date": "garbage", "year": "20x6", "state": "Narnia", "states": "PRK,Narnia",
                       "instrument": "NOPE", "instruments": "CAT,NOPE", "article": "article 29"}[p.kind]
                if p.kind == "date":
                    error = DATE_ERROR.format(param)
                elif p.kind == "year":
                    error = f"{param} must be a year written YYYY (for example 2016)"
                elif p.kind == "article":
                    error = ARTICLE_ERROR
                elif p.kind in ("state", "states"):
                    error = (f"{param}: no state is known by 'Narnia'; send an ISO 3166-1 alpha-3 code (for example PRK), "
                             "the depositary's name or an alias (for example North Korea)")
                else:
                    error = f"{param}: no instrument has the id 'NOPE'; send an id listed at /instrument (for example CAT)"
                cases.append((name, fmt, {**others, param: bad}, 400, param, error))
                if p.required:
                    required = {"date": DATE_ERROR.format(param).replace(" must be ", " is required: send "),
                                "year": f"{param} is required: send a year written YYYY (for example 2016)",
                                "state": STATE_REQUIRED, "instrument": INSTRUMENT_REQUIRED}[p.kind]
                    required = required.replace("is required: send a date written", "is required: send a date written")
                    cases.append((name, fmt, others, 400, param, required))
                    cases.append((name, fmt, {**others, param: ""}, 400, param, required))
                else:
                    cases.append((name, fmt, others, 200, None, None))
                    cases.append((name, fmt, {**others, param: ""}, 200, None, None))
    return cases


def test_each_stored_query_refuses_missing_empty_and_malformed(built_db):
    cases = _cases()
    responses = get_all(built_db, [url(name, fmt, **params) for name, fmt, params, *_ in cases])
    for (name, fmt, params, status, param, error), r in zip(cases, responses):
        where = f"{name}.{fmt} {params}"
        assert r.status_code == status, (where, r.text[:300])
        if status == 400:
            assert r.headers["content-type"].startswith("application/json"), where
            assert r.json() == {"ok": False, "error": error, "param": param}, where


def test_date_of_a_required_date_names_what_to_send(built_db):
    (r,) = get_all(built_db, ["/kb/changes.json?state=PRK"])
    assert r.status_code == 400
    assert r.json() == {"ok": False, "param": "since",
                        "error": "since is required: send a date written YYYY-MM-DD (for example 2026-02-03)"}


def test_names_resolved_and_defaults_filled(built_db):
    rs = get_all(built_db, ["/kb/status_on.json?states=North%20Korea&instruments=cat&_shape=array",
                            "/kb/status_on.json?states=&instruments=CAT&_shape=array",
                            "/kb/obligations_on.json?state=dprk&_shape=array",
                            "/kb/panel.json?states=South%20Korea&instruments=CRPD&from=2008&to=2009&_shape=array"])
    rows = rs[0].json()
    assert [(x["state"], x["instrument"], x["as_of"]) for x in rows] == [("PRK", "CAT", "2026-02-03")]
    assert len(rs[1].json()) == 198  # states empty: every state, on the data's date
    assert {x["state"] for x in rs[2].json()} == {"PRK"}
    assert [(x["state"], x["year"], x["status"]) for x in rs[3].json()] == [("KOR", 2008, "party"), ("KOR", 2009, "party")]


def test_panel_years_in_order_and_bounded(built_db):
    rs = get_all(built_db, ["/kb/panel.json?from=2010&to=2000", "/kb/panel.csv?from=1800&to=2100"])
    assert rs[0].status_code == 400 and rs[0].json() == {"ok": False, "param": "to",
                                                         "error": "to must be the same year as from or later"}
    assert rs[1].json() == {"ok": False, "param": "to",
                            "error": "a panel spans at most 200 years: send a later from or an earlier to"}


def test_stored_query_html_form_and_html_errors(built_db):
    form, bad, good = get_all(built_db, ["/kb/obligations_on", "/kb/obligations_on?state=Narnia",
                                         "/kb/obligations_on?state=North+Korea&as_of=2010-01-01"])
    assert form.status_code == 200 and "<form" in form.text
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")
    assert ('<p class="error" role="alert" data-param="state">State: no state is known by &#39;Narnia&#39;; send an ISO 3166-1 '
            "alpha-3 code (for example PRK), the depositary&#39;s name or an alias (for example North Korea).</p>") in bad.text
    assert "<title>Bad request · Treaty ratification knowledge base</title>" in bad.text  # the site's error page
    assert bad.headers["cache-control"] == "no-store"
    assert good.status_code == 200 and "PRK" in good.text


def test_page_json_and_csv(built_db):
    rs = get_all(built_db, ["/country/PRK.json?as_of=garbage", "/instrument/CAT.csv?as_of=2016-02-30",
                            "/country/XXX.json", "/instrument/NOPE.csv", "/country/prk.json?as_of=2016-01-01",
                            "/instrument/cat.csv", "/country/North%20Korea.json", "/country/PRK.json?as_of="])
    assert rs[0].status_code == 400 and rs[0].json() == {"ok": False, "param": "as_of", "error": DATE_ERROR.format("as_of")}
    assert rs[1].status_code == 400 and rs[1].json() == {"ok": False, "param": "as_of", "error": DATE_ERROR.format("as_of")}
    assert rs[2].status_code == 404 and rs[2].json() == {
        "ok": False, "param": "id", "error": "no state is known by 'XXX'; send an ISO 3166-1 alpha-3 code (for example "
                                            "PRK), the depositary's name or an alias (for example North Korea)"}
    assert rs[3].status_code == 404 and rs[3].json() == {
        "ok": False, "param": "id", "error": "no instrument has the id 'NOPE'; send an id listed at /instrument (for example CAT)"}
    assert rs[4].status_code == 200 and {x["state"] for x in rs[4].json()} == {"PRK"}
    assert rs[4].json()[0]["as_of"] == "2016-01-01"
    assert rs[5].status_code == 200 and rs[5].text.startswith("state,state_name,instrument")
    assert rs[6].status_code == 200 and {x["state"] for x in rs[6].json()} == {"PRK"}
    assert rs[7].status_code == 200 and rs[7].json()[0]["as_of"] == "2026-02-03"  # empty: the data's date


@pytest.mark.parametrize("path", ["/country/PRK?as_of=garbage", "/instrument/CAT?as_of=2016-13-01",
                                  "/compare?as_of=x"])
def test_html_pages_keep_html_errors(built_db, path):
    (r,) = get_all(built_db, [path])
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "The date to show status on (as of) must be written YYYY-MM-DD (for example 2026-02-03)." in r.text


def test_reservations_article_normalised_and_checked(built_db):
    ok, bad = get_all(built_db, ["/kb/reservations.json?instrument=cedaw&article=29%20(1)&states=China&_shape=array",
                                 "/kb/reservations.json?article=29(1),30"])
    rows = ok.json()
    assert [(x["state"], x["instrument"], x["article"], x["kind"], x["in_force"], x["as_of"]) for x in rows] == [
        ("CHN", "CEDAW", "29(1)", "declaration", 1, "2026-02-03")]
    assert bad.status_code == 400 and bad.json() == {"ok": False, "param": "article", "error": ARTICLE_ERROR}
