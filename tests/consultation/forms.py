"""A small bilingual XLSForm used by the consultation tests: groups (pages), relevance,
constraints, a matrix, multiple choice with "other", a 0–10 score and place-brand items."""

from pathlib import Path

import openpyxl

FR, EN = "Français (fr)", "English (en)"
HEADER = ["type", "name", f"label::{FR}", f"label::{EN}", "required", "relevant", "constraint",
          f"constraint_message::{FR}", f"constraint_message::{EN}", "appearance", "parameters"]
SURVEY = [
    HEADER,
    ["begin_group", "vous", "Vous et la Drôme", "You and the Drôme", None, None, None, None, None, "field-list", None],
    ["select_one ouinon", "habite", "Habitez-vous la Drôme ?", "Do you live in the Drôme?", "yes", None, None, None, None, None, None],
    ["integer", "annees", "Depuis combien d'années ?", "For how many years?", "yes", "${habite} = 'oui'",
     ". >= 0 and . <= 100", "Entre 0 et 100 ans", "Between 0 and 100 years", None, None],
    ["end_group", None, None, None, None, None, None, None, None, None, None],
    ["begin_group", "image", "Image du territoire", "Image of the area", None, None, None, None, None, "field-list", None],
    ["select_multiple atouts or_other", "atouts", "Ses atouts", "Its strengths", None, None, "count-selected(.) <= 3",
     "Trois au plus", "At most three", None, None],
    ["range", "recommande", "Recommanderiez-vous d'y vivre ?", "Would you recommend living here?", "yes", None, None,
     None, None, None, "start=0 end=10 step=1"],
    ["begin_group", "hexagone", "Êtes-vous d'accord ?", "Do you agree?", None, None, None, None, None, "table-list", None],
    ["select_one accord", "hex_people_accueil", "Les habitants sont accueillants", "People are welcoming", None, None,
     None, None, None, None, None],
    ["select_one accord", "hex_place_nature", "La nature est belle", "Nature is beautiful", None, None, None, None,
     None, None, None],
    ["end_group", None, None, None, None, None, None, None, None, None, None],
    ["text", "attractive", "Qu'est-ce qui rend la Drôme attractive ?", "What makes the Drôme attractive?", None, None,
     None, None, None, "multiline", None],
    ["end_group", None, None, None, None, None, None, None, None, None, None],
]
CHOICES = [
    ["list_name", "name", f"label::{FR}", f"label::{EN}"],
    ["ouinon", "oui", "Oui", "Yes"],
    ["ouinon", "non", "Non", "No"],
    ["atouts", "nature", "La nature", "Nature"],
    ["atouts", "emploi", "L'emploi", "Jobs"],
    ["atouts", "culture", "La culture", "Culture"],
    ["atouts", "climat", "Le climat", "Climate"],
    ["accord", "1", "Pas du tout d'accord", "Strongly disagree"],
    ["accord", "2", "Plutôt pas d'accord", "Disagree"],
    ["accord", "3", "Ni l'un ni l'autre", "Neither"],
    ["accord", "4", "Plutôt d'accord", "Agree"],
    ["accord", "5", "Tout à fait d'accord", "Strongly agree"],
]
SETTINGS = [["form_title", "form_id", "version", "default_language"], ["Perception test", "perception_test", "1", FR]]


def write_form(path: Path, survey=None, choices=None, settings=None, extra_sheets=()) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in survey or SURVEY:
        sheet.append(row)
    for title, rows in (("choices", choices or CHOICES), ("settings", settings or SETTINGS)):
        other = workbook.create_sheet(title)
        for row in rows:
            other.append(row)
    for title in extra_sheets:
        workbook.create_sheet(title).append(["x"])
    workbook.save(path)
    return path


def import_survey(tmp_path: Path, process, *, status="open", slug=None):
    """Import the test form into ``process`` through the CLI; returns the Survey."""
    import io
    import json

    from django.core.management import call_command

    from atout.consultation.models import Survey

    out = io.StringIO()
    args = ["import-xlsform", str(write_form(tmp_path / "perception.xlsx")), "--process", process.slug,
            "--status", status, "--json"]
    if slug:
        args += ["--slug", slug]
    call_command("survey", *args, stdout=out)
    return Survey.objects.get(process=process, slug=json.loads(out.getvalue())["survey"])
