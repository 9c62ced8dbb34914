"""Themes a team can read: the detail page shows the analysed texts and the quotes (survey answers
included), each theme has a French label the team can change there, the run says in words what was
analysed, and the report quotes texts for every theme."""

import pytest
from django.urls import reverse

from atout.engine import theme_labels
from atout.fieldwork import themeruns
from atout.fieldwork.models import ThemeAssignment, ThemeRun
from atout.strategy.demo import THEMES_LABEL


@pytest.fixture
def survey_run(drome):
    return ThemeRun.objects.get(process=drome, label=THEMES_LABEL, status=ThemeRun.Status.DONE)


def test_keyword_lists_become_short_french_phrases_and_human_labels_stay():
    assert theme_labels.readable_label(["logement", "saisonnier", "loyer", "prix"]) == "Logement, saisonnier et loyer"
    assert theme_labels.readable_label([], "vote blanc, vote, impôt") == "Vote blanc et impôt"
    assert theme_labels.readable_label(["train"]) == "Train"
    assert theme_labels.is_keyword_list("logement, loyer", ["logement", "loyer", "prix"])
    assert theme_labels.is_keyword_list("Vote blanc, impôt", ["vote blanc", "impôt"])
    assert not theme_labels.is_keyword_list("Se loger quand on est saisonnier", ["logement", "saisonnier"])
    assert themeruns.display_label("Se loger l'été", ["logement"]) == "Se loger l'été"
    assert themeruns.display_label("écoles, médecin", ["médecin", "écoles"]) == "Écoles et médecin"


def test_parameters_and_edits_are_said_in_words():
    text = theme_labels.describe_run({"k": None, "seed": 0, "batches": None, "transcripts": True}, k=7, texts=120)
    assert text == ("Analyse automatique de toutes les contributions importées, les paragraphes des comptes rendus "
                    "de terrain (120 textes) ; nombre de thèmes choisi automatiquement : 7 ; tirage n° 0, qui rend "
                    "le résultat reproductible.")
    assert "fixé à 5" in theme_labels.describe_run({"k": 5, "seed": 1, "batches": [3], "transcripts": False})
    assert theme_labels.describe_edit({"action": "merge", "themes": [3, 4], "into": 3}, {3: "Eau"}) == \
        "Thèmes 4 fusionnés dans le thème 3 « Eau »."
    assert theme_labels.describe_edit({"action": "move", "answers": ["a1", "a2"], "to": None}) == \
        "2 textes déplacés hors de tout thème."


def test_stored_themes_carry_readable_labels(survey_run):
    for theme in survey_run.themes.all():
        assert theme.label == theme_labels.readable_label(theme.terms, ", ".join(theme.terms[:3])) or \
            not theme_labels.is_keyword_list(theme.label, theme.terms)
        assert theme.label[0].isupper() and ", " not in theme.label.split(" et ")[-1]


def test_the_detail_page_shows_the_answers_and_quotes_of_a_survey_run(client, users, survey_run):
    theme = survey_run.themes.order_by("-size").first()
    url = reverse("fieldwork:theme", kwargs={"slug": "drome", "run": survey_run.pk, "theme": theme.number})
    client.force_login(users["team"])
    page = client.get(url).content.decode()
    units = list(ThemeAssignment.objects.filter(theme=theme).values_list("unit", flat=True)[:300])
    texts = themeruns.unit_texts(units)
    assert len(texts) == len(units) > 0 and all(u.startswith("a") for u in units)
    shown = [t for t in texts.values() if t["text"][:40].replace("'", "&#x27;") in page]
    assert len(shown) == len(units)
    assert all("Perception" in t["origin"] or "—" in t["origin"] for t in texts.values())
    for quote in theme.quotes:
        assert f"« {quote}".replace("'", "&#x27;") in page
    assert 'id="theme-label"' in page
    run_page = client.get(survey_run.get_absolute_url()).content.decode()
    assert "Paramètres" not in run_page and "{&#x27;" not in run_page
    assert "réponses ouvertes du questionnaire" in run_page


def test_the_team_renames_a_theme_on_its_page(client, users, survey_run):
    theme = survey_run.themes.first()
    edit = reverse("fieldwork:theme_edit", kwargs={"slug": "drome", "run": survey_run.pk})
    client.force_login(users["team"])
    response = client.post(edit, {"action": "rename", "theme": theme.number, "label": "Le calme des villages",
                                  "back": theme.number})
    assert response.status_code == 302 and response["Location"].endswith(f"/{survey_run.pk}/{theme.number}/")
    assert survey_run.themes.get(number=theme.number).label == "Le calme des villages"
    survey_run.refresh_from_db()
    assert themeruns.history_in_words(survey_run)[-1].startswith(f"Thème {theme.number} renommé")
    empty = client.post(edit, {"action": "rename", "theme": theme.number, "label": "  ", "back": theme.number}, follow=True)
    assert "le libellé ne peut pas être vide" in empty.content.decode()
    client.force_login(users["facilitator"])
    assert client.post(edit, {"action": "rename", "theme": theme.number, "label": "x"}).status_code == 403


def test_the_report_quotes_texts_for_every_theme(drome, survey_run):
    from atout.reports.content import themes

    section = themes(drome)
    assert section["run"].pk == survey_run.pk
    assert section["rows"] and all(row["quotes"] for row in section["rows"])
    assert "réponses ouvertes du questionnaire" in section["description"]
