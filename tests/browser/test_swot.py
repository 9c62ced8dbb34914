"""The SWOT board in a real browser: four quadrants on one page of reasonable height, the evidence of an item
one click away, the team's bulk curation through one form, the DOCX/ODT downloads; no sideways scroll on a
phone."""

import io
import re

import pytest
from playwright.sync_api import expect

from .conftest import click_and_load, screenshot, sign_in

pytestmark = pytest.mark.browser

QUADRANTS = ["Atouts", "Faiblesses", "Opportunités", "Menaces"]


def test_the_public_board_is_one_page_with_evidence_one_click_away(served_demo, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(served_demo + "/strategie/drome/afom/", timeout=120_000)
    for label in QUADRANTS:
        expect(page.get_by_role("heading", name=re.compile("^" + label), level=2)).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, f"the board is {height} px high"
    assert page.locator("main input[type=checkbox]").count() == 0  # curation is the team's
    # One click opens an item's evidence, one more its page.
    first = page.locator(".swot-items details").first
    first.locator("summary").click()
    link = first.locator("a").first
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(r".*/strategie/drome/preuves/\d+/$"))
    expect(page.get_by_text("Source").first).to_be_visible()


def test_the_team_curates_in_bulk_and_downloads_the_documents(served_demo, page, tmp_path):
    import docx
    from odf import teletype
    from odf.opendocument import load
    from odf.text import P

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, served_demo, "equipe", "/strategie/drome/afom/")
    boxes = page.locator(".swot-quadrant.swot-S input[name=items]")
    assert boxes.count() >= 2
    proposed = page.locator(".swot-quadrant.swot-S li", has=page.locator(".badge", has_text="Proposé"))
    if proposed.count():  # the demo leaves sub-territory proposals to the team
        title = proposed.first.locator("label").inner_text()
        proposed.first.locator("input[name=items]").check()
        page.get_by_label("Décision", exact=True).select_option("keep")
        click_and_load(page, page.get_by_role("button", name="Appliquer"))
        expect(page.get_by_text("Décision enregistrée pour 1 élément(s).")).to_be_visible()
        item = page.locator(".swot-quadrant.swot-S li", has=page.locator("label", has_text=title))
        expect(item.locator(".badge", has_text="Proposé")).to_have_count(0)
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
