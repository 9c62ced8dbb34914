"""Composite indicators as a logged pipeline, after the JRC's COINr and the JRC/OECD Handbook (2008).

A composite index is built from a table of indicators (units × indicators) and a tree (indicators →
pillars → sub-indices → index) by a fixed series of steps: denominate, impute, screen, treat outliers,
normalise, weight, aggregate. Each step is a :class:`Step` (a name and its parameters); a
:class:`Pipeline` runs them in order and keeps every intermediate data set and a log of what each step
did, so that the whole index can be regenerated with one choice changed (:meth:`Pipeline.with_change`),
which is what uncertainty analysis (``atout.engine.uncertainty``) needs.

Scores are unitless. Unless a normaliser says otherwise they lie on a 0–100 scale where higher is
better (indicator polarities are applied during normalisation). Ranks are 1 for the best unit; ties
share the smallest rank (R's ``ties.method = "min"``, as COINr).

Pure Python + numpy/pandas/scipy: no Django here.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

# --------------------------------------------------------------------------------------------------
# The index structure
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexTree:
    """The structure of an index: which code aggregates into which, with weights and polarities.

    ``level`` is 1 for indicators and grows towards the index, whose level is the highest and which is
    the only code without a parent. ``parent`` maps every code but the top one to the code at the next
    level up. ``weight`` holds each code's weight within its parent (relative, any positive scale).
    ``direction`` holds each indicator's polarity (+1 higher is better, −1 lower is better).
    ``target`` (optional) holds indicator targets in the indicator's own unit; ``denominator`` maps an
    indicator to the column it is divided by in the denominate step.
    """

    level: Mapping[str, int]
    parent: Mapping[str, str | None]
    weight: Mapping[str, float]
    direction: Mapping[str, int]
    target: Mapping[str, float] = field(default_factory=dict)
    denominator: Mapping[str, str] = field(default_factory=dict)
    name: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        problems = self.problems()
        if problems:
            raise ValueError("invalid index structure: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """Every inconsistency of the structure, in words (empty when it is sound)."""
        found = []
        tops = [code for code, parent in self.parent.items() if not parent]
        if len(tops) != 1:
            found.append(f"exactly one code must have no parent (the index), found {sorted(tops)}")
        for code, parent in self.parent.items():
            if code not in self.level:
                found.append(f"{code} has no level")
            if parent and parent not in self.level:
                found.append(f"{code} has unknown parent {parent}")
            elif parent and self.level[parent] != self.level.get(code, 0) + 1:
                found.append(f"{code} (level {self.level.get(code)}) has parent {parent} at level "
                             f"{self.level[parent]}, not {self.level.get(code, 0) + 1}")
        for code, lev in self.level.items():
            if lev > 1 and not any(p == code for p in self.parent.values()):
                found.append(f"aggregate {code} has no children")
            if lev == 1 and code not in self.direction:
                found.append(f"indicator {code} has no direction")
        return found

    @property
    def levels(self) -> list[int]:
        return sorted(set(self.level.values()))

    @property
    def top(self) -> str:
        return next(code for code, parent in self.parent.items() if not parent)

    @property
    def indicators(self) -> list[str]:
        return self.codes_at(1)

    @property
    def aggregates(self) -> list[str]:
        """Aggregate codes from the lowest level to the index."""
        return [code for lev in self.levels if lev > 1 for code in self.codes_at(lev)]

    def codes_at(self, level: int) -> list[str]:
        return [code for code, lev in self.level.items() if lev == level]

    def children(self, code: str) -> list[str]:
        return [child for child, parent in self.parent.items() if parent == code]

    def with_weights(self, weights: Mapping[str, float]) -> IndexTree:
        """The same tree with some weights replaced."""
        return IndexTree(self.level, self.parent, {**self.weight, **weights}, self.direction, self.target,
                         self.denominator, self.name)


@dataclass
class CompositeData:
    """The inputs of a composite index.

    ``values``: units × indicators (float, NaN = missing), indexed by unit code, columns = the tree's
    indicators. ``groups``: units × grouping columns (text), used by group imputation. ``denominators``:
    units × denominator columns (float), used by the denominate step. ``names``: unit code → name.
    """

    values: pd.DataFrame
    tree: IndexTree
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    denominators: pd.DataFrame = field(default_factory=pd.DataFrame)
    names: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))

    def __post_init__(self):
        missing = [code for code in self.tree.indicators if code not in self.values.columns]
        if missing:
            raise ValueError(f"indicators of the tree absent from the data: {missing}")
        self.values = self.values[self.tree.indicators].astype(float)


# --------------------------------------------------------------------------------------------------
# Statistics (COINr / e1071 "type 2" definitions, as Excel's SKEW and KURT)
# --------------------------------------------------------------------------------------------------


def _central_moments(x: np.ndarray) -> tuple[int, float, float, float]:
    """(n, Σd², Σd³, Σd⁴) of the non-missing values, d = x − mean; products, not powers, for speed."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return 0, 0.0, 0.0, 0.0
    d = x - x.mean()
    d2 = d * d
    return x.size, float(d2.sum()), float((d2 * d).sum()), float((d2 * d2).sum())


