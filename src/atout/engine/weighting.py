"""Raking (iterative proportional fitting) of survey respondents to population margins.

Each respondent gets a weight such that, for every weighting variable (age band, sex, sub-territory…),
the weighted share of each category equals its population share. Raking adjusts the weights to one
variable's margin after the other and repeats until every margin is met within a tolerance
(Deming & Stephan 1940; Kalton & Flores-Cervantes 2003). Weights are scaled to average 1, so a
weighted count reads on the scale of the sample size.

Optional trimming bounds the weights (e.g. between 0.3 and 3): after each raking cycle weights are
clipped to the bounds, and raking goes on until the margins are met *and* the weights lie within the
bounds (Izrael, Hoaglin & Battaglia 2000, "trimmed raking"). Whether both can hold is checked first
(a small linear feasibility problem on cells); when they cannot, an error says the bounds are too tight.

The design effect due to weighting is Kish's ``1 + CV²`` of the weights; the effective sample size
is ``n / deff = (Σw)² / Σw²``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

PROPORTION_SUM_TOLERANCE = 1e-6  # targets summing to 1 within this are proportions, else counts


class RakingError(ValueError):
    """Raking cannot be done as asked; the message names the variable and category at fault.

    ``source`` is ``"sample"`` or ``"margins"`` when the problem lies in one of the inputs.
    """

    def __init__(self, message: str, *, variable: str | None = None, category: str | None = None, source: str | None = None):
        self.variable = variable
        self.category = category
        self.source = source
        super().__init__(message)


@dataclass
class RakingResult:
    """Weights and diagnostics.

    ``weights``: one per respondent, in sample order, averaging 1.
    ``achieved``: variable → category → weighted share reached.
    ``targets``: variable → category → target share (normalised to proportions).
    ``deff``: Kish design effect of the weights; ``effective_n``: n / deff.
    ``max_deviation``: largest |achieved − target| share; ``trimmed_count``: weights at a bound.
    Raking that does not converge raises instead of returning a result.
    """

    weights: np.ndarray
    iterations: int
    max_deviation: float
    achieved: dict[str, dict[str, float]]
    targets: dict[str, dict[str, float]]
    deff: float
    effective_n: float
    trim: tuple[float, float] | None = None
    trimmed_count: int = 0


def design_effect(n: float, sum_w: float, sum_w2: float) -> float | None:
    """Kish's design effect due to unequal weights, ``n Σw² / (Σw)² = 1 + CV²`` (dimensionless),
    from the weights' totals: ``n`` weights, their sum ``sum_w`` and the sum of their squares
    ``sum_w2``. None when there is no weight or no positive total. The one place the formula is
    written: from totals, so that a database aggregate (COUNT, SUM(w), SUM(w·w)) gives it without
    loading the weights; :func:`kish_deff` computes the totals of an array."""
    if not n or sum_w is None or sum_w2 is None or sum_w <= 0:
        return None
    return float(n * sum_w2 / (sum_w * sum_w))


def kish_deff(weights: np.ndarray) -> float:
    """Kish's design effect of ``weights`` (see :func:`design_effect`); ValueError without a positive weight."""
    w = np.asarray(weights, dtype=float)
    deff = design_effect(w.size, float(w.sum()), float(np.dot(w, w)))
    if deff is None:
        raise ValueError("design effect needs at least one positive weight")
    return deff


