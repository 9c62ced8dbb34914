"""Fixtures of the diagnostic tests: the real statistics of the Drôme demo, imported once per session."""

import pytest


@pytest.fixture(scope="session")
def statistics(django_db_setup, django_db_blocker, data_dir):
    """The INSEE comparateur and dossier complet of the Drôme and the PTOD départements file, imported
    (committed) for the session's tests and removed at its end — unless they were already there.
    Tests needing an empty statistics store delete it inside their own (rolled back) transaction."""
    from atout.diagnostic import demo
    from atout.diagnostic.models import ImportBatch, Series

    with django_db_blocker.unblock():
        before = set(ImportBatch.objects.values_list("pk", flat=True))
        report = demo.prepare(data_dir)
        assert not report.missing, report.messages()
    yield report
    with django_db_blocker.unblock():
        ImportBatch.objects.exclude(pk__in=before).delete()
        Series.objects.filter(observations__isnull=True).delete()


@pytest.fixture
def no_statistics(db):
    """No imported statistics, whatever other tests imported before (rolled back after the test)."""
    from atout.diagnostic.models import ImportBatch

    ImportBatch.objects.all().delete()
