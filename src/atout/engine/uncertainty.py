"""Uncertainty and sensitivity analysis of a composite index (JRC/OECD Handbook 2008, step 7; Saltelli 2010).

The index depends on choices — weights, the normaliser, the aggregation method, how missing values are
imputed, how outliers are treated. Monte Carlo analysis draws those choices at random many times and
reports, for each unit, the distribution of its rank (median, 5th and 95th percentile) beside its
nominal rank. Variance-based sensitivity analysis says which choice drives the changes: for each
assumption, the first-order index (share of the output variance it causes alone) and the total index
(share it causes alone or with others), of the mean absolute rank change of the index against the
nominal ranking. Indices come from Saltelli's sampling design (matrices A, B and A with column i from
B) with Jansen's estimators.

Speed: the generic pipeline runs once per combination of data-side choices (imputation × treatment ×
normalisation), not once per run; runs that share a combination and an aggregation method are then
aggregated together as batched matrix products (runs × units × components) and ranked together.

Pure numpy/pandas/scipy; no Django.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from atout.engine.composite import (
    AGGREGATION_METHODS,
    Pipeline,
    level_weight_matrix,
    mean_absolute_rank_change,
    normalise,
    rank_units,
)

ASSUMPTIONS = ("weights", "normalisation", "aggregation", "imputation", "treatment")
Progress = Callable[[int, int], None]


def _quiet(done: int, total: int) -> None:
    return None


@dataclass
class UncertaintySpec:
    """Which assumptions vary, and how.

    - ``weights_noise``: level → relative noise: each weight of a component at that level is multiplied
      by a factor drawn uniformly in [1 − noise, 1 + noise] (COINr's ``get_noisy_weights``);
      ``weight_sets`` such noisy sets are drawn once, and each run picks one;
    - ``normalisation``, ``imputation``, ``treatment``: alternative parameters of those pipeline steps
      (each merged into the nominal step's parameters), each equally likely;
    - ``aggregation``: alternative aggregation methods, equally likely.
    An empty list keeps the nominal choice.
    """

    weights_noise: Mapping[int, float] = field(default_factory=dict)
    weight_sets: int = 100
    normalisation: Sequence[Mapping[str, Any]] = ()
    aggregation: Sequence[str] = ()
    imputation: Sequence[Mapping[str, Any]] = ()
    treatment: Sequence[Mapping[str, Any]] = ()

    def __post_init__(self):
        for method in self.aggregation:
            if method not in AGGREGATION_METHODS or method == "copeland":
                raise ValueError(f"uncertainty analysis aggregates with arithmetic, geometric or harmonic means, "
                                 f"not {method!r}")
        for level, noise in self.weights_noise.items():
            if not 0 <= noise < 1:
                raise ValueError(f"weight noise at level {level} must be in [0, 1), got {noise}")
        if self.weight_sets < 1:
            raise ValueError("weight_sets must be at least 1")

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> UncertaintySpec:
        """Build from a configuration mapping; ``weights_noise`` may be one number (all levels) or level → noise."""
        noise = spec.get("weights_noise", {})
        if isinstance(noise, int | float):
            noise = {"*": float(noise)}
        def alternatives(key: str) -> tuple[dict[str, Any], ...]:
            # A bare name stands for {"method": name}: "zscore", "median", "none".
            return tuple({"method": a} if isinstance(a, str) else dict(a) for a in spec.get(key) or ())

        return cls(
            weights_noise={k if k == "*" else int(k): float(v) for k, v in noise.items()},
            weight_sets=int(spec.get("weight_sets", 100)),
            normalisation=alternatives("normalisation"),
            aggregation=tuple(spec.get("aggregation") or ()),
            imputation=alternatives("imputation"),
            treatment=alternatives("treatment"),
        )

    def noise_at(self, level: int) -> float:
        return float(self.weights_noise.get(level, self.weights_noise.get("*", 0.0)))


def coinr_example_uncertainty() -> UncertaintySpec:
    """COINr's sensitivity example: ±25 % weight noise on pillars and sub-indices, winsorising 1 to 5
    points, min-max [1, 100] or z-scores (mean 10, sd 2), arithmetic or geometric means; plus group-mean
    or plain-mean imputation."""
    return UncertaintySpec(
        weights_noise={2: 0.25, 3: 0.25},
        weight_sets=100,
        normalisation=({"method": "minmax", "low": 1.0, "high": 100.0}, {"method": "zscore", "mean": 10.0, "sd": 2.0}),
        aggregation=("arithmetic", "geometric"),
        imputation=({"method": "group_mean"}, {"method": "mean"}),
        treatment=tuple({"winmax": k} for k in range(1, 6)),
    )


def sobol_indices(model: Callable[[np.ndarray], np.ndarray], names: Sequence[str], n: int,
                  random_state: int | None = None) -> dict[str, dict[str, float]]:
    """First-order and total Sobol indices of ``model`` over independent uniform inputs in [0, 1).

    ``model`` maps an (m, k) array of inputs to m outputs. Saltelli's design: two N × k matrices A and B
    (a scrambled Sobol' sequence of dimension 2k), and for each input i the matrix A_B^(i) = A with
    column i taken from B; N × (k + 2) model runs. Jansen's estimators (Saltelli et al. 2010, table 2):
    first order S_i = 1 − Σ (f(B) − f(A_B^(i)))² / (2 N V), total ST_i = Σ (f(A) − f(A_B^(i)))² / (2 N V),
    with V the variance of f over A and B. NaN when the output does not vary.
    """
    k = len(names)
    if k == 0:
        raise ValueError("no assumption varies: nothing to analyse")
    if n < 2:
        raise ValueError("the base sample needs at least 2 points")
    sampler = qmc.Sobol(d=2 * k, scramble=True, seed=np.random.default_rng(random_state))
    with warnings.catch_warnings():
        # Balance is best at powers of two; any N is still a valid design.
        warnings.simplefilter("ignore", UserWarning)
        base = sampler.random(n)
    a, b = base[:, :k], base[:, k:]
    mixed = [np.where(np.arange(k) == i, b, a) for i in range(k)]
    outputs = np.asarray(model(np.vstack([a, b, *mixed])), dtype=float)
    f_a, f_b = outputs[:n], outputs[n:2 * n]
    variance = np.var(np.concatenate([f_a, f_b]))
    result = {}
    for i, name in enumerate(names):
        f_ab = outputs[(2 + i) * n:(3 + i) * n]
        if variance == 0:
            result[name] = {"first_order": math.nan, "total": math.nan}
            continue
        result[name] = {
            "first_order": float(1 - np.mean((f_b - f_ab) ** 2) / (2 * variance)),
            "total": float(np.mean((f_a - f_ab) ** 2) / (2 * variance)),
        }
    return result


def _rank_quantiles(ranks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """5 %, 50 % and 95 % quantiles (R's type 7) of runs × units ranks, per unit, ignoring NaN."""
    missing = np.isnan(ranks)
    gappy = missing.any(axis=0)
    out = np.full((3, ranks.shape[1]), np.nan)
    # np.quantile is vectorised over units; a units-major copy makes each unit's runs contiguous.
    full = np.flatnonzero(~gappy)
    out[:, full] = np.quantile(np.ascontiguousarray(ranks[:, full].T), [0.05, 0.5, 0.95], axis=1)
    # nanquantile loops unit by unit: only for units missing from some runs but not all.
    partial = np.flatnonzero(gappy & ~missing.all(axis=0))
    if partial.size:
        out[:, partial] = np.nanquantile(ranks[:, partial], [0.05, 0.5, 0.95], axis=0)
    return out[0], out[1], out[2]


def _aggregate_columns(values: np.ndarray, weights: np.ndarray, method: str) -> np.ndarray:
    """:func:`aggregate_block` with units on the last axis, for many runs at once.

    ``values``: children × units (shared by the runs) or runs × children × units; ``weights``: runs ×
    children × parents. Returns runs × parents × units. Keeping units last makes every product a
    contiguous BLAS call and the final scores ready to rank, with no transposition.
    """
    runs, children, parents = weights.shape
    by_parent = np.swapaxes(weights, 1, 2)

    def weighted(x: np.ndarray) -> np.ndarray:
        if x.ndim == 2:
            return (by_parent.reshape(runs * parents, children) @ x).reshape(runs, parents, x.shape[-1])
        return by_parent @ x

    present = ~np.isnan(values)
    complete = bool(present.all())
    filled = values if complete else np.where(present, values, 0.0)
    total = by_parent.sum(axis=2, keepdims=True) if complete else weighted(present.astype(float))
    # A parent with no child present has total weight 0 and comes out as 0 / 0 = NaN.
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "arithmetic":
            return weighted(filled) / total
        if np.any(filled[present] <= 0):
            raise ValueError(f"{method} aggregation needs positive scores; normalise to a positive range "
                             "(e.g. min-max to [1, 100])")
        safe = filled if complete else np.where(present, values, 1.0)
        if method == "geometric":
            logs = np.log(safe) if complete else np.log(safe) * present
            return np.exp(weighted(logs) / total)
        return total / weighted(present / safe)


class CompositeUncertainty:
    """Monte Carlo and variance-based sensitivity analysis of a pipeline's index under ``spec``.

    Building it runs the nominal pipeline and every combination of data-side alternatives once; the
    runs themselves only re-weight, re-aggregate and re-rank. Units are those of the nominal index; a
    unit dropped by a variant (e.g. by screening) is missing from that variant's ranking.
    """

    def __init__(self, pipeline: Pipeline, spec: UncertaintySpec, random_state: int | None = None):
        self.pipeline = pipeline
        self.spec = spec
        self.rng = np.random.default_rng(random_state)
        self.nominal = pipeline.run()
        self.tree = self.nominal.tree
        self.units = list(self.nominal.scores.index)
        self.nominal_ranks = self.nominal.ranks[self.tree.top].to_numpy()
        nominal_method = pipeline.step("aggregate").params.get("method", "arithmetic")
        if nominal_method == "copeland" and not spec.aggregation:
            raise ValueError("uncertainty analysis cannot vary a Copeland index; give aggregation alternatives")
        self.aggregations = list(spec.aggregation) or [nominal_method]
        self._matrices, self._combos = self._data_variants()
        self._levels = self.tree.levels[1:]
        self._weight_sets = self._noisy_weights()
        # The tree collapses to one weight per indicator only when no unit misses a value and no parent
        # has all of its children weighted 0 (either would rescale weights unit by unit).
        collapsible = all((stack.sum(axis=1) > 0).all() for stack in self._weight_sets.values())
        self._fast_rows = [~np.isnan(m).any(axis=1) & collapsible for m in self._matrices]
        self._effective = self._effective_weights()
        self._transform_cache: dict[tuple[int, int], tuple[np.ndarray, float]] = {}
        self._slow_cache: dict[int, np.ndarray] = {}
        self.choices = {
            "weights": len(self._weight_sets[self._levels[0]]),
            "normalisation": max(len(spec.normalisation), 1),
            "aggregation": len(self.aggregations),
            "imputation": max(len(spec.imputation), 1),
            "treatment": max(len(spec.treatment), 1),
        }

    @property
    def varying(self) -> list[str]:
        """The assumptions that take more than one value."""
        return [name for name in ASSUMPTIONS if self.choices[name] > 1]

    # -- precomputation ---------------------------------------------------------------------------

    def _data_variants(self) -> tuple[list[np.ndarray], dict[tuple[int, int, int], int]]:
        """Normalised units × indicators matrices for every (imputation, treatment, normalisation)."""
        spec = self.spec
        imputations = list(spec.imputation) or [None]
        treatments = list(spec.treatment) or [None]
        normalisations = list(spec.normalisation) or [None]
        nominal_norm = dict(self.pipeline.step("normalise").params)
        matrices, combos = [], {}
        for (i, imp), (t, treat) in itertools.product(enumerate(imputations), enumerate(treatments)):
            variant = self.pipeline
            if imp is not None:
                variant = variant.with_change("impute", **imp)
            if treat is not None:
                variant = variant.with_change("treat", **treat)
            prepared = variant.run(before="normalise").final
            for n, norm in enumerate(normalisations):
                params = nominal_norm if norm is None else {**nominal_norm, **norm}
                matrix = normalise(prepared, self.tree, **params).reindex(self.units)
                combos[(i, t, n)] = len(matrices)
                matrices.append(matrix[self.tree.indicators].to_numpy(dtype=float))
        return matrices, combos

    def _noisy_weights(self) -> dict[int, np.ndarray]:
        """Per aggregation level, the stack of (weight sets × children × parents) weight matrices."""
        noisy = any(self.spec.noise_at(level - 1) > 0 for level in self.tree.levels[1:])
        count = self.spec.weight_sets if noisy else 1
        stacks = {}
        for level in self.tree.levels[1:]:
            _, _, matrix = level_weight_matrix(self.tree, level, self.nominal.weights)
            noise = self.spec.noise_at(level - 1)
            factors = self.rng.uniform(1 - noise, 1 + noise, size=(count, matrix.shape[0], 1))
            stacks[level] = matrix[None, :, :] * factors
        return stacks

    # -- evaluation --------------------------------------------------------------------------------

    def _choices(self, u: np.ndarray) -> np.ndarray:
        """Map uniform inputs (runs × varying assumptions) to choice indices (runs × all assumptions)."""
        u = np.atleast_2d(u)
        out = np.zeros((u.shape[0], len(ASSUMPTIONS)), dtype=int)
        for j, name in enumerate(self.varying):
            out[:, ASSUMPTIONS.index(name)] = np.minimum((u[:, j] * self.choices[name]).astype(int),
                                                         self.choices[name] - 1)
        return out

    def ranks(self, choices: np.ndarray, chunk: int = 50, progress: Progress = _quiet) -> np.ndarray:
        """Ranks of the index (runs × units, float32, NaN for a missing score) for each run's choices.

        ``choices`` is runs × ``ASSUMPTIONS`` of choice indices. Runs sharing data and aggregation are
        computed ``chunk`` at a time as one batched product.
        """
        out = np.empty((choices.shape[0], len(self.units)), dtype=np.float32)
        for batch, ranks in self._batches(choices, chunk, progress):
            out[batch] = ranks
        return out

    def mean_rank_change(self, choices: np.ndarray, chunk: int = 50, progress: Progress = _quiet) -> np.ndarray:
        """Per run, the mean absolute rank change of the index against the nominal ranks.

        Reduced batch by batch, so many runs (a sensitivity design) never hold every ranking at once.
        """
        out = np.empty(choices.shape[0])
        for batch, ranks in self._batches(choices, chunk, progress):
            out[batch] = mean_absolute_rank_change(ranks, self.nominal_ranks)
        return out

    def _batches(self, choices: np.ndarray, chunk: int, progress: Progress):
        """Yield (run indices, their ranks) for runs grouped by data variant and aggregation method."""
        runs = choices.shape[0]
        w, nrm, agg, imp, trt = (ASSUMPTIONS.index(a) for a in ASSUMPTIONS)
        keys = [(self._combos[(c[imp], c[trt], c[nrm])], c[agg]) for c in choices]
        done = 0
        for key in sorted(set(keys)):
            members = np.flatnonzero([k == key for k in keys])
            for start in range(0, members.size, chunk):
                batch = members[start:start + chunk]
                yield batch, self._batch_ranks(key, choices[batch, w])
                done += batch.size
                progress(done, runs)

    def _batch_ranks(self, key: tuple[int, int], weight_ids: np.ndarray) -> np.ndarray:
        """Ranks (runs × units) for runs sharing a data variant and an aggregation method.

        In the space where the mean is a plain weighted average (x, log x or 1/x for arithmetic,
        geometric and harmonic means) and for a unit with every value present, the whole tree is one
        weight per indicator, so one matrix product scores every run. Units with gaps, whose weights are
        rescaled unit by unit, are aggregated level by level.
        """
        matrix = self._matrices[key[0]]
        transformed, sign = self._transformed(key)
        fast = self._fast_rows[key[0]]
        if fast.all():
            # Ranks are unchanged by the monotone back-transform: skip it.
            return rank_units(sign * (self._effective[weight_ids] @ transformed.T), axis=-1)
        scores = np.empty((weight_ids.size, matrix.shape[0]))
        if fast.any():
            scores[:, fast] = self._back_transform(self._effective[weight_ids] @ transformed[fast].T, key)
        slow = self._slow_columns(key[0])
        for level in self._levels:
            slow = _aggregate_columns(slow, self._weight_sets[level][weight_ids], self.aggregations[key[1]])
        scores[:, ~fast] = slow[:, 0, :]
        return rank_units(scores, axis=-1)

    def _slow_columns(self, variant: int) -> np.ndarray:
        """Indicators × units matrix of the units with gaps in a data variant (cached)."""
        if variant not in self._slow_cache:
            matrix = self._matrices[variant]
            self._slow_cache[variant] = np.ascontiguousarray(matrix[~self._fast_rows[variant]].T)
        return self._slow_cache[variant]

    def _transformed(self, key: tuple[int, int]) -> tuple[np.ndarray, float]:
        """The data matrix in the space where ``method`` is a weighted average, and the sign of "better"."""
        if key not in self._transform_cache:
            matrix, method = self._matrices[key[0]], self.aggregations[key[1]]
            if method in ("geometric", "harmonic") and np.nanmin(matrix) <= 0:
                raise ValueError(f"{method} aggregation needs positive scores; normalise to a positive range "
                                 "(e.g. min-max to [1, 100])")
            if method == "arithmetic":
                self._transform_cache[key] = (matrix, 1.0)
            elif method == "geometric":
                self._transform_cache[key] = (np.log(matrix), 1.0)
            else:
                self._transform_cache[key] = (1.0 / matrix, -1.0)
        return self._transform_cache[key]

    def _back_transform(self, transformed: np.ndarray, key: tuple[int, int]) -> np.ndarray:
        method = self.aggregations[key[1]]
        if method == "geometric":
            return np.exp(transformed)
        return transformed if method == "arithmetic" else 1.0 / transformed

    def _effective_weights(self) -> np.ndarray:
        """Weight sets × indicators: each indicator's share of the index (products of normalised weights
        from the indicator up to the index)."""
        effective = None
        for level in reversed(self._levels):
            stack = self._weight_sets[level]
            totals = stack.sum(axis=1, keepdims=True)
            share = np.divide(stack, totals, out=np.zeros_like(stack), where=totals > 0)
            effective = share[:, :, 0] if effective is None else (share @ effective[:, :, None])[:, :, 0]
        return effective

    # -- analyses ----------------------------------------------------------------------------------

    def monte_carlo(self, runs: int, progress: Progress = _quiet) -> pd.DataFrame:
        """Rank distribution per unit over ``runs`` random draws of the assumptions.

        Returns units × (nominal, median, q05, q95): the nominal rank, the median rank and the 5 % and
        95 % quantiles (linear interpolation, R's type 7) of the rank over the runs.
        """
        if runs < 1:
            raise ValueError("the Monte Carlo needs at least one run")
        u = self.rng.random((runs, len(self.varying)))
        ranks = self.ranks(self._choices(u), progress=progress)
        q05, median, q95 = _rank_quantiles(ranks)
        return pd.DataFrame({"nominal": self.nominal_ranks, "median": median, "q05": q05, "q95": q95},
                            index=pd.Index(self.units, name="unit"))

    def sensitivity(self, n: int, progress: Progress = _quiet) -> dict[str, dict[str, float]]:
        """First-order and total Sobol indices of the mean absolute rank change, per varying assumption.

        ``n`` is the base sample size: the analysis makes n × (assumptions + 2) runs.
        """
        seed = int(self.rng.integers(2**31))
        return sobol_indices(lambda u: self.mean_rank_change(self._choices(u), progress=progress),
                             self.varying, n, random_state=seed)