def _skew_from(n: int, m2: float, m3: float) -> float:
    if n < 3 or m2 == 0:
        return math.nan
    g1 = math.sqrt(n) * m3 / m2**1.5
    return g1 * math.sqrt(n * (n - 1)) / (n - 2)


def _kurt_from(n: int, m2: float, m4: float) -> float:
    if n < 4 or m2 == 0:
        return math.nan
    r = n * m4 / m2**2
    return ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def skewness(x: np.ndarray) -> float:
    """Sample skewness, bias-corrected (e1071 type 2, Excel SKEW); NaN ignored; NaN below 3 values."""
    n, m2, m3, _ = _central_moments(x)
    return _skew_from(n, m2, m3)


def kurtosis(x: np.ndarray) -> float:
    """Sample excess kurtosis, bias-corrected (e1071 type 2, Excel KURT); NaN ignored; NaN below 4 values."""
    n, m2, _, m4 = _central_moments(x)
    return _kurt_from(n, m2, m4)


def indicator_statistics(values: pd.DataFrame) -> pd.DataFrame:
    """Per column: availability (share of units with a value, 0–1), min, max, mean, median, skew, kurtosis.

    Input: units × indicators (NaN = missing). Output: indicators × those seven statistics, in the
    indicators' own units (skew and kurtosis are unitless, type 2 definitions).
    """
    rows = {}
    for code in values.columns:
        x = values[code].to_numpy(dtype=float)
        present = x[~np.isnan(x)]
        rows[code] = {
            "availability": present.size / x.size if x.size else math.nan,
            "min": float(present.min()) if present.size else math.nan,
            "max": float(present.max()) if present.size else math.nan,
            "mean": float(present.mean()) if present.size else math.nan,
            "median": float(np.median(present)) if present.size else math.nan,
            "skew": skewness(present),
            "kurtosis": kurtosis(present),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of a group of components (columns), on the units with every value present.

    alpha = k / (k − 1) × (1 − Σ var(item) / var(Σ items)); NaN with fewer than 2 items or 2 units.
    """
    complete = items.dropna()
    k = complete.shape[1]
    if k < 2 or len(complete) < 2:
        return math.nan
    item_var = complete.var(ddof=1).sum()
    total_var = complete.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return math.nan
    return float(k / (k - 1) * (1 - item_var / total_var))


# --------------------------------------------------------------------------------------------------
# Steps: denominate, impute, screen, treat
# --------------------------------------------------------------------------------------------------


def denominate(values: pd.DataFrame, denominators: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    """Divide each indicator named in ``mapping`` by its denominator column (e.g. GDP, population).

    A zero denominator gives a missing value, not an infinity.
    """
    out = values.copy()
    for code, denominator in mapping.items():
        if denominator not in denominators.columns:
            raise ValueError(f"denominator {denominator!r} of {code} is not in the data")
        den = denominators[denominator].reindex(out.index).astype(float).replace(0.0, np.nan)
        out[code] = out[code] / den
    return out


IMPUTATION_METHODS = ("none", "mean", "median", "group_mean", "group_median")


def impute(values: pd.DataFrame, method: str = "mean", groups: pd.Series | None = None) -> pd.DataFrame:
    """Replace missing values per indicator by its mean or median, over all units or within the unit's group.

    A unit without a group, or whose group has no value, keeps its missing value (COINr's behaviour).
    """
    if method not in IMPUTATION_METHODS:
        raise ValueError(f"unknown imputation method {method!r}; expected one of {IMPUTATION_METHODS}")
    if method == "none":
        return values.copy()
    statistic = "mean" if method.endswith("mean") else "median"
    if not method.startswith("group"):
        return values.fillna(getattr(values, statistic)())
    if groups is None:
        raise ValueError(f"imputation {method!r} needs a group column")
    groups = groups.reindex(values.index)
    filled = values.groupby(groups, dropna=True).transform(statistic)
    return values.fillna(filled)


def data_availability(values: pd.DataFrame) -> pd.Series:
    """Per unit, the share (0–1) of indicators that have a value."""
    return values.notna().mean(axis=1)


def screen_units(values: pd.DataFrame, min_availability: float = 0.9, force_include: Sequence[str] = (),
                 force_exclude: Sequence[str] = ()) -> pd.DataFrame:
    """Keep the units whose data availability is at least ``min_availability`` (0–1), as COINr's "byNA"."""
    keep = data_availability(values) >= min_availability
    keep[keep.index.isin(list(force_include))] = True
    keep[keep.index.isin(list(force_exclude))] = False
    return values.loc[keep]


def _fails_skew_kurtosis(x: np.ndarray, skew_threshold: float, kurtosis_threshold: float) -> bool:
    # COINr's check_SkewKurt passes when |skew| < threshold OR kurtosis < threshold.
    n, m2, m3, m4 = _central_moments(x)
    sk, ku = _skew_from(n, m2, m3), _kurt_from(n, m2, m4)
    if math.isnan(sk) or math.isnan(ku):
        return False
    return abs(sk) >= skew_threshold and ku >= kurtosis_threshold


def winsorise(x: np.ndarray, winmax: int = 5, skew_threshold: float = 2.0,
              kurtosis_threshold: float = 3.5) -> tuple[np.ndarray, int]:
    """Winsorise as COINr does; returns (treated copy, number of points reassigned at the last pass).

    While |skew| ≥ ``skew_threshold`` and kurtosis ≥ ``kurtosis_threshold`` and fewer than ``winmax``
    points were treated: the extreme value(s) on the side of the skew (highest if skew ≥ 0) take the
    next value inwards. Ties at the extreme are reassigned together, so after k passes on one side, k
    points share the same value — COINr counts the points of the last reassignment on each side.
    """
    x = np.array(x, dtype=float)
    present = ~np.isnan(x)
    n_high = n_low = 0
    treated = 0
    while _fails_skew_kurtosis(x, skew_threshold, kurtosis_threshold) and treated < winmax:
        if skewness(x) >= 0:
            top = np.nanmax(x)
            at = present & (x == top)
            rest = x[present & ~at]
            if rest.size == 0:
                break
            x[at] = rest.max()
            n_high = int(at.sum())
        else:
            bottom = np.nanmin(x)
            at = present & (x == bottom)
            rest = x[present & ~at]
            if rest.size == 0:
                break
            x[at] = rest.min()
            n_low = int(at.sum())
        treated = n_high + n_low
    return x, treated


def log_transform(x: np.ndarray) -> np.ndarray:
    """COINr's ``log_CT``: log(x − min + 0.01 × (max − min)), keeping the order and missing values."""
    x = np.asarray(x, dtype=float)
    lo, hi = np.nanmin(x), np.nanmax(x)
    return np.log(x - lo + 0.01 * (hi - lo))


def treat_outliers(values: pd.DataFrame, winmax: int = 5, skew_threshold: float = 2.0,
                   kurtosis_threshold: float = 3.5, fallback: str | None = "log",
                   skip: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Treat outliers column by column with COINr's default rule.

    An indicator fails when |skew| ≥ ``skew_threshold`` and excess kurtosis ≥ ``kurtosis_threshold``
    (type 2). A failing indicator is winsorised (up to ``winmax`` points); if it still fails and
    ``fallback`` is ``"log"``, the log transform is applied to the ORIGINAL values instead.
    Returns (treated values, details: indicator × skew, kurtosis, winsorised, treatment).
    """
    out = values.copy()
    details = {}
    for code in values.columns:
        x = values[code].to_numpy(dtype=float)
        record = {"skew": skewness(x), "kurtosis": kurtosis(x), "winsorised": 0, "treatment": "none"}
        if code not in skip and _fails_skew_kurtosis(x, skew_threshold, kurtosis_threshold):
            treated, count = winsorise(x, winmax, skew_threshold, kurtosis_threshold)
            record.update(winsorised=count, treatment="winsorised")
            if _fails_skew_kurtosis(treated, skew_threshold, kurtosis_threshold) and fallback == "log":
                treated = log_transform(x)
                record.update(winsorised=0, treatment="log")
            out[code] = treated
        details[code] = record
    return out, pd.DataFrame.from_dict(details, orient="index")


# --------------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------------

NORMALISATION_METHODS = ("minmax", "zscore", "rank", "percentile_rank", "target", "reference", "max",
                         "goalposts")


def _minmax(x: np.ndarray, low: float, high: float) -> np.ndarray:
    lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = (x - lo) / span
    # A constant indicator does not discriminate: every unit sits in the middle of the range.
    scaled = np.where(span == 0, 0.5, scaled)
    return np.where(np.isnan(x), np.nan, low + scaled * (high - low))


def _zscore(x: np.ndarray, mean: float, sd: float) -> np.ndarray:
    mu = np.nanmean(x, axis=0)
    sigma = np.nanstd(x, axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(sigma == 0, 0.0, (x - mu) / sigma)
    return np.where(np.isnan(x), np.nan, mean + sd * z)


def _column_ranks(x: np.ndarray, method: str) -> np.ndarray:
    return rankdata(x, method=method, axis=0, nan_policy="omit")


def normalise_array(x: np.ndarray, directions: np.ndarray, method: str = "minmax", *, low: float = 0.0,
                    high: float = 100.0, mean: float = 0.0, sd: float = 1.0,
                    targets: np.ndarray | None = None, reference: np.ndarray | None = None,
                    goalposts: np.ndarray | None = None, cap: bool = True) -> np.ndarray:
    """Normalise the columns of ``x`` (units × indicators) after applying polarities.

    - ``minmax``: (x − min) / (max − min) mapped to [low, high];
    - ``zscore``: (x − mean) / sd (sample sd), then × ``sd`` + ``mean``;
    - ``rank``: rank from the worst (1) to the best (ties share the lowest rank);
    - ``percentile_rank``: (average rank − 1) / (n − 1) × 100: the share of other units doing worse;
    - ``target``: (x − worst) / (target − worst) × 100, capped at 100 when ``cap`` (distance to target);
    - ``reference``: x / x_ref × 100 (x_ref / x × 100 when lower is better): distance to a reference unit;
    - ``max``: x / best × 100 (best / x × 100 when lower is better): distance to the leader;
    - ``goalposts``: (x − worst) / (best − worst) × 100 clipped to [0, 100]; ``goalposts`` is indicators ×
      [worst, best] in the indicator's unit.
    ``directions`` is +1/−1 per indicator. Missing values stay missing.
    """
    x = np.asarray(x, dtype=float)
    d = np.asarray(directions, dtype=float)
    xd = x * d
    if method == "minmax":
        return _minmax(xd, low, high)
    if method == "zscore":
        return _zscore(xd, mean, sd)
    if method == "rank":
        return _column_ranks(xd, "min")
    if method == "percentile_rank":
        n = np.sum(~np.isnan(xd), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (_column_ranks(xd, "average") - 1) / np.maximum(n - 1, 1) * 100
    if method == "target":
        if targets is None:
            raise ValueError("normalisation 'target' needs targets")
        td = np.asarray(targets, dtype=float) * d
        worst = np.nanmin(xd, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = (xd - worst) / (td - worst) * 100
        return np.minimum(score, 100) if cap else score
    if method in ("reference", "max"):
        if method == "reference" and reference is None:
            raise ValueError("normalisation 'reference' needs a reference unit")
        if np.nanmin(x) <= 0:
            raise ValueError(f"normalisation {method!r} divides values: they must all be positive")
        base = np.asarray(reference, dtype=float) if method == "reference" else np.where(
            d > 0, np.nanmax(x, axis=0), np.nanmin(x, axis=0))
        return np.where(d > 0, x / base, base / x) * 100
    if method == "goalposts":
        if goalposts is None:
            raise ValueError("normalisation 'goalposts' needs [worst, best] per indicator")
        g = np.asarray(goalposts, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = (x - g[:, 0]) / (g[:, 1] - g[:, 0]) * 100
        return np.clip(score, 0, 100)
    raise ValueError(f"unknown normalisation {method!r}; expected one of {NORMALISATION_METHODS}")


def normalise(values: pd.DataFrame, tree: IndexTree, method: str = "minmax", *, low: float = 0.0,
              high: float = 100.0, mean: float = 0.0, sd: float = 1.0, reference_unit: str | None = None,
              goalposts: Mapping[str, Sequence[float]] | None = None, cap: bool = True) -> pd.DataFrame:
    """Normalise a units × indicators frame with the tree's polarities (and targets); see :func:`normalise_array`."""
    codes = list(values.columns)
    directions = np.array([tree.direction[c] for c in codes], dtype=float)
    targets = reference = posts = None
    if method == "target":
        absent = [c for c in codes if c not in tree.target or pd.isna(tree.target[c])]
        if absent:
            raise ValueError(f"normalisation 'target' needs a target for {absent}")
        targets = np.array([tree.target[c] for c in codes])
    if method in ("reference", "max"):
        lowest = values.min()
        not_positive = list(lowest[lowest <= 0].index)
        if not_positive:
            raise ValueError(f"normalisation {method!r} divides values: {not_positive} have values ≤ 0")
    if method == "reference":
        if reference_unit not in values.index:
            raise ValueError(f"reference unit {reference_unit!r} is not among the units")
        reference = values.loc[reference_unit].to_numpy(dtype=float)
    if method == "goalposts":
        absent = [c for c in codes if not goalposts or c not in goalposts]
        if absent:
            raise ValueError(f"normalisation 'goalposts' needs [worst, best] for {absent}")
        posts = np.array([list(goalposts[c]) for c in codes], dtype=float)
    out = normalise_array(values.to_numpy(dtype=float), directions, method, low=low, high=high, mean=mean,
                          sd=sd, targets=targets, reference=reference, goalposts=posts, cap=cap)
    return pd.DataFrame(out, index=values.index, columns=codes)


def ptod_index(values: pd.DataFrame, directions: Mapping[str, int],
               weights: Mapping[str, float] | None = None) -> pd.Series:
    """The PTOD observatories' index form: 50 + 15 × (weighted) mean of polarity-signed z-scores.

    z = direction × (x − mean) / sd (sample sd) per indicator; the mean is over the indicators a unit
    has. An average unit scores 50; a unit one standard deviation better on everything scores 65.
    """
    codes = list(values.columns)
    z = _zscore(values.to_numpy(dtype=float) * np.array([directions[c] for c in codes], dtype=float), 0, 1)
    w = np.array([1.0 if weights is None else weights[c] for c in codes])
    present = ~np.isnan(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_z = np.nansum(z * w, axis=1) / (present * w).sum(axis=1)
    return pd.Series(50 + 15 * mean_z, index=values.index, name="ptod_index")


# --------------------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------------------


def equal_weights(tree: IndexTree) -> dict[str, float]:
    """Every code weighs 1 within its parent."""
    return {code: 1.0 for code in tree.level}


def budget_weights(tree: IndexTree, allocation: Mapping[str, float]) -> dict[str, float]:
    """Weights from a stakeholder budget allocation: points given to components, rescaled per parent.

    ``allocation`` maps codes to points (e.g. 100 points shared among pillars); codes not named keep
    their current weight. Within each parent the named siblings' weights sum to 1.
    """
    weights = dict(tree.weight)
    for code, points in allocation.items():
        if code not in tree.level:
            raise ValueError(f"budget allocation names unknown code {code!r}")
        if points < 0:
            raise ValueError(f"budget allocation gives negative points to {code!r}")
    for parent in {tree.parent[c] for c in allocation}:
        siblings = [c for c in tree.children(parent) if c in allocation]
        total = sum(allocation[c] for c in siblings)
        for code in siblings:
            weights[code] = allocation[code] / total if total else 0.0
    return weights


def pca_weights(normalised: pd.DataFrame, tree: IndexTree) -> dict[str, float]:
    """Statistical weights from principal components, group by group (JRC/OECD Handbook, step 6).

    For each aggregate, its children are standardised over the complete units and the first principal
    component is found; a child's weight is its squared loading (they sum to 1 per group). Higher levels
    use the arithmetic aggregates computed with the weights found below them.
    """
    weights = dict(tree.weight)
    data = normalised.copy()
    for level in tree.levels[1:]:
        for parent in tree.codes_at(level):
            children = tree.children(parent)
            block = data[children].dropna()
            if len(children) == 1 or len(block) < 3:
                weights.update({c: 1.0 for c in children})
                continue
            std = block.std(ddof=1).replace(0, np.nan)
            z = ((block - block.mean()) / std).fillna(0.0).to_numpy()
            _, _, vt = np.linalg.svd(z, full_matrices=False)
            loadings = vt[0] ** 2
            weights.update({c: float(v) / float(loadings.sum()) for c, v in zip(children, loadings, strict=True)})
        tree_w = tree.with_weights(weights)
        for parent in tree.codes_at(level):
            children = tree.children(parent)
            w = np.array([[tree_w.weight[c]] for c in children])
            data[parent] = aggregate_block(data[children].to_numpy(), w, "arithmetic")[:, 0]
    return weights


# --------------------------------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------------------------------

AGGREGATION_METHODS = ("arithmetic", "geometric", "harmonic", "copeland")


def aggregate_block(values: np.ndarray, weights: np.ndarray, method: str = "arithmetic") -> np.ndarray:
    """Aggregate children into parents: ``values`` (..., units, children) with ``weights`` (..., children, parents).

    ``weights[c, p]`` is child c's weight in parent p (0 when c is not p's child). Missing children are
    dropped and the remaining weights rescaled (COINr). Leading dimensions broadcast (numpy matmul).
    Geometric and harmonic means need positive values.
    Returns (..., units, parents); a parent with no child present is NaN.
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    present = ~np.isnan(values)
    complete = bool(present.all())
    if complete:
        # No missing child: every unit's weights sum to the column sums, no mask product needed.
        filled = values
        total_weight = weights.sum(axis=-2, keepdims=True)
    else:
        filled = np.where(present, values, 0.0)
        total_weight = present.astype(float) @ weights
    # A parent with no child present has total weight 0 and comes out as 0 / 0 = NaN, as it should.
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "arithmetic":
            return (filled @ weights) / total_weight
        if method not in ("geometric", "harmonic"):
            raise ValueError(f"unknown aggregation {method!r}; expected one of {AGGREGATION_METHODS}")
        if complete and filled.size and filled.min() <= 0 or not complete and np.any(filled[present] <= 0):
            raise ValueError(f"{method} aggregation needs positive scores; normalise to a positive range "
                             "(e.g. min-max to [1, 100])")
        safe = filled if complete else np.where(present, values, 1.0)
        if method == "geometric":
            logs = np.log(safe) if complete else np.log(safe) * present
            return np.exp((logs @ weights) / total_weight)
        inverse = 1.0 / safe if complete else present / safe
        return total_weight / (inverse @ weights)


def copeland_scores(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Copeland outranking scores of units (rows) over components (columns), weights per component.

    For each pair (a, b), a outranks b when the weight of the components where a is better (half the
    weight of ties) exceeds half the total. A unit's score is the number of units it outranks minus the
    number that outrank it (from −(n−1) to n−1). O(n² × components) time: for a few thousand units.
    """
    if np.isnan(values).any():
        raise ValueError("Copeland aggregation needs complete data; impute first")
    n = values.shape[0]
    if n > 5000:
        raise ValueError(f"Copeland aggregation compares every pair of units; {n} units is too many (max 5000)")
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    better = (values[:, None, :] > values[None, :, :]).astype(float) @ w
    ties = (values[:, None, :] == values[None, :, :]).astype(float) @ w
    support = better + 0.5 * ties
    np.fill_diagonal(support, 0.5)
    return (support > 0.5).sum(axis=1) - (support < 0.5).sum(axis=1).astype(float)


def level_weight_matrix(tree: IndexTree, level: int, weights: Mapping[str, float]) -> tuple[list, list, np.ndarray]:
    """(children codes at ``level − 1``, parent codes at ``level``, children × parents weight matrix)."""
    parents = tree.codes_at(level)
    children = tree.codes_at(level - 1)
    matrix = np.zeros((len(children), len(parents)))
    position = {p: j for j, p in enumerate(parents)}
    for i, child in enumerate(children):
        matrix[i, position[tree.parent[child]]] = weights[child]
    return children, parents, matrix


def aggregate(normalised: pd.DataFrame, tree: IndexTree, weights: Mapping[str, float],
              method: str = "arithmetic", removed: Sequence[str] = ()) -> pd.DataFrame:
    """Aggregate level by level; returns units × (indicators + every aggregate, lowest level first).

    Codes in ``removed`` are blanked as soon as they exist, so their parents are computed without them.
    """
    data = normalised.copy()
    data[[c for c in removed if c in data.columns]] = np.nan
    for level in tree.levels[1:]:
        children, parents, matrix = level_weight_matrix(tree, level, weights)
        block = data[children].to_numpy(dtype=float)
        if method == "copeland":
            scores = np.column_stack([
                copeland_scores(block[:, matrix[:, j] > 0], matrix[matrix[:, j] > 0, j])
                for j in range(len(parents))])
        else:
            scores = aggregate_block(block, matrix, method)
        for j, parent in enumerate(parents):
            data[parent] = np.nan if parent in removed else scores[:, j]
    return data


def rank_units(scores: np.ndarray, axis: int = 0) -> np.ndarray:
    """Ranks along ``axis`` (units), 1 = highest score, ties share the lowest rank; NaN scores get NaN.

    Same result as R's ``rank(-x, ties.method = "min")``. An unstable (quick) sort is enough because
    tied units all receive the rank of the first of them, whatever their order.
    """
    scores = np.moveaxis(np.asarray(scores, dtype=float), axis, -1)
    missing = np.isnan(scores)
    # Negating puts the best first; NaN sorts last and is blanked at the end.
    keys = -scores
    order = np.argsort(keys, axis=-1)
    ordered = np.take_along_axis(keys, order, axis=-1)
    size = scores.shape[-1]
    starts = np.ones(ordered.shape, dtype=bool)
    if size > 1:
        starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    position = np.where(starts, np.arange(1, size + 1, dtype=float), 0.0)
    np.maximum.accumulate(position, axis=-1, out=position)
    ranks = np.empty_like(position)
    np.put_along_axis(ranks, order, position, axis=-1)
    ranks[missing] = np.nan
    return np.moveaxis(ranks, -1, axis)


def mean_absolute_rank_change(ranks: np.ndarray, nominal: np.ndarray) -> np.ndarray:
    """Mean over units of |rank − nominal rank| (units on the last axis, NaN ignored)."""
    return np.nanmean(np.abs(np.asarray(ranks, float) - np.asarray(nominal, float)), axis=-1)


# --------------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------------

STEP_ORDER = ("denominate", "impute", "screen", "treat", "normalise", "weight", "aggregate")
STEP_PARAMETERS = {
    "denominate": {"mapping"},
    "impute": {"method", "group"},
    "screen": {"min_availability", "force_include", "force_exclude"},
    "treat": {"method", "winmax", "skew_threshold", "kurtosis_threshold", "fallback", "skip"},
    "normalise": {"method", "low", "high", "mean", "sd", "reference_unit", "goalposts", "cap"},
    "weight": {"method", "weights"},
    "aggregate": {"method"},
}
DATASET_NAMES = {"denominate": "Denominated", "impute": "Imputed", "screen": "Screened", "treat": "Treated",
                 "normalise": "Normalised", "aggregate": "Aggregated"}


@dataclass(frozen=True)
class Step:
    """One step of a pipeline: its name (one of ``STEP_ORDER``) and its parameters."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.name not in STEP_ORDER:
            raise ValueError(f"unknown step {self.name!r}; expected one of {STEP_ORDER}")
        unknown = sorted(set(self.params) - STEP_PARAMETERS[self.name])
        if unknown:
            raise ValueError(f"step {self.name!r} has unknown parameter(s) {unknown}; "
                             f"expected {sorted(STEP_PARAMETERS[self.name])}")


@dataclass
class PipelineResult:
    """What a pipeline produced: every data set by COINr name, the log, weights, details of treatment."""

    datasets: dict[str, pd.DataFrame]
    log: list[dict]
    tree: IndexTree
    weights: dict[str, float]
    treatment: pd.DataFrame | None = None

    @property
    def units(self) -> list[str]:
        return list(self.final.index)

    @property
    def final(self) -> pd.DataFrame:
        return self.datasets.get("Aggregated", next(reversed(self.datasets.values())))

    @property
    def scores(self) -> pd.DataFrame:
        """Units × aggregates (lowest level first, the index last)."""
        return self.datasets["Aggregated"][self.tree.aggregates]

    @property
    def ranks(self) -> pd.DataFrame:
        """Units × aggregates ranks (1 = best; NaN where the score is missing)."""
        scores = self.scores
        return pd.DataFrame(rank_units(scores.to_numpy()), index=scores.index, columns=scores.columns)

    def correlation_with_parent(self) -> pd.Series:
        """Pearson correlation of each code's scores (normalised for indicators) with its parent's."""
        data = self.datasets["Aggregated"]
        return pd.Series({code: data[code].corr(data[parent]) for code, parent in self.tree.parent.items()
                          if parent}, dtype=float)

    def cronbach_alphas(self) -> pd.Series:
        """Cronbach's alpha of each aggregate's children."""
        data = self.datasets["Aggregated"]
        return pd.Series({code: cronbach_alpha(data[self.tree.children(code)]) for code in self.tree.aggregates},
                         dtype=float)


@dataclass
class _RunState:
    """What a pipeline run carries from step to step."""

    values: pd.DataFrame
    weights: dict[str, float]
    treatment: pd.DataFrame | None = None


class Pipeline:
    """A composite index as a list of steps over data; run it, or copy it with one choice changed.

    Steps and their parameters:

    - ``denominate``: ``mapping`` (indicator → denominator column; default the tree's denominators);
    - ``impute``: ``method`` (none, mean, median, group_mean, group_median), ``group`` (group column);
    - ``screen``: ``min_availability`` (0–1), ``force_include``, ``force_exclude`` (unit codes);
    - ``treat``: ``winmax``, ``skew_threshold``, ``kurtosis_threshold``, ``fallback`` ("log" or None),
      ``skip`` (indicators left alone); or ``method: none``;
    - ``normalise``: ``method`` and its parameters (see :func:`normalise_array`);
    - ``weight``: ``method`` (expert = the tree's weights, equal, pca, budget, given), ``weights``
      (code → weight or points, for budget and given);
    - ``aggregate``: ``method`` (arithmetic, geometric, harmonic, copeland).
    """

    def __init__(self, data: CompositeData, steps: Sequence[Step]):
        names = [s.name for s in steps]
        if len(set(names)) != len(names):
            raise ValueError(f"a step appears twice: {names}")
        order = [STEP_ORDER.index(n) for n in names]
        if order != sorted(order):
            raise ValueError(f"steps must follow the order {STEP_ORDER}; got {names}")
        for needed in ("normalise", "aggregate"):
            if needed not in names:
                raise ValueError(f"a pipeline needs a {needed!r} step")
        self.data = data
        self.steps = list(steps)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def with_change(self, step: str, **params) -> Pipeline:
        """A copy of this pipeline whose step ``step`` has ``params`` merged into its parameters.

        A step absent from the pipeline is added at its place in ``STEP_ORDER``.
        """
        steps = []
        found = False
        for s in self.steps:
            if s.name == step:
                steps.append(Step(step, {**s.params, **params}))
                found = True
            else:
                steps.append(s)
        if not found:
            steps.append(Step(step, params))
            steps.sort(key=lambda s: STEP_ORDER.index(s.name))
        return Pipeline(self.data, steps)

    def with_step(self, step: str, **params) -> Pipeline:
        """A copy whose step ``step`` has exactly ``params`` (replacing all of its parameters)."""
        steps = [Step(step, params) if s.name == step else s for s in self.steps]
        return Pipeline(self.data, steps) if self.step(step) else self.with_change(step, **params)

    def run(self, until: str | None = None, before: str | None = None) -> PipelineResult:
        """Run the steps in order, every data set kept; stop after step ``until`` or before step ``before``."""
        state = _RunState(values=self.data.values, weights=dict(self.data.tree.weight))
        datasets = {"Raw": state.values}
        log: list[dict] = []
        for step in self.steps:
            if before and STEP_ORDER.index(step.name) >= STEP_ORDER.index(before):
                break
            params = dict(step.params)
            entry: dict[str, Any] = {"step": step.name, "params": copy.deepcopy(params)}
            entry.update(getattr(self, "_" + step.name)(state, params))
            if step.name in DATASET_NAMES:
                datasets[DATASET_NAMES[step.name]] = state.values
            log.append(entry)
            if step.name == until:
                break
        tree = self.data.tree.with_weights(state.weights)
        return PipelineResult(datasets, log, tree, state.weights, state.treatment)

    # Each step updates the run's state and returns what it adds to the log.

    def _denominate(self, state: _RunState, params: dict) -> dict:
        mapping = params.get("mapping") or dict(self.data.tree.denominator)
        state.values = denominate(state.values, self.data.denominators, mapping)
        return {"denominated": sorted(mapping)}

    def _impute(self, state: _RunState, params: dict) -> dict:
        groups = self.data.groups[params["group"]] if params.get("group") else None
        missing = int(state.values.isna().sum().sum())
        state.values = impute(state.values, params.get("method", "mean"), groups)
        return {"imputed": missing - int(state.values.isna().sum().sum())}

    def _screen(self, state: _RunState, params: dict) -> dict:
        units = list(state.values.index)
        state.values = screen_units(state.values, params.get("min_availability", 0.9),
                                    params.get("force_include", ()), params.get("force_exclude", ()))
        return {"removed": [u for u in units if u not in state.values.index]}

    def _treat(self, state: _RunState, params: dict) -> dict:
        if params.get("method", "winsorise") == "none":
            return {}
        state.values, state.treatment = treat_outliers(
            state.values, params.get("winmax", 5), params.get("skew_threshold", 2.0),
            params.get("kurtosis_threshold", 3.5), params.get("fallback", "log"), params.get("skip", ()))
        table = state.treatment
        return {"treated": dict(table.loc[table["treatment"] != "none", "treatment"])}

    def _normalise(self, state: _RunState, params: dict) -> dict:
        state.values = normalise(state.values, self.data.tree, **params)
        return {}

    def _weight(self, state: _RunState, params: dict) -> dict:
        state.weights = self._weights(params, state.values, self.data.tree)
        return {"weights": dict(state.weights)}

    def _aggregate(self, state: _RunState, params: dict) -> dict:
        state.values = aggregate(state.values, self.data.tree, state.weights, params.get("method", "arithmetic"))
        return {}

    @staticmethod
    def _weights(params: Mapping[str, Any], normalised: pd.DataFrame, tree: IndexTree) -> dict[str, float]:
        method = params.get("method", "expert")
        if method == "expert":
            return dict(tree.weight)
        if method == "equal":
            return equal_weights(tree)
        if method == "pca":
            return pca_weights(normalised, tree)
        if method == "budget":
            return budget_weights(tree, params["weights"])
        if method == "given":
            unknown = [c for c in params["weights"] if c not in tree.level]
            if unknown:
                raise ValueError(f"weights name unknown codes {unknown}")
            return {**tree.weight, **{c: float(w) for c, w in params["weights"].items()}}
        raise ValueError(f"unknown weighting {method!r}; expected expert, equal, pca, budget or given")


def coinr_example_pipeline(data: CompositeData, group: str = "EurAsia_group") -> Pipeline:
    """COINr's ``build_example_coin()``: denominate, group-mean imputation, screen at 0.9, treat, min-max
    0–100, expert weights, arithmetic mean."""
    return Pipeline(data, [
        Step("denominate"),
        Step("impute", {"method": "group_mean", "group": group}),
        Step("screen", {"min_availability": 0.9}),
        Step("treat", {"winmax": 5, "skew_threshold": 2.0, "kurtosis_threshold": 3.5, "fallback": "log"}),
        Step("normalise", {"method": "minmax", "low": 0.0, "high": 100.0}),
        Step("weight", {"method": "expert"}),
        Step("aggregate", {"method": "arithmetic"}),
    ])


def removal_impact(result: PipelineResult, level: int) -> dict[str, float]:
    """For each component at ``level``, the mean absolute rank change of the index when it is removed.

    The component is dropped (its siblings' weights are rescaled) and the index re-aggregated from the
    normalised data with the same weights and aggregation method; a parent left with no component
    becomes missing and is dropped in turn. Units whose index becomes missing are left out of the mean.
    """
    tree = result.tree
    if level not in tree.levels or level == tree.levels[-1]:
        raise ValueError(f"level must be one of {tree.levels[:-1]}, got {level}")
    method = next((e["params"].get("method", "arithmetic") for e in result.log if e["step"] == "aggregate"),
                  "arithmetic")
    normalised = result.datasets["Normalised"]
    nominal = result.ranks[tree.top].to_numpy()
    impact = {}
    for code in tree.codes_at(level):
        data = aggregate(normalised, tree, result.weights, method, removed=[code])
        ranks = rank_units(data[tree.top].to_numpy())
        impact[code] = float(mean_absolute_rank_change(ranks, nominal))
    return impact
