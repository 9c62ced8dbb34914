"""``atout restore FILE``: replace the database with a backup made by ``atout backup``.

Stop the application servers first: restoring under live traffic would mix the two states.
"""

import sqlite3
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection

from atout.commands import AtoutCommand
from atout.core import backups


class Command(AtoutCommand):
    help = "Restore the database from a backup made by 'atout backup' (stop the servers first)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, file: Path, yes=False, **options):
        if not yes:
            raise CommandError("restoring replaces the whole database: run again with --yes to confirm")
        try:
            info = backups.restore(connection, file)
        except (backups.BackupError, sqlite3.Error, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored the {info['engine']} database from {info['file']}.")
