"""Monte Carlo rank intervals and variance-based sensitivity of a composite index."""

import numpy as np
import pytest

from atout.engine.composite import coinr_example_pipeline
from atout.engine.formats.coinr import read_coinr
from atout.engine.uncertainty import (
    ASSUMPTIONS,
    CompositeUncertainty,
    UncertaintySpec,
    coinr_example_uncertainty,
    sobol_indices,
)


@pytest.fixture(scope="module")
def pipeline(data_dir):
    folder = data_dir / "reference" / "coinr-asem"
    return coinr_example_pipeline(read_coinr(folder / "ASEM_iData.csv", folder / "ASEM_iMeta.csv"))


@pytest.fixture(scope="module")
def analysis(pipeline):
    return CompositeUncertainty(pipeline, coinr_example_uncertainty(), random_state=7)


def nominal_choices(runs: int = 1) -> np.ndarray:
    return np.zeros((runs, len(ASSUMPTIONS)), dtype=int)


def test_zero_noise_gives_degenerate_intervals_equal_to_nominal(pipeline):
    analysis = CompositeUncertainty(pipeline, UncertaintySpec(weights_noise={2: 0.0, 3: 0.0}), random_state=1)
    assert analysis.varying == []
    table = analysis.monte_carlo(30)
    nominal = pipeline.run().ranks["Index"]
    assert table["nominal"].tolist() == nominal.tolist()
    for column in ("median", "q05", "q95"):
        assert table[column].tolist() == nominal.tolist(), column


def test_fast_runs_reproduce_the_pipeline_with_the_same_choices(pipeline):
    # Complete data (group-mean imputation): the collapsed-tree path.
    spec = UncertaintySpec(aggregation=("arithmetic", "geometric"),
                           normalisation=({"method": "minmax", "low": 1.0, "high": 100.0},))
    analysis = CompositeUncertainty(pipeline, spec)
    ranks = analysis.ranks(np.array([[0, 0, 0, 0, 0], [0, 0, 1, 0, 0]]))
    for row, method in enumerate(("arithmetic", "geometric")):
        expected = pipeline.with_change("normalise", low=1.0).with_change("aggregate", method=method).run()
        assert ranks[row].tolist() == expected.ranks["Index"].tolist(), method


@pytest.mark.parametrize("method", ["arithmetic", "geometric", "harmonic"])
def test_runs_with_missing_data_go_level_by_level_and_match_the_pipeline(pipeline, method):
    # Without imputation some indicators stay missing: weights are rescaled per unit and level for the
    # units with gaps, while complete units go through the collapsed tree.
    spec = UncertaintySpec(imputation=({"method": "none"},), aggregation=(method,),
                           normalisation=({"method": "minmax", "low": 1.0, "high": 100.0},))
    analysis = CompositeUncertainty(pipeline, spec)
    assert not analysis._fast_rows[0].all() and analysis._fast_rows[0].any()
    expected = (pipeline.with_change("impute", method="none").with_change("normalise", low=1.0)
                .with_change("aggregate", method=method).run())
    assert expected.datasets["Imputed"].isna().any().any()
    # Screening drops units that lack data in this variant: they are missing from its ranking.
    dropped = expected.log[2]["removed"]
    assert dropped
    ranks = analysis.ranks(nominal_choices())[0]
    assert np.array_equal(ranks, expected.ranks["Index"].reindex(analysis.units).to_numpy(), equal_nan=True)
    assert np.isnan(ranks[[analysis.units.index(u) for u in dropped]]).all()


def test_monte_carlo_gives_ordered_intervals_and_is_seeded(pipeline):
    table = CompositeUncertainty(pipeline, coinr_example_uncertainty(), random_state=7).monte_carlo(100)
    assert (table["q05"] <= table["median"]).all() and (table["median"] <= table["q95"]).all()
    assert ((table["q95"] - table["q05"]) > 0).any()
    assert table["nominal"].tolist() == pipeline.run().ranks["Index"].tolist()
    again = CompositeUncertainty(pipeline, coinr_example_uncertainty(), random_state=7).monte_carlo(100)
    assert again.equals(table)
    other = CompositeUncertainty(pipeline, coinr_example_uncertainty(), random_state=8).monte_carlo(100)
    assert not other.equals(table)


