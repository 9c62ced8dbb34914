"""The public accountability page and the team's dashboard in a real browser: every figure links to its
source, filters work without JavaScript, charts have their data tables."""

import re
import urllib.request

import pytest

from .conftest import screenshot

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


def sign_in(page, base, username, password, next_path):
    page.goto(f"{base}/connexion/?next={next_path}")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(".*" + re.escape(next_path) + "$"))


def test_the_public_accountability_page(served_plan, page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served_plan + "/actions/drome/")
    assert page.get_by_role("heading", name="Vous avez dit, nous avons fait", level=1).is_visible()
    assert page.locator(".action-card").count() == 18
    assert page.locator("progress").count() == 18
    assert page.get_by_text("Exemple — stratégie et plan d'actions fictifs").is_visible()
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
    page.wait_for_load_state()
    assert "axis=proximite" in page.url and page.locator(".action-card").count() == 4
    # An action's evidence opens its evidence page, which says where it is used.
    card = page.locator("#action-P1\\.1")
    card.get_by_role("link", name="« Il manque des médecins dans les zones rurales. »").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Où cette preuve est utilisée").is_visible()
    assert page.get_by_role("link", name="Maisons de santé pluriprofessionnelles en zone rurale").is_visible()
    assert all(url.startswith(served_plan) for url in requests)
    screenshot(page, "accountability-evidence")


def test_the_accountability_page_on_a_phone(served_plan, phone):
    phone.goto(served_plan + "/actions/drome/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "accountability-phone")


def test_the_team_dashboard(served_plan, page):
    sign_in(page, served_plan, "equipe", "demo-equipe-drome", "/actions/drome/suivi/")
    assert page.get_by_role("heading", name="Tableau de bord du plan d'actions").is_visible()
    assert page.get_by_role("img", name="Trajectoire et mesures : Part des cadres").is_visible()
    assert page.get_by_role("table", name="Part des cadres : référence, mesures et cible").is_visible()
    assert page.get_by_role("img", name="Calendrier des actions (diagramme de Gantt) ; le détail est dans le tableau qui suit").is_visible()
    # The plan's "Part des cadres" and the barometer's pride of belonging (its second wave fell short).
    assert page.get_by_text("2 indicateurs hors trajectoire").is_visible()
    assert page.get_by_role("link", name="Fierté d'appartenance des habitants (baromètre)").is_visible()
    assert page.evaluate(FIGURE_CHECK) == []
    links = page.locator("main td.num a.fig")
    assert links.count() > 40
    # A KPI measurement links to the published figure it comes from.
    table = page.get_by_role("table", name="Part des cadres : référence, mesures et cible")
    table.get_by_role("row", name="2022").get_by_role("link").first.click()
    page.wait_for_load_state()
    assert "/strategie/drome/preuves/" in page.url
    assert page.get_by_text("Part des cadres").first.is_visible()
    page.go_back()
    screenshot(page, "actions-dashboard")
