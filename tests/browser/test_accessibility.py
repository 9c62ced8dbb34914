"""Automated accessibility check (axe-core, from the npm package in tests/browser/axe) of every public
page of the served demo. Serious and critical violations fail the test."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ROOT = Path(__file__).resolve().parents[2]

LIST_PUBLIC_PAGES = """
import json, django
django.setup()
from atout.processes.models import Process
from tests.test_permissions import build_url, declared_samples, site_views
process = Process.objects.get(slug="drome")
samples = declared_samples(process)
urls = sorted({build_url(name, p, process, samples) for name, p in site_views() if p.callback.access == "public"})
print(json.dumps(urls))
"""


@pytest.fixture(scope="session")
def public_pages(served_env):
    """Every public page, with URL arguments taken from the served demo's own database."""
    env = {**served_env, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "atout.settings")}
    run = subprocess.run([sys.executable, "-c", LIST_PUBLIC_PAGES], env=env, cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        pytest.fail("listing the public pages failed:\n" + run.stderr[-3000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


#: Pages we serve but do not author, left out of the sweep, with the reason. Swagger UI (django-ninja's
#: bundled API explorer, for developers) has known findings of its own — contrast of its version stamp,
#: buttons nested in its operation headers — which it renders after loading the schema, so they show up
#: only on some runs; docs/api.md documents every endpoint in plain, accessible text.
NOT_OURS = {"/api/docs": "Swagger UI, django-ninja's bundled API explorer"}


def serious_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol, not added as a <script>: the pages' Content-Security-Policy
    # (scripts from the site only) rightly refuses an injected inline script.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
    }""")
    return result


def test_axe_core_is_installed():
    assert AXE.exists(), "run 'make test' (it installs axe-core from npm into tests/browser/axe)"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_public_page_has_no_serious_accessibility_violation(served_demo, browser, public_pages, language):
    context = browser.new_context(locale=language)
    page = context.new_page()
    problems = {}
    for url in public_pages:
        kind = page.request.get(served_demo + url).headers.get("content-type") or ""
        if "html" not in kind:
            continue  # CSV, calendars, archives: downloads, not pages
        if url in NOT_OURS:
            continue
        page.goto(served_demo + url, wait_until="load")
        found = serious_violations(page)
        if found:
            problems[url] = found
    context.close()
    assert len(public_pages) >= 8
    assert problems == {}
