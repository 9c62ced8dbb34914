"""``atout backup FILE``: a consistent copy of the database, taken while the site runs.

SQLite: SQLite's online backup API (a page-by-page copy that sees one consistent state).
PostgreSQL: ``pg_dump`` in its custom format (restore with ``atout restore`` or ``pg_restore``).
Uploaded files (``ATOUT_VAR_DIR/media``) are not included: copy that folder alongside.
"""

import sqlite3
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection

from atout.commands import AtoutCommand
from atout.core import backups


class Command(AtoutCommand):
    help = "Back up the database to FILE (SQLite copy or pg_dump custom format)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, file: Path, json=False, **options):
        try:
            info = backups.backup(connection, file)
        except (backups.BackupError, sqlite3.Error, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if json:
            import json as _json

            self.stdout.write(_json.dumps(info))
        else:
            self.stdout.write(f"Backed up the {info['engine']} database to {info['file']} ({info['bytes']} bytes).")
