"""The commune question without JavaScript: a search box (accent-insensitive), the matches to
choose from, the answers of the page kept meanwhile — instead of a select of every commune."""

import re

import pytest

from atout.consultation import services
from atout.consultation.models import Response, Survey

from .forms import import_survey
from .test_answering import page_url, start

PROFILE = ["profil_age", "profil_sexe", "profil_commune", "profil_statut"]


@pytest.fixture
def survey(drome, tmp_path):
    return import_survey(tmp_path, drome)


def profile_page(client, survey) -> str:
    first = page_url(start(client, survey))
    second = page_url(client.post(first, {"_shown": ["habite", "annees"], "habite": "oui", "annees": "12"}))
    return page_url(client.post(second, {
        "_shown": ["atouts", "recommande", "hex_people_accueil", "hex_place_nature", "attractive"],
        "atouts": ["nature"], "recommande": "9", "hex_people_accueil": "4", "hex_place_nature": "5"}))


def radios(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="profil_commune" value="(\d+)"', html)


def test_the_commune_question_is_a_search_not_a_list_of_every_commune(client, survey, drome):
    communes = services.process_communes(drome)
    assert len(communes) > 300
    page = client.get(profile_page(client, survey)).content.decode()
    assert 'name="profil_commune__recherche"' in page and 'for="profil_commune__recherche"' in page
    assert '<select name="profil_commune"' not in page and radios(page) == []
    assert page.count("<option") < 50  # the other questions' options only, no commune list


def test_searching_ignores_accents_keeps_the_answers_and_shows_no_error_yet(client, survey):
    url = profile_page(client, survey)
    found = client.post(url, {"_shown": PROFILE, "profil_age": "30-44", "profil_commune__recherche": "etoile",
                              "action": "search"})
    html = found.content.decode()
    assert found.status_code == 200
    assert radios(html) == ["26124"] and "Étoile-sur-Rhône" in html
    assert "1 commune trouvée pour « etoile »" in html
    assert 'class="error"' not in html  # the other required questions are not answered yet: no error for a search
    assert re.search(r'value="30-44"[^>]*checked', html)  # the age band just ticked is kept
    valence = client.post(url, {"_shown": PROFILE, "profil_commune__recherche": "VALENCE", "action": "search"}).content.decode()
    # Valence first, then the names with a word starting with it (Beaumont-, Bourg-, Portes-lès-Valence…).
    assert radios(valence)[0] == "26362" and len(radios(valence)) >= 3
    assert "Bourg-lès-Valence" in valence and "Portes-lès-Valence" in valence
    nothing = client.post(url, {"_shown": PROFILE, "profil_commune__recherche": "Paris", "action": "search"}).content.decode()
    assert radios(nothing) == [] and "Aucune commune du territoire ne correspond à « Paris »" in nothing

    # Choose from the matches and go on: the response is stored with the commune, its EPCI and zone.
    final = client.post(url, {"_shown": PROFILE, "profil_age": "30-44", "profil_sexe": "F", "profil_statut": "resident",
                              "profil_commune__recherche": "etoile", "profil_commune": "26124"})
    assert final.status_code == 302 and final.url.endswith("/recu/")
    stored = Response.objects.get(survey=survey)
    assert stored.commune.code == "26124" and stored.zone is not None


def test_a_commune_typed_in_full_counts_without_the_search_step(client, survey):
    url = profile_page(client, survey)
    final = client.post(url, {"_shown": PROFILE, "profil_age": "30-44", "profil_sexe": "F", "profil_statut": "resident",
                              "profil_commune__recherche": "valence"})
    assert final.status_code == 302
    assert Response.objects.get(survey=survey).commune.code == "26362"


def test_the_one_page_layout_searches_without_storing_or_asking_for_consent(client, survey):
    survey.layout = Survey.Layout.SINGLE
    survey.save()
    url = f"/consultation/drome/q/{survey.slug}/"
    found = client.post(url, {"shown": ["habite", *PROFILE], "habite": "non", "profil_commune__recherche": "mevouillon",
                              "action": "search"})
    html = found.content.decode()
    assert found.status_code == 200 and len(radios(html)) == 1 and "Mévouillon" in html
    assert "Cochez la case pour accepter de participer." not in html and 'class="error"' not in html
    assert not Response.objects.filter(survey=survey).exists()
