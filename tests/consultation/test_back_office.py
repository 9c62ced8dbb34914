"""The team's back office: builder and versions, XLSForm upload, invitations, weighting, exports;
and a signed-in respondent's own answers."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from atout.consultation import services
from atout.consultation.models import Invitation, Response, Survey

from .forms import HEADER, write_form
from .test_survey_cli import fill


@pytest.fixture
def team(client, users):
    client.force_login(users["team"])
    return client


def url(name, **kwargs):
    return reverse(f"consultation:{name}", kwargs={"slug": "drome", **kwargs})


def test_the_builder_creates_questions_and_publishing_freezes_versions(team, drome):
    assert team.post(url("list"), {"title": "Mobilités", "new_slug": "mobilites"}).status_code == 302
    builder = url("builder", survey="mobilites")
    team.post(builder, {"action": "page", "page_name": "p1", "page_label": "Vos déplacements"})
    response = team.post(builder, {"action": "add", "type": "select_one", "name": "voiture", "label_fr": "Avez-vous une voiture ?",
                                   "label_en": "Do you own a car?", "choices": "oui | Oui | Yes\nnon | Non | No",
                                   "required": "yes", "page": "p1"})
    assert response.status_code == 302
    team.post(builder, {"action": "add", "type": "integer", "name": "km", "label_fr": "Kilomètres par jour",
                        "relevant": "${voiture} = 'oui'", "constraint": ". >= 0 and . <= 500", "page": "p1"})
    team.post(builder, {"action": "publish"})
    survey = Survey.objects.get(process=drome, slug="mobilites")
    assert survey.current_version.number == 1
    names = [q["name"] for g in survey.current_version.structure["items"] for q in g.get("children", [])]
    assert names[:2] == ["voiture", "km"] and "profil_age" in names
    team.post(builder, {"action": "settings", "title_fr": "Mobilités", "status": "open", "mode": "open"})
    survey.refresh_from_db()
    first, _token = services.start_response(survey)
    services.store_submission(first.survey, {"voiture": "non"}, partial=first)
    team.post(builder, {"action": "up", "item": "km"})
    team.post(builder, {"action": "publish"})
    survey.refresh_from_db()
    assert survey.current_version.number == 2
    first.refresh_from_db()
    assert first.version.number == 1  # answers keep the version they answered
    assert "Kilomètres par jour" in team.get(url("preview", survey="mobilites")).content.decode()


def test_the_builder_refuses_an_invalid_expression_and_keeps_the_draft(team, drome):
    team.post(url("list"), {"title": "Test", "new_slug": "test"})
    response = team.post(url("builder", survey="test"), {"action": "add", "type": "text", "name": "q",
                                                          "label_fr": "Q", "relevant": "${absente} = "})
    assert response.status_code == 400
    assert "Expression invalide" in response.content.decode()
    assert Survey.objects.get(process=drome, slug="test").draft["items"] == []


def test_an_xlsform_upload_lists_every_problem_or_imports(team, drome, tmp_path):
    bad = write_form(tmp_path / "bad.xlsx", survey=[HEADER, ["geopoint", "lieu", "Où", "Where", None, None, None, None, None, None, None]])
    response = team.post(url("upload"), {"file": SimpleUploadedFile("bad.xlsx", bad.read_bytes())})
    assert response.status_code == 400
    assert "unsupported question type &#x27;geopoint&#x27;" in response.content.decode()
    good = write_form(tmp_path / "good.xlsx")
    response = team.post(url("upload"), {"file": SimpleUploadedFile("good.xlsx", good.read_bytes())})
    assert response.status_code == 302
    assert Survey.objects.get(process=drome, slug="perception-test").current_version.number == 1


@pytest.fixture
def filled(drome, tmp_path):
    from .forms import import_survey

    survey = import_survey(tmp_path, drome)
    fill(survey, 30)
    return survey


def test_invitations_are_downloaded_as_links(team, filled):
    response = team.post(url("invitations", survey=filled.slug), {"count": "5", "label": "experts"})
    lines = response.content.decode().splitlines()
    assert lines[0] == "lien" and len(lines) == 6 and all("/invitation/" in line for line in lines[1:])
    assert Invitation.objects.filter(survey=filled, label="experts").count() == 5


def test_margins_uploaded_on_the_weighting_page_weight_the_responses(team, filled):
    margins = b"variable,category,target\nsex,F,0.5\nsex,M,0.5\n"
    response = team.post(url("weighting", survey=filled.slug), {"margins": SimpleUploadedFile("marges.csv", margins)})
    assert response.status_code == 200
    assert "effet de plan" in response.content.decode()
    assert Response.objects.filter(survey=filled, weight__isnull=False).count() == 30
    bad = b"variable,category,target\nsex,F,0.5\nsex,X,0.5\n"
    response = team.post(url("weighting", survey=filled.slug), {"margins": SimpleUploadedFile("marges.csv", bad)})
    assert response.status_code == 400 and "marges.csv" in response.content.decode()


def test_exports_download_in_three_formats(team, filled):
    excel = b"".join(team.get(url("export", survey=filled.slug, fmt="excel")).streaming_content)
    assert excel.startswith("\ufeff".encode()) and excel.count(b"\r\n") == 31
    plain = b"".join(team.get(url("export", survey=filled.slug, fmt="csv")).streaming_content).decode()
    assert plain.split("\r\n")[0] == excel.decode("utf-8-sig").split("\r\n")[0].replace(";", ",")
    xlsx = team.get(url("export", survey=filled.slug, fmt="xlsx"))
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    assert len(list(workbook["reponses"].iter_rows())) == 31


def test_a_signed_in_respondent_sees_downloads_and_deletes_their_answers(client, users, filled):
    client.force_login(users["participant"])
    response, _token = services.start_response(filled, user=users["participant"])
    stored = services.store_submission(response.survey, {"habite": "oui", "annees": 4, "recommande": 10}, partial=response)
    page = client.get(url("mine")).content.decode()
    assert stored.receipt in page
    assert "recommande" in client.get(url("mine") + "?format=csv").content.decode()
    client.post(url("mine"), {"receipt": stored.receipt})
    assert not Response.objects.filter(pk=stored.pk).exists()
