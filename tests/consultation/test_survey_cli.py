"""The ``atout survey`` command group: XLSForm import/export, results, exports, imports, weighting, purge."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from atout.consultation import services
from atout.consultation.models import Answer, Response, Survey
from atout.engine.formats.xlsform import read_xlsform

from .forms import CHOICES, HEADER, SETTINGS, import_survey, write_form


def run(*args) -> dict:
    out = io.StringIO()
    call_command("survey", *args, stdout=out)
    return json.loads(out.getvalue())


def structure(form):
    """What must survive a round trip: names, types, labels, groups, relevance, constraints, choices."""
    def item(i):
        if hasattr(i, "children"):
            return ("group", i.name, i.labels, i.relevant, i.appearance, [item(c) for c in i.children])
        return (i.name, i.type, i.labels, i.required, i.relevant, i.constraint, i.constraint_message, i.or_other,
                [(c.name, c.labels) for c in i.choices], i.bounds)
    return [item(i) for i in form.items]


def test_import_prints_the_contract_and_export_round_trips(drome, tmp_path):
    source = write_form(tmp_path / "perception.xlsx")
    result = run("import-xlsform", str(source), "--process", "drome", "--json")
    assert result["survey"] == "perception-test"
    assert (result["questions"], result["groups"]) == (7, 3)
    assert result["languages"] == ["Français (fr)", "English (en)"]
    survey = Survey.objects.get(process=drome, slug="perception-test")
    assert survey.status == "draft" and survey.current_version.number == 1

    exported = tmp_path / "export.xlsx"
    run("export-xlsform", "perception-test", "--output", str(exported), "--json")
    again = read_xlsform(exported)
    # The export holds the published version: the form plus the built-in profile page.
    original = structure(read_xlsform(source))
    assert structure(again)[: len(original)] == original
    assert [g.name for g in again.groups()][-1] == "profil"

    # Importing the export gives the same structure, so the same version (no new one).
    run("import-xlsform", str(exported), "--process", "drome", "--slug", "perception-test", "--json")
    survey.refresh_from_db()
    assert survey.current_version.number == 1


def test_unsupported_features_are_reported_by_sheet_row_and_column_and_nothing_is_imported(drome, tmp_path):
    rows = [HEADER + ["calculation"],
            ["calculate", "total", None, None, None, None, None, None, None, None, None, "1 + 1"],
            ["geopoint", "lieu", "Où ?", "Where?", None, None, None, None, None, None, None, None],
            ["select_one ouinon", "habite", "Habitez-vous ?", "Live here?", None, "${inconnue} = 'x'", None, None, None,
             "search('communes')", None, None]]
    path = write_form(tmp_path / "bad.xlsx", survey=rows, choices=CHOICES, settings=SETTINGS, extra_sheets=["external_choices"])
    before = Survey.objects.filter(process=drome).count()
    with pytest.raises(CommandError) as error:
        run("import-xlsform", str(path), "--process", "drome", "--json")
    message = str(error.value)
    assert "sheet 'survey', line 1, column 'calculation': unsupported column" in message
    assert "sheet 'survey', line 2, column 'type': unsupported question type 'calculate'" in message
    assert "sheet 'survey', line 3, column 'type': unsupported question type 'geopoint'" in message
    assert "line 4, column 'relevant': reference to unknown question ${inconnue}" in message
    assert "line 4, column 'appearance'" in message
    assert "sheet 'external_choices'" in message
    assert Survey.objects.filter(process=drome).count() == before


def test_import_into_an_unknown_process_fails(tmp_path, db):
    with pytest.raises(CommandError, match="no process 'nulle-part'"):
        run("import-xlsform", str(write_form(tmp_path / "f.xlsx")), "--process", "nulle-part", "--json")


ZONES = None


def fill(survey, count, *, start=0):
    """``count`` submitted responses with varied, deterministic answers (through the services)."""
    global ZONES
    communes = ["26362", "26113", "26220", "26333", "26198"]  # Valence, Die, Nyons, Saint-Vallier, Montélimar
    for i in range(start, start + count):
        response, _token = services.start_response(survey)
        services.store_submission(survey, {
            "habite": "oui" if i % 4 else "non", "annees": (i * 7) % 60 if i % 4 else "",
            "atouts": ["nature"] + (["climat"] if i % 2 else []) + (["emploi"] if i % 5 == 0 else []),
            "recommande": i % 11, "hex_people_accueil": str(1 + i % 5), "hex_place_nature": str(1 + (i * 3) % 5),
            "attractive": f"réponse {i}", "profil_age": ["15-29", "30-44", "45-59", "60-74", "75+"][i % 5],
            "profil_sexe": "F" if i % 3 else "M", "profil_commune": communes[i % 5], "profil_statut": "resident",
        }, partial=response)


@pytest.fixture
def filled(drome, tmp_path):
    survey = import_survey(tmp_path, drome)
    fill(survey, 40)
    return survey


def test_results_give_shares_with_intervals_and_suppress_small_cells(filled):
    result = run("results", filled.slug, "--segment", "zone", "--json")
    assert result["n"] == 40 and result["weighted"] is False
    questions = {q["name"]: q for q in result["questions"]}
    habite = {o["code"]: o for o in questions["habite"]["frequencies"]["options"]}
    assert habite["oui"]["count"] == 30 and habite["oui"]["share"] == pytest.approx(0.75)
    assert habite["oui"]["low"] < 0.75 < habite["oui"]["high"]
    assert habite["non"]["count"] == 10 and habite["non"]["suppressed"] is False
    atouts = {o["code"]: o for o in questions["atouts"]["frequencies"]["options"]}
    assert atouts["nature"]["share"] == 1.0
    assert atouts["emploi"]["share"] is None and atouts["emploi"]["suppressed"] is True  # 8 < 10
    assert atouts["culture"]["suppressed"] is True
    recommande = questions["recommande"]
    assert recommande["mean"]["n"] == 40 and recommande["mean"]["low"] < recommande["mean"]["mean"] < recommande["mean"]["high"]
    assert recommande["nps"]["score"] is not None and -100 <= recommande["nps"]["low"] <= recommande["nps"]["score"]
    crosstab = questions["habite"]["crosstabs"][0]
    assert crosstab["n"] == 40 and len(crosstab["columns"]) >= 2
    for row in crosstab["cells"]:
        for cell in row:
            assert cell["suppressed"] == (cell["n"] is None)
            if cell["suppressed"]:
                assert cell["share"] is None and cell["mark"] == ""
    assert {h["dimension"] for h in result["hexagon"]} == {"people", "place"}


def test_weighting_stores_weights_and_results_become_weighted(filled, tmp_path):
    margins = tmp_path / "margins.csv"
    margins.write_text("variable,category,target\nsex,F,0.52\nsex,M,0.48\n"
                       "age_band,15-29,0.2\nage_band,30-44,0.2\nage_band,45-59,0.25\nage_band,60-74,0.2\nage_band,75+,0.15\n")
    outcome = run("weight", filled.slug, "--margins", str(margins), "--json")
    assert outcome["weighted"] == 40 and outcome["deff"] >= 1
    assert outcome["achieved"]["sex"]["F"] == pytest.approx(0.52, abs=1e-6)
    weights = list(Response.objects.filter(survey=filled).values_list("weight", flat=True))
    assert all(w is not None for w in weights) and sum(weights) == pytest.approx(40)
    result = run("results", filled.slug, "--json")
    assert result["weighted"] is True and result["deff"] == pytest.approx(outcome["deff"])
    questions = {q["name"]: q for q in result["questions"]}
    assert questions["habite"]["frequencies"]["n_effective"] < 40


def test_weighting_with_an_unknown_category_is_a_clear_error(filled, tmp_path):
    margins = tmp_path / "margins.csv"
    margins.write_text("variable,category,target\nsex,F,0.5\nsex,X,0.5\n")
    with pytest.raises(CommandError, match="'M'"):
        run("weight", filled.slug, "--margins", str(margins), "--json")


def test_the_csv_export_has_stable_columns_and_codes_and_labels(filled, tmp_path):
    output = tmp_path / "export.csv"
    result = run("export", filled.slug, "--output", str(output), "--json")
    assert result["responses"] == 40
    with open(output, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert header[:3] == ["receipt", "submitted_at", "version"]
    # One column per question (conditional ones included), with labels for choices.
    for name in ("habite", "habite_label", "annees", "atouts", "atouts_label", "atouts_other", "recommande", "attractive",
                 "profil_commune", "profil_commune_label"):
        assert name in header
    assert all(len(r) == len(header) for r in rows)
    by_name = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert by_name[0]["habite"] == "non" and by_name[0]["annees"] == ""
    assert by_name[1]["habite_label"] == "Oui" and by_name[1]["annees"] == "7"
    assert by_name[1]["atouts"] == "climat nature" or by_name[1]["atouts"] == "nature climat"
    assert by_name[0]["profil_commune_label"] == "Valence"


def test_the_excel_csv_uses_semicolons_and_a_bom_and_xlsx_has_the_same_columns(filled, tmp_path):
    excel = tmp_path / "excel.csv"
    run("export", filled.slug, "--output", str(excel), "--excel", "--json")
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.split(b"\r\n")[0]
    header = raw.decode("utf-8-sig").split("\r\n")[0].split(";")
    xlsx = tmp_path / "export.xlsx"
    run("export", filled.slug, "--output", str(xlsx), "--json")
    sheet = openpyxl.load_workbook(xlsx, read_only=True)["reponses"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == header and len(rows) == 41


def test_kobo_responses_are_imported_all_or_nothing(drome, tmp_path):
    survey = import_survey(tmp_path, drome)
    good = tmp_path / "kobo.csv"
    good.write_text("_uuid,vous/habite,vous/annees,image/atouts,image/recommande\n"
                    "a1,oui,12,nature climat,9\na2,non,,emploi,3\n", encoding="utf-8")
    result = run("import-responses", str(good), "--survey", survey.slug, "--format", "kobo", "--json")
    assert result["imported"] == 2
    assert Response.objects.filter(survey=survey, source="kobo").count() == 2
    assert Answer.objects.filter(survey=survey, question="atouts").count() == 3

    bad = tmp_path / "kobo-bad.csv"
    bad.write_text("_uuid,vous/habite,vous/annees,image/recommande\n"
                   "b1,oui,12,9\nb2,peut-etre,5,3\nb3,oui,400,11\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run("import-responses", str(bad), "--survey", survey.slug, "--format", "kobo", "--json")
    message = str(error.value)
    assert "line 3, column 'vous/habite'" in message
    assert "line 4, column 'vous/annees'" in message and "line 4, column 'image/recommande'" in message
    assert Response.objects.filter(survey=survey).count() == 2  # nothing from the bad file


def test_limesurvey_multiple_choice_columns_are_read(drome, tmp_path):
    survey = import_survey(tmp_path, drome)
    path = tmp_path / "lime.csv"
    path.write_text('id;habite;atouts[nature];atouts[emploi];recommande\n1;oui;Y;;10\n2;non;Y;Y;0\n', encoding="utf-8")
    assert run("import-responses", str(path), "--survey", survey.slug, "--format", "limesurvey", "--json")["imported"] == 2
    assert sorted(Answer.objects.filter(survey=survey, question="atouts").values_list("choice", flat=True)) == ["emploi", "nature", "nature"]


def test_invitations_are_written_as_links(filled, tmp_path):
    output = tmp_path / "links.csv"
    assert run("invite", filled.slug, "--count", "3", "--output", str(output), "--json")["invitations"] == 3
    links = output.read_text().splitlines()[1:]
    assert len(links) == 3 and all("/invitation/" in link for link in links)
    assert filled.invitations.count() == 3


def test_purge_erases_free_texts_after_the_retention_date_and_is_idempotent(filled):
    assert Answer.objects.filter(survey=filled).exclude(text="").count() == 40
    filled.retention_until = dt.date(2020, 1, 1)
    filled.save()
    first = run("purge", "--json")
    assert first["texts_erased"] == 40
    assert Answer.objects.filter(survey=filled).exclude(text="").count() == 0
    assert Answer.objects.filter(survey=filled, question="habite").count() == 40  # coded answers kept
    second = run("purge", "--json")
    assert second["texts_erased"] == 0 and second["partial_deleted"] == 0 and second["responses_unlinked"] == 0


def test_the_results_page_reuses_its_snapshot_until_the_responses_change(filled, client, users):
    from django.urls import reverse

    from atout.consultation.models import ResultsSnapshot

    client.force_login(users["team"])
    url = reverse("consultation:results", kwargs={"slug": "drome", "survey": filled.slug}) + "?format=json"
    assert client.get(url).json()["n"] == 40
    snapshot = ResultsSnapshot.objects.get(survey=filled, key="fr:zone")
    assert client.get(url).json()["n"] == 40
    assert ResultsSnapshot.objects.get(survey=filled, key="fr:zone").computed_at == snapshot.computed_at  # served, not recomputed
    fill(filled, 1, start=40)
    assert client.get(url).json()["n"] == 41
