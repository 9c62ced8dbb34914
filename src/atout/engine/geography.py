"""Indicators computed and aggregated up a territory hierarchy (communes → EPCI, custom zones, département…).

Inputs are plain data frames:

* ``frame``: territories × raw series (float, NaN = missing or secret), e.g. ``InseeTable.wide()`` —
  index = commune codes, columns = INSEE series such as ``P22_POP``.
* ``membership``: a table with columns ``member`` (commune code) and ``group`` (code of the aggregate).
  Many-to-many is allowed: a commune may belong to several custom zones.

Rules (see docs/methods/diagnostic.md):

* counts are summed; ratios are recomputed from the summed numerator and denominator; rates of change
  are recomputed from aggregated levels — a rate is never averaged;
* for one indicator, only the member communes that have *every* series the indicator needs are summed,
  so a numerator and its denominator always cover the same communes;
* every aggregate carries its coverage — the share of member communes with data, and the share of the
  members' population living in them — and is flagged ``partial`` when coverage < 1;
* an aggregate of nothing (no member with data) is missing, not zero; a ``level`` (a median, a published
  rate without its parts) is never aggregated.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse

from .catalogue import Catalogue, Indicator

AGGREGATE_COLUMNS = ["group", "indicator", "value", "coverage", "population_coverage", "members",
                     "members_with_data", "partial", "method"]

_METHODS = {"count": "sum", "ratio": "ratio of sums", "rate_of_change": "rate from summed levels",
            "level": "not aggregated (not additive)"}


def membership_table(pairs: pd.DataFrame, *, member: str = "member", group: str = "group") -> pd.DataFrame:
    """Normalise a membership table → columns ``member``, ``group`` (text), duplicates dropped.

    Raises ValueError on empty codes, naming the first offending row.
    """
    table = pd.DataFrame({"member": pairs[member].astype(str).str.strip(),
                          "group": pairs[group].astype(str).str.strip()})
    empty = (table["member"] == "") | (table["group"] == "") | pairs[member].isna().to_numpy() \
        | pairs[group].isna().to_numpy()
    if empty.any():
        raise ValueError(f"membership row {int(np.flatnonzero(empty.to_numpy())[0])} has an empty code")
    return table.drop_duplicates(ignore_index=True)


def evaluate(indicator: Indicator, catalogue: Catalogue, frame: pd.DataFrame) -> pd.Series:
    """Value of ``indicator`` for every row of ``frame`` (territories × raw series).

    Units are those of the catalogue (``scale`` applied; rates of change in % per year for ``cagr``,
    in points for ``difference``). NaN when an input is missing, a denominator is zero, or a growth
    rate has a non-positive base. Missing input columns count as missing values.
    """
    kind = indicator.kind
    if kind == "count":
        total = pd.Series(0.0, index=frame.index)
        for series, weight in catalogue.terms(indicator.code).items():
            column = frame[series] if series in frame else pd.Series(np.nan, index=frame.index)
            total = total + weight * column.astype(float)
        return total
    if kind == "level":
        series = indicator.inputs[0] if indicator.inputs else None
        if series is None or series not in frame:
            return pd.Series(np.nan, index=frame.index)
        return frame[series].astype(float)
    if kind == "ratio":
        numerator = evaluate(catalogue[indicator.numerator], catalogue, frame)
        denominator = evaluate(catalogue[indicator.denominator], catalogue, frame)
        return (numerator / denominator.where(denominator != 0)) * indicator.scale
    # rate_of_change
    start = evaluate(catalogue[indicator.from_], catalogue, frame)
    end = evaluate(catalogue[indicator.to], catalogue, frame)
    if indicator.method == "difference":
        return end - start
    ratio = end / start.where(start > 0)
    return (np.power(ratio.where(ratio >= 0), 1.0 / indicator.years) - 1.0) * 100.0


def compute(frame: pd.DataFrame, catalogue: Catalogue, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Territories × indicators, each evaluated on the rows of ``frame`` as they are (no aggregation)."""
    codes = list(codes) if codes is not None else list(catalogue)
    return pd.DataFrame({code: evaluate(catalogue[code], catalogue, frame) for code in codes}, index=frame.index)


