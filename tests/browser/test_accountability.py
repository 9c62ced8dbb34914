"""The public accountability page and the team's dashboard in a real browser: every figure links to its
source, filters work without JavaScript, charts have their data tables."""

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from .conftest import click_and_load, screenshot, sign_in

pytestmark = pytest.mark.browser

#: Figures of a page that must link to their source: progress percentages, budgets, KPI values.
FIGURE_CHECK = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('main td.num, main .progress-row')) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!/\\d/.test(node.textContent)) continue;
      if (node.parentElement.closest('progress')) continue;  // the bar's fallback text, hidden
      const link = node.parentElement.closest('a[href]');
      if (!link || !link.getAttribute('href')) bad.push(node.textContent.trim());
    }
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def served_plan(served_demo):
    """The served demo, which holds the example plan. Not `atout actions demo` again: it recreates the plan,
    which unlinks the filières' actions and the barometer's KPIs other browser tests on the same server use."""
    # Warm both gunicorn workers up (their first request imports every app): on a loaded machine the
    # first page can take longer than a browser's navigation timeout.
    for _ in range(4):
        urllib.request.urlopen(served_demo + "/actions/drome/", timeout=180).read()
    return served_demo


def test_the_public_accountability_page(served_plan, page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served_plan + "/actions/drome/")
    expect(page.get_by_role("heading", name="Vous avez dit, nous avons fait", level=1)).to_be_visible()
    assert page.locator(".action-card").count() == 18
    assert page.locator("progress").count() == 18
    expect(page.get_by_text("Exemple — stratégie et plan d'actions fictifs")).to_be_visible()
    assert page.evaluate(FIGURE_CHECK) == []
    # A sub-territory's execution rate links to the actions behind it.
    link = page.get_by_role("table", name="Avancement des actions qui concernent chaque sous-territoire") \
        .get_by_role("row", name="Vercors / Royans").get_by_role("link")
    assert link.get_attribute("href") == "?zone=vercors-royans#actions"
    page.goto(served_plan + "/actions/drome/" + link.get_attribute("href"))
    assert page.locator(".action-card").count() == 2
    # The filter form works as a plain GET form.
    page.goto(served_plan + "/actions/drome/")
    page.get_by_label("Axe", exact=True).select_option("proximite")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r".*axis=proximite.*"))
    expect(page.locator(".action-card")).to_have_count(4)
    # An action's evidence opens its evidence page, which says where it is used.
    card = page.locator("#action-P1\\.1")
    click_and_load(page, card.get_by_role("link", name="« Il manque des médecins dans les zones rurales. »"))
    expect(page.get_by_role("heading", name="Où cette preuve est utilisée")).to_be_visible()
    expect(page.get_by_role("link", name="Maisons de santé pluriprofessionnelles en zone rurale")).to_be_visible()
    assert all(url.startswith(served_plan) for url in requests)
    screenshot(page, "accountability-evidence")


def test_the_accountability_page_on_a_phone(served_plan, phone):
    phone.goto(served_plan + "/actions/drome/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "accountability-phone")


def test_the_team_dashboard(served_plan, page):
    sign_in(page, served_plan, "equipe", "/actions/drome/suivi/")
    expect(page.get_by_role("heading", name="Tableau de bord du plan d'actions")).to_be_visible()
    expect(page.get_by_role("img", name="Trajectoire et mesures : Part des cadres")).to_be_visible()
    expect(page.get_by_role("table", name="Part des cadres : référence, mesures et cible")).to_be_visible()
    expect(page.get_by_role("img", name="Calendrier des actions (diagramme de Gantt) ; le détail est dans le tableau qui suit")).to_be_visible()
    # The plan's "Part des cadres" and the barometer's pride of belonging (its second wave fell short).
    expect(page.get_by_text("2 indicateurs hors trajectoire")).to_be_visible()
    expect(page.get_by_role("link", name="Fierté d'appartenance des habitants (baromètre)")).to_be_visible()
    assert page.evaluate(FIGURE_CHECK) == []
    links = page.locator("main td.num a.fig")
    assert links.count() > 40
    # A KPI measurement links to the published figure it comes from.
    table = page.get_by_role("table", name="Part des cadres : référence, mesures et cible")
    table.get_by_role("row", name="2022").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/strategie/drome/preuves/.*"))
    expect(page.get_by_text("Part des cadres").first).to_be_visible()
    page.go_back()
    screenshot(page, "actions-dashboard")
