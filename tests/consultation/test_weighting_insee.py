"""Weighting a survey to the territory's INSEE margins (no margins file): the margins are the census
counts of the real INSEE file, raking the (skewed) demo sample meets their shares, and the service,
the page and ``atout survey weight --insee`` say what the offline data cannot give (sex)."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.urls import reverse

from atout.consultation import demo, services
from atout.consultation.models import Response
from atout.territories.models import Level

AGE_COLUMNS = {"15-29": ["P22_POP1529"], "30-44": ["P22_POP3044"], "45-59": ["P22_POP4559"],
               "60-74": ["P22_POP6074"], "75+": ["P22_POP7589", "P22_POP90P"]}


@pytest.fixture
def survey(drome):
    return drome.surveys.get(slug=demo.SLUG)


@pytest.fixture
def team(client, users):
    client.force_login(users["team"])
    return client


def page(survey):
    return reverse("consultation:weighting", kwargs={"slug": survey.process.slug, "survey": survey.slug})


def run(*args) -> dict:
    out = io.StringIO()
    call_command("survey", *args, stdout=out)
    return json.loads(out.getvalue())


def expected_shares(process, data_dir) -> dict[str, dict[str, float]]:
    """INSEE shares read here from the file, independently of the code under test: persons aged
    15+ of the communes lying in one of the process's sub-territories, by age band and by zone."""
    with open(data_dir / "indicators/insee/dossier_complet_light_dep26.csv", encoding="utf-8") as handle:
        ages = {row["CODGEO"]: {band: sum(float(row[c]) for c in cols) for band, cols in AGE_COLUMNS.items()}
                for row in csv.DictReader(handle, delimiter=";")}
    by_age = dict.fromkeys(AGE_COLUMNS, 0.0)
    by_zone = {}
    for zone in process.subterritories.filter(level=Level.ZONE):
        for code in zone.communes().values_list("code", flat=True):
            if code in ages:
                for band, persons in ages[code].items():
                    by_age[band] += persons
                    by_zone[zone.code] = by_zone.get(zone.code, 0.0) + persons
    return {"age_band": {k: v / sum(by_age.values()) for k, v in by_age.items()},
            "zone": {k: v / sum(by_zone.values()) for k, v in by_zone.items()}}


def stored_shares(survey, field: str) -> dict[str, float]:
    """Weighted shares computed from the weights stored on the responses."""
    rows = (Response.objects.filter(survey=survey, weight__isnull=False).values_list(field)
            .annotate(w=Sum("weight")).order_by())
    total = sum(w for _c, w in rows)
    return {category: w / total for category, w in rows}


# --- the service -------------------------------------------------------------------------------


def test_insee_margins_are_the_census_counts_of_the_territory(survey, data_dir):
    margins = services.insee_margins(survey, ["age_band", "zone"])
    assert list(margins) == ["age_band", "zone"]
    expected = expected_shares(survey.process, data_dir)
    for variable in ("age_band", "zone"):
        total = sum(margins[variable].values())
        assert total > 400_000  # persons aged 15+ of the Drôme, not shares
        assert {c: p / total for c, p in margins[variable].items()} == pytest.approx(expected[variable], abs=1e-12)
    assert sum(margins["age_band"].values()) == pytest.approx(sum(margins["zone"].values()))
    assert set(services.insee_margins(survey, ["zone"])) == {"zone"}


def test_raking_the_demo_sample_meets_the_insee_shares(survey, data_dir):
    expected = expected_shares(survey.process, data_dir)
    before = services.sample_shares(survey, ["age_band", "zone"])
    assert abs(before["age_band"]["45-59"] - expected["age_band"]["45-59"]) > 0.02  # the demo is skewed
    result = services.apply_weights(survey, services.insee_margins(survey, ["age_band", "zone"]))
    complete = Response.objects.filter(survey=survey, status="submitted").exclude(age_band="").exclude(zone=None).count()
    assert len(result.weights) == complete == Response.objects.filter(survey=survey, weight__isnull=False).count()
    assert stored_shares(survey, "age_band") == pytest.approx(expected["age_band"], abs=1e-6)
    assert stored_shares(survey, "zone__code") == pytest.approx(expected["zone"], abs=1e-6)
    assert result.deff > 1 and result.effective_n == pytest.approx(complete / result.deff)


def test_sex_is_refused_with_the_reason_and_nothing_is_weighted(survey):
    for variables in (["age_band", "sex"], ["sex"]):
        with pytest.raises(services.MarginsUnavailable, match="population par sexe") as error:
            services.insee_margins(survey, variables)
        assert error.value.variable == "sex"
    with pytest.raises(services.MarginsUnavailable, match="inconnue : epci"):
        services.insee_margins(survey, ["epci"])
    with pytest.raises(services.MarginsUnavailable, match="au moins une variable"):
        services.insee_margins(survey, [])
    options = services.insee_weighting_options(survey)
    assert (options["age_band"]["available"], options["zone"]["available"], options["sex"]["available"]) == (True, True, False)
    assert "sexe" in options["sex"]["reason"] and options["sex"]["margin"] is None
    assert not Response.objects.filter(survey=survey, weight__isnull=False).exists()


