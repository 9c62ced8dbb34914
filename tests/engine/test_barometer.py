"""Barometer waves: estimates per wave, the change with its interval and p-value, trends.

The reference computations here are written independently from the module (closed forms from the
papers, scipy's Welch test, numpy's weighted polyfit, a bootstrap) so that a wrong formula in the
module cannot agree with itself.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from atout.engine import barometer, surveystats
from atout.engine.barometer import Measure, Wave

AWARE = ("oui_bien", "oui_nom")


def _simulated_wave(rng, n: int, aware_share: float, label: str) -> Wave:
    """A wave of a barometer: aided awareness codes, a 0–10 score, and unequal weights drawn
    independently of the answers (as raking weights from age and sex margins would be)."""
    aware = rng.random(n) < aware_share
    deep = rng.random(n) < 0.5
    codes = np.where(aware, np.where(deep, "oui_bien", "oui_nom"), "non")
    weights = rng.lognormal(mean=0.0, sigma=0.6, size=n)
    answers = pd.DataFrame({
        "notoriete_assistee": codes,
        "recommande": rng.integers(0, 11, size=n).astype(float),
    })
    return Wave(label, answers, weights / weights.mean())


def _wilson(p, n, z):
    # Wilson (1927), written out again for the reference computation.
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _reference_change(first: Wave, second: Wave):
    """Newcombe (1998) method 10 on Kish effective bases, from the raw answers and weights."""
    z = stats.norm.ppf(0.975)
    shares, bases, bounds = [], [], []
    for wave in (first, second):
        w = np.asarray(wave.weights)
        y = wave.answers["notoriete_assistee"].isin(AWARE).to_numpy()
        p = float(np.sum(w * y) / np.sum(w))
        n_eff = float(np.sum(w) ** 2 / np.sum(w**2))
        shares.append(p)
        bases.append(n_eff)
        bounds.append(_wilson(p, n_eff, z))
    (p1, p2), ((l1, u1), (l2, u2)) = shares, bounds
    d = p2 - p1
    return d, d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2), bases


@pytest.fixture(scope="module")
def two_waves():
    rng = np.random.default_rng(20_250_301)
    return _simulated_wave(rng, 1500, 0.40, "2025"), _simulated_wave(rng, 1600, 0.46, "2026")


def test_the_change_in_aided_awareness_matches_newcombes_interval_computed_independently(two_waves):
    first, second = two_waves
    table = barometer.compare_waves([Measure.proportion("notoriete_assistee", success=AWARE)], first, second)
    row = table.iloc[0]
    d, low, high, (n1, n2) = _reference_change(first, second)
    assert row["difference"] == pytest.approx(d, abs=1e-12)
    assert row["low"] == pytest.approx(low, abs=1e-12)
    assert row["high"] == pytest.approx(high, abs=1e-12)
    assert row["first_n_effective"] == pytest.approx(n1) and row["second_n_effective"] == pytest.approx(n2)
    assert row["first_deff"] == pytest.approx(1500 / n1) and row["first_deff"] > 1.2  # the weights cost precision
    assert row["reading"] == "increase" and row["reading_fr"] == "hausse significative"
    assert row["p_value"] < 0.05 and row["low"] > 0


def test_the_interval_agrees_with_a_bootstrap_of_the_two_waves(two_waves):
    """Resampling respondents within each wave (weights travel with them): the 2.5 % and 97.5 %
    percentiles of the weighted difference land on Newcombe's bounds within half a point."""
    first, second = two_waves
    rng = np.random.default_rng(7)
    draws = []
    for wave in (first, second):
        w = np.asarray(wave.weights)
        y = wave.answers["notoriete_assistee"].isin(AWARE).to_numpy().astype(float)
        index = rng.integers(0, len(w), size=(4000, len(w)))
        draws.append((w[index] * y[index]).sum(axis=1) / w[index].sum(axis=1))
    differences = draws[1] - draws[0]
    change = barometer.compare_waves([Measure.proportion("notoriete_assistee", success=AWARE)], first, second).iloc[0]
    assert np.percentile(differences, 2.5) == pytest.approx(change["low"], abs=0.005)
    assert np.percentile(differences, 97.5) == pytest.approx(change["high"], abs=0.005)


