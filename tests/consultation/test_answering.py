"""Answering a survey end to end through the Django test client (plain forms, no JavaScript)."""

import re

import pytest
from django.urls import reverse

from atout.consultation.models import Answer, Invitation, RateBucket, Response
from atout.consultation.services import create_invitations

from .forms import import_survey


@pytest.fixture
def survey(drome, tmp_path):
    return import_survey(tmp_path, drome)


def start(client, survey, data=None):
    url = reverse("consultation:start", kwargs={"slug": survey.process.slug, "survey": survey.slug})
    return client.post(url, data if data is not None else {"consent": "yes"})


def page_url(response):
    assert response.status_code == 302, response.content[:500]
    return response.url


def answer_all(client, survey, *, habite="oui", years="12"):
    first = page_url(start(client, survey))
    second = page_url(client.post(first, {"_shown": ["habite", "annees"], "habite": habite, "annees": years}))
    third = page_url(client.post(second, {
        "_shown": ["atouts", "recommande", "hex_people_accueil", "hex_place_nature", "attractive"],
        "atouts": ["nature", "climat"], "recommande": "9", "hex_people_accueil": "4", "hex_place_nature": "5",
        "attractive": "Les paysages",
    }))
    return client.post(third, {"_shown": ["profil_age", "profil_sexe", "profil_commune", "profil_statut"],
                               "profil_age": "30-44", "profil_sexe": "F", "profil_commune": "26362", "profil_statut": "resident"})


def test_it_shows_the_consent_page(client, survey):
    response = client.get(reverse("consultation:start", kwargs={"slug": "drome", "survey": survey.slug}))
    assert response.status_code == 200
    assert "Responsable du traitement" in response.content.decode()


def test_it_refuses_to_start_without_consent(client, survey):
    response = start(client, survey, {})
    assert response.status_code == 400
    assert 'aria-describedby="consent-error"' in response.content.decode()
    assert not Response.objects.filter(survey=survey).exists()


def test_it_stores_a_full_response_with_its_profile_and_a_receipt(client, survey):
    final = answer_all(client, survey)
    assert final.status_code == 302 and final.url.endswith("/recu/")
    stored = Response.objects.get(survey=survey)
    assert stored.status == "submitted" and stored.consent_at is not None
    assert (stored.age_band, stored.sex, stored.profile_status) == ("30-44", "F", "resident")
    assert stored.commune.code == "26362" and stored.zone is not None and stored.epci is not None
    assert sorted(Answer.objects.filter(response=stored, question="atouts").values_list("choice", flat=True)) == ["climat", "nature"]
    assert Answer.objects.get(response=stored, question="annees").number == 12
    receipt = client.get(final.url).content.decode()
    assert stored.receipt in receipt


def test_validation_errors_are_shown_at_each_field_and_in_a_summary(client, survey):
    first = page_url(start(client, survey))
    response = client.post(first, {"_shown": ["habite", "annees"], "habite": "oui", "annees": "300"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Entre 0 et 100 ans" in html
    assert 'id="annees-error"' in html and 'aria-describedby="annees-error"' in html
    assert 'class="error-summary"' in html and 'href="#q-annees"' in html
    assert Response.objects.get(survey=survey).progress.get("annees") is None


def test_a_required_question_left_empty_is_an_error(client, survey):
    first = page_url(start(client, survey))
    response = client.post(first, {"_shown": ["habite"]})
    assert response.status_code == 400
    assert "Cette question est obligatoire." in response.content.decode()


def test_a_question_opened_by_an_answer_on_the_same_page_is_shown_before_moving_on(client, survey):
    first = page_url(start(client, survey))
    response = client.post(first, {"_shown": ["habite"], "habite": "oui"})
    assert response.status_code == 200
    assert 'name="annees"' in response.content.decode()


def test_irrelevant_questions_are_skipped_and_not_stored(client, survey):
    final = answer_all(client, survey, habite="non", years="")
    assert final.status_code == 302
    stored = Response.objects.get(survey=survey)
    assert not Answer.objects.filter(response=stored, question="annees").exists()
    assert Answer.objects.filter(response=stored, question="habite").get().choice == "non"


def test_a_choice_not_offered_is_refused(client, survey):
    first = page_url(start(client, survey))
    response = client.post(first, {"_shown": ["habite"], "habite": "peut-etre"})
    assert response.status_code == 400
    assert "Choisissez une des réponses proposées." in response.content.decode()


def test_the_resume_link_brings_the_respondent_back(client, survey):
    first = page_url(start(client, survey))
    client.post(first, {"_shown": ["habite", "annees"], "habite": "oui", "annees": "5", "action": "later"})
    resume = re.sub(r"page/1/$", "", first)
    assert client.get(resume).url == first
    assert 'value="5"' in client.get(first).content.decode()


def test_a_closed_survey_shows_a_friendly_page(client, survey):
    survey.status = "closed"
    survey.save()
    response = client.get(reverse("consultation:start", kwargs={"slug": "drome", "survey": survey.slug}))
    assert response.status_code == 200
    assert "est clos" in response.content.decode()
    assert start(client, survey).status_code == 200
    assert not Response.objects.filter(survey=survey).exists()


def test_the_honeypot_stores_nothing(client, survey):
    response = start(client, survey, {"consent": "yes", "site_web": "http://spam.example"})
    assert response.status_code == 400
    assert not Response.objects.filter(survey=survey).exists()


def test_starts_are_rate_limited_on_a_hashed_address(client, survey):
    survey.rate_limit = 2
    survey.save()
    assert start(client, survey).status_code == 302
    assert start(client, survey).status_code == 302
    assert start(client, survey).status_code == 429
    assert Response.objects.filter(survey=survey).count() == 2
    bucket = RateBucket.objects.get()
    assert "127.0.0.1" not in bucket.key and len(bucket.key) == 64


def test_the_same_answers_twice_from_one_address_are_a_duplicate(client, survey):
    assert answer_all(client, survey).status_code == 302
    second = answer_all(client, survey)
    assert second.status_code == 409
    assert Response.objects.filter(survey=survey, status="submitted").count() == 1


def test_an_invitation_link_serves_once(client, survey):
    survey.mode = "invitation"
    survey.save()
    assert start(client, survey).status_code == 403
    token = create_invitations(survey, 1)[0]
    url = reverse("consultation:invitation", kwargs={"slug": "drome", "survey": survey.slug, "token": token})
    assert client.get(url).status_code == 200
    first = page_url(client.post(url, {"consent": "yes"}))
    assert client.get(url).status_code == 410  # already started
    second = page_url(client.post(first, {"_shown": ["habite"], "habite": "non"}))
    shown = ["atouts", "recommande", "hex_people_accueil", "hex_place_nature", "attractive"]
    third = page_url(client.post(second, {"_shown": shown, "recommande": "7"}))
    assert client.post(third, {"_shown": ["profil_age"]}).status_code == 302
    invitation = Invitation.objects.get(survey=survey)
    assert invitation.used_at is not None and invitation.response.status == "submitted"
    assert client.get(url).status_code == 410
    bad = reverse("consultation:invitation", kwargs={"slug": "drome", "survey": survey.slug, "token": "nope"})
    assert client.get(bad).status_code == 404


# A failure while storing (connection lost after the answer rows were written, before the commit)
# is tested with a real fault in test_load_short.py::test_a_connection_lost_while_storing_gives_a_503_and_stores_nothing.
