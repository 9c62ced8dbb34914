import io
import json
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth import authenticate
from django.core.management import call_command

from atout.processes import demo
from atout.processes.models import Process, ProcessRole

ATOUT = str(Path(sys.executable).parent / "atout")


def test_the_demo_is_idempotent_and_its_accounts_work(db):
    # The session's database already holds the demo (tests/conftest.py): this run is the second one.
    assert Process.objects.filter(slug="drome").count() == 1
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert Process.objects.filter(slug="drome").count() == 1
    process = Process.objects.get(slug="drome")
    assert process.phases.count() == 3 and process.axes.count() == 3
    for username, password, _role in demo.ACCOUNTS:
        assert authenticate(username=username, password=password) is not None
        assert f"{username:<10} password: {password}" in out.getvalue()
    assert ProcessRole.objects.filter(process=process, user__username="equipe", role="team").exists()


def test_without_data_the_demo_starts_and_says_what_is_missing(empty_database, tmp_path):
    """A fresh installation (migrated, empty database), offline and without the data mirror."""
    env = {**os.environ, "DATABASE_URL": empty_database, "ATOUT_VAR_DIR": str(tmp_path / "var"),
           "DJANGO_SETTINGS_MODULE": "atout.settings", "ATOUT_DATA_DIR": "", "ATOUT_CACHE_DIR": str(tmp_path),
           "ATOUT_DATA_URL": "http://127.0.0.1:9"}  # nothing listens there: offline
    done = subprocess.run([ATOUT, "demo"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "Geography: missing" in text
    assert "Missing data:" in text and "set ATOUT_DATA_DIR" in text
    assert "capability demos skipped" in text
    processes = subprocess.run([ATOUT, "process", "list", "--json"], env=env, capture_output=True, text=True)
    drome = next(p for p in json.loads(processes.stdout)["processes"] if p["slug"] == "drome")
    assert drome["territory"]["name"] == "Drôme"


def test_the_lille_example_is_a_separate_process_never_inside_the_drome(db):
    """The Lille "Grand débat" comments illustrate the themes explorer on real texts: they live in their own
    demo process on the Métropole européenne de Lille, not in the Drôme's pages, themes or open data."""
    from atout.fieldwork.demo import LILLE_LABEL, LILLE_SLUG
    from atout.fieldwork.models import ContributionImport, ThemeRun
    from atout.opendata.services import build

    drome = Process.objects.get(slug="drome")
    lille = Process.objects.get(slug=LILLE_SLUG)
    assert lille.is_demo and lille.territory.name == "Métropole Européenne de Lille"
    assert ContributionImport.objects.filter(process=lille, label=LILLE_LABEL).exists()
    assert ThemeRun.objects.filter(process=lille, label=LILLE_LABEL).exists()
    assert not ContributionImport.objects.filter(process=drome, label=LILLE_LABEL).exists()
    assert not ThemeRun.objects.filter(process=drome, label=LILLE_LABEL).exists()
    _package, tables = build(drome)
    assert not [t.name for t in tables if "Lille" in json.dumps([list(r) if not isinstance(r, dict) else r
                                                                  for r in t.rows], default=str)]