def test_the_p_value_is_the_level_at_which_newcombes_interval_reaches_zero(two_waves):
    first, second = two_waves
    e1 = barometer.estimate(Measure.proportion("a", "notoriete_assistee", AWARE), first)
    e2 = barometer.estimate(Measure.proportion("a", "notoriete_assistee", AWARE), second)
    change = barometer.compare(e1, e2)
    at_p = barometer.compare(e1, e2, confidence=1 - change.p_value)
    assert at_p.low == pytest.approx(0.0, abs=1e-9)
    # Close to the classical pooled two-proportion z-test on the same effective bases.
    p1, n1, p2, n2 = e1.value, e1.n_effective, e2.value, e2.n_effective
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert change.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=0.15)
    # and a tiny change reads as stable
    same = barometer.compare(e1, barometer.estimate_proportion([True] * 41 + [False] * 59))
    assert same.reading == "stable" and same.low < 0 < same.high


def test_the_wilson_bounds_are_those_of_the_results_pages():
    assert barometer.wilson_bounds(0.3, 250.5, stats.norm.ppf(0.975)) == pytest.approx(
        surveystats.wilson_interval(0.3, 250.5), abs=1e-12)


def test_a_change_of_a_mean_is_welchs_test():
    rng = np.random.default_rng(3)
    a, b = rng.normal(6.1, 2.0, 220), rng.normal(6.6, 2.6, 180)
    change = barometer.compare(barometer.estimate_mean(a), barometer.estimate_mean(b))
    reference = stats.ttest_ind(b, a, equal_var=False)
    low, high = reference.confidence_interval(0.95)
    assert change.difference == pytest.approx(b.mean() - a.mean())
    assert change.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert (change.low, change.high) == pytest.approx((low, high), rel=1e-9)
    assert change.reading == "increase"


def test_a_change_of_nps_uses_the_multinomial_variance_of_each_wave():
    rng = np.random.default_rng(11)
    first = rng.choice(np.arange(11), size=500, p=[.02] * 5 + [.05, .1, .2, .2, .15, .2])
    second = rng.choice(np.arange(11), size=450, p=[.02] * 5 + [.05, .1, .15, .18, .2, .22])
    w2 = rng.uniform(0.5, 2.0, size=450)
    change = barometer.compare(barometer.estimate_nps(first), barometer.estimate_nps(second, w2))

    def nps_and_variance(x, w):
        promoters, detractors = np.sum(w * (x >= 9)) / w.sum(), np.sum(w * (x <= 6)) / w.sum()
        n_eff = w.sum() ** 2 / np.sum(w**2)
        return 100 * (promoters - detractors), 1e4 * (promoters + detractors - (promoters - detractors) ** 2) / n_eff

    s1, v1 = nps_and_variance(first, np.ones(500))
    s2, v2 = nps_and_variance(second, w2)
    se = math.sqrt(v1 + v2)
    assert change.difference == pytest.approx(s2 - s1)
    assert (change.low, change.high) == pytest.approx((s2 - s1 - 1.959963984540054 * se, s2 - s1 + 1.959963984540054 * se))
    assert change.p_value == pytest.approx(2 * stats.norm.sf(abs(s2 - s1) / se))


def test_equal_weights_give_a_design_effect_of_one_and_the_unweighted_figures(two_waves):
    first, _ = two_waves
    equal = Wave("w", first.answers, np.full(len(first.answers), 2.5))
    plain = Wave("w", first.answers)
    measure = Measure.proportion("notoriete_assistee", success=AWARE)
    weighted, unweighted = barometer.estimate(measure, equal), barometer.estimate(measure, plain)
    assert weighted.deff == pytest.approx(1.0) and unweighted.deff == 1.0
    assert weighted.n_effective == pytest.approx(1500)
    assert (weighted.value, weighted.low, weighted.high) == pytest.approx((unweighted.value, unweighted.low, unweighted.high))


def test_a_wave_with_no_answers_gives_no_data_not_an_error(two_waves):
    first, _ = two_waves
    empty = Wave("2026", pd.DataFrame({"notoriete_assistee": [None] * 30, "recommande": [np.nan] * 30}), np.ones(30))
    table = barometer.compare_waves(
        [Measure.proportion("notoriete_assistee", success=AWARE), Measure.nps("recommande")], first, empty)
    assert list(table["reading"]) == ["no_data", "no_data"]
    assert table["second_n"].tolist() == [0, 0] and table["difference"].isna().all()
    assert table["first_estimate"].notna().all()  # the first wave is still shown
    nobody = Wave("2027", pd.DataFrame({"notoriete_assistee": pd.Series([], dtype=object)}))
    assert barometer.compare_waves([Measure.proportion("notoriete_assistee", success=AWARE)], first, nobody).iloc[0]["reading"] == "no_data"


