"""Contours: dissolving member polygons into one, and drawing them as accessible SVG.

Maps are drawn server-side as SVG so that they work offline, print in reports and need no
JavaScript. Coordinates are WGS84 longitude/latitude; the drawing uses an equirectangular
projection scaled by cos(latitude) at the map's centre, which is accurate enough at the scale of a
département or a region.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from shapely.geometry import mapping, shape
from shapely.ops import unary_union


def dissolve(geometries: Iterable[dict]) -> dict | None:
    """Union of GeoJSON geometries (dicts) as one GeoJSON geometry; None when there are none."""
    shapes = [shape(g).buffer(0) for g in geometries if g]
    if not shapes:
        return None
    # A tiny buffer closes the slivers left between neighbours by simplified source contours.
    merged = unary_union([s.buffer(1e-6) for s in shapes]).buffer(-1e-6)
    return mapping(merged.simplify(0.0002, preserve_topology=True))


def bounds(geometries: Iterable[dict]) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of GeoJSON geometries."""
    boxes = [shape(g).bounds for g in geometries if g]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@dataclass
class Projection:
    """Longitude/latitude → SVG user units, fitting a bounding box into ``width`` with a margin."""

    west: float
    south: float
    east: float
    north: float
    width: float = 600.0
    margin: float = 8.0

    def __post_init__(self):
        self.kx = math.cos(math.radians((self.south + self.north) / 2))
        span_x = max((self.east - self.west) * self.kx, 1e-9)
        span_y = max(self.north - self.south, 1e-9)
        self.scale = (self.width - 2 * self.margin) / span_x
        self.height = span_y * self.scale + 2 * self.margin

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.margin + (lon - self.west) * self.kx * self.scale
        y = self.margin + (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)


def svg_path(geometry: dict, projection: Projection) -> str:
    """The ``d`` attribute of an SVG path drawing a GeoJSON (Multi)Polygon."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = [projection.point(lon, lat) for lon, lat, *_ in ring]
            # Drop points that round to the previous one: smaller pages, same drawing.
            kept = [points[0]] + [p for prev, p in zip(points, points[1:], strict=False) if p != prev]
            parts.append("M" + " L".join(f"{x},{y}" for x, y in kept) + " Z")
    return " ".join(parts)


def bordering(geometries: dict[str, dict], code: str, *, precision: int = 5) -> list[str]:
    """Codes of the territories sharing a border with ``code`` (GeoJSON geometries by code), sorted.

    Two territories border each other when their outlines share at least two vertices (one edge):
    published contour sets (IGN Admin Express and its simplified versions) keep shared boundaries
    identical, so comparing vertices rounded to ``precision`` decimals (about 1 m) is exact and fast;
    a single shared point (territories meeting at a corner) is not a border.
    """
    if code not in geometries:
        raise ValueError(f"no contour for territory {code!r}")

    def vertices(geometry: dict) -> set[tuple[float, float]]:
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        return {(round(x, precision), round(y, precision)) for polygon in polygons for ring in polygon
                for x, y, *_z in ring}

    own = vertices(geometries[code])
    return sorted(other for other, geometry in geometries.items()
                  if other != code and geometry and len(own & vertices(geometry)) >= 2)
