"""Backup and restore round trips, run as a user would: the `atout` command on its own database.

Each test works on a private copy of the session's demo database of the suite's kind: the SQLite run
backs up and restores SQLite files (SQLite's backup API), the PostgreSQL run PostgreSQL databases
(pg_dump, pg_restore)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ATOUT = str(Path(sys.executable).parent / "atout")
SQLITE_MAGIC, PGDUMP_MAGIC = b"SQLite format 3\x00", b"PGDMP"


def atout(env, *args, check=True):
    run = subprocess.run([ATOUT, *args], env=env, capture_output=True, text=True)
    if check and run.returncode:
        pytest.fail(f"atout {' '.join(args)} failed:\n{run.stderr[-2000:]}")
    return run


def slugs(env):
    return sorted(p["slug"] for p in json.loads(atout(env, "process", "list", "--json").stdout)["processes"])


@pytest.fixture
def offline_env(tmp_path):
    """No official data and no network: nothing in these tests may fetch data."""
    env = {**os.environ, "ATOUT_VAR_DIR": str(tmp_path / "var"), "ATOUT_DATA_DIR": "", "ATOUT_CACHE_DIR": str(tmp_path / "cache"),
           "ATOUT_DATA_URL": "http://127.0.0.1:9", "DJANGO_SETTINGS_MODULE": "atout.settings"}
    env.pop("DATABASE_URL", None)
    return env


@pytest.fixture
def demo_env(offline_env, demo_database):
    if demo_database.startswith("postgres") and not shutil.which("pg_dump"):
        pytest.fail("PostgreSQL client tools are required (they come with the PostgreSQL server of this machine)")
    return {**offline_env, "DATABASE_URL": demo_database}


def test_backup_and_restore_round_trip(demo_env, demo_database, tmp_path):
    atout(demo_env, "process", "create", "--slug", "avant", "--territory", "26", "--title", "Avant la sauvegarde")
    backup = tmp_path / "atout.backup"
    atout(demo_env, "backup", str(backup))
    atout(demo_env, "process", "create", "--slug", "apres", "--territory", "26", "--title", "Après la sauvegarde")
    assert slugs(demo_env) == ["apres", "avant", "drome", "exemple-lille"]
    refused = atout(demo_env, "restore", str(backup), check=False)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    atout(demo_env, "restore", str(backup), "--yes")
    assert slugs(demo_env) == ["avant", "drome", "exemple-lille"]
    expected = PGDUMP_MAGIC if demo_database.startswith("postgres") else SQLITE_MAGIC
    assert backup.read_bytes().startswith(expected)


def test_a_backup_is_refused_by_the_other_kind_of_database(demo_env, demo_database, offline_env, tmp_path):
    backup = tmp_path / "atout.backup"
    atout(demo_env, "backup", str(backup))
    if demo_database.startswith("postgres"):
        other, kind, engine = offline_env, "pg_dump", "sqlite"  # the default: a SQLite file in ATOUT_VAR_DIR
    else:
        # The file is refused before any connection: the database need not exist.
        other = {**offline_env, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/atout_not_restored"}
        kind, engine = "SQLite", "postgresql"
    wrong = atout(other, "restore", str(backup), "--yes", check=False)
    assert wrong.returncode == 1, wrong.stderr
    assert f"a {kind} file cannot be restored into this {engine} database" in wrong.stderr
