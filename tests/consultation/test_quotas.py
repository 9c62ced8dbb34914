"""Quotas: targets generated from real INSEE margins, live fill rates after real submissions through
the answering views, screen-out of full cells closed when full, the team page and the CLI."""

import csv
import io
import itertools
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atout.consultation import demo, quotas, services
from atout.consultation.models import Answer, Quota, Response
from atout.territories.models import Level, Territory

from .forms import import_survey
from .test_answering import page_url, start

AGE_COLUMNS = {"15-29": ["P22_POP1529"], "30-44": ["P22_POP3044"], "45-59": ["P22_POP4559"],
               "60-74": ["P22_POP6074"], "75+": ["P22_POP7589", "P22_POP90P"]}


@pytest.fixture
def survey(drome, tmp_path):
    return import_survey(tmp_path, drome)


@pytest.fixture
def team(client, users):
    client.force_login(users["team"])
    return client


def url(name, survey, **kwargs):
    return reverse(f"consultation:{name}", kwargs={"slug": survey.process.slug, "survey": survey.slug, **kwargs})


YEARS = itertools.count(1)


def answer(client, survey, *, age="30-44", sex="F", commune="26362"):
    """Answer every page through the views; returns the response of the profile page's POST.
    Each respondent gives a different number of years (the same answers twice are a duplicate)."""
    first = page_url(start(client, survey))
    second = page_url(client.post(first, {"_shown": ["habite", "annees"], "habite": "oui", "annees": str(next(YEARS) % 90)}))
    third = page_url(client.post(second, {"_shown": ["atouts", "recommande"], "atouts": ["nature"], "recommande": "8"}))
    return client.post(third, {"_shown": ["profil_age", "profil_sexe", "profil_commune", "profil_statut"],
                               "profil_age": age, "profil_sexe": sex, "profil_commune": commune, "profil_statut": "resident"})


def file_ages_by_commune(data_dir) -> dict[str, dict[str, float]]:
    """The INSEE file read independently of the code under test."""
    with open(data_dir / "indicators/insee/dossier_complet_light_dep26.csv", encoding="utf-8") as handle:
        return {row["CODGEO"]: {band: sum(float(row[c]) for c in cols) for band, cols in AGE_COLUMNS.items()}
                for row in csv.DictReader(handle, delimiter=";")}


# --- generation from INSEE margins ------------------------------------------------------------


def test_generated_targets_sum_to_the_total_and_are_proportional_to_the_insee_population(survey, data_dir):
    made = quotas.generate(survey, ["age_band", "zone"], 1000)
    cells = list(survey.quotas.all())
    zones = list(survey.process.subterritories.filter(level=Level.ZONE))
    assert made.created == len(cells) == 5 * len(zones)
    assert sum(q.target for q in cells) == 1000
    population = sum(q.population for q in cells)
    for quota in cells:
        exact = 1000 * quota.population / population
        assert abs(quota.target - exact) < 1  # largest remainder: never a full unit away
        assert quota.source == Quota.Source.INSEE and set(quota.cell) == {"age_band", "zone"}
    # The cell populations are the INSEE counts of the zone's communes, read here independently.
    ages = file_ages_by_commune(data_dir)
    vercors = Territory.objects.get(level=Level.ZONE, code="vercors-royans")
    expected = sum(ages[c]["15-29"] for c in vercors.communes().values_list("code", flat=True) if c in ages)
    cell = survey.quotas.get(key="age_band=15-29;zone=vercors-royans")
    assert cell.population == pytest.approx(expected)
    assert expected > 1000  # a real count, not a share


def test_the_age_margins_are_those_the_weighting_test_reads_from_insee(survey, data_dir):
    ages = file_ages_by_commune(data_dir)
    margins = quotas.insee_margins(survey.process)
    drome_codes = set(Territory.objects.get(level=Level.DEPARTEMENT, code="26").communes().values_list("code", flat=True))
    for band in AGE_COLUMNS:
        assert margins["age_band"][band] == pytest.approx(sum(v[band] for c, v in ages.items() if c in drome_codes))
    assert sum(margins["zone"].values()) == pytest.approx(sum(margins["age_band"].values()))


