"""Choropleth maps of an indicator, drawn server-side as SVG (offline, printable, no JavaScript).

Colours: ColorBrewer "YlGnBu", a sequential palette that stays readable for the common forms of
colour blindness and in greyscale; classes are quantiles of the values shown (equal counts per class),
so every colour is used; areas without a value are light grey and listed as such in the legend.
"""

from __future__ import annotations

import json
import math
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


def choropleth(items: list[tuple[Territory, float | None]], *, width: float = 600) -> Choropleth | None:
    """A map of ``items`` (territory, value); None when none of them has a contour."""
    shapes = [(t, v, geometry_of(t)) for t, v in items]
    drawn = [(t, v, g) for t, v, g in shapes if g]
    box = bounds([g for _t, _v, g in drawn])
    if box is None:
        return None
    projection = Projection(*box, width=width)
    values = [v for _t, v, _g in drawn]
    breaks = class_breaks(values)
    areas = [Area(t, svg_path(g, projection), colour_of(v, breaks), v) for t, v, g in drawn]
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
    return Choropleth(projection.width, projection.height, areas, legend,
                      [t for t, _v, g in shapes if not g])
