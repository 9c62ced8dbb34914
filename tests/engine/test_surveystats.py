"""Survey statistics: Wilson intervals, weighted bases, crosstabs against scipy, NPS, suppression."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from atout.engine.surveystats import (
    crosstab,
    dimension_scores,
    frequencies,
    mean,
    multiple_choice_frequencies,
    net_promoter_score,
    proportion,
    suppress,
    wilson_interval,
)

Z = 1.959963984540054


def wilson_closed_form(successes: float, n: float) -> tuple[float, float]:
    """Wilson (1927) in its closed form (2np + z² ± z√(z² + 4np(1−p))) / (2(n + z²))."""
    p = successes / n
    root = Z * math.sqrt(Z * Z + 4 * n * p * (1 - p))
    return ((2 * n * p + Z * Z - root) / (2 * (n + Z * Z)), (2 * n * p + Z * Z + root) / (2 * (n + Z * Z)))


def test_wilson_interval_matches_the_closed_form():
    low, high = wilson_interval(0.3, 100)
    assert (low, high) == pytest.approx(wilson_closed_form(30, 100), abs=1e-12)
    # the value statsmodels' proportion_confint(30, 100, method="wilson") gives
    assert (low, high) == pytest.approx((0.21894885, 0.39584855), abs=1e-8)


def test_wilson_interval_stays_inside_zero_one_at_the_edges():
    low, high = wilson_interval(0.0, 20)
    assert low == 0.0 and 0 < high < 0.2
    low, high = wilson_interval(1.0, 20)
    assert high == 1.0 and 0.8 < low < 1


def test_a_weighted_proportion_uses_the_effective_sample_size():
    hits = np.array([True] * 40 + [False] * 40 + [True] * 10 + [False] * 10)
    weights = np.array([0.625] * 80 + [2.5] * 20)  # Kish deff 1.5625, n_eff 64
    result = proportion(hits, weights)
    assert result.estimate == pytest.approx(0.5)
    assert result.n == 100
    assert result.n_effective == pytest.approx(64)
    assert (result.low, result.high) == pytest.approx(wilson_closed_form(32, 64), abs=1e-12)
    unweighted = proportion(hits)
    assert result.high - result.low > unweighted.high - unweighted.low


def test_frequencies_report_every_category_with_its_base_and_suppress_small_ones():
    answers = ["a"] * 60 + ["b"] * 35 + ["c"] * 5 + [None, ""]
    table = frequencies(answers, categories=["a", "b", "c", "d"])
    assert list(table["category"]) == ["a", "b", "c", "d"]
    assert list(table["n"]) == [100] * 4  # missing answers are out of the base
    assert table.loc[0, "share"] == pytest.approx(0.6)
    assert (table.loc[0, "low"], table.loc[0, "high"]) == pytest.approx(wilson_closed_form(60, 100))
    assert list(table["suppressed"]) == [False, False, True, True]
    assert table.loc[2, ["count", "share", "low", "high"]].isna().all()


def test_multiple_choice_shares_are_of_respondents():
    selections = [["nature", "jobs"]] * 30 + ["nature"] * 50 + [[]] * 5 + [None] * 5 + ["culture jobs"] * 15
    table = multiple_choice_frequencies(selections, ["nature", "jobs", "culture"])
    shares = dict(zip(table["category"], table["share"], strict=True))
    # 95 respondents answered (an empty list is no answer, like None)
    assert table["n"].iloc[0] == 95
    assert shares == pytest.approx({"nature": 80 / 95, "jobs": 45 / 95, "culture": 15 / 95})
    assert sum(shares.values()) > 1


def test_mean_interval_matches_student_t_when_unweighted():
    rng = np.random.default_rng(3)
    values = rng.normal(3.2, 1.1, 200)
    result = mean(values)
    expected = stats.t.interval(0.95, df=199, loc=values.mean(), scale=stats.sem(values))
    assert (result.low, result.high) == pytest.approx(expected, rel=1e-10)


def test_a_weighted_mean_uses_the_weighted_spread_and_the_effective_sample_size():
    values = np.array([1.0] * 50 + [5.0] * 50)
    weights = np.array([1.0] * 50 + [3.0] * 50)
    result = mean(values, weights)
    assert result.estimate == pytest.approx(4.0)
    n_eff = 200**2 / (50 + 450)  # 80
    assert result.n_effective == pytest.approx(n_eff)
    # Σw(x − 4)² / Σw = (50·9 + 150·1) / 200 = 3, times n/(n − 1)
    std = math.sqrt(3 * 100 / 99)
    half = stats.t.ppf(0.975, n_eff - 1) * std / math.sqrt(n_eff)
    assert (result.low, result.high) == pytest.approx((4 - half, 4 + half))


def test_unweighted_chi_square_equals_scipy():
    rng = np.random.default_rng(11)
    segment = rng.choice(["nord", "centre", "sud"], 900)
    answer = np.where(segment == "sud", rng.choice(["oui", "non", "nsp"], 900, p=[0.6, 0.3, 0.1]),
                      rng.choice(["oui", "non", "nsp"], 900, p=[0.4, 0.45, 0.15]))
    table = crosstab(answer, segment)
    chi2, p_value, dof, expected = stats.chi2_contingency(table.counts.to_numpy(), correction=False)
    assert table.chi2 == pytest.approx(chi2, rel=1e-12)
    assert table.p_value == pytest.approx(p_value, rel=1e-9)
    assert table.dof == dof == 4
    observed = table.counts.to_numpy()
    n = observed.sum()
    rows, cols = observed.sum(1, keepdims=True), observed.sum(0, keepdims=True)
    adjusted = (observed - expected) / np.sqrt(expected * (1 - rows / n) * (1 - cols / n))
    assert table.adjusted_residuals.to_numpy() == pytest.approx(adjusted)
    assert table.marks.loc["oui", "sud"] == "+"
    assert table.marks.loc["non", "sud"] == "-"
    assert set(np.unique(table.marks.to_numpy())) <= {"+", "-", ""}
    assert ((np.abs(adjusted) > 1.96) == (table.marks.to_numpy() != "")).all()


def test_weighted_chi_square_is_divided_by_the_design_effect():
    rng = np.random.default_rng(5)
    segment = rng.choice(["a", "b"], 400)
    answer = np.where(segment == "a", rng.choice(["x", "y"], 400, p=[0.7, 0.3]), rng.choice(["x", "y"], 400, p=[0.5, 0.5]))
    weights = rng.uniform(0.5, 2.0, 400)
    table = crosstab(answer, segment, weights)
    deff = 400 * np.sum(weights**2) / weights.sum() ** 2
    weighted = pd.crosstab(answer, segment, values=weights, aggfunc="sum").to_numpy()
    scaled = weighted * 400 / weighted.sum()
    expected_chi2 = stats.chi2_contingency(scaled, correction=False)[0] / deff
    assert table.deff == pytest.approx(deff)
    assert table.chi2 == pytest.approx(expected_chi2)
    assert table.column_share.loc["x", "a"] == pytest.approx(weighted[0, 0] / weighted[:, 0].sum())
    # constant weights change nothing
    same = crosstab(answer, segment, np.full(400, 2.0))
    assert same.chi2 == pytest.approx(crosstab(answer, segment).chi2)


def test_crosstab_cells_under_k_are_suppressed():
    rows = ["x"] * 50 + ["y"] * 45 + ["y"] * 5
    cols = ["a"] * 50 + ["a"] * 45 + ["b"] * 5
    table = crosstab(rows, cols, row_categories=["x", "y"], column_categories=["a", "b"])
    assert table.suppressed.loc["x", "b"] and table.suppressed.loc["y", "b"]
    assert not table.suppressed.loc["x", "a"]
    assert np.isnan(table.column_share.loc["y", "b"])
    assert table.marks.loc["y", "b"] == ""
    assert table.counts.loc["y", "b"] == 5  # counts stay for the analyst; shown tables use the flags
    cells = table.cells().set_index(["row", "column"])
    assert cells.loc[("y", "b"), "suppressed"]
    assert cells.loc[("y", "b"), ["n", "weighted", "share", "residual"]].isna().all()
    assert cells.loc[("x", "a"), "n"] == 50
    assert cells.loc[("x", "a"), "share"] == pytest.approx(50 / 95)


def test_nps_and_its_interval_follow_the_multinomial_variance():
    scores = [10] * 30 + [9] * 20 + [8] * 20 + [7] * 10 + [6] * 10 + [0] * 10
    result = net_promoter_score(scores)
    assert result.score == pytest.approx(30.0)
    assert (result.promoters, result.passives, result.detractors) == pytest.approx((0.5, 0.3, 0.2))
    half = 100 * Z * math.sqrt((0.5 + 0.2 - 0.3**2) / 100)
    assert (result.low, result.high) == pytest.approx((30 - half, 30 + half))


def test_weighted_nps_uses_the_effective_sample_size():
    scores = np.array([10] * 50 + [0] * 50)
    weights = np.array([2.0] * 50 + [1.0] * 50)
    result = net_promoter_score(scores, weights)
    assert result.score == pytest.approx(100 * (2 / 3 - 1 / 3))
    n_eff = 150**2 / 250
    nps = 1 / 3
    half = 100 * Z * math.sqrt((1 - nps**2) / n_eff)
    assert result.n_effective == pytest.approx(n_eff)
    assert (result.low, result.high) == pytest.approx((100 * nps - half, 100 * nps + half))


def test_nps_rejects_scores_outside_zero_to_ten_and_suppresses_small_bases():
    with pytest.raises(ValueError, match="0 to 10"):
        net_promoter_score([5, 11])
    with pytest.raises(ValueError, match="whole numbers"):
        net_promoter_score([5.5])
    small = net_promoter_score([10] * 9)
    assert small.suppressed and small.score is None


def test_place_brand_dimensions_are_scored_per_segment():
    rng = np.random.default_rng(2)
    n = 300
    answers = pd.DataFrame({
        "presence_1": rng.integers(1, 6, n), "presence_2": rng.integers(1, 6, n),
        "people_1": rng.integers(1, 6, n).astype(float),
    })
    answers.loc[0, "people_1"] = np.nan
    segment = np.array(["valley"] * 150 + ["mountain"] * 145 + ["south"] * 5)
    items = {"presence_1": "presence", "presence_2": "presence", "people_1": "people"}
    table = dimension_scores(answers, items, segment=segment)
    assert set(table["dimension"]) == {"presence", "people"}
    valley = table[(table.segment == "valley") & (table.dimension == "presence")].iloc[0]
    expected = answers[["presence_1", "presence_2"]].mean(axis=1)[:150].mean()
    assert valley["mean"] == pytest.approx(expected)
    assert table[(table.segment == "valley") & (table.dimension == "people")].iloc[0]["n"] == 149
    south = table[table.segment == "south"]
    assert south["suppressed"].all() and south["mean"].isna().all()
    with pytest.raises(ValueError, match="unknown place-brand dimension"):
        dimension_scores(answers, {"presence_1": "prestige"})


def test_suppress_blanks_rows_under_k_and_flags_them():
    table = pd.DataFrame({"segment": ["a", "b", "c"], "n": [25, 9, 10], "share": [0.4, 0.2, 0.5]})
    result = suppress(table, k=10)
    assert list(result["suppressed"]) == [False, True, False]
    assert np.isnan(result.loc[1, "share"]) and np.isnan(result.loc[1, "n"])
    assert result.loc[2, "share"] == 0.5
    assert result.loc[1, "segment"] == "b"
    assert table.loc[1, "share"] == 0.2  # the input is left alone
    with pytest.raises(ValueError, match="no count column"):
        suppress(table, count_column="count")
