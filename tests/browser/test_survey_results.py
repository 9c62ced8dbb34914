"""Survey results and barometer waves as charts in a real browser: bars with their 95 % intervals
beside the tables, crosstabs folded, and no sideways scroll on a 360 px phone."""

import re

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser

RESULTS = "/consultation/drome/questionnaires/perception-drome/resultats/"
BAROMETER = "/consultation/drome/questionnaires/barometre-image-drome/barometre/"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def sign_in(page, base, next_path):
    page.goto(f"{base}/connexion/?next={next_path}")
    page.get_by_label("Identifiant").fill("equipe")
    page.get_by_label("Mot de passe").fill("demo-equipe-drome")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(".*" + re.escape(next_path) + "$"), timeout=120_000)


def test_results_are_bar_charts_with_intervals_beside_their_tables(served_demo, page):
    sign_in(page, served_demo, RESULTS)
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
    assert details.first.locator("table.crosstab").is_visible()
    screenshot(page, "survey-results-charts")


def test_results_and_barometer_fit_a_360px_phone(served_demo, browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    try:
        sign_in(phone, served_demo, RESULTS)
        assert phone.evaluate(NO_SIDEWAYS_SCROLL)
        phone.goto(served_demo + BAROMETER)
        assert phone.get_by_role("heading", level=1).inner_text().startswith("Vagues du baromètre")
        assert phone.locator("figure.wave-chart svg[role=img]").count() >= 10
        assert phone.get_by_text("hausse significative").first.is_visible()
        assert phone.evaluate(NO_SIDEWAYS_SCROLL)
        screenshot(phone, "barometer-phone")
    finally:
        context.close()
