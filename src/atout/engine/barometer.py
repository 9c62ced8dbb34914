"""Barometer waves: the same questions asked again, each wave's estimate, the change and whether it is real.

A *barometer* repeats a survey in *waves* (same questions, new fieldwork). For each measure — a
proportion (aided awareness: share answering "yes"), a mean (a 0–10 score, a place-brand hexagon
dimension) or a net promoter score — this module gives each wave's weighted estimate with its 95 %
interval, Kish effective base and design effect, then the change between two waves with its interval,
a two-sided p-value and a plain-language reading, and the trend over three waves or more.

Everything rests on :mod:`atout.engine.surveystats` (same estimates, intervals and small-cell
suppression as the survey results pages) and :mod:`atout.engine.weighting` (Kish design effect). The
formulas, their assumptions and references are in docs/methods/barometer.md:

- proportions: Newcombe's hybrid score interval for a difference of independent proportions
  (Newcombe 1998, method 10), built from each wave's Wilson interval on its Kish effective base; the
  p-value is the one that goes with that interval (the level at which it just reaches 0), so "p < 0.05"
  and "the 95 % interval excludes 0" never disagree;
- means: Welch's t interval and test on effective bases (Welch 1947; Satterthwaite degrees of freedom);
- NPS: normal interval and test, each wave's variance from the multinomial of promoters, passives and
  detractors, ``(p_P + p_D − (p_P − p_D)²) / n_eff``;
- trend: inverse-variance weighted least-squares slope over the waves, with a lack-of-fit test.

Waves are assumed to be independent samples (new respondents each time). Units: proportions and their
differences as proportions (0.05 = 5 points), means in the answers' unit, NPS in points (−100…100).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from . import surveystats
from .surveystats import ANHOLT_DIMENSIONS, DEFAULT_K
from .weighting import kish_deff

KINDS = ("proportion", "mean", "nps")
CONFIDENCE = 0.95
#: Past this many standard errors a p-value is below what a float can hold: reported as 0.
_Z_MAX = 38.0

#: Reading of a change (or a trend) → (French, English). The code is what the API and CLI return.
READINGS = {
    "increase": ("hausse significative", "significant increase"),
    "decrease": ("baisse significative", "significant decrease"),
    "stable": ("stable (écart non significatif)", "stable (no significant change)"),
    "suppressed": ("non publié : trop peu de répondants", "not shown: too few respondents"),
    "no_data": ("pas de réponse dans l'une des vagues", "no answer in one of the waves"),
    "not_enough_waves": ("pas assez de vagues publiées pour une tendance", "not enough published waves for a trend"),
}


def reading_text(code: str, language: str = "fr") -> str:
    """The plain-language text of a reading code, in French (``"fr"``) or English (``"en"``)."""
    french, english = READINGS[code]
    return english if language == "en" else french


# ---------------------------------------------------------------------------------------------
# One wave's estimate


@dataclass(frozen=True)
class Estimate:
    """One wave's figure for one measure, with what a comparison needs.

    ``value``: a proportion (0–1), a mean (the answers' unit) or an NPS (points, −100…100); ``low``,
    ``high``: its 95 % interval (Wilson, Student t or normal — as on the results pages); ``n``:
    respondents in the base (unweighted); ``n_effective``: Kish effective base ``(Σw)²/Σw²``; ``deff``:
    Kish design effect ``n Σw²/(Σw)²`` (1 unweighted, None without respondents); ``suppressed``: under
    the small-cell rule of :mod:`surveystats` the figure is not shown (value and bounds are None).
    ``count`` (proportion: respondents in the category), ``std`` (mean: standard deviation of the
    answers), ``promoters``/``detractors`` (NPS: shares 0–1) are filled for their kind only.
    """

    kind: str
    value: float | None
    low: float | None
    high: float | None
    n: int
    n_effective: float
    deff: float | None
    suppressed: bool
    count: int | None = None
    std: float | None = None
    promoters: float | None = None
    detractors: float | None = None

    @property
    def available(self) -> bool:
        """True when the estimate can be shown and compared."""
        return not self.suppressed and self.value is not None and self.n > 0

    @property
    def standard_error(self) -> float | None:
        """Large-sample standard error of ``value`` on the effective base, in the unit of ``value``."""
        if not self.available or self.n_effective <= 0:
            return None
        if self.kind == "proportion":
            return math.sqrt(max(self.value * (1 - self.value), 0.0) / self.n_effective)
        if self.kind == "mean":
            return self.std / math.sqrt(self.n_effective)
        return 100 * math.sqrt(_nps_variance(self.promoters, self.detractors) / self.n_effective)

    def as_dict(self) -> dict:
        return asdict(self)


def _nps_variance(promoters: float, detractors: float) -> float:
    """Variance of p_P − p_D for one respondent (multinomial): p_P + p_D − (p_P − p_D)²."""
    return max(promoters + detractors - (promoters - detractors) ** 2, 0.0)


def _answered(values: Sequence, weights: Sequence[float] | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Mask of respondents who answered, and the weights checked (one per respondent, ≥ 0, finite)."""
    present = ~pd.isna(pd.Series(values, dtype="object")).to_numpy()
    if weights is None:
        return present, None
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(present),):
        raise ValueError(f"weights: expected {len(present)} values (one per respondent), got {w.size}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    if present.any() and w[present].sum() <= 0:
        raise ValueError("the weights of the respondents who answered sum to 0")
    return present, w


def _deff(n: int, weights: np.ndarray | None) -> float | None:
    if n == 0:
        return None
    return 1.0 if weights is None else kish_deff(weights)


def estimate_proportion(successes: Sequence, weights: Sequence[float] | None = None, *, k: int = DEFAULT_K) -> Estimate:
    """Share of respondents for whom ``successes`` is true, with its Wilson interval.

    Inputs: one value per respondent: True/False, or None/NaN for a respondent who did not answer
    (left out of the base); optional weights (e.g. from :func:`atout.engine.weighting.rake`).
    Output: an :class:`Estimate` of kind ``"proportion"`` (0–1), suppressed as
    :func:`surveystats.proportion` does (fewer than ``k`` respondents in the category or the base).
    """
    present, w = _answered(successes, weights)
    hits = np.array([bool(v) for v, p in zip(successes, present, strict=True) if p], dtype=bool)
    w_base = None if w is None else w[present]
    return from_surveystats(surveystats.proportion(hits, w_base, k=k), deff=_deff(hits.size, w_base))


def estimate_mean(values: Sequence[float], weights: Sequence[float] | None = None, *, k: int = DEFAULT_K) -> Estimate:
    """(Weighted) mean of numeric answers (NaN = no answer) with its t interval.

    Output: an :class:`Estimate` of kind ``"mean"`` in the answers' unit, suppressed under ``k``
    respondents (:func:`surveystats.mean`).
    """
    present, w = _answered(values, weights)
    x = np.asarray(values, dtype=float)[present]
    w_base = None if w is None else w[present]
    return from_surveystats(surveystats.mean(x, w_base, k=k), deff=_deff(x.size, w_base))


def estimate_nps(scores: Sequence[float], weights: Sequence[float] | None = None, *, k: int = DEFAULT_K) -> Estimate:
    """Net promoter score of 0–10 answers (NaN = no answer): promoters 9–10 minus detractors 0–6.

    Output: an :class:`Estimate` of kind ``"nps"`` in points, suppressed under ``k`` respondents
    (:func:`surveystats.net_promoter_score`, which also rejects scores outside 0–10).
    """
    present, w = _answered(scores, weights)
    x = np.asarray(scores, dtype=float)[present]
    w_base = None if w is None else w[present]
    return from_surveystats(surveystats.net_promoter_score(x, w_base, k=k), deff=_deff(x.size, w_base))


def from_surveystats(result, *, deff: float | None = None) -> Estimate:
    """An :class:`Estimate` from a result of :mod:`surveystats` — including the ``*_from_totals``
    functions used on large tables (SQL sums): :class:`~surveystats.Proportion`,
    :class:`~surveystats.Mean` or :class:`~surveystats.NetPromoterScore`.

    ``deff`` defaults to ``n / n_effective`` (the Kish design effect of the base's weights).
    """
    if deff is None and result.n > 0 and result.n_effective > 0:
        deff = result.n / result.n_effective
    common = {"n": int(result.n), "n_effective": float(result.n_effective), "deff": deff,
              "suppressed": bool(result.suppressed)}
    if isinstance(result, surveystats.Proportion):
        return Estimate("proportion", result.estimate, result.low, result.high, count=result.count, **common)
    if isinstance(result, surveystats.Mean):
        return Estimate("mean", result.estimate, result.low, result.high, std=result.std, **common)
    if isinstance(result, surveystats.NetPromoterScore):
        return Estimate("nps", result.score, result.low, result.high, promoters=result.promoters,
                        detractors=result.detractors, **common)
    raise TypeError(f"expected a surveystats Proportion, Mean or NetPromoterScore, got {type(result).__name__}")


# ---------------------------------------------------------------------------------------------
# The change between two waves


@dataclass(frozen=True)
class Change:
    """The change of one measure from a first wave to a second.

    ``difference`` = second − first (proportion: 0–1 scale, 0.05 = +5 points; mean: the answers'
    unit; NPS: points); ``low``, ``high``: its interval at ``confidence``; ``p_value``: two-sided,
    for "no change"; ``reading``: a code of :data:`READINGS` (``increase``, ``decrease``, ``stable``,
    ``suppressed``, ``no_data``). Without a comparison (suppressed or no data) the numbers are None.
    ``method`` names the interval used.
    """

    kind: str
    first: Estimate
    second: Estimate
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    reading: str
    confidence: float = CONFIDENCE
    method: str = ""

    @property
    def significant(self) -> bool:
        return self.reading in ("increase", "decrease")

    def as_dict(self) -> dict:
        data = asdict(self)
        data["reading_fr"], data["reading_en"] = READINGS[self.reading]
        return data


def compare(first: Estimate, second: Estimate, *, confidence: float = CONFIDENCE) -> Change:
    """Compare a measure between two independent waves.

    Inputs: the two waves' :class:`Estimate` (same kind), the confidence level of the interval.
    Output: a :class:`Change`. A wave without respondents gives ``no_data``; a suppressed wave gives
    ``suppressed`` (the difference would let a reader work the hidden figure out). Otherwise the
    reading is ``increase``/``decrease`` when ``p_value < 1 − confidence`` (equivalently, when the
    interval excludes 0), ``stable`` when not.
    """
    if first.kind != second.kind:
        raise ValueError(f"cannot compare a {first.kind} with a {second.kind}")
    if first.kind not in KINDS:
        raise ValueError(f"unknown kind {first.kind!r}; expected one of {KINDS}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, got {confidence}")
    if first.n == 0 or second.n == 0:
        return Change(first.kind, first, second, None, None, None, None, "no_data", confidence)
    if not (first.available and second.available):
        return Change(first.kind, first, second, None, None, None, None, "suppressed", confidence)
    if first.kind == "proportion":
        difference, low, high, p_value = _proportions(first, second, confidence)
        method = "Newcombe hybrid score (Wilson on Kish effective bases)"
    elif first.kind == "mean":
        difference, low, high, p_value = _means(first, second, confidence)
        method = "Welch t on Kish effective bases"
    else:
        difference, low, high, p_value = _nps(first, second, confidence)
        method = "normal, multinomial variance on Kish effective bases"
    alpha = 1 - confidence
    if p_value < alpha:
        reading = "increase" if difference > 0 else "decrease"
    else:
        reading = "stable"
    return Change(first.kind, first, second, difference, low, high, p_value, reading, confidence, method)


def wilson_bounds(proportion: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval of a proportion on a (possibly effective) base ``n``, for a normal
    quantile ``z`` (1.96 for 95 %). Same formula as :func:`surveystats.wilson_interval`, which takes a
    confidence level instead; the p-value search below needs any ``z``."""
    z2 = z * z
    centre = (proportion + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(max(proportion * (1 - proportion) / n + z2 / (4 * n * n), 0.0))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(p1: float, n1: float, p2: float, n2: float, z: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval (1998, method 10) for ``p2 − p1``, independent samples.

    ``n1``, ``n2``: (effective) bases; ``z``: normal quantile. With (l_i, u_i) the Wilson bounds:
    ``L = d − sqrt((p2 − l2)² + (u1 − p1)²)``, ``U = d + sqrt((u2 − p2)² + (p1 − l1)²)``.
    """
    l1, u1 = wilson_bounds(p1, n1, z)
    l2, u2 = wilson_bounds(p2, n2, z)
    d = p2 - p1
    return d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)


def _proportions(first: Estimate, second: Estimate, confidence: float):
    p1, n1, p2, n2 = first.value, first.n_effective, second.value, second.n_effective
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    low, high = newcombe_interval(p1, n1, p2, n2, z)
    return p2 - p1, low, high, newcombe_p_value(p1, n1, p2, n2)


def newcombe_p_value(p1: float, n1: float, p2: float, n2: float) -> float:
    """Two-sided p-value matching Newcombe's interval: ``2 (1 − Φ(z*))`` where ``z*`` is the normal
    quantile at which the interval's nearer bound reaches 0. Wilson intervals widen steadily with z,
    so the bound crosses 0 once: p < α exactly when the (1 − α) interval excludes 0."""
    d = p2 - p1
    if d == 0:
        return 1.0

    def bound(z: float) -> float:
        low, high = newcombe_interval(p1, n1, p2, n2, z)
        return low if d > 0 else -high

    if bound(_Z_MAX) > 0:
        return 0.0
    z_star = optimize.brentq(bound, 0.0, _Z_MAX, xtol=1e-12)
    return float(min(1.0, 2 * stats.norm.sf(z_star)))


def _means(first: Estimate, second: Estimate, confidence: float):
    v1 = first.std**2 / first.n_effective
    v2 = second.std**2 / second.n_effective
    difference = second.value - first.value
    se = math.sqrt(v1 + v2)
    if se == 0:
        return difference, difference, difference, 1.0 if difference == 0 else 0.0
    # Welch–Satterthwaite degrees of freedom on effective bases (at least 1, as in surveystats.mean).
    df = (v1 + v2) ** 2 / (v1**2 / max(first.n_effective - 1, 1) + v2**2 / max(second.n_effective - 1, 1))
    t = float(stats.t.ppf(0.5 + confidence / 2, df))
    p_value = float(2 * stats.t.sf(abs(difference) / se, df))
    return difference, difference - t * se, difference + t * se, p_value


def _nps(first: Estimate, second: Estimate, confidence: float):
    difference = second.value - first.value
    se = math.hypot(first.standard_error, second.standard_error)
    if se == 0:
        return difference, difference, difference, 1.0 if difference == 0 else 0.0
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p_value = float(2 * stats.norm.sf(abs(difference) / se))
    return difference, max(-200.0, difference - z * se), min(200.0, difference + z * se), p_value


# ---------------------------------------------------------------------------------------------
# Measures and waves: many questions at once


@dataclass(frozen=True)
class Measure:
    """What to estimate from a wave's answers.

    ``name``: the measure's identifier (a question name, or ``hexagon_people``…); ``kind``: one of
    :data:`KINDS`; ``columns``: the answer column(s) — for a mean over several items (a hexagon
    dimension) each respondent's score is the mean of the items they answered; ``success``: for a
    proportion, the answer codes that count (e.g. ``{"oui_bien", "oui_nom"}``); empty when the column
    already holds True/False; ``multiple``: the column holds multiple-choice selections (a list or a
    space-separated string of codes, as ODK stores them), and a respondent counts when one of the
    ``success`` codes is selected.
    """

    name: str
    kind: str
    columns: tuple[str, ...]
    success: frozenset[str] = frozenset()
    multiple: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"measure '{self.name}': unknown kind {self.kind!r}; expected one of {KINDS}")
        if not self.columns:
            raise ValueError(f"measure '{self.name}': no answer column")
        if self.kind != "mean" and len(self.columns) != 1:
            raise ValueError(f"measure '{self.name}': a {self.kind} reads exactly one column")

    @classmethod
    def proportion(cls, name: str, column: str | None = None, success: Sequence[str] = (), *, multiple: bool = False) -> Measure:
        return cls(name, "proportion", (column or name,), frozenset(str(s) for s in success), multiple)

    @classmethod
    def mean(cls, name: str, *columns: str) -> Measure:
        return cls(name, "mean", tuple(columns) or (name,))

    @classmethod
    def nps(cls, name: str, column: str | None = None) -> Measure:
        return cls(name, "nps", (column or name,))


