"""Background tasks survive a worker killed mid-task: retried, or failed after too many attempts — never
left "running" forever. Real worker processes (``atout worker``) on a private copy of the session's demo
database (of the suite's kind), killed with SIGKILL."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from .subprocesses import ROOT, atout_env, marked, run_atout

STATUS = """
from django_tasks_db.models import DBTaskResult
r = DBTaskResult.objects.get(pk="{id}")
print("STATE=" + r.status + "|" + str(len(r.worker_ids)) + "|" + r.traceback.replace(chr(10), " ")[:300])
"""


def _enqueue(env, cwd, folder: Path, steps: int) -> str:
    code = (f"from tests.web.slow_task import work_in_steps; "
            f"print('ID=' + str(work_in_steps.enqueue({str(folder)!r}, {steps}).id))")
    return marked(run_atout(["shell", "-c", code], env, cwd), "ID=")


def _state(env, cwd, task_id: str) -> tuple[str, int, str]:
    status, attempts, message = marked(run_atout(["shell", "-c", STATUS.format(id=task_id)], env, cwd), "STATE=").split("|", 2)
    return status, int(attempts), message


def _kill_worker_mid_task(env, cwd, folder: Path) -> None:
    worker = subprocess.Popen([sys.executable, "-m", "atout", "worker", "--no-startup-delay", "--interval", "0.2"],
                              env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while not any(folder.glob("started-*")):
            assert worker.poll() is None, worker.stdout.read()
            assert time.monotonic() < deadline, "the worker never started the task"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    for mark in folder.glob("started-*"):
        mark.unlink()


def test_a_task_whose_worker_was_killed_is_run_again_by_the_next_worker(tmp_path, demo_database, data_dir):
    env = atout_env(demo_database, tmp_path / "var", data_dir, PYTHONPATH=str(ROOT),
                    ATOUT_TASKS_BACKEND="django_tasks_db.DatabaseBackend")
    folder = tmp_path / "marks"
    folder.mkdir()
    task_id = _enqueue(env, tmp_path, folder, steps=600)  # works until told to finish: killed before

    _kill_worker_mid_task(env, tmp_path, folder)
    assert _state(env, tmp_path, task_id)[:2] == ("RUNNING", 1)
    assert not (folder / "done").exists()
    (folder / "go").touch()

    # The next worker recovers the orphan, then runs it to the end.
    output = run_atout(["worker", "--batch", "--no-startup-delay", "--interval", "0.2"], env, tmp_path, timeout=300)
    assert "Orphaned tasks: 1 requeued, 0 failed" in output
    status, attempts, _message = _state(env, tmp_path, task_id)
    assert (status, attempts) == ("SUCCESSFUL", 2)
    assert (folder / "done").exists() and not (folder / "failed").exists()


def test_a_task_orphaned_too_often_is_failed_and_its_record_told(tmp_path, demo_database, data_dir):
    env = atout_env(demo_database, tmp_path / "var", data_dir, PYTHONPATH=str(ROOT),
                    ATOUT_TASKS_BACKEND="django_tasks_db.DatabaseBackend", ATOUT_TASK_MAX_ATTEMPTS="1")
    folder = tmp_path / "marks"
    folder.mkdir()
    task_id = _enqueue(env, tmp_path, folder, steps=600)
    _kill_worker_mid_task(env, tmp_path, folder)

    output = run_atout(["worker", "--batch", "--no-startup-delay", "--interval", "0.2"], env, tmp_path, timeout=300)
    assert "Orphaned tasks: 0 requeued, 1 failed" in output
    status, attempts, message = _state(env, tmp_path, task_id)
    assert (status, attempts) == ("FAILED", 1)
    assert "the worker stopped during this task 1 time(s)" in message
    assert "not retried again" in (folder / "failed").read_text(encoding="utf-8")
    assert not (folder / "done").exists()
