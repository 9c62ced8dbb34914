"""Aggregation up the geography on the real Drôme files: sums, ratios of sums, honest coverage."""

import math

import numpy as np
import pandas as pd
import pytest

from atout.engine.catalogue import load_catalogue
from atout.engine.formats.insee import combine, read_insee
from atout.engine.geography import aggregate, compute, territory_value, values_table


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def communes(data_dir):
    """Drôme communes × INSEE series, comparateur and dossier complet side by side."""
    return combine([read_insee(data_dir / "indicators/insee/base_cc_comparateur_2025_dep26.csv"),
                    read_insee(data_dir / "indicators/insee/dossier_complet_light_dep26.csv")])


@pytest.fixture(scope="module")
def cog_membership(data_dir):
    cog = pd.read_csv(data_dir / "geo/cog-communes-2025.csv", dtype=str)
    cog = cog[(cog.TYPECOM == "COM") & (cog.DEP == "26")]
    return pd.DataFrame({"member": cog.COM, "group": cog.DEP})


@pytest.fixture(scope="module")
def epci_membership(data_dir):
    """Every member commune of the EPCIs that hold at least one Drôme commune (DGCL 2025)."""
    sheet = pd.read_excel(data_dir / "geo/epcicom-2025.xlsx", sheet_name="Epcicom2025", usecols=["siren", "insee"],
                          dtype=str, engine="openpyxl")
    pairs = pd.DataFrame({"member": sheet.insee, "group": sheet.siren}).dropna()
    drome_epcis = set(pairs.loc[pairs.member.str.startswith("26"), "group"])
    return pairs[pairs.group.isin(drome_epcis)]


def _row(table, group, indicator):
    return table[(table.group == group) & (table.indicator == indicator)].iloc[0]


def test_the_drome_population_is_the_sum_of_its_communes(communes, cog_membership, catalogue):
    result = aggregate(communes, cog_membership, catalogue, ["population"])
    row = _row(result, "26", "population")
    assert row.value == pytest.approx(communes["P22_POP"].sum())
    assert row.members == 362 and row.coverage == 1.0 and not row.partial


def test_a_member_without_data_makes_the_aggregate_partial(communes, catalogue):
    membership = pd.DataFrame({"member": communes.index, "group": "26"})  # includes merged Véronne, empty
    row = _row(aggregate(communes, membership, catalogue, ["population"]), "26", "population")
    assert row.value == pytest.approx(communes["P22_POP"].sum())
    assert row.members == 363 and row.members_with_data == 362 and row.partial
    assert row.population_coverage == 1.0  # the member without data has no population either


def test_epci_rates_are_ratios_of_summed_counts(communes, epci_membership, catalogue):
    result = aggregate(communes, epci_membership, catalogue, ["unemployment_rate", "vacancy_rate", "ageing_index"])
    assert result.group.nunique() == 16
    for group, members in epci_membership.groupby("group").member:
        rows = communes.reindex(members)
        complete = rows[["P22_CHOM1564", "P22_ACT1564"]].dropna()
        expected = complete.P22_CHOM1564.sum() / complete.P22_ACT1564.sum() * 100
        row = _row(result, group, "unemployment_rate")
        assert row.value == pytest.approx(expected)
        assert row.coverage == pytest.approx(len(complete) / len(members))
        assert row.partial == (len(complete) < len(members))
        # never the mean of the communes' rates
        mean_of_rates = (complete.P22_CHOM1564 / complete.P22_ACT1564).mean() * 100
        if len(complete) > 1:
            assert not math.isclose(row.value, mean_of_rates, rel_tol=1e-6)
    # Some EPCIs straddle the Drôme's border: their members outside the file count as missing.
    assert result[result.indicator == "unemployment_rate"].partial.any()


def test_secret_values_stay_missing_and_coverage_says_so(communes, cog_membership, catalogue):
    row = _row(aggregate(communes, cog_membership, catalogue, ["fiscal_households"]), "26", "fiscal_households")
    secret = communes.reindex(cog_membership.member)["NBMENFISC21"].isna()
    assert secret.sum() > 0
    assert row.value == pytest.approx(communes["NBMENFISC21"].sum())
    assert row.coverage == pytest.approx(1 - secret.mean()) and row.coverage < 1 and row.partial
    # secret communes are small: the population covered is much larger than the share of communes
    assert row.coverage < row.population_coverage < 1


