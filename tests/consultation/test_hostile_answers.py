"""Hostile or odd input from respondents and teams (issue 17, points 2, 4 and the survey parts of 5):
control characters and NUL in free text, a 1 MB answer, a survey wider than an Excel sheet, and a new
XLSForm uploaded for a survey that is open."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from atout.consultation import answering, services
from atout.consultation.models import Answer, Response, Survey
from atout.engine.formats.xlsform import Choice, Form, Question

from .forms import CHOICES, SETTINGS, SURVEY, import_survey, write_form
from .test_answering import answer_all, page_url, start

CONTROLS = "Les \x01paysages\x08 et \x1b[31mle climat\x7f\tvraiment\r\nbeaux"
CLEANED = "Les paysages et [31mle climat\x7f\tvraiment\nbeaux"  # \t and line ends kept; \r\n made \n


@pytest.fixture
def survey(drome, tmp_path):
    return import_survey(tmp_path, drome)


@pytest.fixture
def one_page(survey):
    survey.layout = Survey.Layout.SINGLE
    survey.save()
    return survey


@pytest.fixture
def team(client, users):
    client.force_login(users["team"])
    return client


def start_url(survey):
    return reverse("consultation:start", kwargs={"slug": survey.process.slug, "survey": survey.slug})


def whole(**changes):
    data = {"shown": ["habite", "atouts", "recommande", "hex_people_accueil", "hex_place_nature", "attractive",
                      "profil_age", "profil_sexe", "profil_commune", "profil_statut"],
            "consent": "yes", "habite": "non", "atouts": ["nature", "other"], "atouts_other": "Les rivières",
            "recommande": "9", "attractive": "Les paysages", "profil_age": "30-44", "profil_sexe": "F"}
    data.update(changes)
    return data


def stored_text(survey, question):
    return Answer.objects.get(response__survey=survey, question=question).text


# --- 2 and 5: control characters and NUL in free text ------------------------------------------


def test_control_characters_are_stripped_from_free_text_on_input():
    question = Question(name="t", type="text", labels={"fr": "T"})
    other = Question(name="c", type="select_one", labels={"fr": "C"}, or_other=True,
                     choices=[Choice("a", {"fr": "A"})])
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update({"t": CONTROLS, "c": "other", "c_other": "\x00autre\x02"})
    assert answering.parse_value(question, data, {})[0] == CLEANED
    page = answering.check_page(Form(title="", id="f", version=None, default_language="fr", languages=["fr"],
                                     items=[]), _page(question, other), data, {})
    assert page.values == {"t": CLEANED, "c": "other", "c_other": "autre"}


def _page(*questions):
    from atout.engine.formats.xlsform import Group

    return Group(name="p", children=list(questions))


@pytest.mark.parametrize(("text", "expected"), [("Les \x00paysages", "Les paysages"), (CONTROLS, CLEANED)])
def test_nul_and_control_characters_in_a_one_page_answer_are_stored_without_them(client, one_page, text, expected):
    response = client.post(start_url(one_page), whole(attractive=text, atouts_other="Les \x00rivières\x1b"))
    assert response.status_code == 200, response.content[:500]
    assert stored_text(one_page, "attractive") == expected
    assert stored_text(one_page, "atouts_other") == "Les rivières"


def test_nul_in_a_paged_answer_is_stored_without_it(client, survey):
    first = page_url(start(client, survey))
    second = page_url(client.post(first, {"habite": "non"}))
    third = page_url(client.post(second, {"atouts": ["nature"], "recommande": "8", "attractive": "Le \x00climat\x01"}))
    final = client.post(third, {"profil_age": "30-44"})
    assert final.status_code == 302 and final.url.endswith("/recu/")
    assert stored_text(survey, "attractive") == "Le climat"


def test_a_1_mb_answer_is_refused_without_echoing_it(client, one_page, survey):
    huge = "x" * 1_000_000
    refused = client.post(start_url(one_page), whole(attractive=huge))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert len(page) < 100_000 and "x" * 5001 not in page
    assert "5000 caractères" in page
    assert not Response.objects.filter(survey=one_page).exists()


def test_a_1_mb_answer_on_a_page_is_refused_without_echoing_it(client, survey):
    first = page_url(start(client, survey))
    second = page_url(client.post(first, {"habite": "non"}))
    refused = client.post(second, {"atouts": ["nature"], "recommande": "8", "attractive": "y" * 1_000_000})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert len(page) < 100_000 and "5000 caractères" in page


def test_a_receipt_with_nul_deletes_nothing_and_fails_nothing(client, users, survey):
    response, _token = services.start_response(survey, user=users["participant"])
    services.store_submission(survey, {"habite": "non", "recommande": 5}, partial=response)
    client.force_login(users["participant"])
    mine = reverse("consultation:mine", kwargs={"slug": "drome"})
    assert client.post(mine, {"receipt": "\x00"}).status_code == 302
    assert Response.objects.filter(pk=response.pk).exists()


# --- 2: the XLSX export -----------------------------------------------------------------------


def export_url(survey, fmt):
    return reverse("consultation:export", kwargs={"slug": survey.process.slug, "survey": survey.slug, "fmt": fmt})


def test_control_characters_already_stored_do_not_break_the_xlsx_export(client, team, survey, tmp_path):
    assert answer_all(client, survey).status_code == 302
    # Stored before input was cleaned (or by an import): the export must still open.
    Answer.objects.filter(response__survey=survey, question="attractive").update(text="Les \x01paysages\x1b\x08 !")
    response = team.get(export_url(survey, "xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["reponses"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][rows[0].index("attractive")] == "Les paysages !"
    output = io.StringIO()
    call_command("survey", "export", survey.slug, "--output", str(tmp_path / "export.xlsx"), "--json", stdout=output)
    assert json.loads(output.getvalue())["responses"] == 1
    cleaned = openpyxl.load_workbook(tmp_path / "export.xlsx")["reponses"]
    assert [c.value for c in cleaned[2]][rows[0].index("attractive")] == "Les paysages !"


def wide_survey(process, questions: int) -> Survey:
    """A survey with ``questions`` single-choice questions: two export columns each."""
    choices = [Choice("o", {"Français (fr)": "Oui"}), Choice("n", {"Français (fr)": "Non"})]
    form = Form(title="Très large", id="tres_large", version=None, default_language="Français (fr)",
                languages=["Français (fr)"],
                items=[Question(name=f"q{i}", type="select_one", list_name="on", labels={"Français (fr)": f"Q{i}"},
                                choices=choices) for i in range(questions)])
    return services.import_form(form, process, status="open")


def test_a_survey_wider_than_an_excel_sheet_gets_a_clear_page_and_the_cli_fails(team, drome, tmp_path):
    survey = wide_survey(drome, 8200)  # 13 + 2 × 8204 columns > 16,384
    response = team.get(export_url(survey, "xlsx"))
    assert response.status_code == 409
    page = response.content.decode().replace("\u202f", " ").replace("\xa0", " ")  # French thousands
    assert "16 384" in page and "16 4" in page and export_url(survey, "csv") in page
    team.cookies["django_language"] = "en"
    assert "16,384 columns" in team.get(export_url(survey, "xlsx")).content.decode()
    output = tmp_path / "large.xlsx"
    with pytest.raises(CommandError, match=r"16,384 columns.*\.csv"):
        call_command("survey", "export", survey.slug, "--output", str(output), "--json", stdout=io.StringIO())
    assert not output.exists()
    assert team.get(export_url(survey, "csv")).status_code == 200  # the CSV export has no such limit


# --- 4: a new XLSForm for a live survey --------------------------------------------------------


def changed_form(tmp_path):
    """The test form with one question removed (annees) and one added (visite)."""
    rows = [row for row in SURVEY if row[1] != "annees"]
    at = next(i for i, row in enumerate(rows) if row[1] == "attractive")
    rows.insert(at, ["select_one ouinon", "visite", "Venez-vous souvent ?", "Do you come often?", None, None, None,
                     None, None, None, None])
    return write_form(tmp_path / "v2.xlsx", survey=rows, choices=CHOICES, settings=SETTINGS)


def test_uploading_a_new_version_of_an_open_survey_asks_for_confirmation_and_keeps_it_open(client, team, survey,
                                                                                          tmp_path):
    assert answer_all(client, survey).status_code == 302
    upload = reverse("consultation:upload", kwargs={"slug": "drome"})
    confirm = team.post(upload, {"file": SimpleUploadedFile("v2.xlsx", changed_form(tmp_path).read_bytes())})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "visite" in page and "annees" in page and "reste ouvert" in page
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN and survey.current_version.number == 1  # nothing changed yet
    token = confirm.context["confirmation"]
    done = team.post(upload, {"confirmation": token})
    assert done.status_code == 302
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN and survey.current_version.number == 2
    assert Response.objects.get(survey=survey).version.number == 1  # collected responses keep their version
    assert team.post(upload, {"confirmation": token}).status_code == 400  # the version it was made for is gone
    assert team.post(upload, {"confirmation": "forged"}).status_code == 400
    assert survey.versions.count() == 2


def test_the_cli_needs_new_version_to_replace_an_open_survey(survey, tmp_path):
    path = changed_form(tmp_path)
    args = ["import-xlsform", str(path), "--process", "drome", "--json"]
    with pytest.raises(CommandError, match="--new-version"):
        call_command("survey", *args, stdout=io.StringIO())
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN and survey.current_version.number == 1
    out = io.StringIO()
    call_command("survey", *args, "--new-version", stdout=out)
    result = json.loads(out.getvalue())
    assert result["version"] == 2 and result["questions_added"] == ["visite"] and result["questions_removed"] == ["annees"]
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN and survey.current_version.number == 2


def test_a_draft_survey_takes_a_new_version_without_confirmation(team, drome, tmp_path):
    import_survey(tmp_path, drome, status="draft")
    upload = reverse("consultation:upload", kwargs={"slug": "drome"})
    done = team.post(upload, {"file": SimpleUploadedFile("v2.xlsx", changed_form(tmp_path).read_bytes())})
    assert done.status_code == 302
    assert Survey.objects.get(process=drome, slug="perception-test").current_version.number == 2