def test_small_cells_are_suppressed_as_on_the_results_pages(two_waves):
    first, _ = two_waves
    # 40 respondents, 6 aware: the share rests on fewer than k = 10 people.
    few = Wave("2026", pd.DataFrame({"notoriete_assistee": ["oui_nom"] * 6 + ["non"] * 34, "recommande": [9.0] * 8 + [np.nan] * 32}))
    table = barometer.compare_waves(
        [Measure.proportion("notoriete_assistee", success=AWARE), Measure.nps("recommande")], first, few)
    assert table["reading"].tolist() == ["suppressed", "suppressed"] and table["suppressed"].all()
    assert table["second_estimate"].isna().all() and table["difference"].isna().all() and table["p_value"].isna().all()
    assert table["second_n"].tolist() == [40, 8]
    assert barometer.estimate_proportion([True] * 6 + [False] * 34).suppressed  # surveystats' rule
    assert not barometer.estimate_proportion([True] * 6 + [False] * 34, k=5).suppressed


def test_a_question_asked_in_one_wave_only_is_noted_and_a_misspelt_one_raises(two_waves):
    first, second = two_waves
    later = Wave("2026", second.answers.assign(fierte=["5"] * len(second.answers)), second.weights)
    row = barometer.compare_waves([Measure.proportion("fierte", success=["4", "5"])], first, later).iloc[0]
    assert row["reading"] == "no_data" and row["note"] == "question not asked in wave '2025'"
    with pytest.raises(ValueError, match="measure 'notorite'"):
        barometer.compare_waves([Measure.proportion("notorite", success=AWARE)], first, second)


def test_q_values_adjust_the_p_values_of_the_measures_compared(two_waves):
    first, second = two_waves
    table = barometer.compare_waves(
        [Measure.proportion("notoriete_assistee", success=AWARE), Measure.proportion("bien", "notoriete_assistee", ["oui_bien"]),
         Measure.mean("recommande"), Measure.nps("recommande")], first, second)
    assert (table["q_value"] >= table["p_value"] - 1e-15).all()
    assert table["q_value"].tolist() == pytest.approx(list(stats.false_discovery_control(table["p_value"])))


def test_multiple_choice_and_boolean_columns_count_as_proportions():
    answers = pd.DataFrame({"connus": ["drome ardeche", "isere", None, "", "drome"] * 4,
                            "cite": [True, False, None, True, False] * 4})
    wave = Wave("w", answers)
    known = barometer.estimate(Measure.proportion("connus", success=["drome"], multiple=True), wave, k=1)
    assert (known.n, known.count, known.value) == (12, 8, pytest.approx(8 / 12))
    cited = barometer.estimate(Measure.proportion("cite"), wave, k=1)
    assert (cited.n, cited.count) == (16, 8)
    with pytest.raises(ValueError, match="success"):
        barometer.estimate(Measure.proportion("connus"), wave)


def test_a_hexagon_dimension_is_the_mean_of_each_respondents_items():
    rng = np.random.default_rng(5)
    answers = pd.DataFrame({
        "hex_people_accueil": rng.integers(1, 6, 120).astype(float),
        "hex_people_entraide": rng.integers(1, 6, 120).astype(float),
        "hex_place_climat": rng.integers(1, 6, 120).astype(float),
        "recommande": rng.integers(0, 11, 120).astype(float),
    })
    answers.loc[:9, "hex_people_entraide"] = np.nan
    measures = barometer.hexagon_measures(answers.columns)
    assert [m.name for m in measures] == ["hexagon_place", "hexagon_people"]
    weights = rng.uniform(0.5, 2, 120)
    people = barometer.estimate(measures[1], Wave("w", answers, weights))
    reference = surveystats.dimension_scores(
        answers, {"hex_people_accueil": "people", "hex_people_entraide": "people"}, weights=weights)
    assert people.value == pytest.approx(reference["mean"].iloc[0])
    assert (people.low, people.high) == pytest.approx((reference["low"].iloc[0], reference["high"].iloc[0]))


