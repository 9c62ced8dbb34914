"""A facilitator codes an excerpt of a simulated transcript with the keyboard only, in Chromium,
on the served demo — and the pages work without JavaScript."""

import subprocess

import pytest
from playwright.sync_api import expect

from .conftest import BIN, screenshot

pytestmark = pytest.mark.browser

#: Milliseconds: the machine running the suite may be shared and loaded.
SLOW = 120_000
PREPARE = ("from atout.fieldwork import demo; from atout.processes.models import Process; "
           "demo.prepare(Process.objects.get(slug='drome'), with_lille=False)")


@pytest.fixture(scope="module")
def fieldwork_demo(served_demo, served_env):
    # The fieldwork step may not be in the demo's steps yet: prepare it on the served database.
    subprocess.run([str(BIN / "atout"), "shell", "-c", PREPARE], env=served_env, check=True, capture_output=True)
    return served_demo


def tab_to(page, element_id: str, limit: int = 400) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"#{element_id} never received the focus with Tab")


def tab_to_link(page, text: str, limit: int = 200) -> None:
    """Press Tab until the focused element is the link with this text."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.innerText.trim()") == text:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"link {text!r} never received the focus with Tab")


def press_and_load(page, key: str) -> None:
    """Press a key that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_a_facilitator_codes_an_excerpt_with_the_keyboard_only(fieldwork_demo, browser):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(SLOW)
    page.goto(fieldwork_demo + "/connexion/?next=/terrain/drome/")
    tab_to(page, "id_username")
    page.keyboard.type("animation")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-animation-drome")
    press_and_load(page, "Enter")
    expect(page.get_by_role("heading", name="Séances de terrain")).to_be_visible()
    tab_to_link(page, "Visite de terrain — Nyons (simulée)")
    press_and_load(page, "Enter")
    tab_to_link(page, "Coder la transcription")
    press_and_load(page, "Enter")
    expect(page.get_by_text("Données simulées").first).to_be_visible()

    passage = page.locator("label", has_text="Un commerçant : L'été, la fréquentation explose")
    segment_id = passage.get_attribute("for")
    tab_to(page, segment_id)
    page.keyboard.press("Space")
    expect(page.locator(f"#{segment_id}")).to_be_checked()
    code_id = page.get_by_label("Tourisme", exact=True).get_attribute("id")
    tab_to(page, code_id)
    page.keyboard.press("Space")
    tab_to(page, "speaker")
    for _ in range(3):  # Élu·e, Habitant·e, Chef·fe d'entreprise
        page.keyboard.press("ArrowDown")
    expect(page.locator("#speaker")).to_have_value("business")
    page.keyboard.press("Tab")
    submit = page.get_by_role("button", name="Enregistrer l'extrait codé")
    for _ in range(60):
        if submit.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    press_and_load(page, "Enter")

    expect(page.get_by_text("Extrait codé : Tourisme")).to_be_visible()
    excerpt = page.locator(".fw-excerpts li").filter(has_text="la fréquentation explose")
    expect(excerpt).to_have_count(1)
    expect(excerpt).to_contain_text("Tourisme")
    expect(excerpt).to_contain_text("Chef·fe d'entreprise")
    expect(page.locator(".fw-passages li.fw-coded", has_text="la fréquentation explose")).to_have_count(1)
    screenshot(page, "fieldwork-coding-keyboard")
    context.close()
