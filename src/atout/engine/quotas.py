"""Quota targets proportional to a population, rounded so that they sum to the sample size.

Pure Python (no Django). ``allocate`` uses the largest-remainder (Hamilton) method: each cell gets
the integer part of its exact share of ``total``; the seats left are given one by one to the cells
with the largest remainders (ties broken by the larger population, then by the cell's order).
The result sums to ``total`` exactly and no target is more than one away from its exact share.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping


class QuotaError(ValueError):
    """Populations or a total that cannot give targets."""


def allocate(population: Mapping[Hashable, float], total: int) -> dict[Hashable, int]:
    """Integer targets proportional to ``population`` (cell → persons, ≥ 0) summing to ``total``.

    Output: cell → target, in the order of ``population``. Raises :class:`QuotaError` for a
    negative or non-finite population, a zero total population, or a negative total.
    """
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise QuotaError(f"the total sample size must be a whole number ≥ 0, got {total!r}")
    cells = list(population)
    if not cells:
        raise QuotaError("no cell to allocate to")
    for cell in cells:
        value = population[cell]
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise QuotaError(f"population of cell {cell!r} must be a finite number ≥ 0, got {value!r}")
    whole = float(sum(population[c] for c in cells))
    if whole <= 0:
        raise QuotaError("the cells' total population is zero")
    exact = {c: total * population[c] / whole for c in cells}
    targets = {c: math.floor(exact[c]) for c in cells}
    left = total - sum(targets.values())
    order = sorted(range(len(cells)), key=lambda i: (-(exact[cells[i]] - targets[cells[i]]), -population[cells[i]], i))
    for i in order[:left]:
        targets[cells[i]] += 1
    return targets
