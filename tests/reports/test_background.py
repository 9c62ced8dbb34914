"""« Produire » a report queues a job and answers at once (no request waits for the PDF); the report's page
shows the job's progress and refreshes itself until it is done; a real worker process (``atout worker``, as
``make demo`` runs it beside gunicorn) produces the PDF."""

import time

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from atout.reports.models import Report
from tests.web.subprocesses import ROOT, atout_env, marked, run_atout


def url(name, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": "drome", **kwargs})


@pytest.fixture
def queue(settings):
    """The database queue of production and of ``make demo`` (the tests' default runs tasks inline)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_produire_queues_the_job_and_answers_at_once(client, drome, users, queue):
    client.force_login(users["team"])
    assert client.get(url("index")).status_code == 200  # the page the team starts from
    started = time.perf_counter()
    response = client.post(url("start"), {"kind": "diagnostic", "format": "pdf", "territory": ""}, follow=True)
    assert time.perf_counter() - started < 2
    report = Report.objects.get(process=drome)
    assert response.redirect_chain == [(url("detail", pk=report.pk), 302)]
    assert (report.status, report.progress, report.file) == (Report.Status.QUEUED, 0, "")
    job = DBTaskResult.objects.get(task_path="atout.reports.services.generate_report")
    assert job.status == "READY" and job.args_kwargs["args"] == [report.pk]
    page = response.content.decode()
    assert "produit en arrière-plan" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress max="100" value="0"' in page and "En attente" in page


def test_the_page_follows_the_progress_the_worker_writes(client, drome, users, queue):
    client.force_login(users["team"])
    client.post(url("start"), {"kind": "diagnostic", "format": "pdf", "territory": ""})
    report = Report.objects.get(process=drome)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=40, message="Indicateurs")
    for page in (client.get(url("detail", pk=report.pk)), client.get(url("index"))):
        html = page.content.decode()
        assert '<meta http-equiv="refresh" content="3">' in html
        assert '<progress max="100" value="40"' in html and "Indicateurs" in html
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DONE, progress=100, message="")
    html = client.get(url("detail", pk=report.pk)).content.decode()
    assert 'http-equiv="refresh"' not in html and "<progress" not in html


START = """
import time
from atout.processes.models import Process
from atout.reports import services
began = time.perf_counter()
# The monitoring report: the same job as the diagnostic's, a few seconds instead of half a minute
# (the diagnostic's content is checked in-process by test_cli.py).
report = services.start(Process.objects.get(slug="drome"), "monitoring", fmt="pdf")
print("STARTED=%s|%s|%.3f" % (report.pk, report.status, time.perf_counter() - began))
"""

READ = """
from atout.reports.models import Report
report = Report.objects.get(pk={pk})
print("REPORT=%s|%s|%s|%s" % (report.status, report.progress, report.path, report.pages))
"""


def test_a_worker_produces_the_pdf(tmp_path, demo_database, data_dir):
    env = atout_env(demo_database, tmp_path / "var", data_dir, ATOUT_TASKS_BACKEND="django_tasks_db.DatabaseBackend")
    pk, status, seconds = marked(run_atout(["shell", "-c", START], env, ROOT), "STARTED=").split("|")
    assert status == "queued" and float(seconds) < 2  # queued, not produced, by the request's code
    status, progress, path, _pages = marked(run_atout(["shell", "-c", READ.format(pk=pk)], env, ROOT), "REPORT=").split("|")
    assert (status, progress, path) == ("queued", "0", "None")

    run_atout(["worker", "--batch", "--no-startup-delay", "--interval", "0.2"], env, ROOT, timeout=900)
    status, progress, path, pages = marked(run_atout(["shell", "-c", READ.format(pk=pk)], env, ROOT), "REPORT=").split("|")
    assert (status, progress) == ("done", "100") and int(pages) >= 2
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
