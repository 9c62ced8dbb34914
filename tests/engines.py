"""What SQLite and PostgreSQL do differently, and the tests that check it on both engines.

CI runs every test that uses the database on PostgreSQL, the production engine, and on SQLite (the
engine of ``make demo`` and of a small team's instance) the tests named here, marked ``both_engines`` by
tests/conftest.py (docs/operations.md, "Tests and CI"). For the other queries Django writes each
engine's SQL from the same ORM calls, with the same meaning; where the engines part, the source shows it
(:data:`ENGINE_SENSITIVE`), and every source module where it does names here the tests that exercise
those lines (``tests/test_collection.py`` fails on a module left out, so a new one cannot be forgotten).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Source lines whose result can differ between the engines: hand-written SQL and branches on the
#: engine; row locks (SQLite ignores ``SELECT … FOR UPDATE`` and serialises writers instead);
#: case-insensitive and regular-expression matching (SQLite folds ASCII letters only); bulk writes
#: (SQLite limits the variables of one statement).
ENGINE_SENSITIVE = re.compile(
    r"connection\.(vendor|cursor|chunked_cursor)\b|\.raw\(|\bRawSQL\(|\.extra\(|select_for_update\("
    r"|__i(exact|contains|startswith|endswith|regex)\b|__regex\b|\bbulk_(create|update)\(")

#: The session's database build (tests/conftest.py, ``django_db_setup``): every migration, the real
#: geography and the Drôme demo, on the engine of the run — on SQLite, what ``make demo`` does.
SESSION_BUILD = "tests/conftest.py::django_db_setup"

#: A search that only finds what it should if letters fold as on PostgreSQL (atout.core.sqlite).
ACCENTS = "tests/api/test_endpoints.py::test_a_name_is_found_whatever_the_case_of_its_accented_letters"

#: Source module (under src/) → the tests that run its engine-sensitive lines; found with coverage
#: contexts (which test executes which line), keeping the tests aimed at that behaviour.
BOTH_ENGINES: dict[str, tuple[str, ...]] = {
    "atout/actions/barometer_demo.py": (SESSION_BUILD, "tests/processes/test_demo.py"),
    "atout/api/routers/territories.py": ("tests/api/test_endpoints.py::test_it_finds_a_territory_by_name",
                                         "tests/api/test_endpoints.py::test_it_searches_the_indicators",
                                         ACCENTS),
    "atout/community/demo.py": (SESSION_BUILD, "tests/community/test_engagement.py"),
    "atout/community/forms.py": ("tests/community/test_accounts.py", "tests/community/test_pages.py"),
    "atout/community/mail.py": ("tests/community/test_mail.py", "tests/community/test_accounts.py"),
    "atout/community/services.py": ("tests/community/test_accounts.py", "tests/community/test_mail.py",
                                    "tests/community/test_deletion_journal.py", "tests/community/test_engagement.py"),
    "atout/community/views.py": ("tests/community/test_accounts.py",),
    "atout/consultation/demo.py": (SESSION_BUILD, "tests/consultation/test_demo.py"),
    "atout/consultation/exports.py": ("tests/consultation/test_results_exports.py",
                                      "tests/consultation/test_survey_cli.py"),
    "atout/consultation/quotas.py": ("tests/consultation/test_quotas.py",),
    "atout/consultation/results.py": ("tests/consultation/test_results_exports.py",),
    "atout/consultation/services.py": ("tests/consultation/test_answering.py", "tests/consultation/test_storage_paths.py",
                                       "tests/consultation/test_one_page.py", "tests/consultation/test_hostile_answers.py",
                                       "tests/consultation/test_commune_field.py", "tests/consultation/test_quotas.py",
                                       "tests/consultation/test_back_office.py"),
    "atout/core/audit.py": ("tests/community/test_deletion_journal.py", "tests/community/test_accounts.py"),
    "atout/core/backups.py": ("tests/web/test_backup.py",),
    "atout/core/sqlite.py": ("tests/core/test_sqlite_like.py", ACCENTS),
    "atout/core/planner.py": (SESSION_BUILD, "tests/territories/test_zones.py"),
    "atout/core/throttle.py": ("tests/web/test_login_throttle.py",),
    "atout/diagnostic/analysis.py": ("tests/diagnostic/test_indicators_cli.py",),
    "atout/diagnostic/imports.py": (SESSION_BUILD, "tests/diagnostic/test_indicators_cli.py"),
    "atout/fieldwork/imports.py": ("tests/fieldwork/test_contributions.py",),
    "atout/fieldwork/themeruns.py": (SESSION_BUILD, "tests/fieldwork/test_themes_readable.py"),
    "atout/opinion/demo.py": (SESSION_BUILD, "tests/processes/test_demo.py"),
    "atout/opinion/forms.py": ("tests/opinion/test_pages.py",),
    "atout/opinion/services.py": ("tests/opinion/test_pages.py", "tests/opinion/test_polis_import.py"),
    "atout/processes/forms.py": ("tests/processes/test_editing.py",),
    "atout/strategy/perception.py": ("tests/strategy/test_perception.py",),
    "atout/strategy/positioning.py": ("tests/strategy/test_positioning.py",),
    "atout/strategy/services.py": ("tests/strategy/test_swot.py", "tests/strategy/test_ranking.py"),
    "atout/territories/admin.py": ("tests/territories/test_admin.py",),
    "atout/territories/importer.py": (SESSION_BUILD, "tests/territories/test_zones.py",
                                      "tests/territories/test_geography.py"),
}

#: Tests of what the engines do differently beyond single source lines, also run on both.
BEYOND_THE_SOURCE: dict[str, str] = {
    "tests/web/test_upgrade.py": "the migrations, applied to the previous release's database (SQLite rebuilds "
                                 "a table where PostgreSQL alters it)",
    "tests/strategy/test_swot.py": "a data migration run backwards and forwards",
    "tests/web/test_worker.py": "background workers claiming tasks (django-tasks locks rows on PostgreSQL; "
                                "SQLite has one writer at a time)",
    "tests/web/test_nul_characters.py": "NUL characters, which PostgreSQL refuses in text and SQLite stores",
    "tests/processes/test_demo.py": "the demo built again over itself, as `make demo` does on SQLite",
    "tests/test_collection.py": "the session's database and its copies, of the run's engine",
}


def both_engines_tests() -> frozenset[str]:
    """Node ids and test modules that CI runs on SQLite as well as PostgreSQL."""
    named = {test for tests in BOTH_ENGINES.values() for test in tests} | set(BEYOND_THE_SOURCE)
    return frozenset(named - {SESSION_BUILD})


def sensitive_lines() -> dict[str, list[int]]:
    """Source module (under src/) → its engine-sensitive lines; migrations aside (the session runs them
    all on each engine)."""
    found = {}
    for path in sorted((ROOT / "src").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        lines = [number for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if ENGINE_SENSITIVE.search(text) and not text.lstrip().startswith("#")]
        if lines:
            found[path.relative_to(ROOT / "src").as_posix()] = lines
    return found
