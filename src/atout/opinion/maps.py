"""The opinion map as server-side SVG: participants as points, groups as hulls."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import ConvexHull, QhullError

from atout.territories.maps import PALETTE


@dataclass
class OpinionMap:
    width: int
    height: int
    points: list[tuple[str, str, str]]  # coordinates preformatted: templates would localise decimals
    hulls: list[tuple[str, str, int]]  # (svg points, colour, group id)


def opinion_map(points: list[list[float]], *, width: int = 560, height: int = 420, margin: int = 16) -> OpinionMap | None:
    """``points`` are (x, y, group) triples in PCA space; None when there is nothing to draw."""
    if not points:
        return None
    data = np.asarray(points, dtype=float)
    xy, groups = data[:, :2], data[:, 2].astype(int)
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    scale = min((width - 2 * margin) / span[0], (height - 2 * margin) / span[1])
    # y grows downwards in SVG: flip it so the map reads like the usual plot.
    sx = margin + (xy[:, 0] - low[0]) * scale
    sy = height - margin - (xy[:, 1] - low[1]) * scale
    hulls = []
    for g in sorted(set(groups.tolist())):
        members = np.column_stack([sx[groups == g], sy[groups == g]])
        if len(members) >= 3:
            try:
                hull = ConvexHull(members)
                outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in members[hull.vertices])
                hulls.append((outline, PALETTE[g % len(PALETTE)], g))
            except QhullError:  # all points on a line: no hull to draw
                pass
    return OpinionMap(
        width=width, height=height,
        points=[(f"{x:.1f}", f"{y:.1f}", PALETTE[g % len(PALETTE)]) for x, y, g in zip(sx, sy, groups, strict=True)],
        hulls=hulls,
    )
