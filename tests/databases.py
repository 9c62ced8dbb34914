"""Copies of the session's database for the tests that run ``atout`` in other processes.

The session builds its test database once (all migrations, the real geography, the Drôme demo:
``tests/conftest.py``). Tests that start ``atout`` or gunicorn in other processes need such a database
of their own, and building one per test (``atout migrate`` + ``atout demo``) cost a minute each.
Instead the session keeps two templates of its database, one right after the migrations (a fresh
installation) and one once the demo is in, and each of those tests gets a private copy:

- SQLite: the test database (in memory) is written to a file with SQLite's backup API; a copy is a
  file copy.
- PostgreSQL: ``CREATE DATABASE <copy> TEMPLATE <template>``, the template itself being made the same
  way from the test database.

The demo accounts' passwords are hashed with the test settings' fast hasher, which ``atout.settings``
does not accept: the template's accounts get their password hashed with Django's default hasher
(PBKDF2) once, before the first copy, so that one can sign in to a served copy as a user would.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

BIN = Path(sys.executable).parent


def is_sqlite(settings_dict: dict) -> bool:
    return settings_dict["ENGINE"].endswith("sqlite3")


def postgres_url(settings_dict: dict, name: str) -> str:
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return (f"postgres://{settings_dict['USER']}{password}@{settings_dict['HOST'] or '127.0.0.1'}:"
            f"{settings_dict['PORT'] or 5432}/{name}")


def postgres_admin(settings_dict: dict, dbname: str = "postgres"):
    """An autocommit connection to the suite's PostgreSQL server (CREATE/DROP DATABASE)."""
    import psycopg

    conninfo = (f"host={settings_dict['HOST'] or '127.0.0.1'} port={settings_dict['PORT'] or 5432} "
                f"user={settings_dict['USER']} dbname={dbname}")
    if settings_dict.get("PASSWORD"):
        conninfo += f" password={settings_dict['PASSWORD']}"
    return psycopg.connect(conninfo, autocommit=True)


def production_password_hashes() -> list[tuple[str, str]]:
    """``(username, hash)`` of each demo account, hashed as ``atout.settings`` hashes passwords."""
    # Imported here: this module is imported by conftest.py before Django is set up.
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from atout.processes.demo import ACCOUNTS

    hasher = PBKDF2PasswordHasher()
    return [(username, hasher.encode(password, hasher.salt())) for username, password, _role in ACCOUNTS]


class DatabaseTemplate:
    """The session's database as it is now, kept as a template; :meth:`copy` hands out private copies.

    ``kind``: ``"migrated"`` (all migrations, no data: a fresh installation) or ``"demo"`` (with the
    geography and the Drôme demo, whose accounts then get production password hashes)."""

    def __init__(self, connection, folder: Path, data_dir: Path, kind: str):
        self.settings_dict = dict(connection.settings_dict)
        self.folder = folder
        self.data_dir = data_dir
        self.kind = kind
        self._passwords_set = kind != "demo"
        self._sqlite_fallback: Path | None = None
        if is_sqlite(self.settings_dict):
            self.sqlite_file: Path | None = folder / f"{kind}.sqlite3"
            self.pg_template: str | None = None
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite_file)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            self.sqlite_file = None
            self.pg_template = f"{self.settings_dict['NAME']}_{kind}"[:63]
            connection.close()  # a template cannot be copied while someone is connected to it
            with postgres_admin(self.settings_dict) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.pg_template}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.pg_template}" TEMPLATE "{self.settings_dict["NAME"]}"')

    def _set_passwords(self) -> None:
        if self._passwords_set:
            return
        hashes = [(password, username) for username, password in production_password_hashes()]
        if self.sqlite_file is not None:
            with sqlite3.connect(self.sqlite_file) as db:
                db.executemany("UPDATE auth_user SET password = ? WHERE username = ?", hashes)
            db.close()
        else:
            with postgres_admin(self.settings_dict, self.pg_template) as db, db.cursor() as cursor:
                cursor.executemany("UPDATE auth_user SET password = %s WHERE username = %s", hashes)
        self._passwords_set = True

    def copy(self, folder: Path) -> str:
        """``DATABASE_URL`` of a new private copy, of the suite's kind (a SQLite file in ``folder``)."""
        if self.sqlite_file is not None:
            return "sqlite:///" + str(self.sqlite_copy(folder / "atout.sqlite3"))
        self._set_passwords()
        name = f"atout_copy_{uuid.uuid4().hex[:10]}"
        with postgres_admin(self.settings_dict) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.pg_template}"')
        return postgres_url(self.settings_dict, name)

    def sqlite_copy(self, path: Path) -> Path:
        """A copy as the SQLite file ``path``, whatever the suite's database (``make demo``'s kind)."""
        if self.sqlite_file is not None:
            self._set_passwords()
            source = self.sqlite_file
        else:
            source = self._sqlite_fallback_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
        return path

    def drop(self, url: str) -> None:
        """Drop a PostgreSQL copy (SQLite copies go with their test's temporary folder)."""
        if url.startswith("postgres"):
            with postgres_admin(self.settings_dict) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')

    def _sqlite_fallback_file(self) -> Path:
        """On a PostgreSQL suite, the SQLite database is built once, as ``make demo`` builds it."""
        if self._sqlite_fallback is None:
            var = self.folder / f"sqlite-{self.kind}"
            env = {"ATOUT_VAR_DIR": str(var), "ATOUT_DATA_DIR": str(self.data_dir),
                   "DJANGO_SETTINGS_MODULE": "atout.settings"}
            for command in (["migrate", "--noinput", "-v0"], ["demo"])[:2 if self.kind == "demo" else 1]:
                run_atout(command, env)
            self._sqlite_fallback = var / "atout.sqlite3"
        return self._sqlite_fallback

    def close(self) -> None:
        if self.pg_template is not None:
            with postgres_admin(self.settings_dict) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.pg_template}" WITH (FORCE)')


def run_atout(args: list[str], env: dict[str, str]) -> str:
    """``atout ARGS`` in a new process with ``env`` added to this one's (without DATABASE_URL unless
    given); fails with its output if it fails."""
    full = {**os.environ, **env}
    if "DATABASE_URL" not in env:
        full.pop("DATABASE_URL", None)
    done = subprocess.run([str(BIN / "atout"), *args], env=full, capture_output=True, text=True)
    assert done.returncode == 0, f"atout {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout
