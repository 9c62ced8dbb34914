"""The back office's forms (consultation/forms.py): every problem shown beside its field (and in the
summary), in French or English, what was typed kept, nothing changed until the whole form is valid."""

import re

import pytest
from django.urls import reverse

from atout.consultation.models import Invitation, Survey

from .forms import import_survey


@pytest.fixture
def team(client, users):
    client.force_login(users["team"])
    return client


@pytest.fixture
def survey(drome, tmp_path):
    return import_survey(tmp_path, drome)


def url(name, survey=None):
    return reverse(f"consultation:{name}", kwargs={"slug": "drome", **({"survey": survey.slug} if survey else {})})


def at_field(html: str, field: str, message: str) -> bool:
    """Whether ``message`` is shown beside ``field`` and the field points to it."""
    return (re.search(rf'id="{field}-error">(<span[^>]*>[^<]*</span>)?\s*{re.escape(message)}', html) is not None
            and f'aria-describedby="{field}-error"' in html)


def test_settings_errors_are_at_their_field_and_nothing_is_saved(team, survey):
    response = team.post(url("builder", survey), {"action": "settings", "title_fr": "Autre titre", "status": "open",
                                                  "retention_until": "2025-13-45", "layout": "roulette"})
    assert response.status_code == 400
    html = response.content.decode()
    assert at_field(html, "retention_until", "Date de conservation invalide (AAAA-MM-JJ).")
    assert 'id="layout-error"' in html and 'value="Autre titre"' in html  # what was typed stays
    survey.refresh_from_db()
    assert survey.title_fr == "Perception test"
    team.cookies["django_language"] = "en"
    english = team.post(url("builder", survey), {"action": "settings", "retention_until": "demain"}).content.decode()
    assert at_field(english, "retention_until", "Invalid retention date (YYYY-MM-DD).")


def test_a_page_name_already_used_is_refused_at_its_field(team, survey):
    response = team.post(url("builder", survey), {"action": "page", "page_name": "vous", "page_label": "Encore"})
    assert response.status_code == 400
    assert at_field(response.content.decode(), "page_name", "Le nom « vous » est déjà utilisé.")


def test_a_new_survey_needs_a_free_identifier(team, survey):
    response = team.post(url("list"), {"title": "Doublon", "new_slug": survey.slug})
    assert response.status_code == 400
    assert at_field(response.content.decode(), "new_slug", f"L&#x27;identifiant « {survey.slug} » est déjà pris.")
    assert Survey.objects.filter(slug=survey.slug).count() == 1


def test_invitations_are_counted_between_1_and_10000(team, survey):
    response = team.post(url("invitations", survey), {"count": "0", "label": "experts"})
    assert response.status_code == 400
    html = response.content.decode()
    assert at_field(html, "count", "Entre 1 et 10 000 invitations à la fois.") and 'value="experts"' in html
    assert not Invitation.objects.filter(survey=survey).exists()


def test_quota_errors_are_at_their_field_and_choices_are_kept(team, survey):
    refused = team.post(url("quotas", survey), {"action": "add", "age_band": "12-14", "sex": "F", "target": "-3"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert at_field(html, "target", "L&#x27;objectif doit être un nombre entier positif.")
    assert '<option value="F" selected>' in html
    unknown = team.post(url("quotas", survey), {"action": "add", "age_band": "12-14", "target": "5"}).content.decode()
    assert at_field(unknown, "cell-age_band", "Catégorie inconnue pour Tranche d&#x27;âge : 12-14.")
    generated = team.post(url("quotas", survey), {"action": "generate", "variables": "age_band", "total": "0"})
    assert generated.status_code == 400
    assert at_field(generated.content.decode(), "total", "La taille d&#x27;échantillon doit être un nombre entier positif.")
    assert not survey.quotas.exists()


def test_weighting_errors_are_at_their_field(team, survey):
    missing = team.post(url("weighting", survey), {})
    assert missing.status_code == 400
    assert at_field(missing.content.decode(), "margins", "Choisissez un fichier de marges.")
    empty = team.post(url("weighting", survey), {"action": "insee"})
    assert empty.status_code == 400
    assert 'id="variables-error"' in empty.content.decode() and "au moins une variable" in empty.content.decode()
