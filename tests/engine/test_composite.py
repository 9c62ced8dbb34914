"""The composite-index engine: COINr's published example, each step on hand-computed cases."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from atout.engine.composite import (
    CompositeData,
    IndexTree,
    Pipeline,
    Step,
    aggregate,
    aggregate_block,
    budget_weights,
    coinr_example_pipeline,
    copeland_scores,
    cronbach_alpha,
    denominate,
    impute,
    indicator_statistics,
    kurtosis,
    log_transform,
    normalise_array,
    pca_weights,
    ptod_index,
    rank_units,
    removal_impact,
    screen_units,
    skewness,
    treat_outliers,
    winsorise,
)
from atout.engine.formats.coinr import read_coinr

# COINr documentation, get_results(coin, "Aggregated", tab_type = "Aggs"), as in the reference README.
PUBLISHED_ROWS = {
    "CHE": {"Index": 68.38, "Conn": 62.79, "Sust": 73.98, "Physical": 63.41, "ConEcFin": 32.87,
            "Political": 74.78, "Instit": 85.94, "P2P": 56.93, "Environ": 77.21, "Social": 87.85,
            "SusEcFin": 56.88},
    "IND": {"Index": 39.79, "Conn": 28.60, "Sust": 50.99, "Physical": 18.78, "ConEcFin": 6.38,
            "Political": 51.90, "Instit": 59.84, "P2P": 6.07, "Environ": 75.34, "Social": 22.74,
            "SusEcFin": 54.88},
}
PUBLISHED_TOP = [("CHE", 1, 68.38), ("NLD", 2, 64.82), ("DNK", 3, 64.80), ("NOR", 4, 64.47), ("BEL", 5, 63.54),
                 ("SWE", 6, 63.00)]


@pytest.fixture(scope="module")
def asem(data_dir):
    folder = data_dir / "reference" / "coinr-asem"
    return read_coinr(folder / "ASEM_iData.csv", folder / "ASEM_iMeta.csv")


@pytest.fixture(scope="module")
def example(asem):
    return coinr_example_pipeline(asem).run()


def small_tree(directions=(1, 1)) -> IndexTree:
    """Two indicators a, b under one index."""
    return IndexTree(level={"a": 1, "b": 1, "I": 2}, parent={"a": "I", "b": "I", "I": None},
                     weight={"a": 1.0, "b": 1.0, "I": 1.0}, direction={"a": directions[0], "b": directions[1]})


# -- COINr's example ---------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", sorted(PUBLISHED_ROWS))
def test_coinr_example_reproduces_published_rows(example, unit):
    scores = example.scores.loc[unit]
    for code, published in PUBLISHED_ROWS[unit].items():
        assert round(scores[code], 2) == pytest.approx(published, abs=1e-9), code


def test_coinr_example_reproduces_published_top_six_and_india_rank(example):
    ranks = example.ranks["Index"]
    top = example.scores["Index"].sort_values(ascending=False).head(6)
    assert [(u, int(ranks[u]), round(s, 2)) for u, s in top.items()] == PUBLISHED_TOP
    assert int(ranks["IND"]) == 45


def test_coinr_example_keeps_all_51_units_and_logs_every_step(example):
    assert len(example.units) == 51
    assert [e["step"] for e in example.log] == ["denominate", "impute", "screen", "treat", "normalise", "weight",
                                                "aggregate"]
    assert example.log[1]["params"] == {"method": "group_mean", "group": "EurAsia_group"}
    assert example.log[2]["removed"] == []
    assert list(example.datasets) == ["Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised",
                                      "Aggregated"]
    assert not example.datasets["Imputed"].isna().any().any()


def test_with_change_regenerates_with_one_choice_changed(asem):
    pipeline = coinr_example_pipeline(asem)
    changed = pipeline.with_change("aggregate", method="geometric").with_change("normalise", low=1.0)
    direct = Pipeline(asem, [Step(s.name, dict(s.params)) for s in pipeline.steps[:4]] + [
        Step("normalise", {"method": "minmax", "low": 1.0, "high": 100.0}), Step("weight", {"method": "expert"}),
        Step("aggregate", {"method": "geometric"})]).run()
    result = changed.run()
    pd.testing.assert_frame_equal(result.scores, direct.scores)
    assert result.log[-1]["params"] == {"method": "geometric"}
    # with_step replaces every parameter, with_change merges.
    assert pipeline.with_step("normalise", method="rank").step("normalise").params == {"method": "rank"}
    assert changed.step("normalise").params == {"method": "minmax", "low": 1.0, "high": 100.0}
    # The original pipeline is untouched.
    assert pipeline.step("aggregate").params == {"method": "arithmetic"}
    assert not np.allclose(result.scores["Index"], coinr_example_pipeline(asem).run().scores["Index"])


def test_screening_on_raw_data_drops_units_below_threshold(asem):
    pipeline = Pipeline(asem, [Step("screen", {"min_availability": 0.95}), Step("normalise"), Step("aggregate")])
    result = pipeline.run()
    availability = asem.values.notna().mean(axis=1)
    assert set(result.log[0]["removed"]) == set(availability[availability < 0.95].index)
    assert len(result.log[0]["removed"]) > 0


def test_removal_impact_on_example_is_positive_for_every_pillar(example):
    impact = removal_impact(example, 2)
    assert set(impact) == set(example.tree.codes_at(2))
    assert all(v > 0 for v in impact.values())


def test_removal_impact_by_hand():
    values = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]}, index=["x", "y", "z"])
    tree = small_tree()
    result = Pipeline(CompositeData(values, tree), [Step("normalise"), Step("aggregate")]).run()
    # Index = mean of min-max scores: x (0+100)/2=50, y (50+0)/2=25, z (100+50)/2=75 → ranks x2 y3 z1.
    assert result.ranks["I"].tolist() == [2, 3, 1]
    # Without a: ranks by b (x1 y3 z2) → changes 1, 0, 1; without b: ranks by a (x3 y2 z1) → 1, 1, 0.
    assert removal_impact(result, 1) == pytest.approx({"a": 2 / 3, "b": 2 / 3})


# -- statistics --------------------------------------------------------------------------------------


def test_skew_and_kurtosis_equal_scipy_bias_corrected():
    rng = np.random.default_rng(0)
    for x in (rng.lognormal(size=40), rng.normal(size=7), np.array([1.0, 2, 3, 10, 30, 100])):
        assert skewness(x) == pytest.approx(stats.skew(x, bias=False), rel=1e-12)
        assert kurtosis(x) == pytest.approx(stats.kurtosis(x, bias=False), rel=1e-12)


def test_skew_and_kurtosis_ignore_missing_values_and_need_enough_points():
    x = np.array([1.0, np.nan, 2.0, 7.0, 4.0])
    assert skewness(x) == pytest.approx(stats.skew([1, 2, 7, 4], bias=False))
    assert math.isnan(skewness([1.0, 2.0])) and math.isnan(kurtosis([1.0, 2.0, 3.0]))


def test_indicator_statistics_on_asem_raw(asem):
    table = indicator_statistics(asem.values)
    column = asem.values["Flights"].dropna()
    row = table.loc["Flights"]
    assert row["availability"] == pytest.approx(len(column) / len(asem.values))
    assert row["median"] == pytest.approx(column.median())
    assert row["skew"] == pytest.approx(stats.skew(column, bias=False))
    assert row["kurtosis"] == pytest.approx(stats.kurtosis(column, bias=False))
    assert table["availability"].min() < 1  # some ASEM indicators have gaps


def test_cronbach_alpha_by_hand():
    assert cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3]})) == pytest.approx(1.0)
    # Item variances 1 and 1, total [2, 5, 5] has variance 3: alpha = 2 × (1 − 2/3).
    assert cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [1, 3, 2]})) == pytest.approx(2 / 3)


def test_correlation_with_parent_and_alphas_on_example(example):
    correlations = example.correlation_with_parent()
    assert set(correlations.index) == set(example.tree.parent) - {"Index"}
    assert correlations.between(-1, 1).all()
    data = example.datasets["Aggregated"]
    assert correlations["Conn"] == pytest.approx(np.corrcoef(data["Conn"], data["Index"])[0, 1])
    assert set(example.cronbach_alphas().index) == set(example.tree.aggregates)


# -- steps on tiny cases -----------------------------------------------------------------------------


def test_denominate_divides_and_zero_denominator_gives_missing():
    values = pd.DataFrame({"a": [10.0, 6.0], "b": [1.0, 2.0]}, index=["x", "y"])
    dens = pd.DataFrame({"pop": [5.0, 0.0]}, index=["x", "y"])
    out = denominate(values, dens, {"a": "pop"})
    assert out.loc["x", "a"] == 2.0 and math.isnan(out.loc["y", "a"])
    assert out["b"].tolist() == [1.0, 2.0]


def test_impute_mean_median_and_group_mean():
    values = pd.DataFrame({"a": [1.0, np.nan, 3.0, 10.0, np.nan]})
    groups = pd.Series(["g", "g", "g", "h", "h"])
    assert impute(values, "mean")["a"][1] == pytest.approx(14 / 3)
    assert impute(values, "median")["a"][1] == 3.0
    grouped = impute(values, "group_mean", groups)["a"]
    assert grouped[1] == 2.0 and grouped[4] == 10.0
    assert impute(values, "group_median", groups)["a"][1] == 2.0
    with pytest.raises(ValueError, match="group column"):
        impute(values, "group_mean")


def test_screen_units_keeps_units_at_or_above_threshold():
    values = pd.DataFrame({"a": [1.0, np.nan, 1.0], "b": [1.0, 1.0, np.nan], "c": [1, 1, 1.0]}, index=list("xyz"))
    assert list(screen_units(values, 2 / 3).index) == ["x", "y", "z"]
    assert list(screen_units(values, 0.9).index) == ["x"]
    assert list(screen_units(values, 0.9, force_include=["z"]).index) == ["x", "z"]


def test_winsorise_replaces_the_extreme_by_the_next_value():
    x = np.array([*range(1, 11), 30, 100], dtype=float)
    treated, count = winsorise(x)
    assert treated.tolist() == [*range(1, 11), 30, 30]
    assert count == 1


def test_winsorise_on_negative_skew_treats_the_low_end():
    x = -np.array([*range(1, 11), 30, 100], dtype=float)
    treated, count = winsorise(x)
    assert treated.min() == -30 and count == 1


def test_treatment_falls_back_to_log_of_original_values():
    x = np.array([1.0] * 30 + [10, 20, 30, 40, 50, 60, 70])
    treated, details = treat_outliers(pd.DataFrame({"a": x}), winmax=1)
    assert details.loc["a", "treatment"] == "log"
    expected = np.log(x - 1 + 0.01 * 69)
    assert treated["a"].to_numpy() == pytest.approx(expected)
    assert log_transform(x) == pytest.approx(expected)
    # With two points allowed, winsorising suffices (kurtosis falls below 3.5).
    treated, details = treat_outliers(pd.DataFrame({"a": x}), winmax=2)
    assert details.loc["a", "treatment"] == "winsorised" and treated["a"].max() == 50


def test_treatment_leaves_passing_indicators_alone():
    x = pd.DataFrame({"a": [1.0, 2, 3, 4, 5]})
    treated, details = treat_outliers(x)
    assert treated.equals(x) and details.loc["a", "treatment"] == "none"


# -- normalisers -------------------------------------------------------------------------------------

X = np.array([[1.0], [2.0], [4.0]])


@pytest.mark.parametrize(("method", "params", "direction", "expected"), [
    ("minmax", {}, 1, [0, 100 / 3, 100]),
    ("minmax", {}, -1, [100, 200 / 3, 0]),
    ("minmax", {"low": 1, "high": 10}, 1, [1, 4, 10]),
    ("zscore", {}, 1, [-0.8728715609, -0.2182178902, 1.0910894512]),
    ("zscore", {"mean": 10, "sd": 2}, -1, [11.7457431218, 10.4364357805, 7.8178210976]),
    ("rank", {}, 1, [1, 2, 3]),
    ("rank", {}, -1, [3, 2, 1]),
    ("percentile_rank", {}, 1, [0, 50, 100]),
    ("target", {"targets": np.array([3.0])}, 1, [0, 50, 100]),
    ("reference", {"reference": np.array([2.0])}, 1, [50, 100, 200]),
    ("reference", {"reference": np.array([2.0])}, -1, [200, 100, 50]),
    ("max", {}, 1, [25, 50, 100]),
    ("max", {}, -1, [100, 50, 25]),
    ("goalposts", {"goalposts": np.array([[0.0, 5.0]])}, 1, [20, 40, 80]),
    ("goalposts", {"goalposts": np.array([[2.0, 3.0]])}, 1, [0, 0, 100]),
])
def test_normalisers_on_hand_computed_cases(method, params, direction, expected):
    out = normalise_array(X, np.array([direction]), method, **params)
    assert out[:, 0] == pytest.approx(expected)


def test_rank_normalisers_share_ties_and_keep_missing():
    x = np.array([[1.0], [2.0], [2.0], [np.nan]])
    assert normalise_array(x, np.array([1]), "rank")[:3, 0].tolist() == [1, 2, 2]
    assert math.isnan(normalise_array(x, np.array([1]), "minmax")[3, 0])


def test_distance_to_target_is_capped_at_100():
    out = normalise_array(X, np.array([1]), "target", targets=np.array([2.0]))
    assert out[:, 0].tolist() == [0, 100, 100]


def test_ptod_index_is_50_plus_15_mean_z():
    values = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [30.0, 20.0, 10.0]})
    index = ptod_index(values, {"a": 1, "b": -1})
    assert index.tolist() == pytest.approx([35, 50, 65])


# -- weights and aggregation -------------------------------------------------------------------------


def test_aggregators_on_hand_computed_cases():
    values = np.array([[4.0, 1.0], [2.0, 2.0], [np.nan, 2.0]])
    weights = np.array([[3.0], [1.0]])
    assert aggregate_block(values, weights, "arithmetic")[:, 0] == pytest.approx([13 / 4, 2, 2])
    assert aggregate_block(values, weights, "geometric")[:, 0] == pytest.approx([4 ** 0.75, 2, 2])
    assert aggregate_block(values, weights, "harmonic")[:, 0] == pytest.approx([4 / 1.75, 2, 2])


def test_geometric_aggregation_refuses_zero_scores():
    with pytest.raises(ValueError, match="positive"):
        aggregate_block(np.array([[0.0, 1.0]]), np.array([[1.0], [1.0]]), "geometric")


def test_copeland_outranking_by_hand():
    values = np.array([[3.0, 1.0], [2.0, 2.0], [1.0, 3.0]])
    # With weights 2:1 the first component decides every pair: A beats B and C, B beats C.
    assert copeland_scores(values, np.array([2.0, 1.0])).tolist() == [2, 0, -2]
    # With equal weights every pair is split: nobody outranks anybody.
    assert copeland_scores(values, np.array([1.0, 1.0])).tolist() == [0, 0, 0]


def test_aggregate_level_by_level_with_weights():
    values = pd.DataFrame({"a": [10.0, 0.0], "b": [0.0, 20.0]})
    out = aggregate(values, small_tree(), {"a": 3.0, "b": 1.0, "I": 1.0})
    assert out["I"].tolist() == pytest.approx([7.5, 5.0])


def test_budget_weights_rescale_points_within_parents(asem):
    weights = budget_weights(asem.tree, {"Conn": 60, "Sust": 40, "Physical": 3, "P2P": 1})
    assert weights["Conn"] == pytest.approx(0.6) and weights["Sust"] == pytest.approx(0.4)
    assert weights["Physical"] == pytest.approx(0.75) and weights["P2P"] == pytest.approx(0.25)
    assert weights["Political"] == 1.0


def test_pca_weights_sum_to_one_per_group(example):
    weights = pca_weights(example.datasets["Normalised"], example.tree)
    for parent in example.tree.aggregates:
        children = example.tree.children(parent)
        assert sum(weights[c] for c in children) == pytest.approx(1.0)
        assert all(weights[c] >= 0 for c in children)


def test_weight_methods_in_the_pipeline(asem):
    pipeline = coinr_example_pipeline(asem)
    given = pipeline.with_change("weight", method="given", weights={"Conn": 3.0}).run()
    assert given.weights["Conn"] == 3.0
    data = given.datasets["Aggregated"]
    assert data["Index"].to_numpy() == pytest.approx((3 * data["Conn"] + data["Sust"]).to_numpy() / 4)
    equal = pipeline.with_change("weight", method="equal").run()
    assert set(equal.weights.values()) == {1.0}


def test_rank_units_gives_ties_the_lowest_rank_and_keeps_nan():
    ranks = rank_units(np.array([5.0, 7.0, 5.0, np.nan, 1.0]))
    assert ranks[:3].tolist() == [2, 1, 2] and math.isnan(ranks[3]) and ranks[4] == 4


def test_tree_rejects_a_parent_at_the_wrong_level():
    with pytest.raises(ValueError, match="level"):
        IndexTree(level={"a": 1, "P": 2, "I": 3}, parent={"a": "I", "P": "I", "I": None},
                  weight={"a": 1, "P": 1, "I": 1}, direction={"a": 1})


def test_steps_reject_unknown_parameters_and_wrong_order(asem):
    with pytest.raises(ValueError, match="unknown parameter"):
        Step("normalise", {"methd": "zscore"})
    with pytest.raises(ValueError, match="order"):
        Pipeline(asem, [Step("normalise"), Step("impute"), Step("aggregate")])


def test_ptod_form_equals_zscore_50_15_with_arithmetic_mean():
    values = pd.DataFrame({"a": [1.0, 2.0, 4.0, 8.0], "b": [3.0, 1.0, 2.0, 0.5]})
    tree = small_tree(directions=(1, -1))
    result = Pipeline(CompositeData(values, tree), [Step("normalise", {"method": "zscore", "mean": 50, "sd": 15}),
                                                    Step("aggregate")]).run()
    assert result.scores["I"].to_numpy() == pytest.approx(ptod_index(values, tree.direction).to_numpy())
