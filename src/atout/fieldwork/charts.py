"""Server-side SVG heat map of the code co-occurrence matrix (the table next to it carries the same
numbers for screen readers and copy-paste).

Coordinates are formatted in Python: Django's French locale would print decimal commas in a template.
"""

from __future__ import annotations

from html import escape

CELL = 28  # px per cell
LABEL_WIDTH = 190  # px for row labels
HEADER_HEIGHT = 150  # px for rotated column labels


def _f(value: float) -> str:
    return f"{value:.1f}"


def cooccurrence_svg(codes: list, matrix: list[list[int]], title: str) -> str:
    """An SVG string: one square per pair of codes, darker for more shared excerpts.

    ``codes`` are objects with a ``name``; ``matrix[i][j]`` counts excerpts carrying both codes
    (the diagonal, each code's own count, is drawn hatched-grey so it does not dominate).
    Empty string when there is nothing to draw.
    """
    n = len(codes)
    if n == 0:
        return ""
    off_diagonal = [matrix[i][j] for i in range(n) for j in range(n) if i != j]
    top = max(off_diagonal, default=0) or 1
    width = LABEL_WIDTH + n * CELL + 10
    height = HEADER_HEIGHT + n * CELL + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" class="fw-heatmap"><title>{escape(title)}</title>']
    for j, code in enumerate(codes):
        x = LABEL_WIDTH + j * CELL + CELL / 2
        parts.append(f'<text x="{_f(x)}" y="{_f(HEADER_HEIGHT - 6)}" transform="rotate(-60 {_f(x)} {_f(HEADER_HEIGHT - 6)})" '
                     f'font-size="11">{escape(code.name)}</text>')
    for i, code in enumerate(codes):
        y = HEADER_HEIGHT + i * CELL
        parts.append(f'<text x="{_f(LABEL_WIDTH - 6)}" y="{_f(y + CELL * 0.65)}" text-anchor="end" font-size="11">'
                     f'{escape(code.name)}</text>')
        for j in range(n):
            x = LABEL_WIDTH + j * CELL
            value = matrix[i][j]
            if i == j:
                fill, opacity = "#9e9e9e", "0.35"
            else:
                fill, opacity = "#b45309", f"{0.08 + 0.92 * value / top:.2f}" if value else "0"
            parts.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{CELL - 2}" height="{CELL - 2}" fill="{fill}" '
                         f'fill-opacity="{opacity}" stroke="#ddd"><title>{escape(codes[i].name)} × '
                         f'{escape(codes[j].name)} : {value}</title></rect>')
            if value:
                parts.append(f'<text x="{_f(x + CELL / 2 - 1)}" y="{_f(y + CELL * 0.62)}" text-anchor="middle" '
                             f'font-size="10" aria-hidden="true">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)