def test_a_process_without_sub_territories_has_no_zone_margins(survey):
    survey.process.subterritories.clear()
    options = services.insee_weighting_options(survey)
    assert options["age_band"]["available"] and not options["zone"]["available"]
    assert "sous-territoire" in options["zone"]["reason"]
    with pytest.raises(services.MarginsUnavailable, match="sous-territoire"):
        services.insee_margins(survey, ["age_band", "zone"])


# --- the command line --------------------------------------------------------------------------


def test_the_cli_rakes_to_insee_margins_and_names_source_and_missing_variables(survey, data_dir):
    result = run("weight", f"drome/{survey.slug}", "--insee", "age_band,zone", "--json")
    expected = expected_shares(survey.process, data_dir)
    assert result["variables"] == ["age_band", "zone"]
    assert "INSEE" in result["margins_source"] and "2022" in result["margins_source"]
    assert result["margins_file"].endswith("dossier_complet_light_dep26.csv")
    for variable in ("age_band", "zone"):
        assert result["achieved"][variable] == pytest.approx(expected[variable], abs=1e-6)
        assert result["targets"][variable] == pytest.approx(expected[variable], abs=1e-12)
    assert result["margins"]["age_band"]["75+"] > 10_000  # persons
    assert list(result["unavailable"]) == ["sex"] and "sexe" in result["unavailable"]["sex"]
    assert result["weighted"] == Response.objects.filter(survey=survey, weight__isnull=False).count()
    assert result["deff"] > 1 and result["effective_n"] == pytest.approx(result["weighted"] / result["deff"])
    assert set(result) >= {"survey", "weighted", "iterations", "deff", "effective_n", "achieved", "margins_source"}


def test_the_cli_trims_insee_weights(survey, data_dir):
    result = run("weight", f"drome/{survey.slug}", "--insee", "age_band", "--trim", "0.5,2", "--json")
    assert result["achieved"]["age_band"] == pytest.approx(expected_shares(survey.process, data_dir)["age_band"], abs=1e-6)
    weights = list(Response.objects.filter(survey=survey, weight__isnull=False).values_list("weight", flat=True))
    assert min(weights) >= 0.5 - 1e-9 and max(weights) <= 2 + 1e-9


def test_the_cli_errors(survey, tmp_path):
    reference = f"drome/{survey.slug}"
    with pytest.raises(CommandError, match="exactly one of --margins"):
        run("weight", reference, "--json")
    margins = tmp_path / "margins.csv"
    margins.write_text("variable,category,target\nsex,F,0.5\nsex,M,0.5\n")
    with pytest.raises(CommandError, match="exactly one of --margins"):
        run("weight", reference, "--margins", str(margins), "--insee", "age_band", "--json")
    with pytest.raises(CommandError, match="--insee age_band,sex: La population par sexe"):
        run("weight", reference, "--insee", "age_band,sex", "--json")
    with pytest.raises(CommandError, match="inconnue : region"):
        run("weight", reference, "--insee", "region", "--json")
    assert not Response.objects.filter(survey=survey, weight__isnull=False).exists()
    # The margins file still works as before, and says where its margins come from.
    outcome = run("weight", reference, "--margins", str(margins), "--json")
    assert outcome["achieved"]["sex"]["F"] == pytest.approx(0.5, abs=1e-9)
    assert outcome["margins_source"] == str(margins) and "variables" not in outcome


# --- the page ----------------------------------------------------------------------------------


def test_the_page_shows_the_insee_margins_and_why_sex_is_not_offered(team, survey):
    html = team.get(page(survey)).content.decode()
    assert "Pondérer selon les marges INSEE du territoire" in html
    assert 'value="age_band" id="insee-age_band" checked' in html and 'value="zone" id="insee-zone" checked' in html
    assert 'value="sex" id="insee-sex" disabled' in html and "population par sexe" in html
    assert "recensement de la population 2022" in html and "15 à 29 ans" in html and "Vercors" in html


def test_the_page_weights_to_insee_margins_and_shows_the_shares(team, survey, data_dir):
    response = team.post(page(survey), {"action": "insee", "variables": ["age_band", "zone"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "effet de plan" in html and "Part pondérée atteinte" in html and "Part des répondants avant pondération" in html
    rows = response.context["insee_rows"]
    assert {(r["variable"], r["category"]) for r in rows} == {(v, c) for v, cats in expected_shares(
        survey.process, data_dir).items() for c in cats}
    for row in rows:
        assert row["achieved"] == pytest.approx(row["share"], abs=1e-6)
    assert stored_shares(survey, "age_band") == pytest.approx(
        {r["category"]: r["share"] for r in rows if r["variable"] == "age_band"}, abs=1e-6)


def test_the_page_refuses_sex_and_an_empty_choice(team, survey):
    refused = team.post(page(survey), {"action": "insee", "variables": ["age_band", "sex"]})
    assert refused.status_code == 400 and "population par sexe" in refused.content.decode()
    empty = team.post(page(survey), {"action": "insee"})
    assert empty.status_code == 400 and "au moins une variable" in empty.content.decode()
    assert not Response.objects.filter(survey=survey, weight__isnull=False).exists()
