"""Server-side SVG charts of the monitoring dashboard: KPI trajectories and the Gantt timeline.

Each function returns plain data for a template (coordinates already formatted as strings: Django's
French locale would print decimal commas inside SVG attributes). Every chart is shown next to a data
table holding the same figures, so the SVG itself is ``role="img"`` with a short label.
"""

from __future__ import annotations

import datetime as dt

from atout.engine.actionplan import Trajectory


def _f(value: float) -> str:
    return f"{value:.1f}"


def kpi_chart(trajectory: Trajectory, measurements: list[tuple[int, float]], *, width: int = 420, height: int = 220,
              pad: int = 40) -> dict:
    """A KPI's trajectory (dashed line from baseline to target) and measured points.

    Returns ``{"width", "height", "line": (x1, y1, x2, y2), "points": [{"x", "y", "year", "value"}],
    "ticks_x": [{"x", "label"}], "ticks_y": [{"y", "label"}], "baseline", "target"}``.
    """
    years = [trajectory.baseline_year, trajectory.target_year, *(y for y, _v in measurements)]
    values = [trajectory.baseline_value, trajectory.target_value, *(v for _y, v in measurements)]
    y0, y1 = min(years), max(years)
    v0, v1 = min(values), max(values)
    span = (v1 - v0) or abs(v1) or 1.0
    v0, v1 = v0 - 0.1 * span, v1 + 0.1 * span

    def x(year):
        return pad + (width - 2 * pad) * ((year - y0) / (y1 - y0) if y1 > y0 else 0.5)

    def y(value):
        return height - pad + (2 * pad - height) * (value - v0) / (v1 - v0)

    ticks_y = [v0 + (v1 - v0) * i / 4 for i in range(5)]
    return {
        "width": width, "height": height,
        "line": tuple(_f(c) for c in (x(trajectory.baseline_year), y(trajectory.baseline_value),
                                      x(trajectory.target_year), y(trajectory.target_value))),
        "baseline": {"x": _f(x(trajectory.baseline_year)), "y": _f(y(trajectory.baseline_value))},
        "target": {"x": _f(x(trajectory.target_year)), "y": _f(y(trajectory.target_value))},
        "points": [{"x": _f(x(yr)), "y": _f(y(v)), "year": yr, "value": v} for yr, v in measurements],
        "ticks_x": [{"x": _f(x(yr)), "label": str(yr)} for yr in sorted(set(years))],
        "ticks_y": [{"y": _f(y(v)), "label": f"{v:.3g}"} for v in ticks_y],
        "axis_y": _f(height - pad), "axis_x": _f(pad), "right": _f(width - pad),
    }


def gantt(rows: list[dict], today: dt.date, *, width: int = 900, label_width: int = 0, row_height: int = 26) -> dict:
    """A timeline of actions: one bar per action from start to end, the done part filled by progress.

    ``rows``: ``{"code", "title", "depth", "start", "end", "progress" (%, or None), "late", "url"}``;
    actions without dates are left out. Returns ``{"width", "height", "bars", "years", "today"}``.
    """
    dated = [r for r in rows if r["start"] and r["end"]]
    if not dated:
        return {"width": width, "height": 0, "bars": [], "years": [], "today": None}
    first = min(r["start"] for r in dated)
    last = max(r["end"] for r in dated)
    first = dt.date(first.year, 1, 1)
    last = dt.date(last.year + 1, 1, 1)
    days = (last - first).days
    left, right = label_width + 10, width - 10

    def x(day: dt.date) -> float:
        return left + (right - left) * (day - first).days / days

    bars = []
    for i, row in enumerate(dated):
        x1, x2 = x(row["start"]), x(row["end"])
        done = (x2 - x1) * (row["progress"] or 0) / 100
        top = 24 + i * row_height
        bars.append({**row, "x": _f(x1), "w": _f(max(x2 - x1, 2)), "done_w": _f(done), "y": _f(top),
                     "h": str(row_height - 8), "text_y": _f(top + row_height - 13), "text_x": _f(x1 + 4)})
    years = [{"x": _f(x(dt.date(year, 1, 1))), "label": str(year)} for year in range(first.year, last.year + 1)]
    marker = _f(x(today)) if first <= today <= last else None
    return {"width": width, "height": 24 + len(dated) * row_height + 6, "bars": bars, "years": years, "today": marker}
