"""Country geometry for the web UI: the vendored world-atlas TopoJSON (ISO 3166-1 numeric ids) mapped to
alpha-2 codes with pycountry, and a small server-side world map (equirectangular SVG paths) used where no
JavaScript is needed (story page, no-JS home)."""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pycountry

ATLAS_FILE = "countries-110m.json"

# Features of the atlas without an ISO numeric id: Kosovo has the user-assigned code XK; Northern Cyprus
# and Somaliland are drawn but not interactive (no code of their own).
_NAMED_WITHOUT_ID = {"Kosovo": "XK"}

_NOT_ON_STATIC_MAP = {"010"}  # Antarctica: below the static map's southern edge

# Static map: longitude -180..180 -> 0..360, latitude 84..-58 (no Antarctica) -> 0..142 (units = degrees).
MAP_WIDTH = 360.0
MAP_TOP_LAT = 84.0
MAP_BOTTOM_LAT = -58.0
# Points closer than this (in degrees) to the previous one are dropped from the static map paths; 0.6
# keeps the 110m coastlines recognisable at 360 px wide and roughly halves the markup.
MAP_MIN_STEP = 0.6


@dataclass(frozen=True, slots=True)
class CountryShape:
    cc: str | None  # alpha-2, upper case; None for features without a code
    numeric: str | None
    name: str
    path: str  # SVG path data on the static map


@functools.cache
def country_name(cc: str) -> str:
    cc = cc.upper()
    if cc == "XK":
        return "Kosovo"
    c = pycountry.countries.get(alpha_2=cc)
    if c is None:
        return cc
    return getattr(c, "common_name", None) or c.name


@functools.cache
def is_country_code(cc: str) -> bool:
    return len(cc) == 2 and cc.isalpha() and (cc.upper() == "XK" or pycountry.countries.get(alpha_2=cc.upper()) is not None)


@functools.cache
def load_atlas() -> dict[str, Any]:
    path = resources.files("globewire.web") / "static" / "vendor" / ATLAS_FILE
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def numeric_to_alpha2() -> dict[str, str]:
    """Atlas feature id (numeric, 3 digits) -> alpha-2 for every feature of the atlas that has one."""
    out: dict[str, str] = {}
    for g in load_atlas()["objects"]["countries"]["geometries"]:
        num = g.get("id")
        if not num:
            continue
        c = pycountry.countries.get(numeric=str(num))
        if c is not None:
            out[str(num)] = c.alpha_2
    return out


def _decode_arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
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


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        pts.extend(arc[1:] if pts else arc)
    return pts


def _unwrap(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring crossing the antimeridian (Russia, Fiji) is moved to one side of it; the part beyond
    +/-180 then falls outside the map's view box instead of drawing a band across the map."""
    if not any(abs(b[0] - a[0]) > 180 for a, b in itertools.pairwise(pts)):
        return pts
    east = sum(1 for lon, _ in pts if lon > 0) >= len(pts) / 2
    return [(lon + 360 if east and lon < 0 else lon - 360 if not east and lon > 0 else lon, lat) for lon, lat in pts]


def _ring_path(pts: list[tuple[float, float]]) -> str:
    pts = _unwrap(pts)
    out: list[str] = []
    last: tuple[float, float] | None = None
    for lon, lat in pts:
        lat = max(MAP_BOTTOM_LAT, min(MAP_TOP_LAT, lat))
        x, y = lon + 180.0, MAP_TOP_LAT - lat
        if last is not None and abs(x - last[0]) < MAP_MIN_STEP and abs(y - last[1]) < MAP_MIN_STEP:
            continue
        out.append(f"{x:.1f},{y:.1f}")
        last = (x, y)
    if len(out) < 3:
        return ""
    return "M" + "L".join(out) + "Z"


@functools.cache
def shapes() -> tuple[CountryShape, ...]:
    topo = load_atlas()
    arcs = _decode_arcs(topo)
    codes = numeric_to_alpha2()
    out = []
    for g in topo["objects"]["countries"]["geometries"]:
        name = (g.get("properties") or {}).get("name", "")
        num = str(g["id"]) if g.get("id") else None
        if num in _NOT_ON_STATIC_MAP:
            continue
        cc = codes.get(num) if num else _NAMED_WITHOUT_ID.get(name)
        if g["type"] == "Polygon":
            polys = [g["arcs"]]
        elif g["type"] == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue
        parts = []
        for poly in polys:
            for ring in poly:
                d = _ring_path(_ring(arcs, ring))
                if d:
                    parts.append(d)
        out.append(CountryShape(cc=cc, numeric=num, name=country_name(cc) if cc else name, path="".join(parts)))
    return tuple(out)


def map_height() -> float:
    return MAP_TOP_LAT - MAP_BOTTOM_LAT


MAP_URL = "/map/world.svg"  # served by the pages router from world_svg(); browsers cache it


@functools.cache
def world_svg() -> bytes:
    """The static world map as a standalone SVG document: a ``land`` group with every country, each
    country also addressable as ``#c-XX``. Pages draw it with ``<use href>``, so its ~80 KB is
    downloaded once instead of inlined in every story page. Fill and stroke are left to the page."""
    from markupsafe import escape

    head = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {int(MAP_WIDTH)} {int(map_height())}">'
    parts = [head + '<g id="land">']
    for sh in shapes():
        if sh.path:
            ident = f' id="c-{sh.cc}"' if sh.cc else ""
            parts.append(f'<path{ident} d="{sh.path}"><title>{escape(sh.name)}</title></path>')
    parts.append("</g></svg>")
    return "".join(parts).encode()


def static_map_svg(highlight: dict[str, str], *, title: str, label: str) -> str:
    """Inline SVG for a page: the world (by reference to ``MAP_URL``) with the countries of ``highlight``
    drawn again on top with their CSS class. Only trusted text goes in (codes checked against the atlas,
    pycountry names and the caller's class names, escaped here)."""
    from markupsafe import escape

    known = {sh.cc for sh in shapes() if sh.cc and sh.path}
    head = (f'<svg viewBox="0 0 {int(MAP_WIDTH)} {int(map_height())}" role="img" aria-label="{escape(label)}">'
            f'<title>{escape(title)}</title><use href="{MAP_URL}#land" class="land"/>')
    parts: list[str] = [head]
    for cc, cls in sorted(highlight.items()):
        if cc in known:
            parts.append(f'<use href="{MAP_URL}#c-{cc}" data-cc="{cc}" class="{escape(cls)}">'
                         f"<title>{escape(country_name(cc))}</title></use>")
    parts.append("</svg>")
    return "".join(parts)
