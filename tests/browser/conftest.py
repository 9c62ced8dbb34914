"""End-to-end fixtures: the real stack (gunicorn + whitenoise + a prepared demo database) driven
by Debian's Chromium through Playwright. Screenshots land in ``test-artifacts/``."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BIN = Path(sys.executable).parent


def pytest_collection_modifyitems(session, config, items):
    """Browser tests run after all the others: Playwright's synchronous API keeps an event loop
    running in this thread for the rest of the session, and Django refuses database access from a
    thread with a running loop (SynchronousOnlyOperation) outside pytest-django's own test fixtures.
    Among them the accessibility sweep runs last: building its URLs creates sample objects in the
    served demo's database, which the other browser tests must not see."""
    items.sort(key=lambda item: (item.get_closest_marker("browser") is not None, "test_accessibility" in item.nodeid))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served_env_for(var: Path, data_dir: Path) -> dict:
    """Environment of a process of the served demo: its own SQLite database in ``var``, atout's
    settings (not the test settings)."""
    env = {**os.environ, "ATOUT_VAR_DIR": str(var), "ATOUT_DATA_DIR": str(data_dir),
           "DJANGO_SETTINGS_MODULE": "atout.settings"}
    env.pop("DATABASE_URL", None)
    return env


@pytest.fixture(scope="session")
def served_demo(tmp_path_factory, data_dir, demo_sqlite_file):
    """The Drôme demo served by gunicorn from its own SQLite database, as `make demo` does (the
    database is a copy of the session's demo database rather than built again by `atout demo`)."""
    var = tmp_path_factory.mktemp("served")
    env = served_env_for(var, data_dir)
    demo_sqlite_file(var / "atout.sqlite3")
    subprocess.run([str(BIN / "atout"), "collectstatic", "--noinput", "-v0"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "atout.wsgi", "--preload", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120"],
        env=env, stdout=subprocess.DEVNULL, stderr=(var / "gunicorn.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # a loaded CI machine can take a while to import everything
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=60)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("gunicorn did not start: " + (var / "gunicorn.log").read_text())
    SERVED_ENV.update(env)
    yield base
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


#: Environment of the served demo (its ATOUT_VAR_DIR holds its database), for tests that need to
#: run commands against the same database as the server.
SERVED_ENV: dict = {}


def import_test_survey(served_demo: str, tmp_path_factory, data_dir, slug: str, *options: str) -> dict:
    """Import the consultation tests' questionnaire, open, into the served demo's database through the
    CLI (``options``: more of its options) and warm the workers up on it. Output: the CLI's JSON
    and the survey's ``url``."""
    from tests.consultation.forms import write_form

    served = [p for p in tmp_path_factory.getbasetemp().glob("served*") if not p.is_symlink() and (p / "gunicorn.log").exists()]
    assert len(served) == 1, f"expected the served demo's folder, found {served}"
    env = served_env_for(served[0], data_dir)
    form = write_form(tmp_path_factory.mktemp("form") / f"{slug}.xlsx")
    done = subprocess.run([str(BIN / "atout"), "survey", "import-xlsform", str(form), "--process", "drome",
                           "--slug", slug, "--status", "open", *options, "--json"],
                          env=env, check=True, capture_output=True, text=True)
    url = f"{served_demo}/consultation/drome/q/{slug}/"
    # Warm both workers up: their first request loads every app (the French language model included).
    for _ in range(4):
        urllib.request.urlopen(url, timeout=240).read()
    return {**json.loads(done.stdout), "url": url}


@pytest.fixture(scope="session")
def served_env(served_demo) -> dict:
    return dict(SERVED_ENV)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # Web-first assertions retry until this long: the served demo shares a loaded 2-core machine with
    # the other test run, and a page can take seconds to come back.
    expect.set_options(timeout=60_000)
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: 'make test' installs it (Debian package 'chromium').")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, base: str, username: str, next_path: str, timeout: float = 120_000) -> None:
    """Sign in with a demo account through the sign-in form, and wait for the page it leads to.
    ``timeout`` (milliseconds) is generous: checking a password on a loaded machine takes seconds."""
    from atout.processes.demo import ACCOUNTS

    password = next(password for name, password, _role in ACCOUNTS if name == username)
    page.goto(f"{base}/connexion/?next={next_path}", timeout=timeout)
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: urlsplit(url).path == next_path, timeout=timeout)


def click_and_load(page, target) -> None:
    """Click a link or a submit button and wait for the page it opens. Playwright's click() does not
    wait for the navigation it starts: what is read just after could still be the page before."""
    with page.expect_navigation():
        target.click()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