def test_one_variable_generation_and_its_errors(survey):
    quotas.generate(survey, ["age_band"], 7)
    assert sorted(survey.quotas.values_list("target", flat=True)) and sum(survey.quotas.values_list("target", flat=True)) == 7
    with pytest.raises(quotas.QuotaInputError, match="sexe"):
        quotas.generate(survey, ["age_band", "sex"], 100)
    with pytest.raises(quotas.QuotaInputError):
        quotas.generate(survey, ["age_band"], 0)
    assert survey.quotas.count() == 5  # a refused generation changes nothing


def test_the_demo_survey_has_insee_quotas_and_its_page_shows_them(team, drome):
    survey = drome.surveys.get(slug=demo.SLUG)
    cells = list(survey.quotas.all())
    assert len(cells) == 25 and sum(q.target for q in cells) == demo.QUOTA_TOTAL
    page = team.get(url("quotas", survey))
    assert page.status_code == 200
    html = page.content.decode()
    assert "données simulées" in html and "Vercors" in html and "<tfoot>" in html
    data = quotas.fill_rates(survey)
    assert data["total"]["count"] == Response.objects.filter(survey=survey, status="submitted").exclude(age_band="").exclude(
        zone=None).count()
    assert any(c["fill_rate"] > 1 for c in data["cells"]) and any(c["fill_rate"] < 1 for c in data["cells"])


# --- fill rates -------------------------------------------------------------------------------


def test_fill_rates_count_submissions_made_through_the_answering_views(client, survey, team):
    valence = Territory.objects.get(level=Level.COMMUNE, code="26362")
    zone = valence.groups.get(level=Level.ZONE)
    quotas.add_quota(survey, {"age_band": "30-44", "sex": "F"}, 2)
    quotas.add_quota(survey, {"zone": zone.code}, 4)
    quotas.add_quota(survey, {"sex": "M"}, 0)
    for age in ("30-44", "30-44", "60-74"):
        assert answer(client, survey, age=age).url.endswith("/recu/")
    data = quotas.fill_rates(survey)
    by_key = {quotas.cell_key(c["cell"]): c for c in data["cells"]}
    assert by_key["age_band=30-44;sex=F"] | {} == by_key["age_band=30-44;sex=F"]
    assert (by_key["age_band=30-44;sex=F"]["count"], by_key["age_band=30-44;sex=F"]["fill_rate"]) == (2, 1.0)
    assert by_key[f"zone={zone.code}"]["count"] == 3 and by_key[f"zone={zone.code}"]["remaining"] == 1
    assert by_key["sex=M"]["fill_rate"] is None  # a zero target has no rate
    assert data["total"] == {"target": 6, "count": 5, "fill_rate": 5 / 6, "remaining": 1, "screened_out": 0, "submitted": 3}
    html = team.get(url("quotas", survey)).content.decode()
    assert "<caption>" in html and 'scope="row"' in html and "100 %" in html and "75 %" in html
    assert team.get(url("quotas", survey) + "?format=json").json()["total"]["count"] == 5


def test_fill_rates_use_one_grouped_query_on_responses(survey):
    quotas.generate(survey, ["age_band", "zone"], 500)
    quotas.add_quota(survey, {"sex": "F", "profile_status": "resident"}, 10)
    with CaptureQueriesContext(connection) as queries:
        quotas.fill_rates(survey)
    on_responses = [q["sql"] for q in queries if "consultation_response" in q["sql"]]
    assert len(on_responses) == 1 and "GROUP BY" in on_responses[0]


# --- screen-out -------------------------------------------------------------------------------


def test_a_full_cell_closed_when_full_screens_out_new_respondents_politely(client, survey, team):
    quotas.add_quota(survey, {"age_band": "30-44", "sex": "F"}, 1, close_when_full=True)
    assert answer(client, survey).url.endswith("/recu/")
    refused = answer(client, survey)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Merci beaucoup pour votre participation" in html and "ne peuvent pas être enregistrées" in html
    screened = Response.objects.get(survey=survey, status=Response.Status.SCREENED_OUT)
    assert screened.progress == {} and screened.receipt is None and screened.age_band == "30-44"
    assert not Answer.objects.filter(response=screened).exists()
    # Another profile still gets in; the screened-out respondent is counted, never silently dropped.
    assert answer(client, survey, age="60-74").url.endswith("/recu/")
    cell = quotas.fill_rates(survey)["cells"][0]
    assert (cell["count"], cell["screened_out"], cell["full"]) == (1, 1, True)
    assert "Écartés" in team.get(url("quotas", survey)).content.decode()


