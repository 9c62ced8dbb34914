"""Ambassadors end to end: a resident signs up and tells a story with a photo, the team moderates,
and the story appears on the public wall."""

import struct
import zlib

import pytest
from playwright.sync_api import expect

from .conftest import click_and_load, screenshot, sign_in

pytestmark = pytest.mark.browser
#: The test machine is shared: a password check under load can take several seconds.
SLOW = 90_000


def tiny_png() -> bytes:
    """A valid 2×2 orange PNG, built by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xe6\x9f\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_a_resident_becomes_ambassador_and_the_team_publishes_the_story(served_demo, browser):
    resident = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    resident.set_default_timeout(SLOW)
    page = resident.new_page()
    sign_in(page, served_demo, "habitant", "/communaute/drome/ambassadeurs/devenir/")
    page.get_by_role("textbox", name="Nom affiché").fill("Camille D.")
    page.get_by_role("combobox", name="Vous êtes").select_option("athlete")
    page.get_by_role("textbox", name="Commune").fill("Dieulefit")
    page.get_by_role("textbox", name="Pourquoi j'aime ce territoire").fill("Les falaises et les marchés.")
    page.get_by_role("checkbox", name="J'accepte que mon nom affiché").check()
    page.get_by_role("button", name="Je deviens ambassadeur").click()
    page.wait_for_url("**/ambassadeurs/recit/**")
    expect(page.get_by_text("Merci ! Votre candidature")).to_be_visible()
    page.get_by_role("textbox", name="Titre").fill("Grimper à Dieulefit")
    page.get_by_role("textbox", name="Récit").fill("Je m'entraîne ici toute l'année, à vingt minutes de la falaise.")
    page.locator("input[type=file][name=photo]").set_input_files(files=[{"name": "falaise.png", "mimeType": "image/png", "buffer": tiny_png()}])
    page.get_by_role("checkbox", name="J'accepte la publication").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "ambassador-story-phone")
    click_and_load(page, page.get_by_role("button", name="Proposer mon récit"))
    expect(page.get_by_text("sera publié après relecture")).to_be_visible()
    assert page.get_by_text("Grimper à Dieulefit").count() == 0  # not on the wall before moderation
    resident.close()

    team = browser.new_context(locale="fr-FR")
    team.set_default_timeout(SLOW)
    page = team.new_page()
    sign_in(page, served_demo, "equipe", "/communaute/drome/ambassadeurs/moderation/")
    card = page.locator("form.card").filter(has_text="Camille D.")
    click_and_load(page, card.get_by_role("button", name="Valider"))
    story = page.locator("form.card").filter(has_text="Grimper à Dieulefit")
    expect(story.get_by_text("accord de publication donné")).to_be_visible()
    screenshot(page, "ambassador-moderation")
    click_and_load(page, story.get_by_role("button", name="Publier"))
    expect(page.get_by_text("Aucun récit en attente.")).to_be_visible()
    team.close()

    visitor = browser.new_context(locale="fr-FR")
    visitor.set_default_timeout(SLOW)
    page = visitor.new_page()
    page.goto(served_demo + "/communaute/drome/ambassadeurs/")
    card = page.locator("li.story").filter(has_text="Grimper à Dieulefit")
    expect(card.get_by_text("Camille D., Sportif·ve, Dieulefit")).to_be_visible()
    image = card.get_by_role("img", name="Photo : Grimper à Dieulefit")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth === 2", arg=image.element_handle())
    counts = page.get_by_role("table", name="Par sous-territoire")
    expect(counts.locator("tbody tr")).to_have_count(5)
    screenshot(page, "ambassadors-wall")
    visitor.close()
