"""The one-page layout: consent and every question on one page, the whole response stored by
one request (Django test client, plain forms, no JavaScript)."""

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse

from atout.consultation import receipts
from atout.consultation.models import Answer, Invitation, Quota, RateBucket, Response, Survey
from atout.consultation.services import create_invitations

from .forms import import_survey

SHOWN = ["habite", "atouts", "recommande", "hex_people_accueil", "hex_place_nature", "attractive",
         "profil_age", "profil_sexe", "profil_commune", "profil_statut"]


@pytest.fixture
def survey(drome, tmp_path):
    found = import_survey(tmp_path, drome)
    found.layout = Survey.Layout.SINGLE
    found.save()
    return found


def url(survey):
    return reverse("consultation:start", kwargs={"slug": survey.process.slug, "survey": survey.slug})


def whole(**changes):
    data = {"shown": SHOWN, "consent": "yes", "habite": "non", "atouts": ["nature", "climat"], "recommande": "9",
            "hex_people_accueil": "4", "hex_place_nature": "5", "attractive": "Les paysages",
            "profil_age": "30-44", "profil_sexe": "F", "profil_commune": "26362", "profil_statut": "resident"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_page_holds_consent_and_every_question_asked_at_first(client, survey):
    html = client.get(url(survey)).content.decode()
    assert "Responsable du traitement" in html and 'name="consent"' in html
    for name in ["habite", "atouts", "recommande", "profil_commune__recherche"]:  # the commune question is a search
        assert f'name="{name}"' in html
    assert 'name="annees"' not in html  # opened by an answer only
    assert html.count('name="shown"') == len(SHOWN)


def test_one_request_stores_the_whole_response_and_answers_with_the_receipt(client, survey):
    response = client.post(url(survey), whole())
    assert response.status_code == 200, response.content[:1000]
    stored = Response.objects.get(survey=survey)
    assert stored.status == "submitted" and stored.consent_at is not None and stored.resume_hash is None
    assert (stored.age_band, stored.sex, stored.profile_status) == ("30-44", "F", "resident")
    assert stored.commune.code == "26362" and stored.zone is not None and stored.epci is not None
    assert sorted(Answer.objects.filter(response=stored, question="atouts").values_list("choice", flat=True)) == ["climat", "nature"]
    assert Answer.objects.get(response=stored, question="recommande").number == 9
    assert stored.receipt in response.content.decode()


def test_without_consent_nothing_is_stored_and_the_answers_are_kept_on_the_page(client, survey):
    response = client.post(url(survey), whole(consent=None))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#consent"' in html and 'aria-describedby="consent-error"' in html
    assert re.search(r'name="attractive"[^>]*(value="Les paysages"|>Les paysages</textarea>)', html)
    assert not Response.objects.filter(survey=survey).exists()


def test_errors_are_shown_at_each_field_and_nothing_is_stored(client, survey):
    response = client.post(url(survey), whole(habite=None, recommande="12"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#q-habite"' in html and 'href="#q-recommande"' in html
    assert "Cette question est obligatoire." in html
    assert 'checked' in html  # the other answers are kept
    assert not Response.objects.filter(survey=survey).exists()


def test_a_question_opened_by_an_answer_is_shown_before_storing(client, survey):
    response = client.post(url(survey), whole(habite="oui"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="annees"' in html and "ouvrent d'autres questions" in html
    assert not Response.objects.filter(survey=survey).exists()
    shown = re.findall(r'name="shown" value="([^"]+)"', html)
    assert "annees" in shown
    stored = client.post(url(survey), whole(habite="oui", annees="12", shown=shown))
    assert stored.status_code == 200
    assert Answer.objects.get(question="annees").number == 12


def test_an_answer_to_a_question_not_asked_is_not_stored(client, survey):
    assert client.post(url(survey), whole(habite="non", annees="12", shown=[*SHOWN, "annees"])).status_code == 200
    assert not Answer.objects.filter(question="annees").exists()


def test_the_honeypot_the_rate_limit_and_duplicates(client, survey):
    assert client.post(url(survey), whole(site_web="http://spam.example")).status_code == 400
    assert not Response.objects.filter(survey=survey).exists()
    survey.rate_limit = 2
    survey.save()
    assert client.post(url(survey), whole()).status_code == 200
    assert client.post(url(survey), whole()).status_code == 409  # the same answers again: a duplicate
    assert client.post(url(survey), whole(attractive="Autre chose")).status_code == 429
    assert Response.objects.filter(survey=survey, status="submitted").count() == 1
    bucket = RateBucket.objects.get()
    assert bucket.count == 3 and "127.0.0.1" not in bucket.key


def test_an_invitation_serves_once(client, survey):
    survey.mode = "invitation"
    survey.save()
    assert client.get(url(survey)).status_code == 403
    token = create_invitations(survey, 1)[0]
    link = reverse("consultation:invitation", kwargs={"slug": "drome", "survey": survey.slug, "token": token})
    assert 'name="consent"' in client.get(link).content.decode()
    assert client.post(link, whole()).status_code == 200
    invitation = Invitation.objects.get(survey=survey)
    assert invitation.used_at is not None and invitation.response.status == "submitted"
    assert client.get(link).status_code == 410


def test_a_closed_survey_stores_nothing(client, survey):
    survey.status = "closed"
    survey.save()
    assert "clos" in client.post(url(survey), whole()).content.decode().lower()
    assert not Response.objects.filter(survey=survey).exists()


# The acknowledgement is filled in from a page rendered once (consultation.receipts): it must be the
# page the template renders for that receipt, in each language, and never serve a signed-in person.
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
RECEIPT_ID = re.compile(r'id="receipt-id">([A-Z0-9-]+)<')


def _rendered(response, survey, language):
    stored = Response.objects.get(receipt=RECEIPT_ID.search(response.content.decode())[1])
    page = render_to_string("consultation/receipt.html", receipts.context(survey, stored, language),
                            request=response.wsgi_request)
    return CSRF_INPUT.sub("CSRF", page), stored


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_acknowledgement_is_the_receipt_page_rendered_for_it(client, survey, language):
    client.cookies["django_language"] = language
    for attractive in ("Les paysages", "Le climat", "Les villages"):  # the first renders the kept page
        response = client.post(url(survey), whole(attractive=attractive))
        assert response.status_code == 200
        page = response.content.decode()
        expected, stored = _rendered(response, survey, language)
        assert CSRF_INPUT.sub("CSRF", page) == expected
        assert stored.receipt in page and "\x00" not in page and page.count("csrfmiddlewaretoken") == 1
        assert f'<html lang="{language}">' in page


def test_a_new_title_or_a_signed_in_respondent_gets_a_page_of_its_own(client, survey, users):
    assert client.post(url(survey), whole()).status_code == 200
    survey.title_fr = "Votre avis sur la Drôme, deuxième vague"
    survey.save()
    page = client.post(url(survey), whole(attractive="Le climat")).content.decode()
    assert "deuxième vague" in page
    client.force_login(users["participant"])
    response = client.post(url(survey), whole(attractive="Les villages"))
    page = response.content.decode()
    assert "Se déconnecter" in page and "Se connecter<" not in page
    assert CSRF_INPUT.sub("CSRF", page).count("CSRF") == 2  # the sign-out and the language forms
    assert Response.objects.get(receipt=RECEIPT_ID.search(page)[1]).user == users["participant"]


# The public one-page submission on PostgreSQL is one statement (services._store_in_one_statement);
# elsewhere, and with an invitation or a closing quota, it takes the ORM steps (services._store).
# Both store the same rows: tests/consultation/test_storage_paths.py.
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement path is PostgreSQL's")


@on_postgresql
def test_a_public_submission_costs_two_statements(client, survey, django_assert_num_queries):
    """The throughput of the one-page layout (bench/submissions_load.py) rests on this count: the
    survey read with its process, then the statement storing the response (both prepared)."""
    client.get(url(survey))
    with django_assert_num_queries(2) as queries:
        assert client.post(url(survey), whole()).status_code == 200
    assert queries.captured_queries[-1]["sql"].startswith("WITH bump AS")
    assert Answer.objects.filter(response__survey=survey).count() == 11


@on_postgresql
def test_a_closing_quota_or_an_invitation_takes_the_locked_steps(client, survey):
    Quota.objects.create(survey=survey, cell={"age_band": "30-44"}, key="age_band=30-44", target=1,
                         close_when_full=True)
    assert client.post(url(survey), whole()).status_code == 200
    assert "toutes les réponses prévues" in client.post(url(survey), whole(attractive="Autre")).content.decode()
    assert list(Response.objects.filter(survey=survey).values_list("status", flat=True).order_by("id")) == [
        "submitted", "screened_out"]
