"""Survey results from stored sums kept up to date, streamed response exports, and no formula
injection in any consultation export."""

import csv
import io
import math

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from atout.consultation import exports, results, services
from atout.consultation.models import Response, ResultsSnapshot

from .forms import import_survey
from .test_survey_cli import fill

PAYLOADS = ['=HYPERLINK("http://x","clic")', "+1+1", "-2+3", "@SUM(A1)"]


def assert_same(found, expected, path="results"):
    """Equal structures, floats equal to 1e-9 (sums added in another order)."""
    if isinstance(expected, dict):
        assert isinstance(found, dict) and set(found) == set(expected), (path, set(found) ^ set(expected))
        for key in expected:
            assert_same(found[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list | tuple):
        assert len(found) == len(expected), path
        for i, (a, b) in enumerate(zip(found, expected, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert found == pytest.approx(expected, rel=1e-9, abs=1e-12) or (math.isnan(expected) and math.isnan(found)), path
    else:
        assert found == expected, path


def check(survey):
    """The figures from the stored sums are those computed table by table from the answer rows."""
    segments = list(results.SEGMENTS)
    stored = results.survey_results(survey, segments=segments)
    stored.pop("computed_at")
    assert_same(stored, results.direct_results(survey, segments=segments))
    return stored


def submit(survey, answers):
    response, _token = services.start_response(survey)
    return services.store_submission(response.survey, answers, partial=response)


def answers(i, **extra):
    return {"habite": "oui", "annees": 3 + i, "atouts": ["climat", "nature"], "recommande": i % 11,
            "hex_people_accueil": "4", "hex_place_nature": "5", "attractive": f"texte {i}", "profil_age": "30-44",
            "profil_sexe": "F", "profil_commune": "26362", "profil_statut": "resident", **extra}


@pytest.fixture
def survey(drome, tmp_path):
    found = import_survey(tmp_path, drome)
    fill(found, 60)
    return found


def test_stored_sums_follow_new_responses_weights_and_deletions(survey):
    assert results.aggregates(survey)["mode"] == "full"
    first = check(survey)
    assert first["n"] == 60 and first["weighted"] is False
    assert results.aggregates(survey)["mode"] == "stored"
    # New responses (the real submission path) are added to the stored sums, nothing is recomputed.
    fill(survey, 5, start=60)
    assert results.aggregates(survey)["mode"] == "added"
    assert check(survey)["n"] == 65
    # New weights change every weighted sum: recomputed in full, and weighted figures are right.
    services.apply_weights(survey, {"sex": {"F": 0.5, "M": 0.5}})
    assert results.aggregates(survey)["mode"] == "full"
    weighted = check(survey)
    assert weighted["weighted"] is True and weighted["deff"] > 1
    fill(survey, 2, start=65)  # new responses without a weight: counted, left out of weighted figures
    assert results.aggregates(survey)["mode"] == "added"
    assert check(survey)["n"] == 67
    # A deleted response (a respondent erasing their answers): recomputed.
    Response.objects.filter(survey=survey).order_by("id").first().delete()
    assert results.aggregates(survey)["mode"] == "full"
    assert check(survey)["n"] == 66
    # A response whose submission time is before the stored cut-off (a transaction committed late):
    # the covered set no longer has the stored fingerprint, so everything is recomputed.
    late = submit(survey, answers(99))
    Response.objects.filter(pk=late.pk).update(submitted_at=timezone.now() - timezone.timedelta(days=400))
    services.clear_weights(survey)
    assert results.aggregates(survey)["mode"] == "full"
    assert check(survey)["n"] == 67


def test_the_results_page_shows_a_new_response_at_once(survey, client, users):
    client.force_login(users["team"])
    url = reverse("consultation:results", kwargs={"slug": "drome", "survey": survey.slug})
    assert client.get(url, {"format": "json"}).json()["n"] == 60
    submit(survey, answers(1))
    data = client.get(url, {"format": "json", "segment": "age_band"}).json()
    assert data["n"] == 61
    assert ResultsSnapshot.objects.get(survey=survey, key=results.AGGREGATES_KEY).data["mode"] == "added"
    # The JSON has every table: each question of the form, crosstabs by the segment asked, the hexagon.
    names = [q["name"] for q in data["questions"]]
    assert names[:4] == ["habite", "annees", "atouts", "recommande"]
    habite = next(q for q in data["questions"] if q["name"] == "habite")
    assert habite["crosstabs"][0]["segment"] == "age_band" and habite["frequencies"]["n"] == 61
    assert {h["dimension"] for h in data["hexagon"]} == {"people", "place"}
    assert "habite" in client.get(url, {"segment": "age_band"}).content.decode()


def lines_of(raw: str, delimiter=","):
    rows = list(csv.reader(io.StringIO(raw), delimiter=delimiter))
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]], header


def test_response_exports_are_streamed_in_order_and_neutralise_formulas(survey, drome, tmp_path, client, users):
    other = import_survey(tmp_path, drome, slug="autre")
    services.start_response(survey)  # a partial response: never exported
    sent = []
    for i, payload in enumerate(PAYLOADS):
        sent.append(submit(survey, answers(i, attractive=payload, atouts=["climat", "nature"], atouts_other=payload)))
        submit(other, answers(i, attractive="autre questionnaire"))  # answers of another survey, interleaved
    client.force_login(users["team"])
    url = {fmt: reverse("consultation:export", kwargs={"slug": "drome", "survey": survey.slug, "fmt": fmt})
           for fmt in ("csv", "excel", "xlsx")}
    plain = client.get(url["csv"])
    assert plain.streaming and plain["Content-Type"].startswith("text/csv")
    rows, header = lines_of(b"".join(plain.streaming_content).decode("utf-8"))
    assert header == exports.columns(exports.export_questions(survey))
    submitted = Response.objects.filter(survey=survey, status="submitted").order_by("id")
    assert [r["receipt"] for r in rows] == list(submitted.values_list("receipt", flat=True))
    by_receipt = {r["receipt"]: r for r in rows}
    for response, payload in zip(sent, PAYLOADS, strict=True):
        line = by_receipt[response.receipt]
        assert line["attractive"] == line["atouts_other"] == "'" + payload
        assert line["atouts"] == "climat nature" and line["atouts_label"] == "Le climat | La nature"
        assert line["annees"] == str(3 + PAYLOADS.index(payload)) and line["habite_label"] == "Oui"
    # Every other response's answers are those stored (pivot checked against the answer rows).
    for response in submitted[:60]:
        stored = {a.question: a for a in response.answers.all()}
        line = by_receipt[response.receipt]
        assert line["attractive"] == stored["attractive"].text
        assert line["recommande"] == str(int(stored["recommande"].number))
        assert line["submitted_at"] == response.submitted_at.isoformat()
    excel = b"".join(client.get(url["excel"]).streaming_content)
    assert excel.startswith("\ufeff".encode())
    excel_rows, excel_header = lines_of(excel.decode("utf-8-sig"), delimiter=";")
    assert excel_header == header and excel_rows == rows
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(url["xlsx"]).streaming_content)))
    sheet = workbook["reponses"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == header and len(values) == len(rows) + 1
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    column = header.index("attractive")
    assert {v[column] for v in values[1:]} >= {"'" + p for p in PAYLOADS}
    # The command-line export writes the same rows.
    output = tmp_path / "export.csv"
    call_command("survey", "export", survey.slug, "--output", str(output), "--json", stdout=io.StringIO())
    assert lines_of(output.read_text(encoding="utf-8"))[0] == rows


def test_a_respondents_own_csv_neutralises_formulas(drome, tmp_path, client, users):
    found = import_survey(tmp_path, drome)
    response, _token = services.start_response(found, user=users["participant"])
    services.store_submission(response.survey, answers(0, attractive=PAYLOADS[0]), partial=response)
    client.force_login(users["participant"])
    raw = client.get(reverse("consultation:mine", kwargs={"slug": "drome"}), {"format": "csv"}).content.decode()
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert {r["text"] for r in rows if r["question"] == "attractive"} == {"'" + PAYLOADS[0]}
    assert {r["number"] for r in rows if r["question"] == "annees"} == {"3.0"}
