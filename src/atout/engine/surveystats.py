"""Survey statistics: frequencies, means, crosstabs, NPS and place-brand scores, with 95 % intervals.

Every function takes plain arrays (one entry per respondent) and optional weights (e.g. from
:func:`atout.engine.weighting.rake`), and returns plain results that carry their base: the number of
respondents ``n`` (unweighted), the effective sample size ``n_effective`` (Kish), and whether a cell
is suppressed because fewer than ``k`` respondents (default 10) stand behind it.

Methods (see docs/methods/surveys.md):
- proportions: Wilson score interval (Wilson 1927) on the effective sample size when weighted
  (the weighted share with ``n_eff = (Σw)²/Σw²``, as in Kish 1965's design-effect adjustment);
- means: Student t interval with the standard error ``s_w / sqrt(n_eff)``;
- crosstabs: Pearson chi-square; when weighted, the weighted table rescaled to n and divided by the
  Kish design effect (a first-order Rao–Scott-style correction, Rao & Scott 1981); cells marked
  where the adjusted standardized residual exceeds 1.96 in absolute value (Agresti 2013, §2.4.5);
- NPS: share of promoters (9–10) minus share of detractors (0–6), in points, with the variance of a
  difference of multinomial shares ``(p_P + p_D − (p_P − p_D)²) / n_eff``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from atout.engine.weighting import design_effect, effective_base

Z95 = float(stats.norm.ppf(0.975))
DEFAULT_K = 10  # respondents: fewer than this in a cell and the cell is not shown
ANHOLT_DIMENSIONS = ("presence", "place", "potential", "pulse", "people", "prerequisites")


# ---------------------------------------------------------------------------------------------
# Building blocks


def wilson_interval(proportion: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion.

    Inputs: the observed ``proportion`` (0–1) and the sample size ``n`` (may be an effective,
    non-integer size). Output: ``(low, high)`` as proportions. ``(nan, nan)`` when ``n`` is 0.
    """
    if n <= 0:
        return (float("nan"), float("nan"))
    z = Z95 if confidence == 0.95 else float(stats.norm.ppf(0.5 + confidence / 2))  # ppf costs ~0.1 ms a call
    z2 = z * z
    centre = (proportion + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * np.sqrt(proportion * (1 - proportion) / n + z2 / (4 * n * n))
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def _weights(weights: Sequence[float] | None, n: int) -> np.ndarray | None:
    if weights is None:
        return None
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"weights: expected {n} values (one per respondent), got {w.shape[0] if w.ndim else 0}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    return w


def effective_n(weights: np.ndarray | None, n: int) -> float:
    """Kish's effective sample size of the respondents in a base (``n`` when unweighted)."""
    return float(n) if weights is None else effective_base(weights)


def _present(values) -> np.ndarray:
    series = pd.Series(values, dtype="object")
    return ~(series.isna() | (series.astype(str).str.strip() == "")).to_numpy()


# ---------------------------------------------------------------------------------------------
# Proportions and frequencies


@dataclass
class Proportion:
    """A (weighted) share with its 95 % Wilson interval, as proportions 0–1.

    ``count``: unweighted respondents in the category; ``n``: unweighted base; ``n_effective``:
    Kish effective base used for the interval. When ``suppressed``, estimate and bounds are None.
    """

    estimate: float | None
    low: float | None
    high: float | None
    count: int | None
    n: int
    n_effective: float
    suppressed: bool = False


def proportion(successes: Sequence[bool], weights: Sequence[float] | None = None, *, k: int = DEFAULT_K) -> Proportion:
    """Share of respondents for whom ``successes`` is true, with its Wilson interval.

    Inputs: one boolean per respondent of the base; optional weights. Output: :class:`Proportion`;
    suppressed when fewer than ``k`` respondents are in the category or in the base.
    """
    hits = np.asarray(successes, dtype=bool)
    w = _weights(weights, hits.size)
    n = int(hits.size)
    count = int(hits.sum())
    n_eff = effective_n(w, n)
    if n == 0:
        return Proportion(None, None, None, 0, 0, 0.0, suppressed=True)
    share = float(hits.mean()) if w is None else float(w[hits].sum() / w.sum())
    low, high = wilson_interval(share, n_eff)
    result = Proportion(share, low, high, count, n, n_eff)
    return _suppress_proportion(result, k)


def _suppress_proportion(result: Proportion, k: int) -> Proportion:
    if (result.count is not None and result.count < k) or result.n < k:
        return Proportion(None, None, None, None, result.n, result.n_effective, suppressed=True)
    return result


def frequencies(
    values: Sequence,
    weights: Sequence[float] | None = None,
    *,
    categories: Sequence[str] | None = None,
    k: int = DEFAULT_K,
) -> pd.DataFrame:
    """Frequencies of a single-choice question among those who answered.

    Inputs: one answer per respondent (missing/empty answers are left out of the base); optional
    weights; the ``categories`` to report, in order (default: those seen, sorted).
    Output: a frame with one row per category: ``category, count, share, low, high, n, n_effective,
    suppressed`` (shares and bounds as proportions; count, share and bounds are NaN when suppressed).
    """
    answers = pd.Series(values, dtype="object")
    present = _present(answers)
    w_all = _weights(weights, len(answers))
    answered = answers[present].astype(str).str.strip().to_numpy()
    w = None if w_all is None else w_all[present]
    if categories is None:
        categories = sorted(set(answered))
    rows = []
    for category in categories:
        p = proportion(answered == str(category), w, k=k)
        rows.append(_proportion_row(str(category), p))
    return pd.DataFrame(rows, columns=["category", "count", "share", "low", "high", "n", "n_effective", "suppressed"])


def _proportion_row(category: str, p: Proportion) -> dict:
    nan = float("nan")
    return {
        "category": category,
        "count": nan if p.count is None else p.count,
        "share": nan if p.estimate is None else p.estimate,
        "low": nan if p.low is None else p.low,
        "high": nan if p.high is None else p.high,
        "n": p.n,
        "n_effective": p.n_effective,
        "suppressed": p.suppressed,
    }


def multiple_choice_frequencies(
    selections: Sequence,
    options: Sequence[str],
    weights: Sequence[float] | None = None,
    *,
    k: int = DEFAULT_K,
) -> pd.DataFrame:
    """Share of respondents selecting each option of a multiple-choice question.

    Inputs: one selection per respondent: a list/set of option names, a space-separated string
    (as ODK stores it), or None/''/[] for a respondent who did not answer (left out of the base);
    the ``options`` in order; optional weights. Output: same columns as :func:`frequencies`; shares
    are of respondents, so they may add up to more than 1.
    """
    parsed = [_selection_set(s) for s in selections]
    w_all = _weights(weights, len(parsed))
    answered = np.array([s is not None for s in parsed], dtype=bool)
    base = [s for s in parsed if s is not None]
    w = None if w_all is None else w_all[answered]
    rows = []
    for option in options:
        hits = np.array([str(option) in s for s in base], dtype=bool)
        rows.append(_proportion_row(str(option), proportion(hits, w, k=k)))
    return pd.DataFrame(rows, columns=["category", "count", "share", "low", "high", "n", "n_effective", "suppressed"])


def _selection_set(selection) -> set[str] | None:
    if selection is None or (isinstance(selection, float) and np.isnan(selection)):
        return None
    if isinstance(selection, str):
        parts = selection.split()
        return set(parts) if parts else None
    chosen = {str(s) for s in selection}
    return chosen or None  # an empty selection is no answer, as ODK stores it ('')


# ---------------------------------------------------------------------------------------------
# Means


@dataclass
class Mean:
    """A (weighted) mean with its 95 % interval, in the unit of the values."""

    estimate: float | None
    low: float | None
    high: float | None
    std: float | None
    n: int
    n_effective: float
    suppressed: bool = False


def mean(values: Sequence[float], weights: Sequence[float] | None = None, *, k: int = DEFAULT_K) -> Mean:
    """Mean of numeric answers (NaN = no answer, left out of the base) with a t interval.

    Weighted: weighted mean; standard error = weighted standard deviation / sqrt(n_eff), with
    n_eff - 1 degrees of freedom. Output: :class:`Mean`, suppressed when the base has fewer than
    ``k`` respondents.
    """
    x = np.asarray(values, dtype=float)
    w_all = _weights(weights, x.size)
    present = ~np.isnan(x)
    x = x[present]
    w = None if w_all is None else w_all[present]
    n = int(x.size)
    n_eff = effective_n(w, n)
    if n < max(k, 2):
        return Mean(None, None, None, None, n, n_eff, suppressed=True)
    if w is None:
        estimate = float(x.mean())
        std = float(x.std(ddof=1))
    else:
        estimate = float(np.average(x, weights=w))
        # Weighted variance with the unbiased-style correction n/(n-1).
        std = float(np.sqrt(np.average((x - estimate) ** 2, weights=w) * n / (n - 1)))
    se = std / np.sqrt(n_eff)
    t = float(stats.t.ppf(0.975, df=max(n_eff - 1, 1)))
    return Mean(estimate, float(estimate - t * se), float(estimate + t * se), std, n, n_eff)


# ---------------------------------------------------------------------------------------------
# Crosstabs


@dataclass
class Crosstab:
    """A crosstab of a question (rows) by a segment (columns).

    ``counts``: unweighted respondents per cell; ``weighted``: weighted counts (equal to counts when
    unweighted); ``column_share``: share of each row category within each segment (0–1);
    ``adjusted_residuals``: adjusted standardized residuals (deff-corrected when weighted);
    ``marks``: '+' (significantly more than expected), '-' (less) or '' per cell;
    ``suppressed``: cells with fewer than k respondents; their shares, residuals and marks are
    blanked (NaN / ''). ``chi2``, ``dof``, ``p_value``: the test of independence (deff-corrected
    when weighted); ``deff``: the Kish design effect used (1 when unweighted).
    """

    counts: pd.DataFrame
    weighted: pd.DataFrame
    column_share: pd.DataFrame
    adjusted_residuals: pd.DataFrame
    marks: pd.DataFrame
    suppressed: pd.DataFrame
    chi2: float
    dof: int
    p_value: float
    deff: float
    n: int
    notes: list[str] = field(default_factory=list)

    def cells(self) -> pd.DataFrame:
        """The table in long form, ready to show or export, small cells already blanked.

        Output columns: ``row, column, n`` (unweighted respondents), ``weighted``, ``share``
        (of the column, 0–1), ``residual``, ``mark``, ``suppressed``; in suppressed cells every
        number (``n`` included) is NaN and ``mark`` is ''.
        """
        frame = pd.DataFrame({
            "row": np.repeat(self.counts.index.to_numpy(), self.counts.shape[1]),
            "column": np.tile(self.counts.columns.to_numpy(), self.counts.shape[0]),
            "n": self.counts.to_numpy().ravel().astype(float),
            "weighted": self.weighted.to_numpy().ravel(),
            "share": self.column_share.to_numpy().ravel(),
            "residual": self.adjusted_residuals.to_numpy().ravel(),
            "mark": self.marks.to_numpy().ravel(),
            "suppressed": self.suppressed.to_numpy().ravel(),
        })
        for column in ("n", "weighted", "share", "residual"):
            frame[column] = frame[column].where(~frame["suppressed"])
        return frame


def crosstab(
    rows: Sequence,
    columns: Sequence,
    weights: Sequence[float] | None = None,
    *,
    k: int = DEFAULT_K,
    row_categories: Sequence[str] | None = None,
    column_categories: Sequence[str] | None = None,
) -> Crosstab:
    """Cross a question's answers (``rows``) with a segment (``columns``), test independence, mark cells.

    Respondents missing either value are left out. Rows or columns with no respondent are dropped
    from the test (they carry no information) and named in ``notes``.
    """
    row_values = pd.Series(rows, dtype="object")
    col_values = pd.Series(columns, dtype="object")
    if len(row_values) != len(col_values):
        raise ValueError("crosstab: rows and columns need one value per respondent each")
    w_all = _weights(weights, len(row_values))
    keep = _present(row_values) & _present(col_values)
    r = row_values[keep].astype(str).str.strip().to_numpy()
    c = col_values[keep].astype(str).str.strip().to_numpy()
    w = np.ones(r.size) if w_all is None else w_all[keep]
    row_cats = [str(x) for x in row_categories] if row_categories is not None else sorted(set(r))
    col_cats = [str(x) for x in column_categories] if column_categories is not None else sorted(set(c))
    r_idx = pd.Categorical(r, categories=row_cats).codes
    c_idx = pd.Categorical(c, categories=col_cats).codes
    inside = (r_idx >= 0) & (c_idx >= 0)
    r_idx, c_idx, w = r_idx[inside], c_idx[inside], w[inside]
    shape = (len(row_cats), len(col_cats))
    flat = r_idx.astype(np.intp) * shape[1] + c_idx
    counts = np.bincount(flat, minlength=shape[0] * shape[1]).reshape(shape)
    weighted = np.bincount(flat, weights=w, minlength=shape[0] * shape[1]).reshape(shape)
    n = int(counts.sum())
    deff = 1.0
    if weights is not None:
        found = design_effect(w.size, float(w.sum()), float(np.dot(w, w)))
        deff = 1.0 if found is None else found  # no positive weight: nothing to correct
    return _crosstab_result(counts, weighted, row_cats, col_cats, n, deff, k)


def _crosstab_result(counts, weighted, row_cats, col_cats, n, deff, k) -> Crosstab:
    notes = []
    rows_used = counts.sum(axis=1) > 0
    cols_used = counts.sum(axis=0) > 0
    for i in np.flatnonzero(~rows_used):
        notes.append(f"row category '{row_cats[i]}' has no respondent: left out of the test")
    for j in np.flatnonzero(~cols_used):
        notes.append(f"column category '{col_cats[j]}' has no respondent: left out of the test")
    residuals = np.full(counts.shape, np.nan)
    chi2, dof, p_value = float("nan"), 0, float("nan")
    if rows_used.sum() >= 2 and cols_used.sum() >= 2:
        # The test runs on the weighted table rescaled to the number of respondents, so that a
        # weighted table is read on the sample's scale; deff then discounts the information lost.
        table = weighted[np.ix_(rows_used, cols_used)]
        table = table * (n / table.sum())
        chi2, dof, p_value, adj = _pearson(table, deff)
        residuals[np.ix_(rows_used, cols_used)] = adj
    else:
        notes.append("fewer than two row or column categories with respondents: no test")
    totals = weighted.sum(axis=0, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals > 0, weighted / totals, np.nan)
    small = counts < k
    marks = np.where(np.abs(np.nan_to_num(residuals)) > Z95, np.where(residuals > 0, "+", "-"), "")
    shares = np.where(small, np.nan, shares)
    residuals = np.where(small, np.nan, residuals)
    marks = np.where(small, "", marks)
    frame = lambda values: pd.DataFrame(values, index=row_cats, columns=col_cats)  # noqa: E731
    return Crosstab(
        counts=frame(counts),
        weighted=frame(weighted),
        column_share=frame(shares),
        adjusted_residuals=frame(residuals),
        marks=frame(marks),
        suppressed=frame(small),
        chi2=chi2,
        dof=dof,
        p_value=p_value,
        deff=deff,
        n=n,
        notes=notes,
    )


def _pearson(table: np.ndarray, deff: float) -> tuple[float, int, float, np.ndarray]:
    """Pearson chi-square, its dof and p-value, and adjusted standardized residuals, all / deff."""
    total = table.sum()
    row_tot = table.sum(axis=1, keepdims=True)
    col_tot = table.sum(axis=0, keepdims=True)
    expected = row_tot * col_tot / total
    chi2 = float(((table - expected) ** 2 / expected).sum()) / deff
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    p_value = float(stats.chi2.sf(chi2, dof))
    variance = expected * (1 - row_tot / total) * (1 - col_tot / total)
    with np.errstate(invalid="ignore", divide="ignore"):
        adjusted = (table - expected) / np.sqrt(variance * deff)
    return chi2, dof, p_value, adjusted


# ---------------------------------------------------------------------------------------------
# Net promoter score


@dataclass
class NetPromoterScore:
    """NPS in points (−100 to 100) with its 95 % interval, and the three shares (0–1)."""

    score: float | None
    low: float | None
    high: float | None
    promoters: float | None
    passives: float | None
    detractors: float | None
    n: int
    n_effective: float
    suppressed: bool = False


def net_promoter_score(scores: Sequence[float], weights: Sequence[float] | None = None, *, k: int = DEFAULT_K) -> NetPromoterScore:
    """"Would you recommend living here?" on 0–10: promoters 9–10, detractors 0–6.

    Inputs: one 0–10 integer score per respondent (NaN = no answer); optional weights.
    Output: :class:`NetPromoterScore`; the interval is ``NPS ± 1.96·100·sqrt((p_P + p_D − (p_P −
    p_D)²) / n_eff)``, clipped to [−100, 100]. Raises ValueError for a score outside 0–10 or not whole.
    """
    x = np.asarray(scores, dtype=float)
    w_all = _weights(weights, x.size)
    present = ~np.isnan(x)
    x = x[present]
    bad = (x < 0) | (x > 10) | (x != np.round(x))
    if bad.any():
        raise ValueError(f"NPS scores must be whole numbers from 0 to 10; got {x[bad][0]!r}")
    w = np.ones(x.size) if w_all is None else w_all[present]
    n = int(x.size)
    n_eff = effective_n(None if w_all is None else w, n)
    if n < k:
        return NetPromoterScore(None, None, None, None, None, None, n, n_eff, suppressed=True)
    total = w.sum()
    p_promoters = float(w[x >= 9].sum() / total)
    p_detractors = float(w[x <= 6].sum() / total)
    nps = p_promoters - p_detractors
    variance = (p_promoters + p_detractors - nps**2) / n_eff
    half = Z95 * np.sqrt(max(variance, 0.0))
    return NetPromoterScore(
        score=100 * nps,
        low=float(100 * max(-1.0, nps - half)),
        high=float(100 * min(1.0, nps + half)),
        promoters=p_promoters,
        passives=1 - p_promoters - p_detractors,
        detractors=p_detractors,
        n=n,
        n_effective=n_eff,
    )


# ---------------------------------------------------------------------------------------------
# Place-brand perception (Anholt hexagon)


def dimension_scores(
    answers: pd.DataFrame,
    items: Mapping[str, str],
    *,
    segment: Sequence | None = None,
    weights: Sequence[float] | None = None,
    k: int = DEFAULT_K,
) -> pd.DataFrame:
    """Perception score per place-brand dimension (Anholt hexagon), overall or per segment.

    Inputs: ``answers`` with one numeric column per perception item (e.g. a 1–5 agreement; NaN =
    no answer); ``items`` maps each item column to its dimension (one of :data:`ANHOLT_DIMENSIONS`);
    optional ``segment`` (one label per respondent) and weights.
    A respondent's dimension score is the mean of the items they answered in that dimension; the
    reported score is the (weighted) mean of those, with its 95 % interval, in the items' unit.
    Output: a frame ``segment, dimension, mean, low, high, n, n_effective, suppressed``; segment is
    ``"all"`` without a segment.
    """
    unknown = sorted({d for d in items.values() if d not in ANHOLT_DIMENSIONS})
    if unknown:
        raise ValueError(f"unknown place-brand dimension(s) {unknown}; expected {list(ANHOLT_DIMENSIONS)}")
    missing = [c for c in items if c not in answers.columns]
    if missing:
        raise ValueError(f"perception item column(s) {missing} not in the answers")
    w = _weights(weights, len(answers))
    per_dimension = {
        d: answers[[c for c, dim in items.items() if dim == d]].apply(pd.to_numeric, errors="coerce").mean(axis=1).to_numpy()
        for d in ANHOLT_DIMENSIONS
        if d in items.values()
    }
    labels = np.full(len(answers), "all", dtype=object) if segment is None else pd.Series(segment, dtype="object").to_numpy()
    present = _present(labels)
    rows = []
    for label in sorted({str(v) for v in labels[present]}):
        members = present & (labels.astype(str) == label)
        for dimension, scores in per_dimension.items():
            m = mean(scores[members], None if w is None else w[members], k=k)
            rows.append({
                "segment": label, "dimension": dimension, "mean": m.estimate, "low": m.low, "high": m.high,
                "n": m.n, "n_effective": m.n_effective, "suppressed": m.suppressed,
            })
    frame = pd.DataFrame(rows, columns=["segment", "dimension", "mean", "low", "high", "n", "n_effective", "suppressed"])
    return frame.astype({"mean": float, "low": float, "high": float})


# ---------------------------------------------------------------------------------------------
# Small-cell suppression


def suppress(table: pd.DataFrame, k: int = DEFAULT_K, *, count_column: str = "n") -> pd.DataFrame:
    """Blank every row of a results table resting on fewer than ``k`` respondents.

    Input: a frame with an unweighted respondent count in ``count_column``. Output: a copy where,
    in rows with a count below ``k``, every numeric column (the count included) is NaN, and a boolean
    ``suppressed`` column is true (kept true where it already was). Rows are kept, so a reader sees
    that a cell exists but is too small to show.
    """
    if count_column not in table.columns:
        raise ValueError(f"suppress: no count column '{count_column}' in the table")
    result = table.copy()
    small = pd.to_numeric(result[count_column], errors="coerce").fillna(0).to_numpy() < k
    numeric = [c for c in result.columns if c != "suppressed" and pd.api.types.is_numeric_dtype(result[c])]
    for column in numeric:
        result[column] = result[column].astype(float).where(~small)
    previous = result["suppressed"].to_numpy(dtype=bool) if "suppressed" in result.columns else np.zeros(len(result), bool)
    result["suppressed"] = previous | small
    return result


# ---------------------------------------------------------------------------------------------
# The same estimates from totals computed elsewhere (e.g. SQL sums over a large table)


def proportion_from_totals(count: int, weight: float, n: int, base_weight: float, base_weight_sq: float,
                           *, k: int = DEFAULT_K) -> Proportion:
    """:func:`proportion` from totals: ``count`` respondents (weight sum ``weight``) in the category,
    out of ``n`` respondents whose weights sum to ``base_weight`` and squared weights to
    ``base_weight_sq`` (both equal ``n`` when unweighted). Same estimate, interval and suppression."""
    if n == 0 or base_weight <= 0:
        return Proportion(None, None, None, 0, 0, 0.0, suppressed=True)
    n_eff = base_weight**2 / base_weight_sq if base_weight_sq > 0 else 0.0
    share = float(weight / base_weight)
    low, high = wilson_interval(share, n_eff)
    return _suppress_proportion(Proportion(share, low, high, int(count), int(n), float(n_eff)), k)


def mean_from_totals(n: int, sum_w: float, sum_w2: float, sum_wx: float, sum_wx2: float, *, k: int = DEFAULT_K) -> Mean:
    """:func:`mean` from totals over the answered values x with weights w (all 1 when unweighted):
    n, Σw, Σw², Σwx, Σwx². Same estimate, standard deviation and t interval."""
    n_eff = sum_w**2 / sum_w2 if sum_w2 > 0 else 0.0
    if n < max(k, 2) or sum_w <= 0:
        return Mean(None, None, None, None, int(n), float(n_eff), suppressed=True)
    estimate = sum_wx / sum_w
    variance = max(sum_wx2 / sum_w - estimate**2, 0.0) * n / (n - 1)
    std = float(np.sqrt(variance))
    se = std / np.sqrt(n_eff)
    t = float(stats.t.ppf(0.975, df=max(n_eff - 1, 1)))
    return Mean(float(estimate), float(estimate - t * se), float(estimate + t * se), std, int(n), float(n_eff))


def net_promoter_from_totals(promoters_w: float, detractors_w: float, n: int, sum_w: float, sum_w2: float,
                             *, k: int = DEFAULT_K) -> NetPromoterScore:
    """:func:`net_promoter_score` from totals: weight sums of promoters (9–10) and detractors (0–6),
    the number of respondents, Σw and Σw² of those who answered."""
    n_eff = sum_w**2 / sum_w2 if sum_w2 > 0 else 0.0
    if n < k or sum_w <= 0:
        return NetPromoterScore(None, None, None, None, None, None, int(n), float(n_eff), suppressed=True)
    p_promoters = float(promoters_w / sum_w)
    p_detractors = float(detractors_w / sum_w)
    nps = p_promoters - p_detractors
    half = Z95 * np.sqrt(max((p_promoters + p_detractors - nps**2) / n_eff, 0.0))
    return NetPromoterScore(
        score=100 * nps, low=float(100 * max(-1.0, nps - half)), high=float(100 * min(1.0, nps + half)),
        promoters=p_promoters, passives=1 - p_promoters - p_detractors, detractors=p_detractors,
        n=int(n), n_effective=float(n_eff),
    )


def crosstab_from_table(
    counts: np.ndarray,
    weighted: np.ndarray,
    row_categories: Sequence[str],
    column_categories: Sequence[str],
    *,
    deff: float = 1.0,
    k: int = DEFAULT_K,
) -> Crosstab:
    """:func:`crosstab` from an already counted table: unweighted ``counts`` and ``weighted`` sums
    (rows × columns), and the Kish design effect of the respondents' weights in the table (1 when
    unweighted). Same test, marks and suppression."""
    counts = np.asarray(counts, dtype=np.int64)
    weighted = np.asarray(weighted, dtype=float)
    shape = (len(row_categories), len(column_categories))
    if counts.shape != shape or weighted.shape != shape:
        raise ValueError(f"crosstab_from_table: tables must be {shape}, got {counts.shape} and {weighted.shape}")
    return _crosstab_result(counts, weighted, [str(r) for r in row_categories], [str(c) for c in column_categories],
                            int(counts.sum()), float(deff), k)
