"""The ``database`` marker (tests/conftest.py) follows the fixtures a test uses: CI runs the marked tests
on PostgreSQL, and on SQLite too those of tests/engines.py (``both_engines``); the others once."""

import re

import pytest

from tests import engines


def test_the_session_database_holds_the_demo(db):
    from atout.processes.models import Process

    assert Process.objects.filter(slug="drome").exists()


def test_the_demo_copies_are_of_the_suite_kind(demo_database):
    from django.db import connection

    assert demo_database.startswith("postgres://" if connection.vendor == "postgresql" else "sqlite:///")


def test_the_marker_is_on_the_tests_using_the_database_and_only_on_them(request):
    items = {item.name: item for item in request.session.items if item.module is request.module}
    marked = {name for name, item in items.items() if item.get_closest_marker("database")}
    if len(items) < 3:
        pytest.fail("run this file whole: the test looks at its neighbours")
    assert marked == {"test_the_session_database_holds_the_demo", "test_the_demo_copies_are_of_the_suite_kind"}
    # This module is named in tests/engines.py: its database tests run on both engines, and only they.
    assert {name for name, item in items.items() if item.get_closest_marker("both_engines")} == marked


def test_every_source_module_where_the_engines_differ_names_its_tests_on_both():
    lines = engines.sensitive_lines()
    missing = {module: numbers for module, numbers in lines.items() if module not in engines.BOTH_ENGINES}
    assert not missing, (
        "SQLite and PostgreSQL may give different results on these lines (module: line numbers): "
        f"{missing}; name in tests/engines.py (BOTH_ENGINES) the tests that exercise them, so that CI "
        "runs those on both engines")
    stale = set(engines.BOTH_ENGINES) - set(lines)
    assert not stale, f"tests/engines.py names modules no longer engine-sensitive: {stale}"


def test_the_tests_named_to_run_on_both_engines_exist():
    absent = []
    for test in engines.both_engines_tests():
        module, _, name = test.partition("::")
        path = engines.ROOT / module
        if not path.is_file() or (name and not re.search(rf"^def {name}\(", path.read_text(), re.MULTILINE)):
            absent.append(test)
    assert not absent, f"tests/engines.py names tests that do not exist: {absent}"


def test_the_engine_sensitive_lines_are_found():
    sensitive = ['Survey.objects.select_for_update().filter(slug=slug)', 'if connection.vendor == "postgresql":',
                 "with connection.cursor() as cursor:", 'found.filter(name__icontains=q)', "Model.objects.raw(sql)",
                 "Observation.objects.bulk_create(rows, batch_size=500)", 'users.filter(email__iexact=email)']
    portable = ['found.filter(name__contains=q)', "Observation.objects.create(**row)", "vendor = 'x'",
                'Process.objects.filter(roles__user=user).distinct()', "extra_context = {}"]
    assert [line for line in sensitive if not engines.ENGINE_SENSITIVE.search(line)] == []
    assert [line for line in portable if engines.ENGINE_SENSITIVE.search(line)] == []
    lines = engines.sensitive_lines()
    assert "atout/core/backups.py" in lines and "atout/consultation/services.py" in lines
    assert all("migrations" not in module for module in lines)
