"""Start-up time of the ``atout`` command: wall clock of whole commands, as a user types them.

Times, as medians of N runs (default 7), each in a new process:

- ``atout territories show 26 --json`` on a migrated SQLite database holding the official geography
  (target < 1 s);
- ``atout composite run --idata … --imeta … --preset coinr-example --json`` on COINr's ASEM example
  (target < 2 s; it needs pandas and scipy);
- ``atout help``.

Then ``python -X importtime`` of the first two: the top-level imports costing most (cumulative) and the
modules costing most by themselves — where to look when start-up grows again.

The database is built once in a scratch folder (``atout migrate`` + ``atout territories import``, about
half a minute) unless ``--var DIR`` names a folder whose ``atout.sqlite3`` already holds the geography.

Run: ``ATOUT_DATA_DIR=../shared/data .venv/bin/python bench/cli_startup.py [--runs N] [--var DIR]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ATOUT = str(Path(sys.executable).parent / "atout")
TARGETS = {"territories show": 1.0, "composite run": 2.0}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def env_for(var: Path) -> dict[str, str]:
    env = {**os.environ, "ATOUT_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "atout.settings"}
    env.pop("DATABASE_URL", None)
    return env


def atout(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([ATOUT, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"atout {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def prepare(var: Path) -> None:
    """A migrated SQLite database with the official geography (skipped when it is already there)."""
    env = env_for(var)
    atout(["migrate", "--noinput", "-v0"], env)
    if '"code": "26"' not in subprocess.run([ATOUT, "territories", "show", "26", "--json"], env=env,
                                            capture_output=True, text=True).stdout:
        print("  importing the official geography (once)…", flush=True)
        atout(["territories", "import"], env)


def timed(args: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        atout(args, env)
        times.append(time.perf_counter() - start)
    return times


def import_offenders(args: list[str], env: dict[str, str], top: int = 8) -> tuple[float, list, list]:
    """Total import time (s), the top-level imports costing most (cumulative, s) and the modules
    costing most by themselves (s), from ``python -X importtime``."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "atout", *args], env=env,
                          capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match[1]) / 1e6, int(match[2]) / 1e6, len(match[3]) // 2, match[4]))
    top_level = [(name, cumulative) for _self, cumulative, depth, name in rows if depth == 0]
    total = sum(cumulative for _name, cumulative in top_level)
    by_self = sorted(((name, own) for own, _c, _d, name in rows), key=lambda r: -r[1])[:top]
    return total, sorted(top_level, key=lambda r: -r[1])[:top], by_self


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--var", type=Path, help="folder of an atout.sqlite3 to use (default: a scratch one)")
    args = parser.parse_args()
    data_dir = os.environ.get("ATOUT_DATA_DIR", "")
    coinr = Path(data_dir) / "reference" / "coinr-asem"
    if not (coinr / "ASEM_iData.csv").is_file():
        sys.exit("set ATOUT_DATA_DIR to the offline mirror of the data (e.g. ../shared/data)")

    print(f"atout start-up benchmark — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"  machine: {cpu_model()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}")
    print(f"  load average (1, 5, 15 min) before: {load()}")
    with tempfile.TemporaryDirectory() as scratch:
        var = args.var or Path(scratch) / "var"
        env = env_for(var)
        prepare(var)
        commands = {
            "territories show": ["territories", "show", "26", "--json"],
            "composite run": ["composite", "run", "--idata", str(coinr / "ASEM_iData.csv"), "--imeta",
                              str(coinr / "ASEM_iMeta.csv"), "--preset", "coinr-example", "--json"],
            "help": ["help"],
        }
        for label, command in commands.items():
            atout(command, env)  # warm the file system cache
            times = timed(command, env, args.runs)
            median = statistics.median(times)
            target = TARGETS.get(label)
            verdict = "" if target is None else f" — target < {target:.0f} s: {'met' if median < target else 'NOT met'}"
            shown = "composite run --idata … --imeta … --preset coinr-example --json" if label == "composite run" \
                else " ".join(command)
            print(f"  atout {shown}\n      {median:.2f} s median of {len(times)} (min {min(times):.2f}, max {max(times):.2f}){verdict}")
        for label in ("territories show", "composite run"):
            total, top_level, by_self = import_offenders(commands[label], env)
            print(f"  imports of `atout {label}`: {total:.2f} s in all (python -X importtime)")
            print("      top-level, cumulative: " + ", ".join(f"{n} {s:.2f}" for n, s in top_level))
            print("      by themselves:         " + ", ".join(f"{n} {s:.2f}" for n, s in by_self))
    print(f"  load average after: {load()}")


if __name__ == "__main__":
    main()
