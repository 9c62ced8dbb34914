"""Editing and deleting questions of the draft in the builder: same checks as when adding, errors
shown at their field, renames carried to references, versions kept for published surveys."""

import pytest
from django.urls import reverse

from atout.consultation import editing, services
from atout.consultation.models import Survey
from atout.consultation.structure import EN, FR, form_from_dict, question_map


@pytest.fixture
def team(client, users):
    client.force_login(users["team"])
    return client


def url(view, **kwargs):
    return reverse(f"consultation:{view}", kwargs={"slug": "drome", **kwargs})


@pytest.fixture
def built(team, drome):
    """A draft with a page, a choice question, a number shown on a condition, and a text."""
    team.post(url("list"), {"title": "Mobilités", "new_slug": "mobilites"})
    builder = url("builder", survey="mobilites")
    team.post(builder, {"action": "page", "page_name": "p1", "page_label": "Vos déplacements"})
    for data in (
        {"type": "select_one", "name": "voiture", "label_fr": "Avez-vous une voiture ?", "choices": "oui | Oui | Yes\nnon | Non | No"},
        {"type": "integer", "name": "km", "label_fr": "Kilomètres par jour", "relevant": "${voiture} = 'oui'",
         "constraint": ". >= 0 and . <= 500"},
        {"type": "text", "name": "pourquoi", "label_fr": "Pourquoi ?", "relevant": "${voiture} = 'non' and ${km} > 3"},
    ):
        assert team.post(builder, {"action": "add", "page": "p1", **data}).status_code == 302
    return Survey.objects.get(process=drome, slug="mobilites")


def draft(survey):
    survey.refresh_from_db()
    return question_map(form_from_dict(survey.draft))


def edit(team, question, **data):
    return team.post(url("edit_question", survey="mobilites", name=question), data)


def values(survey, question, **changes):
    """The edit form as shown, with some fields changed."""
    return {**editing.form_values(draft(survey)[question]), **changes}