def effective_base(weights: np.ndarray) -> float:
    """Kish's effective base ``(Σw)² / Σw²`` (respondents), 0 when every weight is 0: the one place
    it is written (the survey statistics and the raking report use it)."""
    w = np.asarray(weights, dtype=float)
    denominator = float(np.dot(w, w))
    return float(w.sum() ** 2 / denominator) if denominator > 0 else 0.0


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size (:func:`effective_base`); ValueError without a positive weight."""
    base = effective_base(weights)
    if base <= 0:
        raise ValueError("effective sample size needs at least one positive weight")
    return base


def normalise_targets(variable: str, targets: Mapping[str, float]) -> dict[str, float]:
    """Targets as proportions: kept when they sum to 1 ± 1e-6, otherwise counts divided by their sum.

    Raises :class:`RakingError` for negative, non-finite or zero targets (an empty category
    cannot be raked to) and for an all-zero margin.
    """
    if not targets:
        raise RakingError(f"margins give no category for variable '{variable}'", variable=variable, source="margins")
    values = {}
    for category, target in targets.items():
        value = float(target)
        if not np.isfinite(value) or value < 0:
            raise RakingError(
                f"margins: target {target!r} of variable '{variable}', category '{category}' is not a non-negative number",
                variable=variable, category=category, source="margins",
            )
        if value == 0:
            raise RakingError(
                f"margins: category '{category}' of variable '{variable}' has a target of 0; "
                "remove empty categories from the margins and the sample",
                variable=variable, category=category, source="margins",
            )
        values[str(category)] = value
    total = sum(values.values())
    if abs(total - 1.0) <= PROPORTION_SUM_TOLERANCE:
        return values
    return {category: value / total for category, value in values.items()}


def _encode(variable: str, column: Sequence, categories: list[str]) -> np.ndarray:
    """Category codes 0..k-1 of each respondent; errors for missing values and unknown categories.

    Values are compared as stripped text. Factorising first means the text work is done once per
    distinct value rather than once per respondent.
    """
    raw_codes, uniques = pd.factorize(np.asarray(column, dtype=object), use_na_sentinel=True)
    labels = [str(u).strip() for u in uniques]
    position = {c: i for i, c in enumerate(categories)}
    lookup = np.array([position.get(label, -1) for label in labels] + [-2], dtype=np.intp)
    codes = lookup[raw_codes]  # the NA sentinel -1 picks the trailing -2
    empty = [i for i, label in enumerate(labels) if label == ""]
    missing = (codes == -2) | np.isin(raw_codes, empty)
    if missing.any():
        rows = (np.flatnonzero(missing) + 1)[:10].tolist()
        raise RakingError(
            f"sample: variable '{variable}' has no value for respondent(s) at row(s) {rows}",
            variable=variable, source="sample",
        )
    unknown = codes < 0
    if unknown.any():
        first = labels[raw_codes[np.flatnonzero(unknown)[0]]]
        count = int(unknown.sum())
        raise RakingError(
            f"sample: category '{first}' of variable '{variable}' ({count} respondent(s)) is not in the margins",
            variable=variable, category=first, source="sample",
        )
    counts = np.bincount(codes, minlength=len(categories))
    for index in np.flatnonzero(counts == 0):
        raise RakingError(
            f"margins: category '{categories[index]}' of variable '{variable}' has no respondent in the sample",
            variable=variable, category=categories[index], source="margins",
        )
    return codes


def rake(
    sample: pd.DataFrame | Mapping[str, Sequence],
    margins: Mapping[str, Mapping[str, float]],
    *,
    base_weights: Sequence[float] | None = None,
    tolerance: float = 1e-10,
    max_iter: int = 1000,
    trim: tuple[float, float] | None = None,
) -> RakingResult:
    """Rake respondents to margins.

    Inputs:
      ``sample``: one column per weighting variable, one row per respondent (category labels;
      compared as stripped text, so ``1`` and ``"1"`` are the same category).
      ``margins``: variable → category → target, as proportions (summing to 1 ± 1e-6) or counts
      (normalised per variable).
      ``base_weights``: design weights to start from (default: all 1).
      ``tolerance``: largest allowed absolute difference between an achieved share and its target.
      ``max_iter``: largest number of raking cycles (one cycle adjusts every variable once).
      ``trim``: optional ``(low, high)`` bounds on the final weights, on the scale where weights
      average 1.
    Output: :class:`RakingResult`. Raises :class:`RakingError` when a category is in the sample
    and not the margins or the reverse, for empty categories, or when raking does not converge.
    """
    columns = _sample_columns(sample)
    if not margins:
        raise RakingError("no margins given: nothing to rake to", source="margins")
    n = _sample_size(columns)
    targets = {str(v): normalise_targets(str(v), cats) for v, cats in margins.items()}
    for variable in targets:
        if variable not in columns:
            raise RakingError(f"sample: no column for margin variable '{variable}'", variable=variable, source="sample")
    codes = {v: _encode(v, columns[v], list(targets[v])) for v in targets}
    shares = {v: np.array(list(targets[v].values())) for v in targets}
    weights = _initial_weights(base_weights, n)
    if trim is not None:
        trim = _check_trim(trim)
        if not _bounds_feasible(codes, shares, trim):
            # Checked first: trimmed raking would otherwise cycle max_iter times before failing.
            raise RakingError(
                f"no weights between the trimming bounds {trim[0]} and {trim[1]} can meet these margins "
                "(the bounds are too tight): widen them"
            )
    iterations, deviation = _ipf(weights, codes, shares, tolerance, max_iter, trim)
    converged = deviation <= tolerance and (trim is None or _within(weights, trim, tolerance))
    if not converged:
        reason = (
            f"raking did not converge in {max_iter} cycles (largest deviation from a margin {deviation:.2e}, "
            f"tolerance {tolerance:.0e})"
        )
        if trim is not None:
            reason += f" with the trimming bounds {trim[0]}, {trim[1]}; raise max_iter or widen the bounds"
        raise RakingError(reason)
    return _result(weights, codes, targets, iterations, deviation, trim)


def _sample_columns(sample) -> dict[str, Sequence]:
    if isinstance(sample, pd.DataFrame):
        return {str(c): sample[c].to_numpy() for c in sample.columns}
    return {str(k): v for k, v in sample.items()}


def _sample_size(columns: Mapping[str, Sequence]) -> int:
    sizes = {len(v) for v in columns.values()}
    if len(sizes) > 1:
        raise RakingError("sample: weighting variables have different numbers of respondents", source="sample")
    n = sizes.pop() if sizes else 0
    if n == 0:
        raise RakingError("sample: no respondent to weight", source="sample")
    return n


def _initial_weights(base_weights, n: int) -> np.ndarray:
    if base_weights is None:
        return np.ones(n)
    weights = np.asarray(base_weights, dtype=float).copy()
    if weights.shape != (n,) or not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise RakingError("base weights must be one positive number per respondent")
    return weights * (n / weights.sum())


def _check_trim(trim) -> tuple[float, float]:
    low, high = (float(x) for x in trim)
    if not (0 <= low < 1 < high) or not np.isfinite(high):
        raise RakingError(f"trimming bounds must satisfy 0 <= low < 1 < high (weights average 1); got {low}, {high}")
    return low, high


def _within(weights: np.ndarray, trim: tuple[float, float], tolerance: float) -> bool:
    # Relative slack: bounds are met when no weight exceeds them by more than the tolerance.
    return bool(weights.min() >= trim[0] * (1 - tolerance) - tolerance and weights.max() <= trim[1] * (1 + tolerance) + tolerance)


def _ipf(weights, codes, shares, tolerance, max_iter, trim) -> tuple[int, float]:
    """Rake ``weights`` in place; return (cycles done, largest deviation of a share from its target)."""
    n = weights.size
    targets_count = {v: shares[v] * n for v in shares}
    deviation = np.inf
    for iteration in range(1, max_iter + 1):
        for variable, code in codes.items():
            totals = np.bincount(code, weights=weights, minlength=shares[variable].size)
            weights *= (targets_count[variable] / totals)[code]
        if trim is not None:
            # Clip on the mean-1 scale, then let the next cycle restore the margins.
            weights *= n / weights.sum()
            np.clip(weights, trim[0], trim[1], out=weights)
        deviation = _max_deviation(weights, codes, shares)
        if deviation <= tolerance and (trim is None or _within(weights, trim, tolerance)):
            return iteration, deviation
    return max_iter, deviation


def _bounds_feasible(codes, shares, trim) -> bool:
    """Whether any weights within ``trim`` meet the margins exactly (a linear feasibility problem).

    Respondents with the same categories on every variable are interchangeable, so the problem is
    solved on cells: the total weight of a cell of m respondents can be anything in
    [low·m, high·m]. The number of cells is small (at most the product of the category counts).
    """
    from scipy.optimize import linprog

    n = next(iter(codes.values())).size
    sizes = [shares[v].size for v in codes]
    cell = np.ravel_multi_index(tuple(codes.values()), sizes)
    cells, members = np.unique(cell, return_counts=True)
    categories = np.unravel_index(cells, sizes)
    rows, targets = [], []
    for position, variable in enumerate(codes):
        for category in range(sizes[position]):
            rows.append((categories[position] == category).astype(float))
            targets.append(shares[variable][category] * n)
    bounds = [(trim[0] * m, trim[1] * m) for m in members]
    solution = linprog(np.zeros(cells.size), A_eq=np.array(rows), b_eq=np.array(targets), bounds=bounds, method="highs")
    return solution.status == 0


def _max_deviation(weights, codes, shares) -> float:
    total = weights.sum()
    worst = 0.0
    for variable, code in codes.items():
        achieved = np.bincount(code, weights=weights, minlength=shares[variable].size) / total
        worst = max(worst, float(np.abs(achieved - shares[variable]).max()))
    return worst


def _result(weights, codes, targets, iterations, deviation, trim) -> RakingResult:
    weights = weights * (weights.size / weights.sum())
    total = weights.sum()
    achieved = {}
    for variable, code in codes.items():
        categories = list(targets[variable])
        sums = np.bincount(code, weights=weights, minlength=len(categories)) / total
        achieved[variable] = {c: float(s) for c, s in zip(categories, sums, strict=True)}
    trimmed = 0
    if trim is not None:
        trimmed = int(np.sum(np.isclose(weights, trim[0]) | np.isclose(weights, trim[1])))
    return RakingResult(
        weights=weights,
        iterations=iterations,
        max_deviation=deviation,
        achieved=achieved,
        targets=targets,
        deff=kish_deff(weights),
        effective_n=effective_sample_size(weights),
        trim=trim,
        trimmed_count=trimmed,
    )
