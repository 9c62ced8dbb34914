"""The Content-Security-Policy holds in a real browser: pages with scripts, the opinion map, a survey
(with its error summary), the admin and the API's Swagger UI work under it, and Chromium reports no
violation (neither a ``securitypolicyviolation`` event nor a console message)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import click_and_load, import_test_survey, screenshot

pytestmark = pytest.mark.browser

#: Listens for violations before any script of the page runs (init scripts are not subject to the policy).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(browser):
    """A page that records every policy violation, from events and from the console."""
    context = browser.new_context(locale="fr-FR")
    context.add_init_script(LISTEN)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    page.violations = lambda: [*page.evaluate("window.__cspViolations || []"), *console]
    yield page
    context.close()


@pytest.fixture(scope="session")
def csp_survey(served_demo, tmp_path_factory, data_dir):
    return import_test_survey(served_demo, tmp_path_factory, data_dir, "politique")["url"]


def visit(page, url: str):
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    page.wait_for_load_state("networkidle")
    return response


def test_public_pages_the_opinion_map_and_a_survey_run_without_violation(served_demo, csp_survey, watched):
    for path in ("/", "/p/drome/", "/diagnostic/drome/", "/opinion/drome/priorites-drome/", "/actions/drome/",
                 "/communaute/drome/ambassadeurs/", "/opinion/drome/priorites-drome/carte/"):
        visit(watched, served_demo + path)
    assert watched.locator("svg polygon").count() >= 2  # the opinion map is drawn
    visit(watched, csp_survey)
    # Starting without consent: the error summary is shown and receives the focus (its script ran).
    click_and_load(watched, watched.get_by_role("button", name="Commencer"))
    summary = watched.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    watched.get_by_label("J'ai lu ces informations et j'accepte de participer.").check()
    click_and_load(watched, watched.get_by_role("button", name="Commencer"))
    expect(watched.locator(".progress-text")).to_contain_text("Page 1 sur 3")
    screenshot(watched, "csp-survey")
    assert watched.violations() == []


def test_the_admin_works_under_the_policy(served_demo, watched):
    visit(watched, served_demo + "/admin/login/")
    watched.get_by_label("Nom d’utilisateur").fill("admin")
    watched.get_by_label("Mot de passe").fill("demo-admin-drome")
    watched.get_by_role("button", name="Connexion").click()
    expect(watched).to_have_url(re.compile(r".*/admin/$"))
    visit(watched, served_demo + "/admin/processes/process/")
    watched.get_by_role("link", name="Drôme, terre d'attractivité").first.click()
    # The change form's scripts work: the search field of the territory (autocomplete) is built by the
    # admin's JavaScript (select2).
    watched.locator(".select2-container").first.wait_for(state="visible")
    assert watched.locator("select#id_subterritories + .select2-container").count() == 1
    visit(watched, served_demo + "/admin/auth/user/add/")
    screenshot(watched, "csp-admin")
    assert watched.violations() == []


def test_the_api_documentation_works_under_the_policy(served_demo, watched):
    visit(watched, served_demo + "/api/docs")
    operation = watched.locator(".opblock").first
    operation.wait_for(state="visible", timeout=30_000)
    operation.locator(".opblock-summary").click()
    watched.get_by_role("button", name="Try it out").first.wait_for(state="visible")
    screenshot(watched, "csp-api-docs")
    assert watched.violations() == []
