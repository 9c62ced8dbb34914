"""Server-side SVG maps of territories (work offline, print in reports, need no JavaScript)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from atout.engine.geometry import Projection, bounds, svg_path

from .models import Territory

#: Colour-blind-safe qualitative palette (Okabe–Ito), readable with white borders.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]


@dataclass
class MapArea:
    territory: Territory
    path: str
    colour: str
    population: int | None
    communes: int


@dataclass
class ZoneMap:
    width: float
    height: float
    outline: str
    communes: list[str]
    areas: list[MapArea]
    missing: list[Territory]  # zones without any contour available

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"


def zone_map(territory: Territory, zones: list[Territory], *, width: float = 600) -> ZoneMap | None:
    """A map of ``territory`` with its ``zones`` coloured; None when no contour is available."""
    outline = territory.geometry()
    zone_geoms = [(z, z.geometry()) for z in zones]
    drawn = [g for _z, g in zone_geoms if g]
    box = bounds(([outline] if outline else []) + drawn)
    if box is None:
        return None
    projection = Projection(*box, width=width)
    commune_paths = [
        svg_path(json.loads(c), projection)
        for c in territory.communes().exclude(contour="").values_list("contour", flat=True)[:2000]
    ]
    areas = [
        MapArea(z, svg_path(g, projection), PALETTE[i % len(PALETTE)], z.computed_population(), z.communes().count())
        for i, (z, g) in enumerate(zone_geoms)
        if g
    ]
    return ZoneMap(
        width=projection.width,
        height=projection.height,
        outline=svg_path(outline, projection) if outline else "",
        communes=commune_paths,
        areas=areas,
        missing=[z for z, g in zone_geoms if not g],
    )
