import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = pytest.mark.browser

CONVERSATION = "/opinion/drome/priorites-drome/"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_resident_votes_with_the_keyboard_on_a_phone(served_demo, browser, javascript):
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.goto(served_demo + CONVERSATION)
    group = page.get_by_role("group")
    first = group.locator("legend").inner_text()
    assert first.strip()
    agree = page.get_by_role("button", name="D'accord", exact=True)
    agree.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("group").locator("legend")).not_to_have_text(first)
    expect(page.locator("#progress")).to_contain_text("sur 1 affirmation(s)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"opinion-vote-phone-{'js' if javascript else 'nojs'}")
    context.close()


def test_the_opinion_map_and_its_table(served_demo, page):
    page.goto(served_demo + CONVERSATION + "carte/")
    expect(page.get_by_role("img", name="Carte des opinions")).to_be_visible()
    assert page.locator("svg polygon").count() >= 2
    table = page.get_by_role("table", name="Groupes d'opinion")
    assert table.locator("tbody tr").count() == page.locator("svg polygon").count()
    expect(page.get_by_text("Données simulées").first).to_be_visible()
    screenshot(page, "opinion-map")
