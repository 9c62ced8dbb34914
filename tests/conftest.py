"""Shared fixtures. Real data comes from ATOUT_DATA_DIR; its absence fails the run, never skips it."""

import os
from pathlib import Path

import pytest

from tests.databases import DatabaseTemplate
from tests.engines import both_engines_tests

#: Fixtures through which a test uses the suite's database (the one DATABASE_URL names).
SUITE_DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences",
                                     "django_db_serialized_rollback", "live_server", "demo_database",
                                     "empty_database", "scratch_database"})


#: The configured database (DATABASE_URL), before pytest-django points the connection at a test database.
CONFIGURED_DATABASE: dict = {}


def pytest_configure(config):
    from django.conf import settings

    CONFIGURED_DATABASE["name"] = settings.DATABASES["default"]["NAME"]


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects on the marker
def pytest_collection_modifyitems(config, items):
    """Mark ``database`` every test that uses the suite's database: CI runs those on PostgreSQL, the
    production engine, and on SQLite only those marked ``both_engines`` too (tests/engines.py). The others
    (pure engine and format tests, commands reading and writing files, tests whose processes use their
    own database, browser tests) do not depend on the database engine; CI runs them once, in the SQLite
    run (docs/operations.md, "Tests and CI")."""
    on_both = both_engines_tests()
    for item in items:
        names = item.fixturenames
        if (item.get_closest_marker("django_db") or SUITE_DATABASE_FIXTURES.intersection(names)
                # A fixture that reads the session's database (e.g. the module fixture building the
                # diagnostic PDF) makes the tests using it engine-dependent too.
                or ("django_db_setup" in names and "demo_sqlite_file" not in names)):
            item.add_marker(pytest.mark.database)
            if on_both.intersection({item.nodeid.split("::")[0], item.nodeid.split("[")[0]}):
                item.add_marker(pytest.mark.both_engines)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    value = os.environ.get("ATOUT_DATA_DIR", "")
    if not value or not Path(value).is_dir():
        pytest.fail(
            "ATOUT_DATA_DIR must point at the offline mirror of the official data (e.g. ../shared/data); "
            f"got {value!r}. Tests that use real data fail rather than skip without it."
        )
    return Path(value).resolve()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, data_dir, tmp_path_factory):
    """The test database holds the real geography and the Drôme demo, loaded once per session.

    Its value is the template (:class:`tests.databases.DatabaseTemplate`) kept right after, from which
    :func:`demo_database` and :func:`demo_sqlite_file` copy databases for tests that run ``atout`` in
    other processes; its ``migrated`` attribute, the template kept after the migrations, before any
    data (:func:`empty_database`)."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from atout.demo import orchestration as demo
    from atout.territories import importer

    with django_db_blocker.unblock():
        own_test_database = None
        if connection.settings_dict["NAME"] == CONFIGURED_DATABASE["name"]:
            # pytest-django makes the test database only when a collected test uses `db`; a session
            # of tests using copies only (`demo_database`) makes it here, never touching the configured one.
            own_test_database = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        migrated = DatabaseTemplate(connection, tmp_path_factory.mktemp("migrated-template"), data_dir, "migrated")
        importer.import_geography({key: data_dir / rel for key, rel in importer.GEO_FILES.items()})
        demo.prepare()
        template = DatabaseTemplate(connection, tmp_path_factory.mktemp("demo-template"), data_dir, "demo")
    template.migrated = migrated
    yield template
    template.close()
    migrated.close()
    if own_test_database is not None:
        with django_db_blocker.unblock():
            teardown_databases(own_test_database, verbosity=0)


@pytest.fixture
def demo_database(django_db_setup, tmp_path):
    """``DATABASE_URL`` of a private copy of the session's demo database (all migrations, geography,
    Drôme demo), of the suite's kind: a SQLite file or a PostgreSQL database, dropped afterwards."""
    url = django_db_setup.copy(tmp_path)
    yield url
    django_db_setup.drop(url)


@pytest.fixture
def empty_database(django_db_setup, tmp_path):
    """``DATABASE_URL`` of a private database of the suite's kind with every migration applied and no
    data, as a fresh installation has after ``atout migrate``; dropped afterwards."""
    url = django_db_setup.migrated.copy(tmp_path)
    yield url
    django_db_setup.migrated.drop(url)


@pytest.fixture(scope="session")
def demo_sqlite_file(django_db_setup):
    """``copy(path)``: writes a copy of the session's demo database to the SQLite file ``path``,
    whatever the suite's database (served demos and SQLite-only tests, as ``make demo`` builds them)."""
    return django_db_setup.sqlite_copy


@pytest.fixture
def drome(db):
    from atout.processes.models import Process

    return Process.objects.get(slug="drome")


@pytest.fixture
def users(db):
    """One user per role of the Drôme demo: admin, team, facilitator, participant."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return {
        "admin": User.objects.get(username="admin"),
        "team": User.objects.get(username="equipe"),
        "facilitator": User.objects.get(username="animation"),
        "participant": User.objects.get(username="habitant"),
    }


@pytest.fixture
def blank_drome(drome):
    """The Drôme process without the demo's example strategy and action plan (for tests that build
    their own from scratch)."""
    from atout.actions.models import Action
    from atout.strategy.models import Evidence, Objective, Orientation, Positioning, SwotItem

    Action.objects.filter(process=drome).delete()
    for model in (SwotItem, Objective, Orientation, Positioning, Evidence):
        model.objects.filter(process=drome).delete()
    return drome


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """The answering caches (parsed versions, communes per territory) are per process and keyed by
    ids, which a rolled-back test may hand out again: each test starts without them."""
    from atout.consultation import services

    services.clear_caches()
    yield
