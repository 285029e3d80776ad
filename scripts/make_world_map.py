#!/usr/bin/env python3
"""Build kb/web/data/world-110m.json (country shapes as SVG path data) from world-atlas TopoJSON.

A maintainer tool: it is not run at install or test time.  The output is vendored.

Input: countries-110m.json from the npm package world-atlas (Natural Earth 1:110m Admin 0
countries, public domain; TopoJSON, quantized and delta-encoded, in degrees).  Get it with

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz    # -> package/countries-110m.json
  or
    npm install world-atlas@2.0.2                                  # -> node_modules/world-atlas/

Usage:
    python scripts/make_world_map.py PATH/countries-110m.json [--out kb/web/data/world-110m.json]
        [--states data/states.yaml] [--integrity sha512-...] [--un-boundaries]

--integrity is the tarball's npm integrity (`npm view world-atlas@2.0.2 dist.integrity`); it
is read from node_modules/.package-lock.json when the input is under node_modules.

What it does: decodes the arcs, cuts rings that cross the antimeridian (world-atlas stores
Fiji, Russia and Antarctica as spherical polygons crossing +-180 degrees), projects with
Equal Earth (Savric, Patterson & Jenny 2018), scales to a 1000-unit-wide viewBox, rounds to
0.1 unit and writes one SVG path per feature.  No simplification beyond dropping points that
coincide after rounding.  ISO 3166-1 numeric ids are mapped to alpha-3 with pycountry.
Features without an id (Kosovo, N. Cyprus, Somaliland) keep "id": null, except that Kosovo
gets "XKX" if --states lists that id.  Antarctica (ATA) is kept; it is not a state.
Boundaries are Natural Earth's (de facto) unless --un-boundaries (see un_boundaries()).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 1000.0
# Features with no ISO 3166-1 numeric id, and the KB code to use if data/states.yaml has it.
NO_ID_CODES = {"Kosovo": "XKX"}

# --------------------------------------------------------------------------- Equal Earth
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Equal Earth on the unit sphere; lon/lat in degrees, returns (x, y) with y up."""
    lam, phi = math.radians(lon), math.radians(lat)
    t = math.asin(M * math.sin(phi))
    t2 = t * t
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * lam * math.cos(t) / (3 * (9 * A4 * t6 * t2 + 7 * A3 * t6 + 3 * A2 * t2 + A1))
    y = t * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


X_MAX = equal_earth(180, 0)[0]
Y_MAX = equal_earth(0, 90)[1]
SCALE = WIDTH / (2 * X_MAX)
HEIGHT = round(2 * Y_MAX * SCALE, 1)


def to_tenths(lon: float, lat: float) -> tuple[int, int]:
    """Project and scale to viewBox units, as integer tenths (y down)."""
    x, y = equal_earth(lon, lat)
    return round((x + X_MAX) * SCALE * 10), round((Y_MAX - y) * SCALE * 10)


# --------------------------------------------------------------------------- TopoJSON
def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring_coords(indexes: list[int], arcs) -> list[tuple[float, float]]:
    """Stitch arcs into a ring (a negative index ~i means arc i reversed)."""
    pts: list[tuple[float, float]] = []
    for i in indexes:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])  # consecutive arcs share an end point
    return pts


def polygons(geom: dict) -> list[list[list[int]]]:
    if geom["type"] == "Polygon":
        return [geom["arcs"]]
    if geom["type"] == "MultiPolygon":
        return geom["arcs"]
    return []


# --------------------------------------------------------------------------- antimeridian
def _wrap(d: float) -> float:
    return (d + 180) % 360 - 180


def _clip(ring, keep, cross_x):
    """Sutherland-Hodgman against one vertical line (ring is open: last != first)."""
    out = []
    n = len(ring)
    for i in range(n):
        p, q = ring[i - 1], ring[i]
        if keep(q):
            if not keep(p):
                out.append((cross_x, p[1] + (q[1] - p[1]) * (cross_x - p[0]) / (q[0] - p[0])))
            out.append(q)
        elif keep(p):
            out.append((cross_x, p[1] + (q[1] - p[1]) * (cross_x - p[0]) / (q[0] - p[0])))
    return out


