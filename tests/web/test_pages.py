import pytest
from django.test import Client
from django.urls import path, reverse

from atout.core import access


@access.public
def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken)]


def test_the_process_home_highlights_the_current_phase_and_draws_the_zones(client, drome):
    response = client.get(reverse("processes:home", kwargs={"slug": "drome"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('aria-current="step"') == (1 if drome.current_phase() else 0)
    for zone in drome.subterritories.all():
        assert f"<title>{zone.name}</title>" in html.replace("&#x27;", "'")
    assert "Attractivité" in html and "Proximité" in html and "Inventivité" in html
    assert "données de la carte" in html  # the accessible table beside the map


def test_pages_are_french_first_and_english_on_request(client, db):
    assert 'lang="fr"' in client.get("/").content.decode()
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Attractiveness processes" in html and "Skip to content" in html


def test_the_language_switch_sets_english(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/p/drome/"})
    assert response.status_code == 302
    assert "Current stage" in client.get("/p/drome/").content.decode() or "Stages of the process" in client.get("/p/drome/").content.decode()


def test_an_unknown_page_gets_the_friendly_404(client, db):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_an_unknown_process_is_a_404_not_an_error(client, db):
    assert client.get("/p/inconnue/").status_code == 404


@pytest.mark.urls("tests.web.test_pages")
def test_a_crash_gets_the_friendly_500_page(db, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "Erreur interne" in response.content.decode()
    assert "boom" not in response.content.decode()


def test_the_territory_page_shows_population_with_its_source(client, db):
    html = client.get(reverse("territories:detail", kwargs={"key": "epci:200068781"})).content.decode()
    assert "CA Valence Romans Agglo" in html and "populations légales 2023" in html
    # its communes in French order: Étoile-sur-Rhône among the E, before Valence
    assert html.index(">Chabeuil<") < html.index(">Étoile-sur-Rhône<") < html.index(">Valence<")

handler500 = "atout.web.views.server_error"


def test_a_form_only_address_gets_a_friendly_405(client, drome):
    response = client.get(reverse("opinion:propose", kwargs={"slug": "drome", "conversation": "priorites-drome"}))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "Action non permise" in response.content.decode()
