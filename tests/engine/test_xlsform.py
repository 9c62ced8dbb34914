"""XLSForm import/export: pyxform reading, atout's support checks, round trip."""

from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atout.engine.formats.errors import FormatError
from atout.engine.formats.xlsform import Choice, Form, Group, Question, read_xlsform, write_xlsform

FR, EN = "Français (fr)", "English (en)"

SURVEY = [
    ["type", "name", f"label::{FR}", f"label::{EN}", f"hint::{FR}", "required", "relevant", "constraint",
     f"constraint_message::{FR}", f"constraint_message::{EN}", "appearance", "choice_filter", "parameters"],
    ["begin_group", "profil", "Votre profil", "Your profile", None, None, None, None, None, None, "field-list", None, None],
    ["select_one age", "age", "Votre âge", "Your age", "En années révolues", "yes", None, None, None, None, None, None, None],
    ["integer", "enfants", "Nombre d'enfants", "Number of children", None, None, "${age} != 'a1829'",
     ". >= 0 and . <= 20", "Entre 0 et 20", "Between 0 and 20", None, None, None],
    ["select_one zone", "zone", "Votre zone", "Your area", None, "yes", None, None, None, None, "minimal", None, None],
    ["select_one_from_file communes.csv", "commune", "Votre commune", "Your town", None, None, None, None, None, None,
     "autocomplete", None, None],
    ["end_group", None, None, None, None, None, None, None, None, None, None, None, None],
    ["begin_group", "perception", "Perception", "Perception", None, None, "${age} != ''", None, None, None,
     "table-list", None, None],
    ["select_one accord", "p_fier", "Je suis fier de vivre ici", "I am proud to live here", None, None, None, None,
     None, None, None, None, None],
    ["select_one accord", "p_dynamique", "Le territoire est dynamique", "The area is lively", None, None, None, None,
     None, None, None, None, None],
    ["end_group", None, None, None, None, None, None, None, None, None, None, None, None],
    ["select_one accord", "qualite", "La qualité de vie est bonne", "Quality of life is good", None, None, None, None,
     None, None, "likert", None, None],
    ["range", "recommande", "Recommanderiez-vous d'y vivre ?", "Would you recommend living here?", None, "yes", None,
     None, None, None, None, None, "start=0 end=10 step=1"],
    ["select_multiple atouts or_other", "atouts", "Ses atouts", "Its strengths", None, None, None,
     "count-selected(.) <= 3", "Trois au plus", "At most three", None, None, None],
    ["rank atouts", "priorites", "Classez", "Rank", None, None, "count-selected(${atouts}) > 1", None, None, None,
     None, None, None],
    ["select_one quartier", "quartier", "Quartier", "District", None, None, None, None, None, None, None,
     "zone = ${zone}", None],
    ["text", "freins", "Ce qui freine", "What holds back", None, None, None, "string-length(.) <= 2000", None, None,
     "multiline", None, None],
    ["text", "cp", "Code postal", "Postcode", None, None, None, "regex(., '^26[0-9]{3}$')", "Un code de la Drôme",
     "A Drôme postcode", None, None, None],
    ["decimal", "budget", "Budget", "Budget", None, None, None, None, None, None, None, None, None],
    ["date", "arrivee", "Arrivée", "Arrival", None, None, None, ". <= today()", None, None, None, None, None],
    ["note", "merci", "Merci !", "Thank you!", None, None, None, None, None, None, None, None, None],
]
CHOICES = [
    ["list_name", "name", f"label::{FR}", f"label::{EN}", "zone"],
    ["age", "a1829", "18–29 ans", "18–29", None],
    ["age", "a3059", "30–59 ans", "30–59", None],
    ["age", "a60p", "60 ans et plus", "60+", None],
    ["zone", "nord", "Nord", "North", None],
    ["zone", "sud", "Sud", "South", None],
    ["accord", "1", "Pas du tout d'accord", "Strongly disagree", None],
    ["accord", "2", "Plutôt pas d'accord", "Disagree", None],
    ["accord", "3", "Plutôt d'accord", "Agree", None],
    ["accord", "4", "Tout à fait d'accord", "Strongly agree", None],
    ["atouts", "nature", "Nature", "Nature", None],
    ["atouts", "emploi", "Emploi", "Jobs", None],
    ["atouts", "culture", "Culture", "Culture", None],
    ["quartier", "q1", "Quartier nord 1", "North 1", "nord"],
    ["quartier", "q2", "Quartier sud 1", "South 1", "sud"],
]
SETTINGS = [["form_title", "form_id", "version", "default_language"],
            ["Perception de la Drôme", "perception_drome", "2025061001", FR]]


def write_workbook(path: Path, survey, choices=None, settings_rows=None, extra_sheets=()) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for title, rows in (("choices", choices), ("settings", settings_rows)):
        if rows:
            other = workbook.create_sheet(title)
            for row in rows:
                other.append(row)
    for title in extra_sheets:
        workbook.create_sheet(title).append(["x"])
    workbook.save(path)
    return path


