"""Raking to population margins: margins reproduced, deff and effective n, trimming, errors."""

import csv

import numpy as np
import pandas as pd
import pytest

from atout.engine.weighting import RakingError, effective_sample_size, kish_deff, normalise_targets, rake

AGE_COLUMNS = {"15-29": ["P22_POP1529"], "30-44": ["P22_POP3044"], "45-59": ["P22_POP4559"],
               "60-74": ["P22_POP6074"], "75+": ["P22_POP7589", "P22_POP90P"]}


def drome_margins(data_dir) -> dict[str, dict[str, float]]:
    """Real Drôme margins: population aged 15+ by age band (INSEE dossier complet, census 2022) and
    municipal population by arrondissement (legal populations 2023), as counts."""
    ages = pd.read_csv(data_dir / "indicators/insee/dossier_complet_light_dep26.csv", sep=";", dtype={"CODGEO": str})
    age = {band: float(ages[cols].sum().sum()) for band, cols in AGE_COLUMNS.items()}
    with open(data_dir / "geo/donnees_communes-2023.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter=";") if r["DEP"] == "26"]
    zone: dict[str, float] = {}
    for row in rows:
        zone[f"arr-{row['CODARR']}"] = zone.get(f"arr-{row['CODARR']}", 0.0) + float(row["PMUN"])
    return {"age": age, "zone": zone}


def biased_sample(margins, n, seed=1) -> pd.DataFrame:
    """Respondents whose age and zone shares are deliberately far from the margins."""
    rng = np.random.default_rng(seed)
    frame = {}
    for variable, targets in margins.items():
        categories = list(targets)
        skew = np.linspace(1, 3, len(categories))  # over-represents the last categories
        frame[variable] = rng.choice(categories, size=n, p=skew / skew.sum())
    return pd.DataFrame(frame)


def test_raking_reproduces_real_drome_margins(data_dir):
    margins = drome_margins(data_dir)
    assert sum(margins["zone"].values()) == 524207  # PMUN of the Drôme, per the data README
    assert len(margins["zone"]) == 3
    sample = biased_sample(margins, 3000)
    result = rake(sample, margins)
    for variable, targets in margins.items():
        total = sum(targets.values())
        for category, target in targets.items():
            assert result.achieved[variable][category] == pytest.approx(target / total, abs=1e-6)
            weighted = result.weights[sample[variable] == category].sum() / result.weights.sum()
            assert weighted == pytest.approx(target / total, abs=1e-6)
    assert result.weights.mean() == pytest.approx(1.0)
    assert 1 < result.deff < 2
    assert result.effective_n == pytest.approx(3000 / result.deff)


def test_a_one_variable_case_has_known_weights_deff_and_effective_n():
    sample = {"sex": ["F"] * 80 + ["M"] * 20}
    result = rake(sample, {"sex": {"F": 0.5, "M": 0.5}})
    assert result.weights[:80] == pytest.approx(np.full(80, 0.625))
    assert result.weights[80:] == pytest.approx(np.full(20, 2.5))
    # Kish: n Σw² / (Σw)² = 100 (80·0.625² + 20·2.5²) / 100² = 1.5625; n_eff = 100 / 1.5625 = 64
    assert result.deff == pytest.approx(1.5625)
    assert result.effective_n == pytest.approx(64.0)
    assert result.iterations == 1


def test_two_crossed_variables_converge_to_both_margins():
    sample = pd.DataFrame({
        "age": ["young"] * 30 + ["old"] * 70,
        "sex": ["F"] * 20 + ["M"] * 10 + ["F"] * 30 + ["M"] * 40,
    })
    margins = {"age": {"young": 0.4, "old": 0.6}, "sex": {"F": 0.52, "M": 0.48}}
    result = rake(sample, margins)
    assert result.iterations > 1  # the variables interact, so one pass is not enough
    weights = result.weights
    assert weights[sample["age"] == "young"].sum() / weights.sum() == pytest.approx(0.4, abs=1e-9)
    assert weights[sample["sex"] == "F"].sum() / weights.sum() == pytest.approx(0.52, abs=1e-9)


def test_counts_and_proportions_give_the_same_weights():
    sample = {"zone": ["a", "a", "b", "c", "c", "c"]}
    by_share = rake(sample, {"zone": {"a": 0.2, "b": 0.3, "c": 0.5}})
    by_count = rake(sample, {"zone": {"a": 2000, "b": 3000, "c": 5000}})
    assert by_count.weights == pytest.approx(by_share.weights)


def test_normalise_targets_detects_proportions_and_counts():
    assert normalise_targets("v", {"a": 0.25, "b": 0.75}) == {"a": 0.25, "b": 0.75}
    assert normalise_targets("v", {"a": 1, "b": 3}) == {"a": 0.25, "b": 0.75}


def test_base_weights_already_on_the_margins_are_kept():
    sample = {"sex": ["F", "F", "M", "M"]}
    result = rake(sample, {"sex": {"F": 0.5, "M": 0.5}}, base_weights=[1, 3, 2, 2])
    assert result.weights == pytest.approx([0.5, 1.5, 1.0, 1.0])


def test_trimming_bounds_the_weights_and_keeps_the_margins(data_dir):
    margins = drome_margins(data_dir)
    sample = biased_sample(margins, 2000, seed=7)
    untrimmed = rake(sample, margins)
    assert untrimmed.weights.max() > 3 and untrimmed.weights.min() < 0.3
    result = rake(sample, margins, trim=(0.3, 2.5))
    assert result.weights.max() <= 2.5 + 1e-9
    assert result.weights.min() >= 0.3 - 1e-9
    assert result.trimmed_count > 0
    assert result.deff < untrimmed.deff
    for variable, targets in margins.items():
        total = sum(targets.values())
        for category, target in targets.items():
            assert result.achieved[variable][category] == pytest.approx(target / total, abs=1e-6)


def test_trimming_bounds_too_tight_for_the_margins_are_an_error():
    sample = {"sex": ["F"] * 80 + ["M"] * 20}
    # M needs weight 2.5 on average to reach half of the total: no weight ≤ 1.1 can do it
    with pytest.raises(RakingError, match="no weights between the trimming bounds 0.9 and 1.1"):
        rake(sample, {"sex": {"F": 0.5, "M": 0.5}}, trim=(0.9, 1.1), max_iter=200)


def test_feasible_bounds_that_need_more_cycles_say_so(data_dir):
    margins = drome_margins(data_dir)
    sample = biased_sample(margins, 2000, seed=7)
    with pytest.raises(RakingError, match="did not converge in 3 cycles.*raise max_iter"):
        rake(sample, margins, trim=(0.3, 2.5), max_iter=3)


def test_no_convergence_within_max_iter_is_an_error():
    sample = pd.DataFrame({"age": ["y"] * 30 + ["o"] * 70, "sex": ["F"] * 20 + ["M"] * 10 + ["F"] * 30 + ["M"] * 40})
    with pytest.raises(RakingError, match="did not converge in 1 cycles"):
        rake(sample, {"age": {"y": 0.4, "o": 0.6}, "sex": {"F": 0.52, "M": 0.48}}, max_iter=1)


def test_a_sample_category_missing_from_the_margins_is_named():
    with pytest.raises(RakingError) as caught:
        rake({"sex": ["F", "M", "X"]}, {"sex": {"F": 0.5, "M": 0.5}})
    assert (caught.value.source, caught.value.variable, caught.value.category) == ("sample", "sex", "X")
    assert "category 'X' of variable 'sex'" in str(caught.value)


def test_a_margin_category_without_respondents_is_named():
    with pytest.raises(RakingError) as caught:
        rake({"sex": ["F", "F"]}, {"sex": {"F": 0.5, "M": 0.5}})
    assert (caught.value.source, caught.value.variable, caught.value.category) == ("margins", "sex", "M")
    assert "no respondent" in str(caught.value)


def test_a_zero_target_is_an_empty_category_error():
    with pytest.raises(RakingError, match="target of 0"):
        rake({"sex": ["F", "M"]}, {"sex": {"F": 1.0, "M": 0.0}})


def test_missing_values_and_missing_variables_are_errors():
    with pytest.raises(RakingError, match=r"row\(s\) \[2\]"):
        rake({"sex": ["F", None, "M"]}, {"sex": {"F": 0.5, "M": 0.5}})
    with pytest.raises(RakingError, match="no column for margin variable 'age'"):
        rake({"sex": ["F", "M"]}, {"sex": {"F": 0.5, "M": 0.5}, "age": {"y": 1.0}})


def test_kish_helpers_agree_with_their_definitions():
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    cv = weights.std() / weights.mean()
    assert kish_deff(weights) == pytest.approx(1 + cv**2)
    assert effective_sample_size(weights) == pytest.approx(100 / 30)


def test_the_effective_base_is_written_once_for_the_survey_statistics_and_the_raking():
    from atout.engine.surveystats import effective_n
    from atout.engine.weighting import effective_base

    weights = np.array([0.5, 1.0, 1.5, 3.0])
    assert effective_base(weights) == pytest.approx(36 / 12.5)
    assert effective_n(weights, 4) == effective_base(weights) == effective_sample_size(weights)
    assert effective_n(None, 4) == 4.0
    assert effective_base(np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="positive weight"):
        effective_sample_size(np.zeros(3))
