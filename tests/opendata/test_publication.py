"""One publication rule for survey results (``consultation.services.is_public_result``): the public results
page, the API and the open-data package all show a survey's results only once it is closed; the team sees
them all along. Each channel is checked on the same survey, open then closed."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from atout.consultation import services as consultation
from atout.consultation.models import Survey
from atout.processes.models import Process
from atout.territories.models import Level, Territory
from tests.consultation.forms import import_survey


@pytest.fixture
def survey(db, tmp_path):
    """An open survey of a small public process (Die) with 14 submitted responses."""
    die = Territory.objects.get(level=Level.COMMUNE, code="26113")
    process = Process.objects.create(slug="die-publication", title="Die attractive", territory=die)
    found = import_survey(tmp_path, process, slug="avis")
    for number in range(14):
        response, _token = consultation.start_response(found)
        consultation.store_submission(found, {"habite": "oui" if number < 11 else "non", "annees": 5,
                                              "attractive": "Oui"}, partial=response)
    return found


def close(survey):
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status"])


def package(survey, target) -> dict[str, list[dict]]:
    out = io.StringIO()
    call_command("opendata", "export", "--process", survey.process.slug, str(target), "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["valid"], printed
    tables = {}
    for resource in printed["resources"]:
        with (target / f"{resource['name']}.csv").open(encoding="utf-8", newline="") as handle:
            tables[resource["name"]] = list(csv.DictReader(handle))
    return tables


def test_the_rule(survey):
    assert not consultation.is_public_result(survey)
    close(survey)
    assert consultation.is_public_result(survey)
    survey.current_version = None
    assert not consultation.is_public_result(survey)  # closed without a published questionnaire
    draft = Survey(status=Survey.Status.DRAFT, current_version_id=survey.versions.first().pk)
    assert not consultation.is_public_result(draft)


def test_the_open_data_package_holds_only_public_results(survey, tmp_path):
    tables = package(survey, tmp_path / "open")
    listed = {r["survey"]: r for r in tables["surveys"]}
    assert listed["avis"]["status"] == "open" and listed["avis"]["responses"] == ""
    for name in ("survey_frequencies", "survey_crosstabs", "survey_means", "survey_hexagon"):
        assert not [r for r in tables[name] if r["survey"] == "avis"], name

    close(survey)
    tables = package(survey, tmp_path / "closed")
    listed = {r["survey"]: r for r in tables["surveys"]}
    assert listed["avis"]["responses"] == "14"
    habite = {r["option"]: r for r in tables["survey_frequencies"] if r["question"] == "habite"}
    assert habite["oui"]["count"] == "11" and habite["oui"]["base"] == "14"


def test_the_api_follows_the_rule(survey, client, users):
    slug = survey.process.slug
    url = f"/api/v1/processes/{slug}/surveys/avis/results"
    assert client.get(url).status_code == 404
    listed = client.get(f"/api/v1/processes/{slug}/surveys").json()
    assert listed == [{"slug": "avis", "title": survey.title("fr"), "status": "open", "results_public": False,
                       "responses": None}]
    close(survey)
    assert client.get(url).status_code == 200
    assert client.get(url).json()["n"] == 14
    assert client.get(f"/api/v1/processes/{slug}/surveys").json()[0]["responses"] == 14


def test_the_public_page_follows_the_rule(survey, client, users):
    slug = survey.process.slug
    url = reverse("consultation:public_results", kwargs={"slug": slug, "survey": "avis"})
    assert client.get(url).status_code == 404
    client.force_login(users["participant"])
    assert client.get(url).status_code == 404
    # The public answering page of an open survey offers no results; closed, it links to them.
    close(survey)
    client.logout()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "14 réponses envoyées" in html
    # Neither the team's menu nor the raw responses are offered to the public.
    assert reverse("consultation:export", kwargs={"slug": slug, "survey": "avis", "fmt": "csv"}) not in html
    assert reverse("consultation:weighting", kwargs={"slug": slug, "survey": "avis"}) not in html
    start = client.get(reverse("consultation:start", kwargs={"slug": slug, "survey": "avis"})).content.decode()
    assert url in start


def test_the_team_sees_results_all_along(survey, client, users):
    from atout.api.tokens import create_token
    from atout.processes.models import ProcessRole

    ProcessRole.objects.create(user=users["team"], process=survey.process, role="team")
    client.force_login(users["team"])
    page = client.get(reverse("consultation:results", kwargs={"slug": survey.process.slug, "survey": "avis"}))
    assert page.status_code == 200 and "14 réponses envoyées" in page.content.decode()
    client.logout()
    key = create_token(users["team"], "équipe", "read")[1]
    api = client.get(f"/api/v1/processes/{survey.process.slug}/surveys/avis/results", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 200 and api.json()["n"] == 14
