"""World maps of status (kb/web/pages/worldmap.py) and ILO pages that say what is not recorded."""

from __future__ import annotations

import html as html_lib
import json
import re
import sqlite3

import pycountry
import pytest

import kb.query as q
from kb.web.pages.worldmap import MAP_FILE, world

from .test_pages import get, text

# States in data/states.yaml with no shape at 1:110m: listed under each map instead (and the EU).
TOO_SMALL = {"AND", "ATG", "BHR", "BRB", "COK", "COM", "CPV", "DMA", "FSM", "GRD", "KIR", "KNA", "LCA", "LIE", "MCO",
             "MDV", "MHL", "MLT", "MUS", "NIU", "NRU", "PLW", "SGP", "SMR", "STP", "SYC", "TON", "TUV", "VAT", "VCT",
             "WSM", "EUU"}
# Shapes with an ISO code that are not states of the KB: drawn neutral, with no status.
NOT_KB_STATES = {"ATF", "ESH", "FLK", "GRL", "NCL", "PRI", "TWN"}
ILO = ("C029", "P029", "C087", "C098", "C100", "C105", "C111", "C138", "C155", "C182", "C187")


def map_cells(html: str, figure: str = "map") -> dict[str, tuple[str, str]]:
    """{state: (status, title)} of one map's shapes, and of the states listed under it."""
    m = re.search(rf'<figure class="worldmap[^"]*" id="{figure}">(.*?)</figure>', html, re.S)
    assert m, f"no map {figure}"
    body = m.group(1)
    out = {s: (st, html_lib.unescape(t)) for s, st, t in re.findall(
        r'<use href="/-/kb-world\.svg#w-[^"]+" data-state="([A-Z]{3})" data-status="([a-z_]+)"><title>([^<]*)</title></use>', body)}
    for s, st in re.findall(r'<li data-state="([A-Z]{3})" data-status="([a-z_]+)">', body):
        assert s not in out, f"{s} both drawn and listed"
        out[s] = (st, None)
    return out


@pytest.fixture(scope="module")
def conn(built_db):
    return q.connect(built_db)


def test_vendored_shapes_are_iso_codes_and_cover_every_state_large_enough(built_db):
    doc = json.loads(MAP_FILE.read_text())
    assert doc["source"]["version"] == "2.0.2" and doc["boundaries"].startswith("UN:")
    ids = [s["id"] for s in doc["shapes"] if s["id"]]
    assert len(ids) == len(set(ids)) == 174
    for i in ids:
        assert pycountry.countries.get(alpha_3=i) is not None, i
    assert sorted(s["name"] for s in doc["shapes"] if not s["id"]) == ["Kosovo", "N. Cyprus", "Somaliland"]
    states = {r[0] for r in sqlite3.connect(built_db).execute("SELECT id FROM states")}
    assert states - set(ids) == TOO_SMALL
    assert set(ids) - states == NOT_KB_STATES | {"ATA"}
    assert "ATA" not in world()["ids"]  # Antarctica is not drawn


def test_cat_map_matches_kb_status_today_and_in_the_past(built_db, conn):
    for as_of, query in (("2026-02-03", ""), ("1990-01-01", "?as_of=1990-01-01")):
        html = get(built_db, "/instrument/CAT" + query).text
        cells = map_cells(html)
        rows = {r["state"]: r["status"] for r in q.status(conn, instruments=["CAT"], as_of=as_of)}
        assert {s: c[0] for s, c in cells.items()} == rows  # every state of the KB, once, with its status
        assert set(cells) <= {r[0] for r in sqlite3.connect(built_db).execute("SELECT id FROM states")}
    html = get(built_db, "/instrument/CAT").text
    cells = map_cells(html)
    assert cells["FRA"] == ("party", "France: party since 18 February 1986")
    assert cells["PRK"] == ("not_party", "Democratic People's Republic of Korea: not a party")
    assert cells["IND"] == ("signatory", "India: signed on 14 October 1997, not a party")
    assert cells["AND"][0] == "party"  # too small: listed under the map
    assert '<li data-state="AND" data-status="party"><a href="/country/AND">Andorra</a>: party since 22 September 2006</li>' in html
    past = map_cells(get(built_db, "/instrument/CAT?as_of=1990-01-01").text)
    assert past["FRA"][0] == "party" and past["KOR"][0] == "not_party" and past["USA"][0] == "signatory"


