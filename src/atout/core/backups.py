"""Backup and restore of the database, SQLite or PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from .planner import refresh_statistics

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    pass


def _engine(connection) -> str:
    if connection.vendor == "sqlite":
        return "sqlite"
    if connection.vendor == "postgresql":
        return "postgresql"
    raise BackupError(f"backups of {connection.vendor} databases are not supported")


def _pg_env(connection) -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = ["--host", s.get("HOST") or "127.0.0.1", "--port", str(s.get("PORT") or 5432), "--username", s["USER"]]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return path


def backup(connection, target: Path) -> dict:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    engine = _engine(connection)
    if engine == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(partial) as copy:
            connection.connection.backup(copy)
        copy.close()
    else:
        args, env = _pg_env(connection)
        run = subprocess.run(
            [_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--file", str(partial), connection.settings_dict["NAME"]],
            env=env, capture_output=True, text=True,
        )
        if run.returncode:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
    # Renamed once complete: an interrupted backup never looks like a finished one.
    partial.replace(target)
    return {"engine": engine, "file": str(target), "bytes": target.stat().st_size}


def restore(connection, source: Path) -> dict:
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    engine = _engine(connection)
    head = source.open("rb").read(16)
    expected = SQLITE_MAGIC if engine == "sqlite" else PGDUMP_MAGIC
    if not head.startswith(expected):
        kind = "SQLite" if head.startswith(SQLITE_MAGIC) else "pg_dump" if head.startswith(PGDUMP_MAGIC) else "unknown"
        raise BackupError(f"{source}: a {kind} file cannot be restored into this {engine} database")
    if engine == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(source) as backup_db:
            backup_db.backup(connection.connection)
        backup_db.close()
    else:
        connection.close()
        args, env = _pg_env(connection)
        run = subprocess.run(
            [_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--dbname", connection.settings_dict["NAME"], str(source)],
            env=env, capture_output=True, text=True,
        )
        if run.returncode:
            raise BackupError(f"pg_restore failed: {run.stderr.strip()}")
        refresh_statistics()  # pg_restore does not restore the planner's statistics
    return {"engine": engine, "file": str(source)}