def test_weight_noise_stays_within_its_bounds(pipeline):
    analysis = CompositeUncertainty(pipeline, UncertaintySpec(weights_noise={2: 0.25}, weight_sets=50),
                                    random_state=3)
    stack = analysis._weight_sets[3]  # pillars (level 2) within sub-indices
    nominal = stack.max(axis=0) > 0
    factors = stack[:, nominal]
    assert factors.min() >= 0.75 and factors.max() <= 1.25 and factors.std() > 0
    # Sub-index weights (level 3) carry no noise.
    assert np.all(analysis._weight_sets[4] == analysis._weight_sets[4][0])


def test_sensitivity_names_every_varying_assumption(analysis):
    indices = analysis.sensitivity(32)
    assert set(indices) == set(ASSUMPTIONS)
    for values in indices.values():
        assert values["total"] >= 0
    # Choosing between arithmetic and geometric means moves the ranking more than imputation does.
    assert indices["aggregation"]["total"] > indices["imputation"]["total"]


def test_sobol_indices_of_an_additive_model_match_the_analytic_values():
    # Y = X1 + 2 X2 + 3 X3, X uniform: S_i = ST_i = a_i² / Σ a² = 1/14, 4/14, 9/14.
    result = sobol_indices(lambda x: x[:, 0] + 2 * x[:, 1] + 3 * x[:, 2], ["x1", "x2", "x3"], 1024, random_state=0)
    for name, share in zip(("x1", "x2", "x3"), (1 / 14, 4 / 14, 9 / 14), strict=True):
        assert result[name]["first_order"] == pytest.approx(share, abs=0.02)
        assert result[name]["total"] == pytest.approx(share, abs=0.02)


def test_sobol_indices_of_a_product_show_the_interaction():
    # Y = X1 X2, X uniform on [0, 1]: V = 7/144, V1 = V2 = 1/48 → S = 3/7, ST = 1 − S_other = 4/7.
    result = sobol_indices(lambda x: x[:, 0] * x[:, 1], ["x1", "x2"], 4096, random_state=1)
    for name in ("x1", "x2"):
        assert result[name]["first_order"] == pytest.approx(3 / 7, abs=0.03)
        assert result[name]["total"] == pytest.approx(4 / 7, abs=0.03)


def test_sobol_needs_a_varying_assumption():
    with pytest.raises(ValueError, match="nothing"):
        sobol_indices(lambda x: x[:, 0], [], 8)


def test_geometric_alternative_with_zero_scores_is_refused(pipeline):
    analysis = CompositeUncertainty(pipeline, UncertaintySpec(aggregation=("geometric",)))
    with pytest.raises(ValueError, match="positive"):
        analysis.monte_carlo(2)


def test_spec_from_config_mapping():
    spec = UncertaintySpec.from_dict({"weights_noise": 0.1, "aggregation": ["arithmetic", "harmonic"]})
    assert spec.noise_at(2) == 0.1 and spec.noise_at(3) == 0.1
    assert spec.aggregation == ("arithmetic", "harmonic")
    named = UncertaintySpec.from_dict({"normalisation": ["zscore", {"method": "minmax", "low": 1}],
                                       "imputation": ["median"], "treatment": ["none"]})
    assert named.normalisation == ({"method": "zscore"}, {"method": "minmax", "low": 1})
    assert named.imputation == ({"method": "median"},) and named.treatment == ({"method": "none"},)
    with pytest.raises(ValueError, match="Copeland|copeland"):
        UncertaintySpec(aggregation=("copeland",))


def test_collapsed_tree_and_level_by_level_runs_agree(pipeline):
    spec = UncertaintySpec(weights_noise={1: 0.3, 2: 0.3, 3: 0.3}, aggregation=("arithmetic", "geometric", "harmonic"),
                           normalisation=({"method": "minmax", "low": 1.0, "high": 100.0},))
    analysis = CompositeUncertainty(pipeline, spec, random_state=11)
    choices = analysis._choices(np.random.default_rng(0).random((60, len(analysis.varying))))
    fast = analysis.ranks(choices)
    analysis._fast_rows = [np.zeros_like(rows) for rows in analysis._fast_rows]  # force the level path
    assert np.array_equal(fast, analysis.ranks(choices))