def test_the_edit_form_is_filled_with_the_question(team, built):
    page = team.get(url("edit_question", survey="mobilites", name="voiture"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Avez-vous une voiture ?"' in html and "oui | Oui | Yes" in html
    assert '<label for="label_en">' in html and "km" in html  # km refers to it: listed
    assert team.get(url("edit_question", survey="mobilites", name="absente")).status_code == 404
    assert team.get(url("edit_question", survey="mobilites", name="p1")).status_code == 404  # a page, not a question


def test_it_edits_labels_hint_required_and_choices(team, built):
    response = edit(team, "voiture", **values(built, "voiture", label_fr="Possédez-vous une voiture ?", label_en="Do you own a car?",
                                              hint_fr="Y compris de société", required="yes",
                                              choices="oui | Oui | Yes\nnon | Non | No\nparfois | Partagée | Shared"))
    assert response.status_code == 302
    question = draft(built)["voiture"]
    assert question.labels == {FR: "Possédez-vous une voiture ?", EN: "Do you own a car?"}
    assert question.hints == {FR: "Y compris de société"} and question.required
    assert [c.name for c in question.choices] == ["oui", "non", "parfois"] and question.type == "select_one"


def test_invalid_input_is_refused_with_the_error_at_its_field(team, built):
    before = built.draft
    response = edit(team, "km", **values(built, "km", relevant="${voiture} = ", label_fr=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="relevant-error"' in html and 'aria-describedby="relevant-error"' in html and "Expression invalide" in html
    assert 'id="label_fr-error"' in html and 'href="#label_fr"' in html
    built.refresh_from_db()
    assert built.draft == before  # nothing written
    unknown = edit(team, "km", **values(built, "km", relevant="${absente} = 'x'"))
    assert unknown.status_code == 400 and "Question inconnue dans l&#x27;expression : absente" in unknown.content.decode()
    single = edit(team, "voiture", **values(built, "voiture", choices="oui | Oui"))
    assert single.status_code == 400 and 'id="choices-error"' in single.content.decode()
    twice = edit(team, "voiture", **values(built, "voiture", choices="oui | Oui\noui | Encore"))
    assert twice.status_code == 400 and "apparaît deux fois" in twice.content.decode()
    taken = edit(team, "km", **values(built, "km", name="voiture"))
    assert taken.status_code == 400 and 'id="name-error"' in taken.content.decode()
    assert edit(team, "km", **values(built, "km", name="profil_age")).status_code == 400  # built-in profile name


def test_bounds_of_numbers(team, built):
    assert edit(team, "km", **values(built, "km", constraint="", minimum="1", maximum="300")).status_code == 302
    assert draft(built)["km"].bounds == (1.0, 300.0) and draft(built)["km"].constraint is None
    reversed_bounds = edit(team, "km", **values(built, "km", minimum="10", maximum="2"))
    assert reversed_bounds.status_code == 400 and 'id="maximum-error"' in reversed_bounds.content.decode()
    both = edit(team, "km", **values(built, "km", constraint=". < 50", minimum="1", maximum="300"))
    assert both.status_code == 400 and 'id="minimum-error"' in both.content.decode()
    assert edit(team, "km", **values(built, "km", constraint=". <= 50", minimum="", maximum="")).status_code == 302
    assert draft(built)["km"].bounds == (None, 50.0)


def test_a_rename_updates_the_references_to_the_question(team, built):
    response = edit(team, "voiture", **values(built, "voiture", name="auto"))
    assert response.status_code == 302
    questions = draft(built)
    assert "voiture" not in questions and "auto" in questions
    assert questions["km"].relevant == "${auto} = 'oui'"
    assert questions["pourquoi"].relevant == "${auto} = 'non' and ${km} > 3"
    follow = team.get(url("builder", survey="mobilites"))
    assert follow.status_code == 200


def test_rename_in_rewrites_reference_tokens_only():
    assert editing.rename_in("${a} = 'x' and ${ab} != '${a}'", "a", "b") == "${b} = 'x' and ${ab} != '${a}'"
    assert editing.rename_in("${ a } > 1", "a", "z") == "${z} > 1"


def test_deleting_a_question_others_refer_to_is_refused(team, built):
    builder = url("builder", survey="mobilites")
    refused = team.post(builder, {"action": "delete", "item": "voiture"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "ne peut pas être supprimé" in html and "km" in html and "pourquoi" in html
    assert "voiture" in draft(built)
    assert team.post(builder, {"action": "delete", "item": "p1"}).status_code == 302  # the page and all that refers within it
    assert draft(built) == {}


def test_deleting_a_question_nothing_refers_to(team, built):
    assert team.post(url("builder", survey="mobilites"), {"action": "delete", "item": "pourquoi"}).status_code == 302
    assert set(draft(built)) == {"voiture", "km"}


def test_adding_shows_errors_at_the_field(team, built):
    response = team.post(url("builder", survey="mobilites"), {"action": "add", "type": "integer", "name": "2x", "label_fr": "",
                                                              "minimum": "5", "maximum": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="name-error"' in html and 'id="label_fr-error"' in html and 'id="maximum-error"' in html
    assert "<details open>" in html


def test_editing_a_published_survey_goes_to_the_draft_and_the_next_version(team, built):
    builder = url("builder", survey="mobilites")
    team.post(builder, {"action": "publish"})
    team.post(builder, {"action": "settings", "title_fr": "Mobilités", "status": "open", "mode": "open"})
    built.refresh_from_db()
    first, _token = services.start_response(built)
    services.store_submission(first.survey, {"voiture": "non"}, partial=first)
    response = edit(team, "voiture", **values(built, "voiture", label_fr="Possédez-vous une voiture ?"))
    assert response.status_code == 302
    built.refresh_from_db()
    published = question_map(form_from_dict(built.current_version.structure))
    assert built.current_version.number == 1 and published["voiture"].labels[FR] == "Avez-vous une voiture ?"
    assert "pas encore publiées" in team.get(builder).content.decode()
    team.post(builder, {"action": "publish"})
    built.refresh_from_db()
    assert built.current_version.number == 2
    assert question_map(form_from_dict(built.current_version.structure))["voiture"].labels[FR] == "Possédez-vous une voiture ?"
    first.refresh_from_db()
    assert first.version.number == 1  # answers keep their version
    assert "pas encore publiées" not in team.get(builder).content.decode()


def test_only_the_team_edits(client, users, built):
    client.force_login(users["facilitator"])
    assert client.get(url("edit_question", survey="mobilites", name="km")).status_code == 403
    assert client.post(url("edit_question", survey="mobilites", name="km"), {"name": "x", "label_fr": "X"}).status_code == 403
    assert "km" in draft(built)


def test_edited_choices_of_a_shared_list_get_their_own_list_and_keep_their_properties():
    from atout.consultation.forms import QuestionForm
    from atout.engine.formats.xlsform import Choice, Form, Question

    agree = [Choice("1", {FR: "Non"}, {"groupe": "a"}), Choice("2", {FR: "Oui"}, {"groupe": "b"})]
    form = Form(title="T", id="t", version=None, default_language=FR, languages=[FR], items=[
        Question(name="q1", type="select_one", list_name="accord", labels={FR: "Q1"}, choices=list(agree)),
        Question(name="q2", type="select_one", list_name="accord", labels={FR: "Q2"}, choices=list(agree)),
    ])
    edited = QuestionForm({**editing.form_values(form.items[0]), "choices": "1 | Non\n2 | Oui\n3 | Peut-être"},
                          draft=form, original=form.items[0])
    assert edited.is_valid(), edited.errors
    editing.replace_question(form, "q1", edited.question)
    question = form.items[0]
    assert question.list_name == "l_q1" and form.items[1].list_name == "accord"
    assert [c.properties for c in question.choices] == [{"groupe": "a"}, {"groupe": "b"}, {}]
    same = QuestionForm(editing.form_values(form.items[1]) | {"label_fr": "Q2 bis"}, draft=form, original=form.items[1])
    assert same.is_valid(), same.errors
    assert same.question.list_name == "accord"  # same choices: the shared list is kept


def test_the_question_form_reads_numbers_both_ways_and_puts_each_error_at_its_field():
    from atout.consultation.forms import QuestionForm
    from atout.engine.formats.xlsform import Form

    draft = Form(title="T", id="t", version=None, default_language=FR, languages=[FR], items=[])
    comma = QuestionForm({"type": "decimal", "name": "taux", "label_fr": "Taux", "minimum": "0,5", "maximum": "2.5"},
                         draft=draft)
    assert comma.is_valid(), comma.errors
    assert comma.question.bounds == (0.5, 2.5)
    bad = QuestionForm({"type": "fusée", "name": "1x", "label_fr": "", "minimum": "beaucoup", "maximum": "inf"},
                       draft=draft)
    assert not bad.is_valid()
    assert {field: errors[0] for field, errors in bad.errors.items()} == {
        "type": "Type de question inconnu.",
        "name": "Le nom doit commencer par une lettre et ne contenir que lettres, chiffres et _.",
        "label_fr": "Le libellé en français est obligatoire.",
        "minimum": "Saisissez un nombre.", "maximum": "Saisissez un nombre.",
    }
