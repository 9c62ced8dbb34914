"""Agreement between human coders who coded the same transcripts, and the list of their disagreements.

Two coders (or more, for Krippendorff's alpha) code the same *units* — paragraphs or speaker turns of
transcripts, contributions, document passages — with codes of a codebook; a unit may carry several
codes. For every code, each unit is a yes/no decision of each coder. This module gives:

* **Cohen's kappa** (Cohen 1960) per code, and overall on all (unit, code) decisions pooled — the same
  definition as the agreement between automatic and human coding in :mod:`atout.engine.themes`;
* **Krippendorff's alpha** for nominal data (Krippendorff 2011, "Computing Krippendorff's
  Alpha-Reliability"), which accepts missing codings (a coder who did not code a unit) and any
  number of coders; per code and pooled;
* the **observed agreement** (share of matching decisions);
* the **disagreements** for arbitration: (unit, code, what coder A decided, what coder B decided).

Readings: Landis & Koch (1977) bands for kappa; Krippendorff's (2004) thresholds for alpha (≥ 0.800
reliable; ≥ 0.667 tentative conclusions only). Computed with numpy from the published formulas (a few
lines each) and checked against the published examples (tests/engine/test_agreement.py); see
docs/methods/agreement.md.

Spans: :func:`paragraph_units` cuts a transcript into paragraph units with their character offsets and
:func:`codes_by_unit` turns a coder's coded spans (start, end, code) into the codes of each unit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

#: Landis & Koch (1977): upper bound of each band → (code, French, English).
KAPPA_BANDS = [
    (0.0, "poor", "désaccord (moins que le hasard)", "poor (less than chance)"),
    (0.2, "slight", "accord très faible", "slight"),
    (0.4, "fair", "accord faible", "fair"),
    (0.6, "moderate", "accord modéré", "moderate"),
    (0.8, "substantial", "accord fort", "substantial"),
    (1.0, "almost_perfect", "accord presque parfait", "almost perfect"),
]
#: Krippendorff (2004, §11.4): alpha ≥ 0.800 to rely on the data, ≥ 0.667 for tentative conclusions.
ALPHA_RELIABLE, ALPHA_TENTATIVE = 0.800, 0.667
ALPHA_READINGS = {
    "reliable": ("fiable", "reliable"),
    "tentative": ("conclusions provisoires seulement", "tentative conclusions only"),
    "unreliable": ("non fiable : revoir les définitions des codes", "unreliable: revise the code definitions"),
    "undefined": ("non calculable", "undefined"),
}


def kappa_reading(kappa: float | None) -> str:
    """Landis & Koch (1977) band of a kappa: ``poor``, ``slight``, ``fair``, ``moderate``,
    ``substantial``, ``almost_perfect``, or ``undefined`` for None."""
    if kappa is None:
        return "undefined"
    for bound, code, _, _ in KAPPA_BANDS:
        if kappa <= bound:
            return code
    return "almost_perfect"


def alpha_reading(alpha: float | None) -> str:
    """Krippendorff's reading: ``reliable`` (≥ 0.800), ``tentative`` (≥ 0.667), ``unreliable``, ``undefined``."""
    if alpha is None:
        return "undefined"
    if alpha >= ALPHA_RELIABLE:
        return "reliable"
    return "tentative" if alpha >= ALPHA_TENTATIVE else "unreliable"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# ---------------------------------------------------------------------------------------------
