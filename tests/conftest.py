"""Shared fixtures. Real data comes from ATOUT_DATA_DIR; its absence fails the run, never skips it."""

import os
from pathlib import Path

import pytest


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
def django_db_setup(django_db_setup, django_db_blocker, data_dir):
    """The test database holds the real geography and the Drôme demo, loaded once per session."""
    from atout.processes import demo
    from atout.territories import importer

    with django_db_blocker.unblock():
        importer.import_geography({key: data_dir / rel for key, rel in importer.GEO_FILES.items()})
        demo.prepare()


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
