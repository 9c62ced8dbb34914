"""Server-rendered SVG charts of the survey pages: bars with their 95 % intervals, and a measure
across barometer waves.

Each function returns plain data for a template, coordinates already formatted as strings (Django's
French locale would print decimal commas inside SVG attributes). Every chart is shown beside a
table holding the same figures, so the SVG is ``role="img"`` with a short title; screen readers
read the table.
"""

from __future__ import annotations


def _f(value: float) -> str:
    return f"{value:.1f}"


def interval_bars(rows: list[dict], *, maximum: float | None = None, width: int = 640, label_width: int = 0,
                  bar_height: int = 22, gap: int = 8) -> dict:
    """Horizontal bars of shares (0–1) with their interval as a whisker.

    ``rows``: ``{"label", "value", "low", "high"}`` (value None: not shown, e.g. too few respondents).
    ``maximum``: the value at the right edge (default: the largest upper bound, at least 0.1, rounded
    up to the next 10 %). Returns ``{"width", "height", "bars": [{"label", "y", "w", "low_x", "high_x",
    "mid_y", "text_y", "value"}], "ticks": [{"x", "share"}], "left", "right"}``; a bar's label sits
    above it so long French answers fit a phone screen.
    """
    shown = [r for r in rows if r.get("value") is not None]
    top = maximum or max([0.1, *(r.get("high") or r["value"] for r in shown)])
    top = min(1.0, -(-top * 10 // 1) / 10) if maximum is None else top
    left, right = 4 + label_width, width - 8
    span = right - left
    step = bar_height + gap + 16  # the label line above each bar

    def x(value: float) -> float:
        return left + span * max(0.0, min(value, top)) / top

    bars = []
    for i, row in enumerate(shown):
        y = 18 + i * step + 16
        bars.append({
            "label": row["label"], "value": row["value"], "y": _f(y), "h": str(bar_height), "w": _f(x(row["value"]) - left),
            "low_x": _f(x(row["low"] if row.get("low") is not None else row["value"])),
            "high_x": _f(x(row["high"] if row.get("high") is not None else row["value"])),
            "mid_y": _f(y + bar_height / 2), "text_y": _f(y - 4),
        })
    ticks = [{"x": _f(x(top * i / 4)), "share": top * i / 4} for i in range(5)]
    return {"width": width, "height": 18 + len(shown) * step + 8, "bars": bars, "ticks": ticks,
            "left": _f(left), "right": _f(right), "axis_bottom": _f(18 + len(shown) * step)}


def wave_chart(points: list[dict], kind: str, *, width: int = 360, height: int = 200, pad: int = 36) -> dict | None:
    """One measure across waves: a point per wave with its 95 % interval, joined by a line.

    ``points``: ``{"label", "value", "low", "high"}`` in wave order (value None: not published);
    ``kind``: proportion (0–1, drawn in %), mean or nps. Returns None without any published wave.
    """
    shown = [p for p in points if p.get("value") is not None]
    if not shown:
        return None
    scale = 100.0 if kind == "proportion" else 1.0
    lows = [scale * (p["low"] if p.get("low") is not None else p["value"]) for p in shown]
    highs = [scale * (p["high"] if p.get("high") is not None else p["value"]) for p in shown]
    v0, v1 = min(lows), max(highs)
    margin = (v1 - v0) * 0.15 or max(abs(v1) * 0.1, 1.0)
    v0, v1 = v0 - margin, v1 + margin
    if kind == "proportion":
        v0, v1 = max(0.0, v0), min(100.0, v1)
    count = len(points)

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * ((i + 0.5) / count)

    def y(value: float) -> float:
        return height - pad + (2 * pad - height) * (value - v0) / (v1 - v0)

    drawn = []
    for i, point in enumerate(points):
        if point.get("value") is None:
            continue
        low = point["low"] if point.get("low") is not None else point["value"]
        high = point["high"] if point.get("high") is not None else point["value"]
        drawn.append({"label": point["label"], "x": _f(x(i)), "y": _f(y(scale * point["value"])),
                      "low_y": _f(y(scale * low)), "high_y": _f(y(scale * high)), "text_y": _f(height - pad + 16)})
    ticks = [{"y": _f(y(v0 + (v1 - v0) * i / 4)), "label": f"{v0 + (v1 - v0) * i / 4:.0f}" if v1 - v0 > 8
              else f"{v0 + (v1 - v0) * i / 4:.1f}"} for i in range(5)]
    return {"width": width, "height": height, "points": drawn, "line": " ".join(f"{p['x']},{p['y']}" for p in drawn),
            "ticks": ticks, "left": _f(pad), "right": _f(width - pad), "bottom": _f(height - pad),
            "labels": [{"x": _f(x(i)), "label": p["label"]} for i, p in enumerate(points)], "label_y": _f(height - pad + 16),
            "unit": "%" if kind == "proportion" else ""}
