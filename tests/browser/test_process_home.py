
import pytest
from playwright.sync_api import expect

from .conftest import click_and_load, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_the_drome_home_page_shows_phases_and_the_map_of_subterritories(served_demo, page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served_demo + "/p/drome/")
    assert page.title().startswith("Drôme, terre d'attractivité")
    map_ = page.get_by_role("img", name="Drôme")
    expect(map_).to_be_visible()
    box = map_.bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    assert page.locator("svg path.zone").count() == 5
    expect(page.get_by_role("table").filter(has_text="Vercors / Royans")).to_be_visible()
    assert page.locator("[aria-current=step]").count() <= 1
    # Everything comes from this server: the page works offline.
    assert all(url.startswith(served_demo) for url in requests)
    screenshot(page, "process-home-desktop")


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(served_demo, page):
    page.goto(served_demo + "/p/drome/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Aller au contenu"
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_the_home_page_fits_a_phone(served_demo, phone):
    phone.goto(served_demo + "/p/drome/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone, "process-home-phone")


def test_signing_in_as_the_team_opens_the_team_space(served_demo, page):
    sign_in(page, served_demo, "equipe", "/p/drome/equipe/")
    expect(page.get_by_role("heading", name="Espace équipe")).to_be_visible()
    screenshot(page, "team-space")


def test_switching_to_english(served_demo, page):
    page.goto(served_demo + "/p/drome/")
    page.get_by_label("Langue").select_option("en")
    click_and_load(page, page.get_by_role("button", name="Changer"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Strategic axes")).to_be_visible()