def aggregate(
    frame: pd.DataFrame, membership: pd.DataFrame, catalogue: Catalogue, codes: Iterable[str] | None = None,
    *, population: str | pd.Series | None = "P22_POP",
) -> pd.DataFrame:
    """Aggregate indicators from member territories to groups.

    ``frame``: members × raw series; ``membership``: columns ``member``, ``group``; ``codes``: the
    indicators (default: all of the catalogue); ``population``: the series (name in ``frame``, or a
    Series by member) used for the population coverage, or None.

    Returns a long table, one row per (group, indicator): ``value``; ``coverage`` (share of member
    communes with every input of the indicator, 0–1); ``population_coverage`` (share of the members'
    population in those communes; NaN without population); ``members``; ``members_with_data``;
    ``partial`` (coverage < 1); ``method``. Members absent from ``frame`` count as members without data.
    """
    codes = list(codes) if codes is not None else list(catalogue)
    membership = membership_table(membership)
    members = pd.Index(frame.index.astype(str))
    missing_members = pd.Index(membership["member"].unique()).difference(members)
    if len(missing_members):
        frame = pd.concat([frame, pd.DataFrame(index=missing_members, columns=frame.columns, dtype=float)])
        members = pd.Index(frame.index.astype(str))
    frame = frame.set_axis(members)
    groups = pd.Index(membership["group"].unique())
    matrix = sparse.csr_matrix(
        (np.ones(len(membership)), (groups.get_indexer(membership["group"]), members.get_indexer(membership["member"]))),
        shape=(len(groups), len(members)),
    )
    n_members = np.asarray(matrix.sum(axis=1)).ravel()
    if isinstance(population, str):
        weights = frame[population] if population in frame else None
    else:
        weights = population.reindex(members) if population is not None else None
    weights = weights.fillna(0.0).to_numpy(dtype=float) if weights is not None else None
    total_population = matrix @ weights if weights is not None else None

    pieces = []
    for code in codes:
        indicator = catalogue[code]
        if indicator.kind == "level":
            pieces.append(_frame(groups, code, np.full(len(groups), np.nan), np.zeros(len(groups)),
                                 np.zeros(len(groups)) if weights is not None else None, n_members,
                                 np.zeros(len(groups)), indicator.kind))
            continue
        series = list(catalogue.series_of(code))
        present = [s for s in series if s in frame]
        if len(present) < len(series):
            has_data = np.zeros(len(members), dtype=bool)
        else:
            has_data = frame[series].notna().all(axis=1).to_numpy()
        # Only communes with every input are summed, so numerator and denominator cover the same ground.
        values = frame[present].to_numpy(dtype=float) if present else np.zeros((len(members), 0))
        values = np.where(has_data[:, None], values, 0.0)
        sums = pd.DataFrame(matrix @ values, index=groups, columns=present)
        with_data = matrix @ has_data.astype(float)
        value = evaluate(indicator, catalogue, sums).to_numpy(dtype=float)
        value = np.where(with_data > 0, value, np.nan)  # an aggregate of nothing is missing, not zero
        pop_cov = None
        if weights is not None:
            covered = matrix @ (weights * has_data)
            pop_cov = np.divide(covered, total_population, out=np.full(len(groups), np.nan),
                                where=total_population > 0)
        coverage = np.divide(with_data, n_members, out=np.zeros(len(groups)), where=n_members > 0)
        pieces.append(_frame(groups, code, value, coverage, pop_cov, n_members, with_data, indicator.kind))
    if not pieces:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    return pd.concat(pieces, ignore_index=True)


def _frame(groups, code, value, coverage, pop_cov, n_members, with_data, kind) -> pd.DataFrame:
    return pd.DataFrame({
        "group": groups.to_numpy(dtype=object), "indicator": code, "value": value, "coverage": coverage,
        "population_coverage": pop_cov if pop_cov is not None else np.nan,
        "members": n_members.astype(int), "members_with_data": np.asarray(with_data).astype(int),
        "partial": coverage < 1.0, "method": _METHODS[kind],
    })


def territory_value(
    frame: pd.DataFrame, membership: pd.DataFrame, catalogue: Catalogue, territory: str, indicator: str,
    *, population: str | pd.Series | None = "P22_POP",
) -> dict:
    """One indicator for one territory, aggregated from its members → a JSON-able record.

    ``{"value", "unit", "coverage", "population_coverage", "partial", "members", "source"}``; value
    None when missing. Raises KeyError for an unknown indicator, ValueError for a territory with no member.
    """
    entry = catalogue[indicator]
    members = membership_table(membership)
    members = members[members["group"] == territory]
    if members.empty:
        raise ValueError(f"territory {territory!r} has no member in the membership table")
    row = aggregate(frame, members, catalogue, [indicator], population=population).iloc[0]

    def clean(number):
        return None if pd.isna(number) else float(number)

    return {"value": clean(row["value"]), "unit": entry.unit, "coverage": clean(row["coverage"]),
            "population_coverage": clean(row["population_coverage"]), "partial": bool(row["partial"]),
            "members": int(row["members"]), "source": f"{entry.source} ({entry.vintage})"}


def values_table(aggregates: pd.DataFrame) -> pd.DataFrame:
    """Long aggregate table → groups × indicators of values (for benchmarking)."""
    table = aggregates.pivot(index="group", columns="indicator", values="value")
    table.columns.name = None
    return table