def cut_antimeridian(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Return rings with all longitudes in [-180, 180] and no jump across the map."""
    if ring[0] == ring[-1]:
        ring = ring[:-1]
    # unwrap longitudes so consecutive points differ by less than 180 degrees
    un = [ring[0]]
    for lon, lat in ring[1:]:
        un.append((un[-1][0] + _wrap(lon - un[-1][0]), lat))
    winding = un[-1][0] + _wrap(ring[0][0] - un[-1][0]) - un[0][0]
    if abs(winding) > 180:  # encircles a pole (Antarctica)
        return [_close_polar(ring)]
    lo, hi = min(p[0] for p in un), max(p[0] for p in un)
    if lo >= -180 and hi <= 180:
        return [un]  # (a zero-length step from +180 to -180 is gone after unwrapping)
    if hi > 180:
        west = _clip(un, lambda p: p[0] <= 180, 180.0)
        east = [(x - 360, y) for x, y in _clip(un, lambda p: p[0] >= 180, 180.0)]
    else:
        east = _clip(un, lambda p: p[0] >= -180, -180.0)
        west = [(x + 360, y) for x, y in _clip(un, lambda p: p[0] <= -180, -180.0)]
    return [r for r in (west, east) if len(r) >= 3]


def _close_polar(ring):
    """A ring around the south pole crossing the antimeridian once: open it there, close via the pole."""
    n = len(ring)
    jumps = [i for i in range(n) if abs(ring[i][0] - ring[i - 1][0]) > 180]
    if len(jumps) != 1:
        raise SystemExit(f"polar ring crosses the antimeridian {len(jumps)} times; not handled")
    j = jumps[0]
    seq = ring[j:] + ring[:j]  # starts just after the jump, ends just before it
    (x1, y1), (x0, y0) = seq[0], seq[-1]
    # latitude where the segment seq[-1] -> seq[0] meets the antimeridian
    s0 = 180 if x0 > 0 else -180
    d0 = s0 - x0
    d1 = (x1 + (360 if x0 > 0 else -360)) - x0
    lat_c = y0 + (y1 - y0) * (d0 / d1 if d1 else 0)
    pole = -90 if lat_c < 0 else 90
    # follow the antimeridian to the pole in 1-degree steps (it is curved in Equal Earth)
    n = max(1, math.ceil(abs(pole - lat_c)))
    down = [lat_c + (pole - lat_c) * k / n for k in range(n + 1)]
    return (
        [(-s0, lat) for lat in reversed(down[1:])]
        + seq
        + [(s0, lat) for lat in down]
    )


# --------------------------------------------------------------------------- --un-boundaries
# Natural Earth 4.1.0 (what world-atlas 2 packages) draws de facto control: Crimea inside
# Russia, and Morocco down to the berm with only the strip east of it as "W. Sahara".  With
# --un-boundaries two polygons are moved to follow United Nations usage (GA resolution 68/262
# on Crimea; Western Sahara a Non-Self-Governing Territory bounded by Morocco at 27 deg 40' N,
# taken here as the latitude of the Morocco/Algeria/W. Sahara corner in the data, 27.657 N).
CRIMEA_POINT = (34.1, 45.0)


def _point_in_ring(pt, ring) -> bool:
    x, y = pt
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _without_arc(ring: list[int], arc: int) -> list[int]:
    """The ring's arcs, rotated to start just after `arc`, with `arc` left out."""
    k = ring.index(arc)
    return ring[k + 1:] + ring[:k]


def un_boundaries(geoms: dict[str, dict], arcs) -> None:
    """Edit the world-atlas geometries in place (arc indexes), see above."""
    rus, ukr = geoms["643"], geoms["804"]
    crimea = [p for p in rus["arcs"] if _point_in_ring(CRIMEA_POINT, ring_coords(p[0], arcs))]
    assert len(crimea) == 1 and len(crimea[0]) == 1, "Crimea polygon not found"
    (c_ring,) = crimea[0]
    u_ring = ukr["arcs"][0]
    shared = [a for a in c_ring if ~a in u_ring]
    assert len(shared) == 1, shared
    rus["arcs"] = [p for p in rus["arcs"] if p is not crimea[0]]
    # Ukraine's ring minus the isthmus arc, then Crimea's coast (the rest of its ring)
    ukr["arcs"][0] = _without_arc(u_ring, ~shared[0]) + _without_arc(c_ring, shared[0])

    mar, esh = geoms["504"], geoms["732"]
    assert mar["type"] == esh["type"] == "Polygon" and len(mar["arcs"]) == len(esh["arcs"]) == 1
    m_ring, e_ring = mar["arcs"][0], esh["arcs"][0]
    shared = [a for a in e_ring if ~a in m_ring]
    assert len(shared) == 1, shared
    e_path = ring_coords(_without_arc(e_ring, shared[0]), arcs)  # corner C ... coast point P
    m_path = ring_coords(_without_arc(m_ring, ~shared[0]), arcs)  # P, north up the coast ... C
    corner = e_path[0]
    assert m_path[-1] == corner and e_path[-1] == m_path[0]
    lat0 = corner[1]
    k = next(i for i, p in enumerate(m_path) if p[1] > lat0)
    (x1, y1), (x2, y2) = m_path[k - 1], m_path[k]
    cut = (x1 + (x2 - x1) * (lat0 - y1) / (y2 - y1), lat0)
    esh["coords"] = [e_path + m_path[1:k] + [cut]]
    mar["coords"] = [[cut] + m_path[k:]]


# --------------------------------------------------------------------------- SVG path
def fmt(tenths: int) -> str:
    s = f"{abs(tenths) // 10}.{abs(tenths) % 10}" if tenths % 10 else str(abs(tenths) // 10)
    if s.startswith("0."):
        s = s[1:]
    return ("-" if tenths < 0 else "") + s


def path_d(rings: list[list[tuple[float, float]]]) -> str:
    """Absolute moveto per ring, then relative lineto in exact 0.1-unit steps."""
    parts = []
    for ring in rings:
        pts = []
        for lon, lat in ring:
            p = to_tenths(lon, lat)
            if not pts or p != pts[-1]:
                pts.append(p)
        while len(pts) > 1 and pts[-1] == pts[0]:
            pts.pop()
        if len(pts) < 3:
            continue  # collapsed to a point or a line at this resolution
        seg = [f"M{fmt(pts[0][0])} {fmt(pts[0][1])}l"]
        prev = pts[0]
        nums = []
        for p in pts[1:]:
            for v in (p[0] - prev[0], p[1] - prev[1]):
                nums.append(fmt(v))
            prev = p
        # join numbers; a '-' or a leading '.' after a number with a '.' needs no separator
        out = nums[0]
        for a, b in zip(nums, nums[1:]):
            out += b if b[0] == "-" or (b[0] == "." and "." in a) else " " + b
        parts.append(seg[0] + out + "z")
    return "".join(parts)


# --------------------------------------------------------------------------- main
def alpha3(numeric: str | None, name: str, state_ids: set[str]) -> str | None:
    if numeric is None:
        code = NO_ID_CODES.get(name)
        return code if code in state_ids else None
    c = pycountry.countries.get(numeric=numeric)
    if c is None:
        raise SystemExit(f"pycountry has no ISO 3166-1 numeric {numeric} ({name})")
    return c.alpha_3


def read_source(topo_path: Path, integrity: str | None) -> dict:
    pkg = topo_path.parent / "package.json"
    version = json.loads(pkg.read_text())["version"] if pkg.exists() else None
    if integrity is None:  # npm install leaves node_modules/.package-lock.json
        lock = topo_path.parent.parent / ".package-lock.json"
        if lock.exists():
            entry = json.loads(lock.read_text()).get("packages", {}).get("node_modules/world-atlas", {})
            integrity = entry.get("integrity")
    return {
        "package": "world-atlas (npm)",
        "version": version,
        "file": topo_path.name,
        "data": "Natural Earth 1:110m Admin 0 countries (v4.1.0, per the package README)",
        "licence": "public domain (Natural Earth)",
        "integrity": integrity,
        "file_sha256": hashlib.sha256(topo_path.read_bytes()).hexdigest(),
    }


def outline_d(step: int = 2) -> str:
    """The Equal Earth outline of the whole globe (the meridians +-180 degrees), as one closed path."""
    def point(lon: float, lat: float) -> str:
        x, y = equal_earth(lon, lat)
        return f"{(x + X_MAX) * SCALE:.1f},{(Y_MAX - y) * SCALE:.1f}"

    east = [point(180, lat) for lat in range(-90, 91, step)]
    west = [point(-180, lat) for lat in range(90, -91, -step)]
    return "M" + "L".join(east + west) + "Z"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("topojson", type=Path, help="world-atlas countries-110m.json")
    ap.add_argument("--out", type=Path, default=ROOT / "kb" / "web" / "data" / "world-110m.json")
    ap.add_argument("--states", type=Path, default=ROOT / "data" / "states.yaml")
    ap.add_argument("--integrity", help="npm integrity of the world-atlas tarball")
    ap.add_argument("--un-boundaries", action="store_true",
                    help="Crimea in Ukraine; Western Sahara north to 27 deg 40' N (default: as in Natural Earth)")
    args = ap.parse_args(argv)

    state_ids: set[str] = set()
    if args.states.exists():
        import yaml

        state_ids = {s["id"] for s in yaml.safe_load(args.states.read_text())["states"]}

    topo = json.loads(args.topojson.read_text())
    arcs = decode_arcs(topo)
    geoms = topo["objects"]["countries"]["geometries"]
    if args.un_boundaries:
        un_boundaries({g["id"]: g for g in geoms if "id" in g}, arcs)
    shapes = []
    for geom in geoms:
        name = geom["properties"]["name"]
        numeric = geom.get("id")
        lonlat = geom.get("coords") or [ring_coords(idx, arcs) for poly in polygons(geom) for idx in poly]
        rings = [r for ring in lonlat for r in cut_antimeridian(ring)]
        d = path_d(rings)
        if not d:
            print(f"warning: {name} has no drawable ring", file=sys.stderr)
            continue
        shapes.append({"id": alpha3(numeric, name, state_ids), "numeric": numeric, "name": name, "d": d})
    ids = [s["id"] for s in shapes if s["id"]]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate alpha-3 ids")
    shapes.sort(key=lambda s: (s["id"] is None, s["id"] or "", s["name"]))

    doc = {
        "source": read_source(args.topojson, args.integrity),
        "projection": "Equal Earth (Savric, Patterson & Jenny 2018), central meridian 0, "
        f"scaled to width {WIDTH:g}; y down; coordinates rounded to 0.1",
        "boundaries": "UN: Crimea in Ukraine, Western Sahara/Morocco at 27 deg 40' N; otherwise Natural Earth"
        if args.un_boundaries
        else "Natural Earth 4.1.0 (de facto), unchanged",
        "viewBox": f"0 0 {WIDTH:g} {HEIGHT:g}",
        "outline": outline_d(),
        "shapes": shapes,
    }
    # compact, one shape per line
    head = json.dumps({k: v for k, v in doc.items() if k != "shapes"}, ensure_ascii=False)[:-1]
    lines = [json.dumps(s, ensure_ascii=False, separators=(",", ":")) for s in shapes]
    args.out.write_text(head + ', "shapes": [\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(shapes)} shapes, {args.out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
