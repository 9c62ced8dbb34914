"""The ``atout`` command itself, run as a user runs it (a new process): commands that read and write
files need no database, a missing or unmigrated database is one clear line, and a command starts
without Django's system checks (they import the whole URLconf) — which still run before serving."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ATOUT = str(Path(sys.executable).parent / "atout")
#: A SQLite file that cannot even be created, and a PostgreSQL database that does not exist.
UNREADABLE_SQLITE = "sqlite:////nonexistent-folder/atout.sqlite3"
MISSING_POSTGRESQL = "postgres://postgres@127.0.0.1:5432/atout_no_such_database"
#: Modules a quick command must not import: the URLconf (every view), spaCy, the statistics stack.
HEAVY = ("atout.urls", "spacy", "scipy.stats", "sklearn")


def run(args: list[str], tmp_path: Path, database_url: str, executable=(ATOUT,)) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "ATOUT_VAR_DIR": str(tmp_path / "var"),
           "DJANGO_SETTINGS_MODULE": "atout.settings"}
    return subprocess.run([*executable, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)


def loaded_modules(args: list[str], tmp_path: Path, database_url: str) -> tuple[subprocess.CompletedProcess, set]:
    """Run ``atout ARGS`` and report which of :data:`HEAVY` it imported (on the last line of stderr)."""
    code = ("import sys; from atout.cli import main; status = main(sys.argv[1:]); "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr); sys.exit(status)")
    done = run(args, tmp_path, database_url, executable=(sys.executable, "-c", code))
    return done, set(json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"')))


@pytest.fixture
def file_commands(tmp_path, data_dir) -> dict[str, list[str]]:
    """Each command that reads and writes files only, with real inputs; its output key to check."""
    from tests.consultation.test_weights_cli import write_csv, write_margins

    coinr = data_dir / "reference" / "coinr-asem"
    answers = tmp_path / "answers.csv"
    topics = ["Plus de pistes cyclables en ville", "Baisser les impôts des ménages", "Reconnaître le vote blanc",
              "Sauver les services publics des petites communes"]
    answers.write_text("id;texte\n" + "".join(f"r{i};{topics[i % 4]}\n" for i in range(40)), encoding="utf-8")
    sample = write_csv(tmp_path / "sample.csv", ["sex"], [["F"], ["F"], ["F"], ["M"]])
    margins = write_margins(tmp_path / "margins.csv", {"sex": {"F": 0.5, "M": 0.5}})
    return {
        "composite run": ["composite", "run", "--idata", str(coinr / "ASEM_iData.csv"), "--imeta",
                          str(coinr / "ASEM_iMeta.csv"), "--preset", "coinr-example", "--json"],
        "opinion analyze": ["opinion", "analyze", str(data_dir / "consultation" / "polis" / "15-per-hour-seattle"),
                            "--json"],
        "themes analyze": ["themes", "analyze", str(answers), "--text-column", "texte", "--id-column", "id",
                           "--themes", "4", "--json"],
        "weights rake": ["weights", "rake", str(sample), "--margins", str(margins), "--json"],
    }


@pytest.mark.parametrize("command", ["composite run", "opinion analyze", "themes analyze", "weights rake"])
def test_a_file_command_runs_without_a_database(command, file_commands, tmp_path):
    done = run(file_commands[command], tmp_path, UNREADABLE_SQLITE)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)
    assert not (tmp_path / "var" / "atout.sqlite3").exists()


def test_a_file_command_ignores_a_postgresql_database_that_does_not_exist(file_commands, tmp_path):
    done, heavy = loaded_modules(file_commands["composite run"], tmp_path, MISSING_POSTGRESQL)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["units"]) == 51  # the ASEM countries
    assert "atout.urls" not in heavy and "spacy" not in heavy  # no system checks, no spaCy


def test_a_database_never_migrated_is_one_line_naming_the_command_to_run(tmp_path):
    fresh = tmp_path / "fresh.sqlite3"
    for args in (["territories", "show", "26", "--json"], ["territories", "--skip-checks", "show", "26"]):
        done = run(args, tmp_path, f"sqlite:///{fresh}")
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr == f"atout: the database is not set up (SQLite {fresh}): run `atout migrate`\n"
    # --traceback still shows what happened.
    done = run(["territories", "--traceback", "show", "26"], tmp_path, f"sqlite:///{fresh}")
    assert done.returncode == 1 and "Traceback" in done.stderr and "no such table" in done.stderr


def test_a_database_partly_migrated_says_how_many_migrations_are_missing(tmp_path):
    url = f"sqlite:///{tmp_path / 'partial.sqlite3'}"
    assert run(["migrate", "contenttypes", "--noinput", "-v0"], tmp_path, url).returncode == 0
    done = run(["process", "list", "--json"], tmp_path, url)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"atout: the database is not up to date (SQLite {tmp_path / 'partial.sqlite3'}, ")
    assert done.stderr.endswith(" migration(s) to apply): run `atout migrate`\n")


@pytest.mark.parametrize("url, reason", [
    (UNREADABLE_SQLITE, "(SQLite /nonexistent-folder/atout.sqlite3): unable to open database file"),
    (MISSING_POSTGRESQL, '(PostgreSQL postgres@127.0.0.1:5432/atout_no_such_database): connection failed:'),
])
def test_an_unreachable_database_is_one_line(url, reason, tmp_path):
    done = run(["process", "list"], tmp_path, url)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("atout: the database cannot be reached " + reason)
    assert done.stderr.endswith("Check DATABASE_URL.\n") and len(done.stderr.splitlines()) == 1


def test_a_command_on_the_database_starts_without_the_urlconf_or_the_statistics_stack(demo_sqlite_file, tmp_path):
    database = demo_sqlite_file(tmp_path / "demo.sqlite3")
    done, heavy = loaded_modules(["territories", "show", "26", "--json"], tmp_path, f"sqlite:///{database}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "Drôme"
    assert heavy == set()


def test_serving_runs_the_system_checks(tmp_path):
    """atout.wsgi (what gunicorn loads) refuses to start when a system check reports an error."""
    code = ("from django.core import checks\n"
            "checks.register(lambda app_configs, **kwargs: [checks.Error('broken on purpose', id='tests.E001')])\n"
            "import atout.wsgi\n")
    done = run(["-c", code], tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", executable=(sys.executable,))
    assert done.returncode != 0
    assert "SystemCheckError" in done.stderr and "tests.E001" in done.stderr and "broken on purpose" in done.stderr


def test_the_system_checks_pass():
    """The checks `atout` commands skip: run here on every test run (and by migrate, check and the WSGI
    start-up)."""
    from django.core.management import call_command

    call_command("check", fail_level="WARNING")


def test_a_reachable_migrated_database_has_no_problem_to_report(db):
    from atout.cli import database_problem

    assert database_problem() is None