def test_map_legend_counts_and_neutral_shapes(built_db):
    html = get(built_db, "/instrument/CAT").text
    fig = re.search(r'<figure class="worldmap" id="map">(.*?)</figure>', html, re.S).group(1)
    legend = text(re.search(r'<ul class="legend">(.*?)</ul>', fig, re.S).group(1))
    assert legend == ("Party: 175 (23 not on the map, listed below) Signatory, not a party: 4 (1 not on the map, "
                      "listed below) Not a party: 19 (8 not on the map, listed below) Not a state in the KB (no status)")
    # the geometry is not in the page (every map draws it from /-/kb-world.svg); the shapes that are
    # not KB states carry no status
    assert '<path id="w-' not in html
    assert '<use href="/-/kb-world.svg#w-outline" class="sphere"/>' in fig
    for code in NOT_KB_STATES:
        assert f'<use href="/-/kb-world.svg#w-{code}" class="other"/>' in fig
    assert 'data-state="TWN"' not in html and 'data-state="ESH"' not in html


def test_procedure_maps_follow_obligations(built_db, conn):
    r = get(built_db, "/instrument/CAT/maps")
    assert r.status_code == 200
    cells = map_cells(r.text, "map-individual-communications-art-22")  # article 22, individual communications
    for state in ("FRA", "KOR", "GBR", "CHN", "PRK", "IND"):
        status = {x["state"]: x["status"] for x in q.status(conn, state, "CAT", as_of="2026-02-03")}[state]
        ob = [o for o in q.obligations(conn, state, as_of="2026-02-03")
              if o["instrument"] == "CAT" and o["kind"] == "procedure" and o["article"] == "22"][0]
        want = ("accepted" if ob["accepted"] else "not_accepted") if status == "party" else "not_party"
        assert cells[state][0] == want, state
    assert cells["GBR"] == ("not_accepted", "United Kingdom of Great Britain and Northern Ireland: no declaration under "
                                            "article 22 recognising the competence of the committee")
    cat = get(built_db, "/instrument/CAT").text
    assert 'href="/instrument/CAT/maps#map-individual-communications-art-22">Map: who accepted it</a>' in cat
    assert get(built_db, "/instrument/cat/maps").status_code == 302
    assert get(built_db, "/instrument/NOPE/maps").status_code == 404


@pytest.mark.parametrize("iid", ILO)
def test_ilo_pages_give_no_party_count_while_members_are_unknown(built_db, conn, iid):
    html = get(built_db, f"/instrument/{iid}").text
    rows = q.status(conn, instruments=[iid], as_of="2026-02-03")
    assert {r["status"] for r in rows} <= {"unknown", "not_applicable", "party", "not_party"}
    # not_party only where a source states the state's whole set (data/coverage.yaml)
    covered = {s for (s,) in sqlite3.connect(built_db).execute(
        "SELECT state_id FROM state_coverage WHERE instrument_id = ? AND NOT ratified", (iid,))}
    assert {r["state"] for r in rows if r["status"] == "not_party"} == covered
    assert {"unknown", "not_applicable"} <= {r["status"] for r in rows}
    url = sqlite3.connect(built_db).execute("SELECT url FROM instruments WHERE id = ?", (iid,)).fetchone()[0]
    words = text(html)
    assert "ILO ratifications are recorded here only where a source for them has been read, state by state." in words
    assert f'<a href="{url.replace("&", "&amp;")}" rel="noopener">' in html
    assert re.search(r"\d+\s*parties", words) is None, re.search(r".{60}\d+\s*parties.{20}", words)
    # the map's legend counts the recorded ratifications beside the unknown members, never a total of parties
    n_party = sum(r["status"] == "party" for r in rows)
    n_unknown = sum(r["status"] == "unknown" for r in rows)
    assert ("Party:" in words) == (n_party > 0)
    assert f"Unknown: no record in the KB: {n_unknown}" in words
    assert "<polyline" not in html and 'id="no-chart"' in html
    cells = map_cells(html)
    assert {s: c[0] for s, c in cells.items()} == {r["state"]: r["status"] for r in rows}
    assert cells["PRK"][0] == "not_applicable" and cells["FRA"] == ("unknown", "France: unknown (no record in the KB)")


def test_un_pages_keep_their_count_and_chart(built_db):
    html = get(built_db, "/instrument/CAT").text
    assert "175</strong> parties on 3 February 2026" in html and "<polyline" in html
    assert "ILO ratifications are recorded here only" not in html


def test_world_sprite_holds_every_shape_the_maps_draw(built_db):
    r = get(built_db, "/-/kb-world.svg")
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml; charset=utf-8"
    ids = re.findall(r'<path id="w-([^"]+)" d="[^"]+"/>', r.text)
    assert len(ids) == len(set(ids)) == len(world()["shapes"]) + 1 and ids[0] == "outline"
    assert r.text.startswith('<svg xmlns="http://www.w3.org/2000/svg"><defs>')
    used = set()
    for page in ("/instrument/CAT", "/instrument/CAT/maps", "/instrument/C029"):
        used |= set(re.findall(r'<use href="/-/kb-world\.svg#w-([^"]+)"', get(built_db, page).text))
    assert used == set(ids)
