"""The filière pages in a real browser: the list, a filière's page at 360 px wide without sideways scroll,
and the team's form refusing a wrong NAF code then saving a right one."""

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(served_demo):
    # Warm both gunicorn workers up: their first request imports every app.
    for _ in range(4):
        urllib.request.urlopen(served_demo + "/filieres/drome/", timeout=180).read()
    return served_demo


@pytest.fixture
def narrow(browser):
    """A 360 px wide phone (the narrowest width public pages must fit without sideways scroll)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_the_list_and_a_filiere_page_at_360_px(served, narrow):
    page = narrow
    page.goto(served + "/filieres/drome/")
    expect(page.get_by_role("heading", name="Filières d'excellence", level=1)).to_be_visible()
    expect(page.locator(".card")).to_have_count(6)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="Nucléaire").click()
    page.wait_for_url(re.compile(r".*/filieres/drome/nucleaire/$"))
    expect(page.get_by_role("heading", name="Nucléaire", level=1)).to_be_visible()
    expect(page.get_by_text("Élaboration et transformation de matières nucléaires")).to_be_visible()
    expect(page.get_by_text("aucun chiffre propre à la filière n'est affiché", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Compétences pour la filière nucléaire du Tricastin")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "sectors-nucleaire-360")


def test_the_team_form_refuses_a_wrong_code_then_saves(served, page):
    sign_in(page, served, "equipe", "/filieres/drome/nouvelle/")
    page.get_by_label(re.compile(r"^Nom")).fill("Bâtiment")
    page.get_by_label(re.compile(r"^Identifiant")).fill("batiment")
    page.get_by_label(re.compile(r"^Codes NAF rév\. 2")).fill("41, 42, 43, 99.99")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert").get_by_text("« 99.99 » : cette classe n'existe pas", exact=False)).to_be_visible()
    page.get_by_label(re.compile(r"^Codes NAF rév\. 2")).fill("41, 42, 43")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r".*/filieres/drome/batiment/$"))
    expect(page.get_by_text("Emplois 2022").first).to_be_visible()
    expect(page.get_by_text("secteur entier", exact=False)).to_be_visible()
    screenshot(page, "sectors-batiment")