def hexagon_measures(columns: Sequence[str], prefix: str = "hex_") -> list[Measure]:
    """One mean :class:`Measure` per place-brand dimension, from item columns named
    ``hex_<dimension>_<item>`` (the naming the survey results already use), in the order of
    :data:`surveystats.ANHOLT_DIMENSIONS`; the measure is named ``hexagon_<dimension>``."""
    by_dimension: dict[str, list[str]] = {}
    for column in columns:
        parts = column.split("_")
        if column.startswith(prefix) and len(parts) >= 3 and parts[1] in ANHOLT_DIMENSIONS:
            by_dimension.setdefault(parts[1], []).append(column)
    return [Measure.mean(f"hexagon_{d}", *by_dimension[d]) for d in ANHOLT_DIMENSIONS if d in by_dimension]


@dataclass
class Wave:
    """One wave of a barometer, for one audience.

    ``label``: how the wave is named (``"2025"``, ``"Vague 1 – mars 2025"``); ``answers``: one row per
    respondent, one column per question (choice codes as text, numbers as numbers, NaN/None when not
    answered); ``weights``: one per respondent, or None (unweighted); ``position``: where the wave sits
    on the time axis of a trend (e.g. the fieldwork year as a decimal; default: its order).
    """

    label: str
    answers: pd.DataFrame
    weights: Sequence[float] | None = None
    position: float | None = None

    def __post_init__(self):
        if self.weights is not None and len(self.weights) != len(self.answers):
            raise ValueError(f"wave '{self.label}': {len(self.weights)} weights for {len(self.answers)} respondents")


