"""Migrations: no model change lacks its migration, and a database of the previous release upgrades.

The upgrade test takes the previous release's code from the git history (``git archive``), lets it build
the Drôme demo on a scratch database of the same kind as the suite's (SQLite file or PostgreSQL
database), then migrates that database with the current code and checks that every row of every table
the two versions share is still there and that the current code serves the demo from it. This is what
an operator does when upgrading (docs/operations.md, "Upgrading").

"Forward from an empty database" is exercised by every test session, which builds its database by
running all migrations. The previous release's database is built afresh by each run (never cached
across runs): what is under test is that what that code wrote upgrades. It runs once per session and
per database kind, so there is nothing to share within a session either.
"""

from __future__ import annotations

import json
import subprocess
import tarfile

import pytest
from django.core.management import call_command

from .subprocesses import ROOT, atout_env, marked, run_atout

#: main as it landed on 2026-11-26 (the last release before the API, reports and open data).
PREVIOUS_RELEASE = "4d50b7d3dc40d4ba61c27e7f0f5c56f987d787e6"

#: Printed by ``atout shell -c``: row count per table of every model of our apps and Django's auth.
COUNT_ROWS = """
import json
from django.apps import apps
counts = {m._meta.db_table: m._default_manager.count() for m in apps.get_models()
          if m._meta.app_label not in {"sessions", "admin"} and m._meta.managed}
print("COUNTS=" + json.dumps(counts))
"""

#: Run by the current code on the upgraded database: the demo's key pages answer.
SERVE_PAGES = """
from django.test import Client
from django.contrib.auth import get_user_model
client = Client()
statuses = [client.get(path).status_code for path in ("/", "/p/drome/")]
client.force_login(get_user_model().objects.get(username="equipe"))
statuses += [client.get(path).status_code for path in ("/p/drome/", "/diagnostic/drome/", "/actions/drome/suivi/")]
print("STATUSES=" + ",".join(map(str, statuses)))
"""


def spacy_stop_words(folder):
    """A folder holding the one thing the previous release took from spaCy, its French stop-word list
    (``spacy.lang.fr.stop_words.STOP_WORDS``), under that module name: the list this code base now carries
    word for word (tests/engine/test_french_stop_words.py), so the suite need not install spaCy."""
    from atout.engine.text.french_stop_words import STOP_WORDS

    module = folder / "spacy" / "lang" / "fr"
    module.mkdir(parents=True)
    for package in (folder / "spacy", folder / "spacy" / "lang", module):
        (package / "__init__.py").write_text("", encoding="utf-8")
    (module / "stop_words.py").write_text(f"STOP_WORDS = {set(STOP_WORDS)!r}\n", encoding="utf-8")
    return folder


def test_every_model_change_has_its_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_a_database_of_the_previous_release_upgrades(tmp_path, scratch_database, data_dir):
    if not (ROOT / ".git").exists():
        pytest.fail("the upgrade test needs the git history of the project (a clone, not an export)")
    previous = tmp_path / "previous"
    previous.mkdir()
    archive = tmp_path / "previous.tar"
    subprocess.run(["git", "archive", "--format=tar", "-o", str(archive), PREVIOUS_RELEASE, "src"],
                   cwd=ROOT, check=True, capture_output=True)
    with tarfile.open(archive) as tar:
        tar.extractall(previous, filter="data")

    env = atout_env(scratch_database, tmp_path / "var", data_dir)
    old_env = {**env, "PYTHONPATH": f"{previous / 'src'}:{spacy_stop_words(tmp_path / 'spacy')}"}
    # The previous release's own system checks are not under test (they import its whole URLconf).
    run_atout(["migrate", "--noinput", "-v0", "--skip-checks"], old_env, tmp_path)
    run_atout(["demo", "--skip-checks"], old_env, tmp_path)
    before = json.loads(marked(run_atout(["shell", "-c", COUNT_ROWS], old_env, tmp_path), "COUNTS="))
    assert before["processes_process"] >= 1 and before["consultation_answer"] > 0

    new_env = {**env, "PYTHONPATH": str(ROOT / "src")}
    run_atout(["migrate", "--noinput", "-v0"], new_env, tmp_path)
    after = json.loads(marked(run_atout(["shell", "-c", COUNT_ROWS], new_env, tmp_path), "COUNTS="))
    # Content types and permissions grow with the new models; every other table keeps its rows exactly.
    growing = {"django_content_type", "auth_permission"}
    lost = {table: (count, after[table]) for table, count in before.items()
            if table in after and (after[table] < count if table in growing else after[table] != count)}
    assert lost == {}, f"rows changed by the upgrade (before, after): {lost}"
    statuses = marked(run_atout(["shell", "-c", SERVE_PAGES], new_env, tmp_path), "STATUSES=")
    assert set(statuses.split(",")) == {"200"}, statuses
