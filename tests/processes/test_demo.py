import io

from django.contrib.auth import authenticate
from django.core.management import call_command

from atout.processes import demo
from atout.processes.models import Process, ProcessRole
from atout.territories.models import Territory


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


def test_without_data_the_demo_starts_and_says_what_is_missing(db, monkeypatch, tmp_path):
    from atout.consultation.models import Response

    Response.objects.all().delete()  # responses protect their survey version
    Process.objects.all().delete()
    Territory.objects.all().delete()
    monkeypatch.setenv("ATOUT_DATA_DIR", "")
    monkeypatch.setenv("ATOUT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("ATOUT_DATA_URL", "http://127.0.0.1:9")  # nothing listens there: offline
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "Geography: missing" in text
    assert "Missing data:" in text and "set ATOUT_DATA_DIR" in text
    assert Process.objects.get(slug="drome").territory.name == "Drôme"
    assert "capability demos skipped" in text