def _selection(value) -> set[str] | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        parts = value.split()
        return set(parts) if parts else None
    chosen = {str(v) for v in value}
    return chosen or None


def _successes(measure: Measure, column: pd.Series) -> list:
    values: list = []
    for value in column.tolist():
        if measure.multiple:
            chosen = _selection(value)
            values.append(None if chosen is None else bool(chosen & measure.success))
        elif value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip()):
            values.append(None)
        elif not measure.success:
            if not isinstance(value, bool | np.bool_):
                raise ValueError(f"measure '{measure.name}': column '{column.name}' holds {value!r}; "
                                 "give the answer codes that count (success) or a True/False column")
            values.append(bool(value))
        else:
            values.append(_code(value) in measure.success)
    return values


def _code(value) -> str:
    # Choice codes are text; a code read from a spreadsheet as 4.0 is the code "4".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def estimate(measure: Measure, wave: Wave, *, k: int = DEFAULT_K) -> Estimate:
    """The estimate of ``measure`` in ``wave``. A column the wave does not have counts as a question
    not asked: no respondent (``n = 0``)."""
    answers = wave.answers
    if any(c not in answers.columns for c in measure.columns):
        answers = answers.reindex(columns=list(measure.columns))  # all NaN: nobody answered
    if measure.kind == "proportion":
        return estimate_proportion(_successes(measure, answers[measure.columns[0]]), wave.weights, k=k)
    numbers = answers[list(measure.columns)].apply(pd.to_numeric, errors="coerce")
    if measure.kind == "mean":
        # A respondent's score is the mean of the items they answered (NaN when none).
        scores = numbers.mean(axis=1) if len(measure.columns) > 1 else numbers.iloc[:, 0]
        return estimate_mean(scores.to_numpy(dtype=float), wave.weights, k=k)
    return estimate_nps(numbers.iloc[:, 0].to_numpy(dtype=float), wave.weights, k=k)


