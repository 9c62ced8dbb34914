"""Findings: the Drôme against the 96 départements from the real PTOD file."""

import math

import pytest

from atout.engine.catalogue import load_catalogue
from atout.engine.findings import FINDING_KEYS, classify, departement_findings
from atout.engine.formats.ptod import read_ptod_values


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def ptod(data_dir):
    return read_ptod_values(data_dir / "indicators" / "departements-indicateurs-ptod.json")


@pytest.fixture(scope="module")
def drome(ptod, catalogue):
    return departement_findings(ptod, catalogue, "26", peers="departements")


def test_every_finding_matches_the_contract(drome):
    assert drome["basis"] == "96 départements"
    assert len(drome["findings"]) >= 20
    for finding in drome["findings"]:
        assert set(FINDING_KEYS) <= set(finding)
        assert finding["kind"] in ("strength", "weakness", "neutral")
        assert finding["aspect"] in ("level", "trend")
        assert 1 <= finding["rank"] <= finding["of"] <= 96
        assert finding["basis"] == "96 départements" and "PTOD" in finding["source"]


def test_unemployment_is_a_weakness_ranked_among_96(drome):
    finding = next(f for f in drome["findings"] if f["indicator"] == "unemployment_rate")
    assert finding["value"] == 11.8 and finding["france_value"] == 11.31 and finding["of"] == 96
    # higher than France and in the worst quartile of the départements: a weakness, consistent with polarity -1
    assert finding["rank"] > 96 - 24
    assert finding["kind"] == "weakness"
    assert "plus élevé que la France (11,3)" in finding["statement"]["fr"]
    assert f"{finding['rank']}e sur 96" in finding["statement"]["fr"]


def test_kinds_are_consistent_with_polarity_and_france(drome, catalogue):
    for finding in drome["findings"]:
        polarity = catalogue[finding["indicator"]].polarity
        if polarity == 0:
            assert finding["kind"] == "neutral"
            continue
        gap = (finding["value"] - finding["france_value"]) * polarity
        if finding["kind"] == "strength":
            assert finding["rank"] <= 24 and (math.isnan(gap) or gap >= 0)
        if finding["kind"] == "weakness":
            assert finding["rank"] > 72 and (math.isnan(gap) or gap < 0)
    assert {f["aspect"] for f in drome["findings"]} == {"level", "trend"}


def test_age_is_stated_carefully_against_france_and_the_median(drome):
    finding = next(f for f in drome["findings"] if f["indicator"] == "ageing_index_published")
    assert finding["value"] > finding["france_value"] and finding["value"] < finding["peer_value"]
    assert "older than France" in finding["statement"]["en"]
    assert "younger than the median département" in finding["statement"]["en"]
    assert "plus âgée que la France" in finding["statement"]["fr"]


def test_the_rule_in_isolation():
    assert classify(1, 96, 1, 0.5) == "strength"
    assert classify(1, 96, 1, -0.5) == "neutral"  # top quartile but below France: not claimed
    assert classify(96, 96, 1, -1.0) == "weakness"
    assert classify(96, 96, -1, -1.0) == "neutral"  # worst rank but better than France (gap × polarity > 0)
    assert classify(50, 96, 1, 3.0) == "neutral"
    assert classify(1, 96, 0, 3.0) == "neutral"


def test_other_peer_sets_say_what_they_are(ptod, catalogue):
    region = departement_findings(ptod, catalogue, "26", peers="region")
    assert region["basis"].startswith("12 départements de la région ARA")
    assert all(f["of"] <= 12 for f in region["findings"])
    neighbours = departement_findings(ptod, catalogue, "26", peers="neighbours", k=10)
    assert all(f["of"] <= 11 for f in neighbours["findings"])
    with pytest.raises(ValueError):
        departement_findings(ptod, catalogue, "26", peers="galaxy")


def test_findings_per_sub_territory_from_aggregated_communes(data_dir, catalogue, ptod):
    """An EPCI against the Drôme's other EPCIs, from commune data aggregated by the geography engine."""
    import pandas as pd

    from atout.engine.findings import Text, ptod_values, territory_findings
    from atout.engine.formats.insee import read_insee
    from atout.engine.geography import aggregate, values_table

    communes = read_insee(data_dir / "indicators/insee/base_cc_comparateur_2025_dep26.csv").wide()
    # A small custom split of the Drôme: the first digit of the commune number after "26".
    membership = pd.DataFrame({"member": communes.index, "group": "zone-" + communes.index.str[2]})
    codes = ["unemployment_rate", "vacancy_rate", "second_home_share", "population_growth", "activity_rate"]
    values = values_table(aggregate(communes, membership, catalogue, codes))
    france = ptod_values(ptod, catalogue, codes).loc["00FR"]
    result = territory_findings(values, catalogue, "zone-0", list(values.index), basis="4 zones de la Drôme",
                                peer_name=Text("la zone médiane", "the median zone"), france=france)
    by_code = {f["indicator"]: f for f in result["findings"]}
    assert set(by_code) == set(codes) and all(f["of"] == 4 for f in by_code.values())
    assert by_code["unemployment_rate"]["value"] == pytest.approx(values.loc["zone-0", "unemployment_rate"])
    assert by_code["unemployment_rate"]["france_value"] == 11.31
    assert math.isnan(by_code["activity_rate"]["france_value"])  # PTOD has no activity rate: no France claim
    assert "la zone médiane" in by_code["vacancy_rate"]["statement"]["fr"]