def test_estimates_from_sql_totals_compare_like_those_from_arrays(two_waves):
    first, second = two_waves
    measure = Measure.proportion("notoriete_assistee", success=AWARE)
    direct = barometer.compare(barometer.estimate(measure, first), barometer.estimate(measure, second))
    from_totals = []
    for wave in (first, second):
        w = np.asarray(wave.weights)
        y = wave.answers["notoriete_assistee"].isin(AWARE).to_numpy()
        from_totals.append(barometer.from_surveystats(
            surveystats.proportion_from_totals(int(y.sum()), float(w[y].sum()), len(w), float(w.sum()), float(np.sum(w**2)))))
    via_totals = barometer.compare(*from_totals)
    assert (via_totals.difference, via_totals.low, via_totals.high, via_totals.p_value) == pytest.approx(
        (direct.difference, direct.low, direct.high, direct.p_value))
    assert from_totals[0].deff == pytest.approx(direct.first.deff)


def test_a_trend_over_four_waves_is_the_weighted_least_squares_line():
    rng = np.random.default_rng(2024)
    years = [2023.0, 2024.0, 2025.0, 2026.0]
    waves = [Wave(str(int(y)), pd.DataFrame({"a": np.where(rng.random(n) < p, "oui_nom", "non")}), rng.uniform(0.5, 2, n), y)
             for y, p, n in zip(years, [0.30, 0.34, 0.37, 0.41], [900, 1000, 800, 1100], strict=True)]
    (result,) = barometer.trend_waves([Measure.proportion("a", success=["oui_nom"])], waves)
    points = result.points()
    assert points["wave"].tolist() == ["2023", "2024", "2025", "2026"] and points["position"].tolist() == years
    # numpy's polyfit with weights 1/sigma is the same weighted least squares.
    z = stats.norm.ppf(0.975)
    n_eff = points["n_effective"].to_numpy()
    p_tilde = (points["estimate"].to_numpy() * n_eff + z * z / 2) / (n_eff + z * z)
    sigma = np.sqrt(p_tilde * (1 - p_tilde) / (n_eff + z * z))
    slope, _ = np.polyfit(years, points["estimate"], 1, w=1 / sigma)
    assert result.slope == pytest.approx(slope, rel=1e-9)
    assert result.reading == "increase" and result.low > 0
    assert 0.02 < result.slope < 0.05  # about 3.6 points a year were simulated
    assert result.lack_of_fit_p > 0.01
    assert result.as_dict()["reading_en"] == "significant increase"


def test_a_trend_needs_three_published_waves():
    small = Wave("2025", pd.DataFrame({"a": ["oui"] * 5}))
    big = [Wave(str(y), pd.DataFrame({"a": ["oui"] * 30 + ["non"] * 30})) for y in (2023, 2024)]
    (result,) = barometer.trend_waves([Measure.proportion("a", success=["oui"])], [*big, small])
    assert result.slope is None and result.reading == "not_enough_waves"
    assert result.points()["suppressed"].tolist() == [False, False, True]


def test_unaided_awareness_counts_answers_that_name_the_territory():
    answers = ["La Drôme, l'Ardèche", "isère et DROME-PROVENÇALE", "Dromel", None, "  ", "le 26 !", "Savoie"]
    assert barometer.mentions(answers, ["Drôme", "26"]) == [True, True, False, None, None, True, False]
    assert barometer.mentions(answers, ["Drôme"], empty=False)[3:5] == [False, False]
    share = barometer.estimate_proportion(barometer.mentions(answers, ["Drôme", "26"]), k=1)
    assert (share.n, share.count) == (5, 3)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="cannot compare a proportion with a mean"):
        barometer.compare(barometer.estimate_proportion([True] * 20), barometer.estimate_mean([1.0] * 20))
    with pytest.raises(ValueError, match="unknown kind"):
        Measure("x", "median", ("x",))
    with pytest.raises(ValueError, match="3 weights for 2 respondents"):
        Wave("w", pd.DataFrame({"a": [1, 2]}), [1, 1, 1])
    with pytest.raises(ValueError, match="NPS scores"):
        barometer.estimate_nps([11.0] * 20)
