"""Horizontal bar charts drawn server-side as SVG: one bar per territory, the subject highlighted.

Pure layout (no drawing library): the caller gets coordinates in SVG user units and renders them in a
template, so charts work offline, print in PDF reports and need no JavaScript. Negative values (rates
of change) extend left of a zero line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: float | None
    highlight: bool
    y: float  # top of the bar's row
    x: float  # left end of the bar
    width: float  # 0 when the value is missing
    text_x: float  # where the value's text starts (right of the bar, or of the zero line)


@dataclass
class BarChart:
    bars: list[Bar]
    width: float
    height: float
    zero_x: float
    row: float
    label_width: float


def bar_chart(items: list[tuple[str, float | None, bool]], *, width: float = 360, label_width: float = 130,
              value_width: float = 56, row: float = 22) -> BarChart:
    """Lay out ``items`` (label, value or None, highlighted?) as horizontal bars, in the given order.

    Bars share one linear scale from min(0, values) to max(0, values) across ``width − label_width −
    value_width`` units; the value's text sits just right of each bar. Output in SVG user units.
    """
    values = [v for _l, v, _h in items if v is not None and not math.isnan(v)]
    low, high = min([0.0, *values]), max([0.0, *values])
    span = (high - low) or 1.0
    plot = width - label_width - value_width
    zero_x = label_width + plot * (0 - low) / span
    bars = []
    for i, (label, value, highlight) in enumerate(items):
        missing = value is None or math.isnan(value)
        end = zero_x if missing else label_width + plot * (value - low) / span
        left, right = min(zero_x, end), max(zero_x, end)
        bars.append(Bar(label, None if missing else value, highlight, i * row, left, right - left, right + 4))
    return BarChart(bars, width, len(items) * row + 4, zero_x, row, label_width)
