"""The ``atout`` command: Django's management utility with atout's settings.

``atout territories import`` runs the ``territories`` management command with the subcommand ``import``;
any Django command works too (``atout migrate``, ``atout createsuperuser``). Each capability adds a
command group in its app's ``management/commands/``.

A command that needs the database and finds it unreachable or not migrated stops with one line saying
so (``atout: the database is not set up …: run `atout migrate```) and status 1, not a traceback;
``--traceback`` still shows it.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atout.settings")
    from django.core.management import ManagementUtility
    from django.db import DatabaseError

    args = sys.argv[1:] if argv is None else argv
    utility = ManagementUtility(["atout", *args])
    utility.prog_name = "atout"
    try:
        utility.execute()
    except DatabaseError:
        # migrate's own errors are shown in full: "not up to date" would hide why it failed
        problem = None if "--traceback" in args or args[:1] == ["migrate"] else database_problem()
        if problem is None:  # the database is fine: a genuine error, shown in full
            raise
        sys.stderr.write(f"atout: {problem}\n")
        return 1
    return 0


def database_problem() -> str | None:
    """What keeps the configured database from being used, in one line, or None when it is reachable
    and fully migrated."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    where = database_label(connection.settings_dict)
    try:
        if not connection.in_atomic_block:
            connection.close()  # a failed statement may have left the connection unusable (PostgreSQL)
        connection.ensure_connection()
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"the database cannot be reached ({where}): {reason}. Check DATABASE_URL."
    executor = MigrationExecutor(connection)
    if not executor.recorder.has_table():
        return f"the database is not set up ({where}): run `atout migrate`"
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return (f"the database is not up to date ({where}, {len(pending)} migration(s) to apply): "
                "run `atout migrate`")
    return None


def database_label(settings_dict: dict) -> str:
    """``SQLite /path/atout.sqlite3`` or ``PostgreSQL user@host:port/name`` (never the password)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"SQLite {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    user = f"{settings_dict['USER']}@" if settings_dict.get("USER") else ""
    return f"PostgreSQL {user}{host}{port}/{settings_dict['NAME']}"


if __name__ == "__main__":
    sys.exit(main())