@pytest.fixture
def form_path(tmp_path):
    return write_workbook(tmp_path / "perception.xlsx", SURVEY, CHOICES, SETTINGS)


def by_name(form: Form) -> dict:
    items = {q.name: q for q in form.questions()}
    items.update({g.name: g for g in form.groups()})
    return items


def test_it_reads_settings_and_languages(form_path):
    form = read_xlsform(form_path)
    assert form.title == "Perception de la Drôme"
    assert form.id == "perception_drome"
    assert form.version == "2025061001"
    assert form.default_language == FR
    assert form.languages == [FR, EN]


def test_it_reads_groups_with_their_children_in_order(form_path):
    form = read_xlsform(form_path)
    assert [type(item).__name__ for item in form.items[:2]] == ["Group", "Group"]
    profile = form.items[0]
    assert profile.name == "profil"
    assert profile.labels == {FR: "Votre profil", EN: "Your profile"}
    assert [c.name for c in profile.children] == ["age", "enfants", "zone", "commune"]
    assert [q.name for q in form.questions()][-3:] == ["budget", "arrivee", "merci"]


def test_it_reads_bilingual_labels_hints_and_choices(form_path):
    age = by_name(read_xlsform(form_path))["age"]
    assert age.labels == {FR: "Votre âge", EN: "Your age"}
    assert age.hints == {FR: "En années révolues"}
    assert age.required is True
    assert age.list_name == "age"
    assert [c.name for c in age.choices] == ["a1829", "a3059", "a60p"]
    assert age.choices[2].labels == {FR: "60 ans et plus", EN: "60+"}


def test_it_reads_relevance_constraints_and_messages(form_path):
    items = by_name(read_xlsform(form_path))
    children = items["enfants"]
    assert children.relevant == "${age} != 'a1829'"
    assert children.constraint == ". >= 0 and . <= 20"
    assert children.constraint_message == {FR: "Entre 0 et 20", EN: "Between 0 and 20"}
    assert children.bounds == (0, 20)
    assert children.required is False
    assert items["perception"].relevant == "${age} != ''"
    assert items["cp"].constraint == "regex(., '^26[0-9]{3}$')"


def test_it_maps_xlsform_types_to_atout_types(form_path):
    items = by_name(read_xlsform(form_path))
    types = {name: items[name].type for name in (
        "age", "enfants", "commune", "qualite", "recommande", "atouts", "priorites", "freins", "budget", "arrivee", "merci",
    )}
    assert types == {
        "age": "select_one", "enfants": "integer", "commune": "commune", "qualite": "likert", "recommande": "score",
        "atouts": "select_multiple", "priorites": "rank", "freins": "text", "budget": "decimal", "arrivee": "date",
        "merci": "note",
    }
    assert items["recommande"].bounds == (0, 10)
    assert items["freins"].long_text is True
    assert items["cp"].long_text is False


def test_or_other_is_a_flag_not_an_extra_question(form_path):
    form = read_xlsform(form_path)
    strengths = by_name(form)["atouts"]
    assert strengths.or_other is True
    assert [c.name for c in strengths.choices] == ["nature", "emploi", "culture"]
    assert "atouts_other" not in by_name(form)


def test_a_table_list_group_of_one_scale_is_a_matrix(form_path):
    items = by_name(read_xlsform(form_path))
    matrix = items["perception"]
    assert matrix.is_matrix is True
    assert matrix.appearance == "table-list"
    assert matrix.labels == {FR: "Perception", EN: "Perception"}
    assert [q.name for q in matrix.children] == ["p_fier", "p_dynamique"]
    assert all(q.appearance is None for q in matrix.children)
    assert items["profil"].is_matrix is False


def test_choice_filters_keep_the_choice_columns_they_use(form_path):
    district = by_name(read_xlsform(form_path))["quartier"]
    assert district.choice_filter == "zone = ${zone}"
    assert [(c.name, c.properties) for c in district.choices] == [("q1", {"zone": "nord"}), ("q2", {"zone": "sud"})]


def test_import_export_import_gives_the_same_structure(form_path, tmp_path):
    first = read_xlsform(form_path)
    exported = write_xlsform(first, tmp_path / "exported.xlsx")
    second = read_xlsform(exported)
    assert second == first
    sheets = openpyxl.load_workbook(exported).sheetnames
    assert sheets == ["survey", "choices", "settings"]


def test_a_form_built_in_code_round_trips(tmp_path):
    form = Form(
        title="Mini", id="mini", version=None, default_language="default", languages=["default"],
        items=[
            Question(name="q1", type="select_one", labels={"default": "Q1"}, list_name="yn",
                     choices=[Choice("y", {"default": "Yes"}), Choice("n", {"default": "No"})], required=True),
            Group(name="g", labels={"default": "G"}, relevant="${q1} = 'y'", children=[
                Question(name="score", type="score", labels={"default": "Score"}, bounds=(0, 10)),
            ]),
        ],
    )
    path = write_xlsform(form, tmp_path / "mini.xlsx")
    assert read_xlsform(path) == form