def test_the_cell_is_checked_again_at_submission(survey):
    quotas.add_quota(survey, {"sex": "M"}, 1, close_when_full=True)
    first, _t1 = services.start_response(survey)
    second, _t2 = services.start_response(survey)  # both passed the profile page while the cell was open
    answers = {"habite": "oui", "profil_sexe": "M", "profil_age": "45-59"}
    assert services.store_submission(first.survey, answers, partial=first).status == Response.Status.SUBMITTED
    refused = services.store_submission(second.survey, answers, partial=second)
    assert refused.status == Response.Status.SCREENED_OUT and refused.receipt is None
    assert Response.objects.filter(survey=survey, status="submitted").count() == 1


def test_a_cell_left_open_accepts_respondents_beyond_its_target(client, survey):
    quotas.add_quota(survey, {"sex": "F"}, 1)
    assert answer(client, survey).url.endswith("/recu/")
    assert answer(client, survey).url.endswith("/recu/")
    assert quotas.fill_rates(survey)["cells"][0]["fill_rate"] == 2.0


# --- the team page and the CLI ----------------------------------------------------------------


def test_the_page_adds_closes_and_deletes_cells_and_shows_errors(team, survey):
    page = url("quotas", survey)
    assert team.post(page, {"action": "add", "age_band": "15-29", "sex": "F", "target": "40", "close_when_full": "yes"}).status_code == 302
    quota = survey.quotas.get()
    assert quota.cell == {"age_band": "15-29", "sex": "F"} and quota.target == 40 and quota.close_when_full
    refused = team.post(page, {"action": "add", "age_band": "12-14", "target": "5"})
    assert refused.status_code == 400 and "Catégorie inconnue" in refused.content.decode()
    assert team.post(page, {"action": "add", "target": "5"}).status_code == 400  # no variable chosen
    assert team.post(page, {"action": "add", "sex": "M", "target": "-3"}).status_code == 400
    assert team.post(page, {"action": "open", "quota": quota.pk}).status_code == 302
    quota.refresh_from_db()
    assert not quota.close_when_full
    assert team.post(page, {"action": "generate", "variables": "age_band,zone", "total": "250"}).status_code == 302
    assert sum(survey.quotas.values_list("target", flat=True)) == 250
    team.post(page, {"action": "delete", "quota": survey.quotas.first().pk})
    assert survey.quotas.count() == 24
    assert team.post(page, {"action": "generate", "variables": "age_band,sex", "total": "250"}).status_code == 400


def test_only_the_team_sees_the_quotas(client, users, survey):
    client.force_login(users["participant"])
    assert client.get(url("quotas", survey)).status_code == 403
    assert client.post(url("quotas", survey), {"action": "clear"}).status_code == 403


def run(*args) -> dict:
    out = io.StringIO()
    call_command("survey", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_cli_prints_cells_and_totals_as_json(client, survey):
    quotas.add_quota(survey, {"sex": "F"}, 4)
    answer(client, survey)
    result = run("quotas", survey.slug, "--process", "drome", "--json")
    assert result["cells"][0]["cell"] == {"sex": "F"}
    assert (result["cells"][0]["target"], result["cells"][0]["count"], result["cells"][0]["fill_rate"]) == (4, 1, 0.25)
    assert result["total"]["target"] == 4 and result["total"]["count"] == 1
    generated = run("quotas", survey.slug, "--process", "drome", "--generate", "age_band", "--total", "100", "--json")
    assert len(generated["cells"]) == 5 and generated["total"]["target"] == 100
    with pytest.raises(CommandError, match="no survey"):
        run("quotas", "absent", "--process", "drome", "--json")
    with pytest.raises(CommandError, match="--total"):
        run("quotas", survey.slug, "--process", "drome", "--generate", "age_band", "--json")
    with pytest.raises(CommandError, match="sex"):
        run("quotas", survey.slug, "--process", "drome", "--generate", "sex", "--total", "10", "--json")
