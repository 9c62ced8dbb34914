"""Choropleth of reach per 1,000 inhabitants over a process's sub-territories (server-side SVG)."""

from __future__ import annotations

from django.utils.formats import number_format

from atout.territories.maps import zone_map

#: Sequential, colour-blind-safe scale (ColorBrewer Blues, 5 classes), light = low reach.
SCALE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]


def classes(values: list[float], n: int = len(SCALE)) -> tuple[float, list[float]]:
    """(lowest value, upper bounds of ``n`` equal-width classes from the lowest to the highest value).

    Spanning the observed range rather than 0..max keeps zones apart when reach is similar everywhere.
    """
    low, high = min(values, default=0.0), max(values, default=0.0)
    if high <= low:
        high = low + 1
    return low, [low + (high - low) * (i + 1) / n for i in range(n)]


def colour_for(value: float | None, bounds: list[float]) -> str:
    if value is None:
        return "#cccccc"
    for colour, upper in zip(SCALE, bounds, strict=True):
        if value <= upper:
            return colour
    return SCALE[-1]


def reach_map(process, rows: dict):
    """The process's zone map with each zone coloured by ``rows[code]["per_1000"]``; None without contours.

    Each area gets ``people`` and ``per_1000`` attributes for the data table under the map; the
    legend classes are returned as ``map.legend`` [(colour, lower, upper)].
    """
    zones = list(process.subterritories.order_by("name"))
    zmap = zone_map(process.territory, zones)
    if zmap is None:
        return None
    values = [row["per_1000"] for row in rows.values() if row.get("per_1000") is not None]
    low, bounds = classes(values)
    for area in zmap.areas:
        row = rows.get(area.territory.code, {})
        area.people = row.get("people", 0)
        area.per_1000 = row.get("per_1000")
        area.colour = colour_for(area.per_1000, bounds)
    lowers = [low, *bounds[:-1]]
    # Formatted with the active language's decimal separator (the map's table uses it too).
    zmap.legend = [(c, number_format(lo, 2), number_format(hi, 2)) for c, lo, hi in zip(SCALE, lowers, bounds, strict=True)]
    return zmap