COMPARISON_COLUMNS = [
    "measure", "kind", "first_wave", "second_wave",
    "first_estimate", "first_low", "first_high", "first_n", "first_n_effective", "first_deff",
    "second_estimate", "second_low", "second_high", "second_n", "second_n_effective", "second_deff",
    "difference", "low", "high", "p_value", "q_value", "reading", "reading_fr", "reading_en", "suppressed", "note",
]


def compare_waves(measures: Sequence[Measure], first: Wave, second: Wave, *, k: int = DEFAULT_K,
                  confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Compare two waves over many measures at once.

    Inputs: the measures; the two :class:`Wave` (same audience, independent samples); the
    small-cell threshold ``k``; the confidence level. Output: one row per measure, columns
    :data:`COMPARISON_COLUMNS`: each wave's estimate, interval, n, effective n and design effect
    (estimates NaN when suppressed), the difference (second − first) with its interval and p-value,
    the Benjamini–Hochberg ``q_value`` over the measures compared (to read many p-values at once),
    the reading code and its French and English text, ``suppressed`` (either wave below the
    small-cell rule) and a ``note`` (e.g. a question not asked in one wave).
    A measure whose columns are in neither wave raises ValueError (most likely a misspelt name).
    """
    rows = []
    for measure in measures:
        missing = [w.label for w in (first, second) if any(c not in w.answers.columns for c in measure.columns)]
        if len(missing) == 2:
            raise ValueError(f"measure '{measure.name}': column(s) {list(measure.columns)} in neither wave")
        change = compare(estimate(measure, first, k=k), estimate(measure, second, k=k), confidence=confidence)
        note = f"question not asked in wave '{missing[0]}'" if missing else ""
        rows.append(_comparison_row(measure, first.label, second.label, change, note))
    frame = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    compared = frame["p_value"].notna()
    frame["q_value"] = np.nan
    if compared.any():
        frame.loc[compared, "q_value"] = stats.false_discovery_control(frame.loc[compared, "p_value"].astype(float), method="bh")
    return frame


def _comparison_row(measure: Measure, first_label: str, second_label: str, change: Change, note: str) -> dict:
    row = {"measure": measure.name, "kind": measure.kind, "first_wave": first_label, "second_wave": second_label}
    for prefix, e in (("first", change.first), ("second", change.second)):
        row.update({
            f"{prefix}_estimate": _nan(e.value), f"{prefix}_low": _nan(e.low), f"{prefix}_high": _nan(e.high),
            f"{prefix}_n": e.n, f"{prefix}_n_effective": e.n_effective, f"{prefix}_deff": _nan(e.deff),
        })
    row.update({
        "difference": _nan(change.difference), "low": _nan(change.low), "high": _nan(change.high),
        "p_value": _nan(change.p_value), "q_value": np.nan, "reading": change.reading,
        "reading_fr": READINGS[change.reading][0], "reading_en": READINGS[change.reading][1],
        "suppressed": change.reading == "suppressed", "note": note,
    })
    return row


def _nan(value) -> float:
    return float("nan") if value is None else float(value)


# ---------------------------------------------------------------------------------------------
# Trend over three waves or more


@dataclass(frozen=True)
class Trend:
    """A measure across waves: each wave's estimate and a linear trend.

    ``waves``: (label, position, :class:`Estimate`) in wave order. ``slope``: change per unit of
    position (per year when positions are years; per wave by default), in the unit of the estimates,
    with its interval and p-value (None with fewer than three published waves: ``reading`` is then
    ``not_enough_waves``, or when a wave has no sampling variance); ``lack_of_fit_p``: chi-square test
    that the published waves lie on a line up to sampling error (small: the waves move more than
    chance and the slope's interval is too narrow); ``note`` says why a slope is missing.
    """

    measure: str
    kind: str
    waves: list[tuple[str, float, Estimate]]
    slope: float | None
    low: float | None
    high: float | None
    p_value: float | None
    lack_of_fit_p: float | None
    reading: str
    confidence: float = CONFIDENCE
    note: str = ""

    def points(self) -> pd.DataFrame:
        """One row per wave: ``wave, position, estimate, low, high, n, n_effective, deff, suppressed``."""
        return pd.DataFrame([
            {"wave": label, "position": position, "estimate": _nan(e.value), "low": _nan(e.low), "high": _nan(e.high),
             "n": e.n, "n_effective": e.n_effective, "deff": _nan(e.deff), "suppressed": e.suppressed}
            for label, position, e in self.waves
        ], columns=["wave", "position", "estimate", "low", "high", "n", "n_effective", "deff", "suppressed"])

    def as_dict(self) -> dict:
        return {
            "measure": self.measure, "kind": self.kind,
            "waves": [{"wave": label, "position": position, **e.as_dict()} for label, position, e in self.waves],
            "slope": self.slope, "low": self.low, "high": self.high, "p_value": self.p_value,
            "lack_of_fit_p": self.lack_of_fit_p, "reading": self.reading,
            "reading_fr": READINGS[self.reading][0], "reading_en": READINGS[self.reading][1],
            "confidence": self.confidence, "note": self.note,
        }


def trend(measure: str, estimates: Sequence[tuple[str, Estimate]], *, positions: Sequence[float] | None = None,
          confidence: float = CONFIDENCE) -> Trend:
    """Trend of one measure over waves given as (label, :class:`Estimate`) in wave order.

    ``positions``: where each wave sits on the time axis (default 0, 1, 2…). The slope is the
    inverse-variance weighted least-squares line through the published waves (suppressed or empty
    waves are left out): each wave weighs ``1 / variance`` — for a proportion the Agresti–Coull
    variance ``p̃(1 − p̃)/(n_eff + z²)``, which is never 0 at 0 % or 100 %; for a mean or an NPS the
    squared standard error. Needs three published waves or more.
    """
    if not estimates:
        raise ValueError(f"trend of '{measure}': no wave given")
    kinds = {e.kind for _, e in estimates}
    if len(kinds) != 1:
        raise ValueError(f"trend of '{measure}': waves mix kinds {sorted(kinds)}")
    xs = list(range(len(estimates))) if positions is None else [float(p) for p in positions]
    if len(xs) != len(estimates):
        raise ValueError(f"trend of '{measure}': {len(xs)} positions for {len(estimates)} waves")
    waves = [(label, float(x), e) for (label, e), x in zip(estimates, xs, strict=True)]
    kind = kinds.pop()
    published = [(x, e) for _, x, e in waves if e.available]
    empty = {"slope": None, "low": None, "high": None, "p_value": None, "lack_of_fit_p": None}
    if len(published) < 3:
        return Trend(measure, kind, waves, reading="not_enough_waves", confidence=confidence,
                     note=f"{len(published)} published wave(s); a trend needs three", **empty)
    if len({x for x, _ in published}) < 2:
        raise ValueError(f"trend of '{measure}': the waves share one position")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    variances = np.array([_trend_variance(e, z) for _, e in published])
    if np.any(variances <= 0):
        return Trend(measure, kind, waves, reading="stable", confidence=confidence,
                     note="a wave has no sampling variance (all answers identical): no slope", **empty)
    x = np.array([x for x, _ in published])
    y = np.array([e.value for _, e in published])
    v = 1 / variances
    x_bar = np.sum(v * x) / v.sum()
    y_bar = np.sum(v * y) / v.sum()
    sxx = float(np.sum(v * (x - x_bar) ** 2))
    slope = float(np.sum(v * (x - x_bar) * (y - y_bar)) / sxx)
    se = math.sqrt(1 / sxx)
    p_value = float(2 * stats.norm.sf(abs(slope) / se))
    residuals = y - (y_bar + slope * (x - x_bar))
    lack_of_fit_p = float(stats.chi2.sf(np.sum(v * residuals**2), df=len(published) - 2))
    reading = ("increase" if slope > 0 else "decrease") if p_value < 1 - confidence else "stable"
    return Trend(measure, kind, waves, slope, slope - z * se, slope + z * se, p_value, lack_of_fit_p, reading, confidence)


def _trend_variance(e: Estimate, z: float) -> float:
    if e.kind == "proportion":
        n_tilde = e.n_effective + z * z
        p_tilde = (e.value * e.n_effective + z * z / 2) / n_tilde
        return p_tilde * (1 - p_tilde) / n_tilde
    return e.standard_error ** 2


def trend_waves(measures: Sequence[Measure], waves: Sequence[Wave], *, k: int = DEFAULT_K,
                confidence: float = CONFIDENCE) -> list[Trend]:
    """:func:`trend` of every measure over the waves (in order; positions from ``Wave.position`` when
    every wave has one, else 0, 1, 2…)."""
    if not waves:
        raise ValueError("trend: no wave given")
    positions = [w.position for w in waves]
    xs = positions if all(p is not None for p in positions) else None
    return [trend(m.name, [(w.label, estimate(m, w, k=k)) for w in waves], positions=xs, confidence=confidence)
            for m in measures]


# ---------------------------------------------------------------------------------------------
# Unaided awareness: does an open answer name the territory?


def _fold(text: str) -> str:
    """Lower case, accents removed, anything but letters and digits turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " " + " ".join(re.findall(r"[a-z0-9]+", plain)) + " "


def mentions(texts: Sequence, aliases: Sequence[str], *, empty: bool | None = None) -> list[bool | None]:
    """For each open answer, whether it names the territory (unaided, "spontaneous" awareness).

    Inputs: the answers (None/NaN/'' when not answered); the names that count (``["Drôme", "26"]``),
    matched as whole words, ignoring case, accents, hyphens and punctuation ("drome", "la Drôme,",
    "DROME-PROVENÇALE" all name the Drôme; "Dromel" does not); ``empty``: what an empty answer is —
    None (left out of the base, the default) or False (shown the question, named nothing).
    Output: True/False/None per answer, ready for :func:`estimate_proportion`.
    """
    folded = [_fold(a) for a in aliases if _fold(a).strip()]
    if not folded:
        raise ValueError("mentions: give at least one name of the territory")
    result: list[bool | None] = []
    for text in texts:
        if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
            result.append(empty)
        else:
            answer = _fold(str(text))
            result.append(any(alias in answer for alias in folded))
    return result


__all__ = [
    "CONFIDENCE", "COMPARISON_COLUMNS", "KINDS", "READINGS", "Change", "Estimate", "Measure", "Trend", "Wave",
    "compare", "compare_waves", "estimate", "estimate_mean", "estimate_nps", "estimate_proportion",
    "from_surveystats", "hexagon_measures", "mentions", "newcombe_interval", "newcombe_p_value", "reading_text",
    "trend", "trend_waves", "wilson_bounds",
]