# Cohen's kappa


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa of two coders: ``kappa = (observed − expected) / (1 − expected)``.

    ``observed``: share of units on which they agree (0–1); ``expected``: agreement expected by chance
    from each coder's own category shares; ``units``: units coded by both. ``kappa`` is None when
    undefined (expected agreement 1: both coders used one and the same category throughout).
    """

    kappa: float | None
    observed: float | None
    expected: float | None
    units: int

    @property
    def reading(self) -> str:
        return kappa_reading(self.kappa)


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> Kappa:
    """Cohen's kappa (1960) between two coders' categories for the same units, in unit order.

    Units where either coder has no category (None/NaN) are left out.
    """
    if len(first) != len(second):
        raise ValueError(f"cohen_kappa: {len(first)} codings by the first coder, {len(second)} by the second")
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if not _missing(a) and not _missing(b)]
    if not pairs:
        return Kappa(None, None, None, 0)
    categories = {c: i for i, c in enumerate(sorted({str(v) for pair in pairs for v in pair}))}
    table = np.zeros((len(categories), len(categories)))
    for a, b in pairs:
        table[categories[str(a)], categories[str(b)]] += 1
    return _kappa_of_table(table)


def _kappa_of_table(table: np.ndarray) -> Kappa:
    n = table.sum()
    observed = float(np.trace(table) / n)
    expected = float(np.dot(table.sum(axis=1), table.sum(axis=0)) / (n * n))
    kappa = None if math.isclose(expected, 1.0) else (observed - expected) / (1 - expected)
    return Kappa(kappa, observed, expected, int(n))


# ---------------------------------------------------------------------------------------------
# Krippendorff's alpha (nominal)


@dataclass(frozen=True)
class Alpha:
    """Krippendorff's alpha for nominal data: ``1 − D_o / D_e``.

    ``observed_disagreement`` D_o and ``expected_disagreement`` D_e come from the coincidence matrix;
    ``pairable``: values in units coded by at least two coders (n in Krippendorff's paper);
    ``units``: those units. ``alpha`` is None when undefined (no pairable value, or one single value
    used throughout: D_e = 0).
    """

    alpha: float | None
    observed_disagreement: float | None
    expected_disagreement: float | None
    pairable: int
    units: int

    @property
    def reading(self) -> str:
        return alpha_reading(self.alpha)


def krippendorff_alpha(reliability_data: Sequence[Sequence[Hashable]]) -> Alpha:
    """Krippendorff's alpha (nominal) of a reliability data matrix.

    Input: one row per coder, one column per unit, the value each coder gave each unit, None/NaN
    where a coder did not code the unit (as in Krippendorff 2011, §C). Values are compared as text.
    Units with fewer than two values are not pairable and drop out.
    """
    rows = [list(r) for r in reliability_data]
    if not rows:
        raise ValueError("krippendorff_alpha: no coder")
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ValueError("krippendorff_alpha: every coder needs one value (or None) per unit")
    values = sorted({str(v) for r in rows for v in r if not _missing(v)})
    index = {v: i for i, v in enumerate(values)}
    counts = np.zeros((width, len(values)))
    for row in rows:
        for u, value in enumerate(row):
            if not _missing(value):
                counts[u, index[str(value)]] += 1
    return _alpha_of_counts(counts)


def _alpha_of_counts(counts: np.ndarray) -> Alpha:
    """Alpha from value counts per unit (units × values): the coincidence matrix is
    ``o = Σ_u (n_u n_uᵀ − diag(n_u)) / (m_u − 1)`` over units with m_u ≥ 2 values."""
    per_unit = counts.sum(axis=1)
    pairable = per_unit >= 2
    counts, m = counts[pairable], per_unit[pairable]
    n = float(m.sum())
    if n == 0:
        return Alpha(None, None, None, 0, 0)
    coincidences = np.einsum("u,uc,uk->ck", 1 / (m - 1), counts, counts) - np.diag((counts.T / (m - 1)).sum(axis=1))
    n_c = coincidences.sum(axis=1)
    observed = float((n - np.trace(coincidences)) / n)
    expected = float((n * n - np.dot(n_c, n_c)) / (n * (n - 1)))
    alpha = None if expected <= 0 else 1 - observed / expected
    return Alpha(alpha, observed, expected, int(n), int(pairable.sum()))


# ---------------------------------------------------------------------------------------------
# Two coders, a codebook, multi-code units


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code: ``units`` coded by both coders; ``first``/``second``: units where each
    coder applied the code; ``both``: units where both did; ``observed``: share of units with the same
    decision; ``kappa``, ``alpha`` (None when undefined: e.g. a code neither coder used)."""

    code: Hashable
    units: int
    first: int
    second: int
    both: int
    observed: float
    kappa: float | None
    alpha: float | None

    @property
    def kappa_reading(self) -> str:
        return kappa_reading(self.kappa)

    @property
    def alpha_reading(self) -> str:
        return alpha_reading(self.alpha)


@dataclass(frozen=True)
class Disagreement:
    """A unit and code on which the coders decided differently: ``first``/``second`` tell whether each
    coder applied the code."""

    unit: Hashable
    code: Hashable
    first: bool
    second: bool


@dataclass
class Agreement:
    """Agreement between two coders on a codebook.

    ``units``: units coded by both (in order); ``only_first``/``only_second``: units one coder did
    not code (left out of every figure; listed so that they can be finished); ``codes``: per code
    :class:`CodeAgreement`; ``kappa``, ``alpha``, ``observed``: on all (unit, code) decisions pooled;
    ``disagreements``: for arbitration, in unit then code order.
    """

    units: list[Hashable]
    only_first: list[Hashable]
    only_second: list[Hashable]
    codes: list[CodeAgreement]
    kappa: float | None
    alpha: float | None
    observed: float | None
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def kappa_reading(self) -> str:
        return kappa_reading(self.kappa)

    @property
    def alpha_reading(self) -> str:
        return alpha_reading(self.alpha)

    def disagreements_frame(self, first: str = "coder_a", second: str = "coder_b") -> pd.DataFrame:
        """Disagreements as a table ``unit, code, <first>, <second>`` (True: the coder applied the code);
        name the columns with the coders' pseudonyms."""
        return pd.DataFrame([(d.unit, d.code, d.first, d.second) for d in self.disagreements],
                            columns=["unit", "code", first, second])

    def as_dict(self) -> dict:
        data = asdict(self)
        data["kappa_reading"], data["alpha_reading"] = self.kappa_reading, self.alpha_reading
        for entry, code in zip(data["codes"], self.codes, strict=True):
            entry["kappa_reading"], entry["alpha_reading"] = code.kappa_reading, code.alpha_reading
        return data


def coder_agreement(first: Mapping[Hashable, Iterable[Hashable] | None], second: Mapping[Hashable, Iterable[Hashable] | None],
                    *, codes: Sequence[Hashable] | None = None) -> Agreement:
    """Agreement between two coders who coded the same units with a codebook.

    Inputs: each coder's codings: unit → the codes applied (an empty collection: coded, no code
    applies); a unit absent (or mapped to None) was not coded by that coder — a missing coding, not
    a "no". ``codes``: the codebook (default: every code either coder used; give it so that unused
    codes are reported too). Output: :class:`Agreement`. Units keep the first coder's order, then the
    second's.
    """
    coded_first = {u: set(c) for u, c in first.items() if c is not None}
    coded_second = {u: set(c) for u, c in second.items() if c is not None}
    order = list(dict.fromkeys([*coded_first, *coded_second]))
    units = [u for u in order if u in coded_first and u in coded_second]
    used = {c for u in units for c in coded_first[u] | coded_second[u]}
    code_list = list(codes) if codes is not None else sorted(used, key=str)
    unknown = used - set(code_list)
    if unknown:
        raise ValueError(f"codes {sorted(map(str, unknown))} are applied but not in the codebook")
    a = np.array([[c in coded_first[u] for c in code_list] for u in units], dtype=bool).reshape(len(units), len(code_list))
    b = np.array([[c in coded_second[u] for c in code_list] for u in units], dtype=bool).reshape(len(units), len(code_list))
    per_code = [_code_agreement(code, a[:, j], b[:, j]) for j, code in enumerate(code_list)]
    pooled_kappa, pooled_alpha, pooled_observed = _binary_agreement(a.ravel(), b.ravel())
    disagreements = [Disagreement(units[i], code_list[j], bool(a[i, j]), bool(b[i, j])) for i, j in zip(*np.nonzero(a != b), strict=True)]
    return Agreement(
        units=units,
        only_first=[u for u in order if u in coded_first and u not in coded_second],
        only_second=[u for u in order if u in coded_second and u not in coded_first],
        codes=per_code, kappa=pooled_kappa, alpha=pooled_alpha, observed=pooled_observed, disagreements=disagreements,
    )


def _binary_agreement(a: np.ndarray, b: np.ndarray) -> tuple[float | None, float | None, float | None]:
    if a.size == 0:
        return None, None, None
    table = np.array([[np.sum(~a & ~b), np.sum(~a & b)], [np.sum(a & ~b), np.sum(a & b)]], dtype=float)
    kappa = _kappa_of_table(table)
    # Two coders, no missing value: each unit contributes its two values to the coincidence matrix.
    counts = np.column_stack([(~a).astype(float) + (~b), a.astype(float) + b])
    return kappa.kappa, _alpha_of_counts(counts).alpha, kappa.observed


def _code_agreement(code: Hashable, a: np.ndarray, b: np.ndarray) -> CodeAgreement:
    kappa, alpha, observed = _binary_agreement(a, b)
    return CodeAgreement(code, int(a.size), int(a.sum()), int(b.sum()), int((a & b).sum()),
                         float("nan") if observed is None else observed, kappa, alpha)


# ---------------------------------------------------------------------------------------------
# From coded spans to units


@dataclass(frozen=True)
class Unit:
    """A unit of coding: ``id``, the ``source`` (transcript) it belongs to, and its character span
    ``[start, end)`` in that source's text."""

    id: Hashable
    source: Hashable
    start: int
    end: int


def paragraph_units(source: Hashable, text: str) -> list[Unit]:
    """The paragraphs of a text (separated by one or more blank lines, or by single line breaks
    when the text has no blank line) as units ``<source>:<n>`` with their character spans, leading
    and trailing spaces excluded."""
    separator = r"\n\s*\n" if re.search(r"\n\s*\n", text) else r"\n"
    units, position, number = [], 0, 0
    for piece in re.split(f"({separator})", text):
        if re.fullmatch(separator, piece) or not piece.strip():
            position += len(piece)
            continue
        start = position + len(piece) - len(piece.lstrip())
        end = position + len(piece.rstrip())
        number += 1
        units.append(Unit(f"{source}:{number}", source, start, end))
        position += len(piece)
    return units


def codes_by_unit(units: Sequence[Unit], spans: Iterable[tuple[Hashable, int, int, Hashable]], *,
                  min_share: float = 0.0) -> dict[Hashable, set]:
    """One coder's codings per unit, from the spans they coded.

    Inputs: the units of the sources this coder coded (every one gets an entry, empty when no code
    applies: a coded "no"); the coder's spans as ``(source, start, end, code)`` (character offsets,
    end exclusive); ``min_share``: the share of a unit's characters a span must cover for its code to
    apply to the unit (0: any overlap of one character or more).
    Output: unit id → set of codes, ready for :func:`coder_agreement`.
    """
    if not 0 <= min_share <= 1:
        raise ValueError(f"min_share must lie between 0 and 1, got {min_share}")
    by_source: dict[Hashable, list[Unit]] = {}
    result: dict[Hashable, set] = {}
    for unit in units:
        by_source.setdefault(unit.source, []).append(unit)
        result[unit.id] = set()
    for source, start, end, code in spans:
        if end < start:
            raise ValueError(f"span of code {code!r} in {source!r} ends ({end}) before it starts ({start})")
        for unit in by_source.get(source, []):
            overlap = min(end, unit.end) - max(start, unit.start)
            length = max(unit.end - unit.start, 1)
            if overlap >= 1 and overlap / length >= min_share:
                result[unit.id].add(code)
    return result


__all__ = [
    "ALPHA_READINGS", "KAPPA_BANDS", "Agreement", "Alpha", "CodeAgreement", "Disagreement", "Kappa", "Unit",
    "alpha_reading", "codes_by_unit", "coder_agreement", "cohen_kappa", "kappa_reading", "krippendorff_alpha",
    "paragraph_units",
]
