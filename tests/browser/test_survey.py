"""Answering a survey in a real browser (Chromium), on a phone, with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from .conftest import click_and_load, import_test_survey, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def served_survey(served_demo, tmp_path_factory, data_dir):
    """The test questionnaire imported, open, into the served demo's database (through the CLI)."""
    imported = import_test_survey(served_demo, tmp_path_factory, data_dir, "navigateur")
    assert imported["survey"] == "navigateur"
    return imported["url"]


def answer_the_survey(page, start_url: str, name: str, years: str) -> str:
    """Answer every page; ``years`` differs between runs (the same answers twice are a duplicate)."""
    page.goto(start_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Perception test")
    # Starting without consent: an error linked from a summary.
    click_and_load(page, page.get_by_role("button", name="Commencer"))
    expect(page.locator(".error-summary")).to_be_visible()
    page.get_by_label("J'ai lu ces informations et j'accepte de participer.").check()
    click_and_load(page, page.get_by_role("button", name="Commencer"))

    expect(page.locator(".progress-text")).to_contain_text("Page 1 sur 3")
    page.get_by_label("Oui").check()
    click_and_load(page, page.get_by_role("button", name="Suivant"))
    # The answer opens a question on the same page: shown by the server, no script needed.
    years_field = page.get_by_label("Depuis combien d'années ?")
    expect(years_field).to_be_visible()
    years_field.fill("300")
    click_and_load(page, page.get_by_role("button", name="Suivant"))
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Entre 0 et 100 ans")
    expect(page.get_by_label("Depuis combien d'années ?")).to_have_attribute("aria-invalid", "true")
    screenshot(page, f"survey-error-{name}")
    summary.get_by_role("link").first.click()
    page.get_by_label("Depuis combien d'années ?").fill(years)
    click_and_load(page, page.get_by_role("button", name="Suivant"))

    expect(page.locator(".progress-text")).to_contain_text("Page 2 sur 3")
    page.get_by_label("La nature", exact=True).check()
    page.locator("#recommande-10").check()  # the 10th option: score 9
    click_and_load(page, page.get_by_role("button", name="Suivant"))

    expect(page.locator(".progress-text")).to_contain_text("Page 3 sur 3")
    page.get_by_label("30 à 44 ans").check()
    # The commune question is a search (no list of every commune): type, search, choose.
    page.get_by_label("Votre commune de résidence").fill("valence")
    click_and_load(page, page.get_by_role("button", name="Rechercher"))
    page.get_by_role("radio", name="Valence", exact=True).check()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    receipt = page.locator("#receipt-id")
    receipt.wait_for(state="visible", timeout=60_000)  # the receipt page may still be loading after the click
    screenshot(page, f"survey-receipt-{name}")
    return receipt.inner_text()


def test_a_survey_is_answered_on_a_phone_with_javascript(served_survey, phone):
    receipt = answer_the_survey(phone, served_survey, "phone-js", "12")
    assert len(receipt) == 14


def test_a_survey_is_answered_without_javascript(served_survey, browser):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False, viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        receipt = answer_the_survey(page, served_survey, "phone-nojs", "13")
        assert len(receipt) == 14
    finally:
        context.close()
