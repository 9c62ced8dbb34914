"""Running ``atout`` in another process, on a scratch database (upgrade and worker tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def atout_env(database_url: str, var_dir: Path, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "ATOUT_DATA_DIR": str(data_dir), "ATOUT_VAR_DIR": str(var_dir),
           "DJANGO_SETTINGS_MODULE": "atout.settings", **extra}
    env.pop("ATOUT_ENV", None)
    return env


def run_atout(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 900) -> str:
    """Run ``python -m atout ARGS``; fail the test with its output if it fails. Returns stdout."""
    done = subprocess.run([sys.executable, "-m", "atout", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"atout {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def marked(output: str, marker: str) -> str:
    """The rest of the first output line starting with ``marker`` (how shell snippets report values)."""
    return next(line for line in output.splitlines() if line.startswith(marker))[len(marker):]
