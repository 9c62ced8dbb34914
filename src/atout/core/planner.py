"""The query planner's statistics, refreshed after a bulk load."""

from __future__ import annotations

from django.db import connection


def refresh_statistics() -> None:
    """Have PostgreSQL gather its per-table statistics now (``ANALYZE``).

    PostgreSQL plans each query from statistics that autovacuum gathers only some time after a bulk
    load. Until then it takes freshly loaded tables for nearly empty ones, and chooses nested loops
    over tens of thousands of rows: the demo's barometer page took 6 s instead of 0.3 s on a database
    just built by ``atout demo`` or restored by ``atout restore``.
    SQLite plans without statistics unless ANALYZE was once run; nothing to refresh there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
