"""``atout worker``: the background-task worker (django-tasks' database worker) with crash recovery.

Same options as ``db_worker`` (``--batch``, ``--interval``, ``--queue-name``, ``--max-tasks``...). In
addition it names itself ``host:pid:random`` and, at start and every ``--recover-every`` seconds, puts
back in the queue the tasks of workers that died mid-task on this host (or fails them after
``ATOUT_TASK_MAX_ATTEMPTS`` attempts); see ``atout.core.tasks``. ``--stale-after`` also recovers tasks
RUNNING for longer than that many minutes whatever their host (for workers on several machines).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands import db_worker

from atout.core import tasks

logger = logging.getLogger("atout.worker")


class Command(db_worker.Command):
    help = "Run the background-task worker, recovering tasks left running by a worker that died."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=tasks.new_worker_id(), backend_name="default")
        parser.add_argument("--recover-every", type=float, default=60.0,
                            help="seconds between two checks for orphaned tasks (default: 60)")
        parser.add_argument("--stale-after", type=float, default=None,
                            help="also recover tasks running for more than this many minutes, on any host")

    def handle(self, *args, recover_every: float, stale_after: float | None, **options):
        stale = dt.timedelta(minutes=stale_after) if stale_after else None
        self.recover(stale)
        tasks.connect_failure_signal()
        stop = threading.Event()
        watcher = threading.Thread(target=self.watch, args=(stop, recover_every, stale), daemon=True)
        watcher.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()

    def recover(self, stale):
        outcome = tasks.recover_orphans(stale_after=stale)
        if outcome["requeued"] or outcome["failed"]:
            self.stdout.write(f"Orphaned tasks: {len(outcome['requeued'])} requeued, {len(outcome['failed'])} failed "
                              f"({', '.join(outcome['requeued'] + outcome['failed'])}).")
        return outcome

    def watch(self, stop: threading.Event, every: float, stale) -> None:
        while not stop.wait(every):
            try:
                close_old_connections()
                self.recover(stale)
            except Exception:  # a database hiccup must not kill the watcher; the next round retries
                logger.exception("recovery of orphaned tasks failed")
            finally:
                connection.close()
