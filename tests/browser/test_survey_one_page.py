"""The one-page survey layout in a real browser (Chromium): answered on a phone with and without
JavaScript, with validation errors, and checked with axe-core."""

import pytest
from playwright.sync_api import expect

from .conftest import click_and_load, import_test_survey, screenshot
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def served_one_page(served_demo, tmp_path_factory, data_dir):
    """The test questionnaire imported, open, in the one-page layout into the served demo's database."""
    imported = import_test_survey(served_demo, tmp_path_factory, data_dir, "une-page", "--layout", "single")
    assert imported["layout"] == "single"
    return imported["url"]


def answer_on_one_page(page, url: str, name: str, years: str, *, axe: bool = True) -> str:
    """``axe``: check accessibility with axe-core (a script: only with JavaScript on)."""
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Perception test")
    assert not axe or serious_violations(page) == []
    # Sent without consent and without the required answer: nothing stored, errors listed and linked.
    page.get_by_label("La nature", exact=True).check()
    click_and_load(page, page.get_by_role("button", name="Envoyer mes réponses"))
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Vos données")
    expect(summary).to_contain_text("Cette question est obligatoire.")
    expect(page.get_by_label("La nature", exact=True)).to_be_checked()  # what was answered stays
    assert not axe or serious_violations(page) == []
    screenshot(page, f"one-page-errors-{name}")
    page.get_by_label("J'ai lu les informations sur mes données et j'accepte de participer.").check()
    page.get_by_label("Oui").check()
    click_and_load(page, page.get_by_role("button", name="Envoyer mes réponses"))
    # The answer opened a question: shown by the server before anything is stored.
    years_field = page.get_by_label("Depuis combien d'années ?")
    expect(years_field).to_be_visible()
    expect(page.locator(".notice")).to_contain_text("ouvrent d'autres questions")
    years_field.fill(years)
    page.locator("#recommande-10").check()
    page.get_by_label("30 à 44 ans").check()
    # The commune question is a search (no list of every commune): type, search, choose.
    page.get_by_label("Votre commune de résidence").fill("valence")
    click_and_load(page, page.get_by_role("button", name="Rechercher"))
    page.get_by_role("radio", name="Valence", exact=True).check()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    receipt = page.locator("#receipt-id")
    receipt.wait_for(state="visible", timeout=60_000)
    screenshot(page, f"one-page-receipt-{name}")
    return receipt.inner_text()


def test_the_one_page_layout_is_answered_on_a_phone_with_javascript(served_one_page, phone):
    assert len(answer_on_one_page(phone, served_one_page, "phone-js", "21")) == 14


def test_the_one_page_layout_is_answered_without_javascript(served_one_page, browser):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False, viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        assert len(answer_on_one_page(page, served_one_page, "phone-nojs", "22", axe=False)) == 14
    finally:
        context.close()
