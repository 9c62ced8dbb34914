"""Backup and restore round trips, run as a user would: the `atout` command on its own database."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ATOUT = str(Path(sys.executable).parent / "atout")


def atout(env, *args, check=True):
    run = subprocess.run([ATOUT, *args], env=env, capture_output=True, text=True)
    if check and run.returncode:
        pytest.fail(f"atout {' '.join(args)} failed:\n{run.stderr[-2000:]}")
    return run


def slugs(env):
    return sorted(p["slug"] for p in json.loads(atout(env, "process", "list", "--json").stdout)["processes"])


def round_trip(env, tmp_path):
    atout(env, "migrate", "--noinput", "-v0")
    # A bare demo (no geography: nothing is downloaded) is enough to have data to save.
    atout(env, "demo")
    atout(env, "process", "create", "--slug", "avant", "--territory", "26", "--title", "Avant la sauvegarde")
    backup = tmp_path / "atout.backup"
    atout(env, "backup", str(backup))
    atout(env, "process", "create", "--slug", "apres", "--territory", "26", "--title", "Après la sauvegarde")
    assert slugs(env) == ["apres", "avant", "drome"]
    refused = atout(env, "restore", str(backup), check=False)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    atout(env, "restore", str(backup), "--yes")
    assert slugs(env) == ["avant", "drome"]
    return backup


@pytest.fixture
def offline_env(tmp_path):
    env = {**os.environ, "ATOUT_VAR_DIR": str(tmp_path / "var"), "ATOUT_DATA_DIR": "", "ATOUT_CACHE_DIR": str(tmp_path / "cache"),
           "ATOUT_DATA_URL": "http://127.0.0.1:9"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def test_sqlite_backup_and_restore_round_trip(offline_env, tmp_path):
    backup = round_trip(offline_env, tmp_path)
    assert backup.read_bytes().startswith(b"SQLite format 3\x00")


def test_postgresql_backup_and_restore_round_trip(offline_env, tmp_path):
    if not shutil.which("psql"):
        pytest.fail("PostgreSQL client tools are required (they come with the PostgreSQL server of this machine)")
    user = "postgres"
    name = f"atout_backup_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", user, "-d", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        env = {**offline_env, "DATABASE_URL": f"postgres://{user}@127.0.0.1:5432/{name}"}
        backup = round_trip(env, tmp_path)
        assert backup.read_bytes().startswith(b"PGDMP")
        wrong = atout(offline_env, "restore", str(backup), "--yes", check=False)
        assert wrong.returncode == 1 and "cannot be restored into this sqlite database" in wrong.stderr
    finally:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", user, "-d", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"])
