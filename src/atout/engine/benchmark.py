"""Benchmarking a territory against a peer set: value, peer median, rank among N, percentile, gap to France.

Inputs: ``values``, a territories × indicators DataFrame (e.g. PTOD's département values, or aggregates
from :mod:`atout.engine.geography`), the territory's code, the peer codes and each indicator's polarity.

Definitions (docs/methods/diagnostic.md):

* the territory is always ranked *within* its peer set: "rank r among N", N counting the territory and
  every peer with a value;
* rank 1 = best given the polarity (highest for +1, lowest for −1); for a neutral indicator (0) rank 1
  is the highest value; ties share the best rank (competition ranking: 1, 2, 2, 4);
* percentile = share of the other peers with a lower value, ties counting half (0 = lowest, 100 =
  highest), whatever the polarity — it places the value, the rank judges it;
* peer median = median of the *other* peers (the "median département");
* gap to France = value − France's value, in the indicator's unit (points for a rate).

Peer sets: every territory of a level (:func:`all_peers`), the same region (:func:`region_peers`), or
the k most similar territories (:func:`nearest_peers`: Euclidean distance on z-scored structural
indicators, :data:`DEFAULT_STRUCTURE` for départements).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

BENCHMARK_COLUMNS = ["indicator", "value", "peer_median", "rank", "of", "percentile", "france_value",
                     "gap_to_france"]

#: Structural PTOD indicators used to find "similar" départements: size (log population), age
#: (share of 75+), economic structure (agriculture, industry, managers), tourism (second homes) and
#: income. They describe what a territory *is*, so neighbours are territories facing similar conditions.
DEFAULT_STRUCTURE = ("P22_POP", "dmv_75p_pct_22", "eco_sectagri_pct_22", "eco_sectindus_pct_22",
                     "dsp_csp_cadres_pct_22", "log_ressec_pct_22", "rev_med_21")
#: Columns of DEFAULT_STRUCTURE compared on a log scale (sizes spread over orders of magnitude).
DEFAULT_LOG = ("P22_POP",)


def all_peers(codes: Iterable[str], *, exclude: Iterable[str] = ()) -> list[str]:
    """Every code, minus ``exclude`` (e.g. France's own row)."""
    excluded = set(exclude)
    return [c for c in codes if c not in excluded]


def region_peers(territory: str, regions: Mapping[str, str]) -> list[str]:
    """Territories of the same region as ``territory`` (``regions``: code → region code), itself included."""
    region = regions.get(territory)
    if not region:
        raise ValueError(f"no region known for territory {territory!r}")
    return [code for code, r in regions.items() if r == region]


def nearest_peers(
    structure: pd.DataFrame, territory: str, k: int = 10, *, log_columns: Iterable[str] = DEFAULT_LOG,
) -> pd.Series:
    """The ``k`` territories most similar to ``territory`` → Series code → distance, nearest first.

    ``structure``: candidates × structural indicators. Columns in ``log_columns`` are log-transformed;
    every column is standardised (z-score over the candidates) so each weighs the same; columns the
    territory lacks are dropped, candidates lacking any remaining column are left out. The territory
    itself is not in the result.
    """
    if territory not in structure.index:
        raise ValueError(f"territory {territory!r} is not among the candidates")
    data = structure.astype(float).copy()
    for column in log_columns:
        if column in data:
            data[column] = np.log(data[column].where(data[column] > 0))
    data = data.loc[:, data.loc[territory].notna()]
    if data.shape[1] == 0:
        raise ValueError(f"territory {territory!r} has none of the structural indicators")
    data = data.dropna()
    spread = data.std(ddof=0).replace(0, np.nan)
    z = ((data - data.mean()) / spread).dropna(axis=1)
    distance = np.sqrt(((z - z.loc[territory]) ** 2).sum(axis=1)).drop(territory)
    return distance.sort_values(kind="stable").head(k)


def benchmark(
    values: pd.DataFrame, territory: str, peers: Sequence[str], polarity: Mapping[str, int],
    *, france: pd.Series | None = None, indicators: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Compare ``territory`` with ``peers`` on each indicator (columns of ``values``).

    ``polarity``: indicator → +1 / −1 / 0; ``france``: indicator → France's value (optional).
    Returns one row per indicator with BENCHMARK_COLUMNS (rank and of as nullable integers; NaN/NA
    where the territory has no value).
    """
    codes = list(indicators) if indicators is not None else list(values.columns)
    if territory not in values.index:
        raise ValueError(f"territory {territory!r} has no values")
    others = [p for p in dict.fromkeys(peers) if p != territory and p in values.index]
    own = values.loc[territory, codes].to_numpy(dtype=float)
    peer_values = values.loc[others, codes].to_numpy(dtype=float)  # peers × indicators
    valid = ~np.isnan(peer_values)
    signs = np.array([polarity.get(code, 0) or 1 for code in codes], dtype=float)  # neutral: 1 = highest

    with np.errstate(invalid="ignore"):
        better = (signs * peer_values > signs * own) & valid
        lower = (peer_values < own) & valid
        equal = (peer_values == own) & valid
    n_valid = valid.sum(axis=0)
    has_value = ~np.isnan(own)
    rank = np.where(has_value, better.sum(axis=0) + 1, np.nan)
    of = np.where(has_value, n_valid + 1, np.nan)
    percentile = np.where(has_value & (n_valid > 0),
                          100.0 * (lower.sum(axis=0) + 0.5 * equal.sum(axis=0)) / np.maximum(n_valid, 1), np.nan)
    with np.errstate(all="ignore"):
        peer_median = np.array([np.median(peer_values[valid[:, j], j]) if n_valid[j] else np.nan
                                for j in range(len(codes))])
    france_value = (france.reindex(codes).to_numpy(dtype=float) if france is not None
                    else np.full(len(codes), np.nan))
    return pd.DataFrame({
        "indicator": codes, "value": own, "peer_median": peer_median,
        "rank": pd.array(rank, dtype="Float64").astype("Int64"), "of": pd.array(of, dtype="Float64").astype("Int64"),
        "percentile": percentile, "france_value": france_value, "gap_to_france": own - france_value,
    })
