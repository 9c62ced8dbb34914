"""The ``database`` marker (tests/conftest.py) follows the fixtures a test uses: CI runs the marked tests
on PostgreSQL too, the others once."""

import pytest


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
