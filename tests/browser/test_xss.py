"""In a real browser, pages holding XSS payloads in their content run no injected script.

The payloads live in a separate draft process of the served demo (not listed on the home page), so the
other browser tests see the demo unchanged."""

import subprocess

import pytest

from tests.web import xss

from .conftest import BIN, screenshot

pytestmark = pytest.mark.browser

PAYLOAD = xss.SCRIPT + xss.IMG
SETUP = f"""
from atout.actions.models import Action
from atout.processes.models import Process
from atout.strategy.models import Evidence
p = Process.objects.get(slug="xss-navigateur")
Process.objects.filter(pk=p.pk).update(status="draft")
p.axes.update(name_fr={PAYLOAD!r}, description={xss.SVG!r})
Action.objects.create(process=p, code="X1", title={PAYLOAD!r}, description={xss.SVG!r}, lead_organisation={xss.IMG!r})
e = Evidence.objects.create(process=p, kind="document", title={PAYLOAD!r}, source={xss.SVG!r}, url={xss.JS_URL!r},
                            public=True, summary={PAYLOAD!r})
print(e.pk)
"""


@pytest.fixture(scope="module")
def poisoned(served_demo, served_env):
    subprocess.run([str(BIN / "atout"), "process", "create", "--slug", "xss-navigateur", "--territory", "26",
                    "--title", PAYLOAD, "--description", PAYLOAD], env=served_env, check=True, capture_output=True)
    result = subprocess.run([str(BIN / "atout"), "shell", "-c", SETUP], env=served_env, check=True,
                            capture_output=True, text=True)
    return {"base": served_demo, "evidence": int(result.stdout.strip().splitlines()[-1])}


def test_pages_holding_payloads_run_no_injected_script(page, poisoned):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    base = poisoned["base"]
    urls = [f"{base}/p/xss-navigateur/", f"{base}/actions/xss-navigateur/", f"{base}/actions/xss-navigateur/action/X1/",
            f"{base}/strategie/xss-navigateur/preuves/", f"{base}/strategie/xss-navigateur/preuves/{poisoned['evidence']}/"]
    for url in urls:
        response = page.goto(url, timeout=120_000)
        assert response.status == 200, url
        page.wait_for_load_state("load")
        assert page.evaluate("() => typeof window.__xss") == "undefined", url
        # The payload is on the page, as text.
        assert "window.__xss=1" in page.inner_text("main"), url
        # No link or image carries a javascript: URL.
        assert page.evaluate("""() => [...document.querySelectorAll('[href],[src]')].filter(
            el => /^\\s*javascript:/i.test(el.getAttribute('href') || el.getAttribute('src') || '')).length""") == 0, url
    screenshot(page, "xss-evidence")
    assert dialogs == []
