"""Production settings: the deployment checklist is clean, and the app refuses to start unconfigured."""

import os
import subprocess
import sys
from pathlib import Path

ATOUT = str(Path(sys.executable).parent / "atout")


def run(env, *args):
    return subprocess.run([ATOUT, *args], env=env, capture_output=True, text=True)


def production_env(tmp_path, **extra):
    env = {**os.environ, "ATOUT_ENV": "production", "ATOUT_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra)
    return env


def test_the_deployment_checklist_is_clean_in_production(tmp_path):
    env = production_env(tmp_path, ATOUT_SECRET_KEY="k" * 20 + "Zq8#vX2!pL9@wR4$tY7%uI1^oP3&aS6*dF5", ATOUT_ALLOWED_HOSTS="atout.example.fr")
    result = run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(production_env(tmp_path, ATOUT_ALLOWED_HOSTS="atout.example.fr"), "check")
    assert result.returncode != 0
    assert "ATOUT_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run(production_env(tmp_path, ATOUT_SECRET_KEY="x" * 60), "check")
    assert result.returncode != 0
    assert "ATOUT_ALLOWED_HOSTS must be set" in result.stderr