def test_medians_are_not_aggregated(communes, cog_membership, catalogue):
    row = _row(aggregate(communes, cog_membership, catalogue, ["median_income"]), "26", "median_income")
    assert math.isnan(row.value) and row.method.startswith("not aggregated")


def test_growth_is_recomputed_from_aggregated_levels(communes, cog_membership, catalogue):
    row = _row(aggregate(communes, cog_membership, catalogue, ["population_growth"]), "26", "population_growth")
    both = communes.reindex(cog_membership.member)[["P16_POP", "P22_POP"]].dropna()
    assert row.value == pytest.approx(((both.P22_POP.sum() / both.P16_POP.sum()) ** (1 / 6) - 1) * 100)
    assert row.value == pytest.approx(0.44, abs=0.03)  # PTOD publishes 0.44 %/year for the Drôme


def test_an_aggregate_of_nothing_is_missing_not_zero(catalogue):
    frame = pd.DataFrame({"P22_POP": [np.nan, np.nan, 10.0]}, index=["a", "b", "c"])
    membership = pd.DataFrame({"member": ["a", "b", "c", "zz"], "group": ["g1", "g1", "g2", "g3"]})
    result = aggregate(frame, membership, catalogue, ["population"]).set_index("group")
    assert math.isnan(result.loc["g1", "value"]) and result.loc["g1", "coverage"] == 0
    assert result.loc["g2", "value"] == 10
    assert math.isnan(result.loc["g3", "value"])  # a member absent from the data counts as missing


def test_a_commune_may_belong_to_several_custom_zones(catalogue):
    frame = pd.DataFrame({"P22_CHOM1564": [10.0, 90.0], "P22_ACT1564": [100.0, 300.0]}, index=["a", "b"])
    membership = pd.DataFrame({"member": ["a", "b", "b"], "group": ["north", "north", "south"]})
    table = values_table(aggregate(frame, membership, catalogue, ["unemployment_rate"]))
    assert table.loc["north", "unemployment_rate"] == pytest.approx(25.0)  # 100 / 400, not mean(10, 30) = 20
    assert table.loc["south", "unemployment_rate"] == pytest.approx(30.0)
    assert compute(frame, catalogue, ["unemployment_rate"]).loc["a", "unemployment_rate"] == pytest.approx(10.0)


def test_drome_aggregates_agree_with_the_published_ptod_values(communes, catalogue, data_dir):
    """Every recomputable indicator mapped to a PTOD code gives, from the Drôme's communes, the value PTOD
    publishes for the département (to PTOD's rounding): the formulas and mappings are the right ones."""
    from atout.engine.findings import ptod_values
    from atout.engine.formats.ptod import read_ptod_values

    published = ptod_values(read_ptod_values(data_dir / "indicators/departements-indicateurs-ptod.json"),
                            catalogue).loc["26"]
    codes = [i.code for i in catalogue.with_ptod() if i.kind != "level"]
    assert len(codes) >= 10
    membership = pd.DataFrame({"member": communes.index, "group": "26"})
    ours = aggregate(communes, membership, catalogue, codes).set_index("indicator")["value"]
    for code in codes:
        decimals = len(repr(float(published[code])).split(".")[1])  # PTOD rounds to 1 or 2 decimals
        assert ours[code] == pytest.approx(published[code], abs=0.5 * 10**-decimals + 1e-9), code


def test_one_value_for_one_territory_is_json_ready(communes, epci_membership, catalogue):
    group = epci_membership.group.iloc[0]
    record = territory_value(communes, epci_membership, catalogue, group, "vacancy_rate")
    expected = _row(aggregate(communes, epci_membership, catalogue, ["vacancy_rate"]), group, "vacancy_rate")
    assert record["value"] == pytest.approx(expected.value) and record["unit"] == "%"
    assert record["coverage"] == pytest.approx(expected.coverage) and "INSEE" in record["source"]
    assert territory_value(communes, epci_membership, catalogue, group, "median_income")["value"] is None
    with pytest.raises(ValueError):
        territory_value(communes, epci_membership, catalogue, "nowhere", "vacancy_rate")