def test_unsupported_features_are_all_reported_with_sheet_row_and_column(tmp_path):
    survey = [
        ["type", "name", "label", "calculation", "media::audio"],
        ["calculate", "total", None, "1 + 1", None],
        ["begin_repeat", "people", "People", None, None],
        ["geopoint", "where", "Where", None, None],
        ["end_repeat", None, None, None, None],
        ["audio", "voice", "Voice", None, None],
        ["select_one yn", "q", "Q", None, None],
    ]
    path = write_workbook(tmp_path / "bad.xlsx", survey, [["list_name", "name", "label", "image"], ["yn", "y", "Y", None]],
                          extra_sheets=["notes"])
    with pytest.raises(FormatError) as caught:
        read_xlsform(path)
    places = {(p.sheet, p.line, p.column) for p in caught.value.problems}
    assert places == {
        ("notes", None, None),
        ("survey", 1, "calculation"),
        ("survey", 1, "media::audio"),
        ("choices", 1, "image"),
        ("survey", 2, "type"),
        ("survey", 3, "type"),
        ("survey", 4, "type"),
        ("survey", 5, "type"),
        ("survey", 6, "type"),
    }
    message = str(caught.value)
    assert "nothing was imported" in message
    assert "unsupported question type 'geopoint'" in message
    assert "bad.xlsx, sheet 'survey', line 2, column 'type'" in message


def test_search_appearances_and_bad_expressions_are_reported(tmp_path):
    survey = [
        ["type", "name", "label", "appearance", "relevant", "constraint"],
        ["select_one yn", "q", "Q", "search('communes')", None, None],
        ["integer", "n", "N", None, "${unknown} = 1", "regex(., '(a+)+$')"],
        ["text", "t", "T", None, "${q} = 'y' and", None],
        ["text", "u", "U", None, ". = 'x'", None],
    ]
    path = write_workbook(tmp_path / "bad.xlsx", survey, [["list_name", "name", "label"], ["yn", "y", "Y"]])
    with pytest.raises(FormatError) as caught:
        read_xlsform(path)
    problems = {(p.line, p.column): p.message for p in caught.value.problems}
    assert set(problems) == {(2, "appearance"), (3, "relevant"), (3, "constraint"), (4, "relevant"), (5, "relevant")}
    assert "search()" in problems[(2, "appearance")]
    assert "unknown question ${unknown}" in problems[(3, "relevant")]
    assert "nested quantifiers" in problems[(3, "constraint")]
    assert "at column 15" in problems[(4, "relevant")]
    assert "only meaningful in a constraint" in problems[(5, "relevant")]


def test_duplicate_names_and_unknown_settings_are_reported(tmp_path):
    survey = [["type", "name", "label"], ["text", "a", "A"], ["text", "a", "A again"]]
    path = write_workbook(tmp_path / "dup.xlsx", survey, settings_rows=[["form_title", "submission_url"], ["T", "http://x"]])
    with pytest.raises(FormatError) as caught:
        read_xlsform(path)
    places = {(p.sheet, p.line, p.column) for p in caught.value.problems}
    assert places == {("survey", 3, "name"), ("settings", 1, "submission_url")}


def test_pyxform_validation_errors_name_the_row(tmp_path):
    survey = [["type", "name", "label"], ["text", "a", "A"], ["select_one missing", "b", "B"]]
    path = write_workbook(tmp_path / "nolist.xlsx", survey, [["list_name", "name", "label"], ["yn", "y", "Y"]])
    with pytest.raises(FormatError) as caught:
        read_xlsform(path)
    assert caught.value.line == 3
    assert caught.value.sheet == "survey"
    assert "missing" in str(caught.value)


def test_a_file_that_is_not_a_workbook_is_a_format_error(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(FormatError, match="not a readable XLSForm"):
        read_xlsform(path)
    with pytest.raises(FormatError, match="no such file"):
        read_xlsform(tmp_path / "absent.xlsx")


ROW_TYPES = ["text", "integer", "select_one yn", "select_multiple yn", "begin_group", "end_group", "calculate",
             "range", "note", "geopoint", "select_one nope", "rank yn", ""]
NAMES = ["a", "b", "c", "g", "", "1x"]
RELEVANT = [None, "${a} = 'y'", "${zz} = 1", "selected(${b}, 'y')", "(", ". > 1"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(ROW_TYPES), st.sampled_from(NAMES), st.sampled_from(RELEVANT)), min_size=1, max_size=6))
def test_any_small_form_gives_a_form_or_a_format_error(tmp_path, rows):
    survey = [["type", "name", "label", "relevant"]] + [[t or None, n or None, "L", r] for t, n, r in rows]
    path = write_workbook(tmp_path / "random.xlsx", survey, [["list_name", "name", "label"], ["yn", "y", "Y"]])
    try:
        form = read_xlsform(path)
    except FormatError as exc:
        assert exc.path == str(path)
    else:
        assert isinstance(form, Form)
        assert read_xlsform(write_xlsform(form, tmp_path / "again.xlsx")) == form
