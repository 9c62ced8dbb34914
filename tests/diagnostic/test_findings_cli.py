"""``atout diagnostic findings``: strengths and weaknesses from real data, with their evidence."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from atout.engine.findings import FINDING_KEYS

PTOD = "indicators/departements-indicateurs-ptod.json"


def findings(territory, peers):
    out = io.StringIO()
    call_command("diagnostic", "findings", "--territory", territory, "--peers", peers, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_findings_without_data_are_a_clear_error(db, no_statistics):
    with pytest.raises(CommandError, match="no indicator value|no PTOD"):
        findings("zone:vercors-royans", "departements")


@pytest.mark.usefixtures("statistics")
def test_the_drome_against_the_96_departements(db, data_dir):
    result = findings("26", "departements")
    assert result["basis"] == "96 départements"
    items = {f["indicator"]: f for f in result["findings"]}
    assert all(set(FINDING_KEYS) <= set(f) for f in result["findings"])
    assert {f["kind"] for f in result["findings"]} == {"strength", "weakness", "neutral"}
    assert {f["aspect"] for f in result["findings"]} == {"level", "trend"}
    published = {r["code"]: r for r in json.loads((data_dir / PTOD).read_text(encoding="utf-8"))}
    unemployment = items["unemployment_rate"]
    assert unemployment["value"] == published["26"]["soc_txchom_1564_22"]
    assert unemployment["france_value"] == published["00FR"]["soc_txchom_1564_22"]
    higher = sum(1 for code, r in published.items()
                 if code not in ("00FR", "26") and r["soc_txchom_1564_22"] is not None
                 and r["soc_txchom_1564_22"] < published["26"]["soc_txchom_1564_22"])
    assert (unemployment["rank"], unemployment["of"]) == (higher + 1, 96)
    assert unemployment["kind"] == "weakness"  # worst quartile and above France's rate
    assert "PTOD" in unemployment["source"] and unemployment["basis"] == "96 départements"


@pytest.mark.usefixtures("statistics")
def test_the_drome_against_its_region_and_similar_departements(db):
    region = findings("dep:26", "region")
    assert region["basis"].startswith("12 départements") and all(f["of"] <= 12 for f in region["findings"])
    similar = findings("26", "similar")
    assert "10 départements les plus proches" in similar["basis"]
    assert max(f["of"] for f in similar["findings"]) == 11


@pytest.mark.usefixtures("statistics")
def test_a_zone_against_the_other_sub_territories(db):
    result = findings("zone:drome-provencale", "departements")
    assert result["basis"] == "5 sous-territoires"
    assert result["findings"] and all(f["of"] <= 5 for f in result["findings"])
    growth = next(f for f in result["findings"] if f["indicator"] == "population_growth")
    assert growth["france_value"] is not None  # France's published value is the national reference


@pytest.mark.usefixtures("statistics")
def test_an_epci_against_the_epcis_of_its_departement(db):
    result = findings("epci:200068781", "departements")
    assert result["findings"] and result["basis"].endswith("EPCI")
