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


KEY = "k" * 20 + "Zq8#vX2!pL9@wR4$tY7%uI1^oP3&aS6*dF5"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_the_deployment_checklist_is_clean_in_production(tmp_path):
    env = production_env(tmp_path, ATOUT_SECRET_KEY=KEY, ATOUT_ALLOWED_HOSTS="atout.example.fr",
                         ATOUT_EMAIL_BACKEND=SMTP, ATOUT_EMAIL_HOST="smtp.example.fr")
    result = run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_the_deployment_checklist_warns_when_e_mail_would_be_printed_in_the_logs(tmp_path):
    """Without an SMTP server, production printed sign-in links (which open accounts) in the logs."""
    env = production_env(tmp_path, ATOUT_SECRET_KEY=KEY, ATOUT_ALLOWED_HOSTS="atout.example.fr")
    env.pop("ATOUT_EMAIL_BACKEND", None)
    result = run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "atout.W001" in result.stderr + result.stdout
    assert "console.EmailBackend prints every message, sign-in links included" in result.stderr + result.stdout
    assert "ATOUT_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend" in result.stderr + result.stdout
    # Outside production, the console is the expected backend of the demo: no warning.
    env.pop("ATOUT_ENV")
    result = run(env, "check", "--deploy")
    assert "atout.W001" not in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(production_env(tmp_path, ATOUT_ALLOWED_HOSTS="atout.example.fr"), "check")
    assert result.returncode != 0
    assert "ATOUT_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run(production_env(tmp_path, ATOUT_SECRET_KEY="x" * 60), "check")
    assert result.returncode != 0
    assert "ATOUT_ALLOWED_HOSTS must be set" in result.stderr
