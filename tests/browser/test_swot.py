"""The SWOT board in a real browser: four quadrants on one page of reasonable height, the evidence of an item
one click away, the team's bulk curation through one form, the DOCX/ODT downloads; no sideways scroll on a
phone."""

import io
import re

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser

QUADRANTS = ["Atouts", "Faiblesses", "Opportunités", "Menaces"]


def sign_in_as_team(page, base, next_path):
    page.goto(f"{base}/connexion/?next={next_path}")
    page.get_by_label("Identifiant").fill("equipe")
    page.get_by_label("Mot de passe").fill("demo-equipe-drome")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(".*" + re.escape(next_path) + "$"), timeout=60_000)


def test_the_public_board_is_one_page_with_evidence_one_click_away(served_demo, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(served_demo + "/strategie/drome/afom/", timeout=120_000)
    for label in QUADRANTS:
        assert page.get_by_role("heading", name=re.compile("^" + label), level=2).is_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, f"the board is {height} px high"
    assert page.locator("main input[type=checkbox]").count() == 0  # curation is the team's
    # One click opens an item's evidence, one more its page.
    first = page.locator(".swot-items details").first
    first.locator("summary").click()
    link = first.locator("a").first
    assert link.is_visible()
    link.click()
    page.wait_for_url(re.compile(r".*/strategie/drome/preuves/\d+/$"))
    assert page.get_by_text("Source").first.is_visible()


def test_the_team_curates_in_bulk_and_downloads_the_documents(served_demo, page, tmp_path):
    import docx
    from odf import teletype
    from odf.opendocument import load
    from odf.text import P

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as_team(page, served_demo, "/strategie/drome/afom/")
    boxes = page.locator(".swot-quadrant.swot-S input[name=items]")
    assert boxes.count() >= 2
    proposed = page.locator(".swot-quadrant.swot-S li", has=page.locator(".badge", has_text="Proposé"))
    if proposed.count():  # the demo leaves sub-territory proposals to the team
        title = proposed.first.locator("label").inner_text()
        proposed.first.locator("input[name=items]").check()
        page.get_by_label("Décision", exact=True).select_option("keep")
        page.get_by_role("button", name="Appliquer").click()
        page.wait_for_url(re.compile(r".*/strategie/drome/afom/.*"))
        assert page.get_by_text("Décision enregistrée pour 1 élément(s).").is_visible()
        item = page.locator(".swot-quadrant.swot-S li", has=page.locator("label", has_text=title))
        assert item.locator(".badge", has_text="Proposé").count() == 0
    screenshot(page, "swot-board")

    with page.expect_download() as waiting:
        page.get_by_role("link", name="Word (DOCX)").click()
    paragraphs = [p.text for p in docx.Document(waiting.value.path()).paragraphs]
    assert paragraphs[0].startswith("Atouts, faiblesses, opportunités, menaces — ") and "Menaces" in paragraphs
    with page.expect_download() as waiting:
        page.get_by_role("link", name="OpenDocument (ODT)").click()
    with open(waiting.value.path(), "rb") as handle:
        text = [teletype.extractText(p) for p in load(io.BytesIO(handle.read())).getElementsByType(P)]
    assert any(line.startswith("Preuve : ") for line in text)


def test_no_sideways_scroll_on_a_phone(served_demo, phone):
    phone.set_viewport_size({"width": 360, "height": 780})
    phone.goto(served_demo + "/strategie/drome/afom/", timeout=120_000)
    for details in phone.locator(".swot-items details").all()[:6]:
        details.locator("summary").click()
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    screenshot(phone, "swot-board-phone")
