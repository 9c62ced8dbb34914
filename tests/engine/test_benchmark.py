"""Benchmarks: rank among N with polarity and ties, percentile, peer median, gap to France; nearest peers."""

import math

import numpy as np
import pandas as pd
import pytest

from atout.engine.benchmark import DEFAULT_STRUCTURE, all_peers, benchmark, nearest_peers, region_peers
from atout.engine.catalogue import load_catalogue
from atout.engine.findings import ptod_values
from atout.engine.formats.ptod import read_ptod_values


@pytest.fixture(scope="module")
def ptod(data_dir):
    return read_ptod_values(data_dir / "indicators" / "departements-indicateurs-ptod.json")


def test_ranks_follow_polarity_and_ties_share_the_best_rank():
    values = pd.DataFrame({"bad": [5.0, 1.0, 5.0, 9.0], "good": [5.0, 1.0, 5.0, 9.0], "neutral": [5, 1, 5, 9.0]},
                          index=["t", "a", "b", "c"])
    table = benchmark(values, "t", ["a", "b", "c"], {"bad": -1, "good": 1, "neutral": 0}).set_index("indicator")
    assert table.loc["bad", "rank"] == 2 and table.loc["good", "rank"] == 2  # 1 is better / 9 is better
    assert table.loc["neutral", "rank"] == 2 and (table["of"] == 4).all()
    assert table.loc["good", "percentile"] == pytest.approx(100 * (1 + 0.5) / 3)
    assert table.loc["good", "peer_median"] == 5.0  # median of the others: 1, 5, 9


def test_missing_peer_values_shrink_n_and_a_missing_value_has_no_rank():
    values = pd.DataFrame({"x": [2.0, np.nan, 1.0], "y": [np.nan, 1.0, 2.0]}, index=["t", "a", "b"])
    table = benchmark(values, "t", ["a", "b"], {"x": 1, "y": 1}).set_index("indicator")
    assert table.loc["x", "rank"] == 1 and table.loc["x", "of"] == 2
    assert pd.isna(table.loc["y", "rank"]) and math.isnan(table.loc["y", "percentile"])


def test_the_drome_unemployment_rank_among_96_departements(ptod):
    values = ptod_values(ptod, load_catalogue())
    peers = all_peers(values.index, exclude=["00FR"])
    assert len(peers) == 96
    table = benchmark(values, "26", peers, {"unemployment_rate": -1}, france=values.loc["00FR"],
                      indicators=["unemployment_rate"]).iloc[0]
    rates = values.loc[peers, "unemployment_rate"]
    assert table.of == 96
    assert table["rank"] == int((rates < 11.8).sum()) + 1  # 1 = lowest unemployment
    assert table.value == 11.8 and table.france_value == 11.31
    assert table.gap_to_france == pytest.approx(0.49)
    assert table.peer_median == pytest.approx(rates.drop("26").median())


def test_region_peers_come_from_the_ptod_region(ptod):
    regions = ptod.territories["region"].drop("00FR").to_dict()
    peers = region_peers("26", regions)
    assert {"01", "07", "26", "38", "69", "73", "74"} <= set(peers) and len(peers) == 12


def test_nearest_peers_use_standardised_structure(ptod):
    structure = ptod.wide().loc[all_peers(ptod.territories.index, exclude=["00FR"]), list(DEFAULT_STRUCTURE)]
    near = nearest_peers(structure, "26", k=5)
    assert len(near) == 5 and "26" not in near.index and near.is_monotonic_increasing
    # Paris is nothing like the Drôme
    assert nearest_peers(structure, "26", k=95).index[-1] in {"75", "92", "93"}
    # scaling a column does not change neighbours (z-scores)
    scaled = structure.assign(rev_med_21=structure.rev_med_21 / 1000)
    assert list(nearest_peers(scaled, "26", k=5).index) == list(near.index)
