"""Ambassadors end to end: a resident signs up and tells a story with a photo, the team moderates,
and the story appears on the public wall."""

import struct
import zlib

import pytest

from .conftest import screenshot

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


def sign_in(page, base, username, password, then):
    page.goto(base + "/connexion/?next=" + then)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    page.wait_for_url("**" + then)


def test_a_resident_becomes_ambassador_and_the_team_publishes_the_story(served_demo, browser):
    resident = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    resident.set_default_timeout(SLOW)
    page = resident.new_page()
    sign_in(page, served_demo, "habitant", "demo-habitant-drome", "/communaute/drome/ambassadeurs/devenir/")
    page.get_by_role("textbox", name="Nom affiché").fill("Camille D.")
    page.get_by_role("combobox", name="Vous êtes").select_option("athlete")
    page.get_by_role("textbox", name="Commune").fill("Dieulefit")
    page.get_by_role("textbox", name="Pourquoi j'aime ce territoire").fill("Les falaises et les marchés.")
    page.get_by_role("checkbox", name="J'accepte que mon nom affiché").check()
    page.get_by_role("button", name="Je deviens ambassadeur").click()
    page.wait_for_load_state()
    assert "/ambassadeurs/recit/" in page.url
    assert page.get_by_text("Merci ! Votre candidature").is_visible()
    page.get_by_role("textbox", name="Titre").fill("Grimper à Dieulefit")
    page.get_by_role("textbox", name="Récit").fill("Je m'entraîne ici toute l'année, à vingt minutes de la falaise.")
    page.locator("input[type=file][name=photo]").set_input_files(files=[{"name": "falaise.png", "mimeType": "image/png", "buffer": tiny_png()}])
    page.get_by_role("checkbox", name="J'accepte la publication").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "ambassador-story-phone")
    page.get_by_role("button", name="Proposer mon récit").click()
    page.wait_for_load_state()
    assert page.get_by_text("sera publié après relecture").is_visible()
    assert page.get_by_text("Grimper à Dieulefit").count() == 0  # not on the wall before moderation
    resident.close()

    team = browser.new_context(locale="fr-FR")
    team.set_default_timeout(SLOW)
    page = team.new_page()
    sign_in(page, served_demo, "equipe", "demo-equipe-drome", "/communaute/drome/ambassadeurs/moderation/")
    card = page.locator("form.card").filter(has_text="Camille D.")
    card.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()
    story = page.locator("form.card").filter(has_text="Grimper à Dieulefit")
    assert story.get_by_text("accord de publication donné").is_visible()
    screenshot(page, "ambassador-moderation")
    story.get_by_role("button", name="Publier").click()
    page.wait_for_load_state()
    assert page.get_by_text("Aucun récit en attente.").is_visible()
    team.close()

    visitor = browser.new_context(locale="fr-FR")
    visitor.set_default_timeout(SLOW)
    page = visitor.new_page()
    page.goto(served_demo + "/communaute/drome/ambassadeurs/")
    card = page.locator("li.story").filter(has_text="Grimper à Dieulefit")
    assert card.get_by_text("Camille D., Sportif·ve, Dieulefit").is_visible()
    image = card.get_by_role("img", name="Photo : Grimper à Dieulefit")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth === 2", arg=image.element_handle())
    counts = page.get_by_role("table", name="Par sous-territoire")
    assert counts.locator("tbody tr").count() == 5
    screenshot(page, "ambassadors-wall")
    visitor.close()
