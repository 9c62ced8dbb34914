"""Report generation as a background task (django-tasks): inline with the immediate backend (tests,
default settings), in a worker with the database backend. Progress (0–100) and the outcome are stored
on the :class:`Report`; the file is written to a temporary name and renamed once complete, so a
failed generation never leaves a half file behind."""

from __future__ import annotations

import time

from django.utils import timezone, translation
from django_tasks import task

from atout.core.files import write_atomically

from . import rendering
from .models import Report, reports_dir


def start(process, kind: str, *, territory=None, fmt: str = "pdf", user=None, language: str = "fr") -> Report:
    """Record a report request and enqueue its generation; with the immediate backend it is done on return."""
    report = Report.objects.create(process=process, kind=kind, territory=territory, format=fmt, created_by=user,
                                   language=language)
    generate_report.enqueue(report.pk)
    report.refresh_from_db()
    return report


@task()
def generate_report(report_id: int) -> None:
    """The background task: build, store, or record the failure on the report."""
    try:
        execute(Report.objects.select_related("process", "territory").get(pk=report_id))
    except Exception as exc:
        # A report must never stay "running" on its page: record any crash, then let the backend log it.
        Report.objects.filter(pk=report_id).update(status=Report.Status.FAILED, message=f"{type(exc).__name__}: {exc}",
                                                   finished=timezone.now(), progress=0)
        raise


def execute(report: Report) -> Report:
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=1, message="")
    started = time.perf_counter()
    last = [0]

    def progress(percent: int, message: str) -> None:
        if percent > last[0]:
            last[0] = percent
            Report.objects.filter(pk=report.pk).update(progress=min(percent, 99), message=str(message)[:200])

    with translation.override(report.language or "fr"):
        output = rendering.build(report.kind, report.process, territory=report.territory, fmt=report.format,
                                 progress=progress)
    name = f"{report.process.slug}/{report.pk}-{report.kind}.{report.format}"
    write_atomically(reports_dir() / name, output.data)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DONE, progress=100, message="", file=name, pages=output.pages, size=len(output.data),
        finished=timezone.now(), duration=round(time.perf_counter() - started, 2))
    report.refresh_from_db()
    return report
