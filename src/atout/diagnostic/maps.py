"""Choropleth maps of an indicator, drawn server-side as SVG (offline, printable, no JavaScript).

Colours: ColorBrewer "YlGnBu", a sequential palette that stays readable for the common forms of
colour blindness and in greyscale; classes are quantiles of the values shown (equal counts per class),
so every colour is used; areas without a value are light grey and listed as such in the legend.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from atout.engine.geometry import Projection, bounds, svg_path
from atout.territories.models import Territory

#: ColorBrewer YlGnBu, 5 classes (colour-blind safe, print friendly), light = low, dark = high.
PALETTE = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
MISSING_COLOUR = "#d9d9d9"


@dataclass
class Area:
    territory: Territory
    path: str
    colour: str
    value: float | None


@dataclass
class LegendClass:
    colour: str
    low: float | None
    high: float | None
    count: int


@dataclass
class Choropleth:
    width: float
    height: float
    areas: list[Area]
    legend: list[LegendClass]
    missing_geometry: list[Territory] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"


def class_breaks(values: list[float], classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of up to ``classes`` quantile classes of ``values`` (duplicates merged)."""
    data = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    if data.size == 0:
        return []
    quantiles = np.quantile(data, np.linspace(0, 1, classes + 1)[1:])
    return sorted(set(float(q) for q in quantiles))


def colour_of(value: float | None, breaks: list[float]) -> str:
    if value is None or math.isnan(value) or not breaks:
        return MISSING_COLOUR
    palette = PALETTE[-len(breaks):] if len(breaks) < len(PALETTE) else PALETTE
    for colour, upper in zip(palette, breaks, strict=False):
        if value <= upper:
            return colour
    return palette[len(breaks) - 1]


def geometry_of(territory: Territory) -> dict | None:
    if territory.contour:
        return json.loads(territory.contour)
    return territory.geometry()


@dataclass(frozen=True)
class _Drawing:
    """The geometry part of a map: it depends on the territories' contours, never on the values."""

    width: float
    height: float
    paths: tuple[str | None, ...]  # one per territory, in order; None for a territory without a contour


#: The last drawings made, by width and territories (pk and contour). Drawing the 363 communes of the
#: Drôme (reading their GeoJSON, projecting every vertex) took most of an indicator page's time, and
#: every indicator, level and language draws the same outlines again.
_DRAWINGS: OrderedDict[tuple, _Drawing] = OrderedDict()
_DRAWINGS_KEPT = 32


def _key(territories: list[Territory], width: float) -> tuple | None:
    if not all(t.pk for t in territories):
        return None  # unsaved territories: nothing stable to know them by
    return (width, tuple((t.pk, hash(t.contour)) for t in territories))


def _drawing(territories: list[Territory], width: float) -> _Drawing | None:
    key = _key(territories, width)
    if key in _DRAWINGS:
        _DRAWINGS.move_to_end(key)
        return _DRAWINGS[key]
    geometries = [geometry_of(t) for t in territories]
    box = bounds([g for g in geometries if g])
    if box is None:
        return None
    projection = Projection(*box, width=width)
    drawing = _Drawing(projection.width, projection.height,
                       tuple(svg_path(g, projection) if g else None for g in geometries))
    # Keyed after drawing: an EPCI or a zone without a stored contour just got one (Territory.geometry),
    # which is what the next page will read.
    key = _key(territories, width)
    if key is not None:
        _DRAWINGS[key] = drawing
        while len(_DRAWINGS) > _DRAWINGS_KEPT:
            _DRAWINGS.popitem(last=False)
    return drawing


def choropleth(items: list[tuple[Territory, float | None]], *, width: float = 600) -> Choropleth | None:
    """A map of ``items`` (territory, value); None when none of them has a contour."""
    drawing = _drawing([t for t, _v in items], width)
    if drawing is None:
        return None
    drawn = [(t, v, path) for (t, v), path in zip(items, drawing.paths, strict=True) if path is not None]
    values = [v for _t, v, _p in drawn]
    breaks = class_breaks(values)
    areas = [Area(t, path, colour_of(v, breaks), v) for t, v, path in drawn]
    legend = []
    palette = PALETTE[-len(breaks):] if breaks and len(breaks) < len(PALETTE) else PALETTE
    low = min((v for v in values if v is not None and not math.isnan(v)), default=None)
    for colour, upper in zip(palette, breaks, strict=False):
        count = sum(1 for a in areas if a.colour == colour)
        legend.append(LegendClass(colour, low, upper, count))
        low = upper
    missing = sum(1 for a in areas if a.colour == MISSING_COLOUR)
    if missing:
        legend.append(LegendClass(MISSING_COLOUR, None, None, missing))
    return Choropleth(drawing.width, drawing.height, areas, legend,
                      [t for (t, _v), path in zip(items, drawing.paths, strict=True) if path is None])
