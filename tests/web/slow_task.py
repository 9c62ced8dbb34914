"""A background task for the worker test: it works in steps, leaving marks in a folder, so the test can
kill its worker mid-task. It keeps working until the test leaves a ``go`` mark (or ``steps`` tenths of a
second have passed): a first worker can never finish it before being killed, however slow the machine,
and the next one finishes at once. Its failure hook leaves a mark too, as the app's hooks mark their
records."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task

from atout.core.tasks import on_task_failure


@task()
def work_in_steps(folder: str, steps: int) -> int:
    marks = Path(folder)
    (marks / f"started-{os.getpid()}").touch()
    for _step in range(steps):
        if (marks / "go").exists():
            break
        time.sleep(0.1)
    (marks / "done").touch()
    return steps


@on_task_failure("tests.web.slow_task.work_in_steps")
def work_lost(folder: str, steps: int, *, message: str) -> None:
    (Path(folder) / "failed").write_text(message, encoding="utf-8")
