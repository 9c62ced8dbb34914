"""Survey results and barometer waves as charts in a real browser: bars with their 95 % intervals
beside the tables, crosstabs folded, and no sideways scroll on a 360 px phone."""


import pytest
from playwright.sync_api import expect

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

RESULTS = "/consultation/drome/questionnaires/perception-drome/resultats/"
BAROMETER = "/consultation/drome/questionnaires/barometre-image-drome/barometre/"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_results_are_bar_charts_with_intervals_beside_their_tables(served_demo, page):
    sign_in(page, served_demo, "equipe", RESULTS)
    charts = page.locator("figure.result-chart svg[role=img]")
    assert charts.count() >= 5
    # Each chart has a title naming what it shows and a table beside it with the same answers.
    first = page.locator(".result-grid").first
    bars = first.locator("rect.chart-bar")
    rows = first.locator("table tbody tr")
    assert bars.count() >= 2 and bars.count() <= rows.count()
    assert "intervalle de confiance à 95 %" in first.locator("svg title").text_content()
    assert first.locator("line.chart-whisker").count() == 3 * bars.count()
    # The bars' labels are the table's answers with their shares.
    label = first.locator("text.chart-label").first.text_content()
    assert label.split(" — ")[0].rstrip("…") in rows.first.locator("th").inner_text()
    # Crosstabs are folded: the page is charts first, the detail one click away.
    details = page.locator("details.crosstab-details")
    assert details.count() >= 1 and not details.first.evaluate("d => d.open")
    details.first.locator("summary").click()
    expect(details.first.locator("table.crosstab")).to_be_visible()
    screenshot(page, "survey-results-charts")


def test_results_and_barometer_fit_a_360px_phone(served_demo, browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    try:
        sign_in(phone, served_demo, "equipe", RESULTS)
        assert phone.evaluate(NO_SIDEWAYS_SCROLL)
        phone.goto(served_demo + BAROMETER)
        assert phone.get_by_role("heading", level=1).inner_text().startswith("Vagues du baromètre")
        assert phone.locator("figure.wave-chart svg[role=img]").count() >= 10
        expect(phone.get_by_text("hausse significative").first).to_be_visible()
        assert phone.evaluate(NO_SIDEWAYS_SCROLL)
        screenshot(phone, "barometer-phone")
    finally:
        context.close()
