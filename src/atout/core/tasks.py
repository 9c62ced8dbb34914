"""Background tasks that survive a worker's death: orphaned tasks are retried, or failed, never lost.

django-tasks' database worker (``db_worker``) marks a task RUNNING when it claims it. A graceful stop
(SIGTERM) lets the running task finish; but a worker killed outright (SIGKILL, out of memory, power loss)
leaves its task RUNNING forever, and the page that follows it (a theme analysis, a report, a newsletter)
would say "running" forever. ``atout worker`` names its workers ``<host>:<pid>:<random>`` so that a
worker starting on the same host can tell a dead worker's task from a live one's, and it recovers them at
start and then every minute:

- a task orphaned fewer than ``ATOUT_TASK_MAX_ATTEMPTS`` times (default 3) goes back to the queue — our
  tasks are idempotent or resumable (a theme run restarts, a newsletter skips addresses already served);
- beyond that it is marked FAILED with an explanation, and the record it was working for is marked
  failed too through the hooks registered with :func:`on_task_failure`, so its page says so.

Tasks RUNNING on another host are recovered only when older than ``--stale-after`` (no pid to check).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

#: task path ("module.function") → functions called with the task's args when it has definitively failed.
FAILURE_HOOKS: dict[str, list[Callable[..., None]]] = {}


def on_task_failure(task_path: str):
    """Register ``function(*args, message=...)`` to mark the task's record failed (decorator)."""

    def register(function):
        FAILURE_HOOKS.setdefault(task_path, []).append(function)
        return function

    return register


def max_attempts() -> int:
    return int(getattr(settings, "ATOUT_TASK_MAX_ATTEMPTS", os.environ.get("ATOUT_TASK_MAX_ATTEMPTS", 3)))


def new_worker_id() -> str:
    """``host:pid:random``, under django-tasks' 64 characters."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def _dead_on_this_host(worker_id: str) -> bool | None:
    """True/False for a worker of this host (its pid is gone or not); None when it cannot be told."""
    parts = worker_id.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname()[:40] or not parts[1].isdigit():
        return None
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


def notify_failure(task_path: str, args: list, message: str) -> None:
    from importlib import import_module

    try:
        import_module(task_path.rsplit(".", 1)[0])  # the task's module registers its hooks on import
    except ImportError:
        return
    for hook in FAILURE_HOOKS.get(task_path, []):
        hook(*args, message=message)


def recover_orphans(*, stale_after: dt.timedelta | None = None) -> dict[str, list[str]]:
    """Requeue or fail the RUNNING tasks whose worker is dead. Returns the ids per outcome."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    outcome: dict[str, list[str]] = {"requeued": [], "failed": []}
    now = timezone.now()
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        worker = (result.worker_ids or [""])[-1]
        dead = _dead_on_this_host(worker)
        if dead is None:
            dead = stale_after is not None and result.started_at is not None and now - result.started_at > stale_after
        if not dead:
            continue
        if len(result.worker_ids) < max_attempts():
            # Back to the queue: the next worker claims it and appends its own id (one more attempt).
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None)
            outcome["requeued"].append(str(result.pk))
        else:
            message = (f"the worker stopped during this task {len(result.worker_ids)} time(s) "
                       f"(last worker {worker}); not retried again")
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now, exception_class_path="atout.core.tasks.WorkerLost",
                traceback=message)
            notify_failure(result.task_path, result.args_kwargs.get("args", []), message)
            outcome["failed"].append(str(result.pk))
    return outcome


def connect_failure_signal() -> None:
    """A task that ends FAILED in the worker (an exception, a forced stop) also reaches the hooks."""
    from django_tasks.base import TaskResultStatus
    from django_tasks.signals import task_finished

    def finished(sender, task_result, **kwargs):
        if task_result.status == TaskResultStatus.FAILED:
            errors = getattr(task_result, "errors", None) or []
            message = errors[-1].exception_class_path if errors else "the task failed"
            notify_failure(task_result.task.module_path, list(task_result.args), message)

    task_finished.connect(finished, dispatch_uid="atout-task-failure-hooks")
