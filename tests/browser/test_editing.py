"""The team edits an action (with a place found by the search) and a KPI by clicking, in Chromium, on the
served demo — without the admin, and the place search works without JavaScript (a GET form)."""

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from .conftest import click_and_load, screenshot, sign_in

pytestmark = pytest.mark.browser

#: Milliseconds: the machine running the suite may be shared and loaded.
SLOW = 120_000


@pytest.fixture(scope="module")
def served_plan(served_demo):
    """The served demo, which holds the example plan. Not `atout actions demo` again: it recreates the plan,
    which unlinks the filières' actions other browser tests on the same server look for."""
    for _ in range(4):  # warm both workers up: their first request imports every app
        urllib.request.urlopen(served_demo + "/actions/drome/", timeout=180).read()
    return served_demo


def test_the_team_edits_an_action_and_a_kpi_by_clicking(served_plan, page):
    page.set_default_timeout(SLOW)
    sign_in(page, served_plan, "equipe", "/p/drome/equipe/")
    # From the team space to the plan, then to an action.
    expect(page.get_by_role("link", name="Ajouter une action au plan")).to_be_visible()
    page.goto(served_plan + "/actions/drome/action/P1.2/")
    page.get_by_role("link", name="Modifier l'action").click()
    page.wait_for_url(re.compile(".*/actions/drome/action/P1.2/modifier/$"))
    assert page.locator("input[name=subterritories]").count() < 20  # never the 36,000 communes

    # Find a commune without accents, as a phone keyboard would type it.
    page.get_by_label("Chercher une commune ou un EPCI (nom ou code)").fill("chatillon en diois")
    page.get_by_role("button", name="Chercher").click()
    page.wait_for_url(re.compile(r".*\?q=chatillon\+en\+diois$"))
    page.get_by_label(re.compile("Châtillon-en-Diois")).check()
    page.get_by_label("Intitulé").fill("Bus des services publics du Vercors et du Diois")
    screenshot(page, "editing-action")
    page.get_by_role("button", name="Enregistrer l'action").click()
    page.wait_for_url(re.compile(".*/actions/drome/action/P1.2/$"))
    expect(page.get_by_text("Action enregistrée.")).to_be_visible()
    expect(page.get_by_role("heading", name="Bus des services publics du Vercors et du Diois", level=1)).to_be_visible()
    expect(page.get_by_text("Châtillon-en-Diois").first).to_be_visible()

    # A KPI of the employment programme: its target, from the action page.
    page.goto(served_plan + "/actions/drome/action/A1/")
    page.locator("summary", has_text="Mesurer").first.click()
    page.get_by_role("link", name=re.compile("^Modifier la référence, la cible")).first.click()
    page.wait_for_url(re.compile(r".*/actions/drome/indicateur/\d+/modifier/$"))
    page.get_by_label(re.compile("^Cible")).fill("71")
    page.get_by_role("button", name="Enregistrer l'indicateur").click()
    page.wait_for_url(re.compile(".*/actions/drome/action/A1/#indicateurs$"))
    expect(page.get_by_text("Indicateur de suivi enregistré.")).to_be_visible()
    expect(page.locator("table", has_text="Indicateurs de l'action").get_by_text("71 (2030)")).to_be_visible()

    # A wrong year is refused with the field named, nothing saved.
    page.locator("summary", has_text="Mesurer").first.click()
    page.get_by_role("link", name=re.compile("^Modifier la référence, la cible")).first.click()
    page.get_by_label("Année cible").fill("2000")
    click_and_load(page, page.get_by_role("button", name="Enregistrer l'indicateur"))
    expect(page.get_by_text("L'année cible doit suivre l'année de référence.")).to_be_visible()
