"""What SQLite's Unicode-folding LIKE (atout.core.sqlite) costs against SQLite's built-in one.

The names of every commune of France (the official COG file of ATOUT_DATA_DIR) in an in-memory SQLite
table, searched as the API searches territories (``name LIKE '%…%' ESCAPE '\\'``, what Django makes of
``name__icontains``), in the same process: first with SQLite's built-in LIKE (ASCII folding only), then
with atout's. Medians of N runs (default 15) per search, and the rows each finds: the built-in LIKE
misses what differs only by the case of an accented letter.

Run: ``ATOUT_DATA_DIR=../shared/data .venv/bin/python bench/sqlite_like.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import sqlite3
import statistics
import time
from pathlib import Path

from cli_startup import cpu_model, load  # this folder, first on the path of a script

from atout.core.sqlite import like

SEARCHES = ["%valence%", "%étoile%", "%SAINT%", "%zzz%"]


def communes(data_dir: Path) -> list[str]:
    with open(data_dir / "geo" / "cog-communes-2025.csv", encoding="utf-8", newline="") as file:
        return [row["LIBELLE"] for row in csv.DictReader(file) if row["TYPECOM"] == "COM"]


def timed(db: sqlite3.Connection, pattern: str, runs: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        found = db.execute("SELECT count(*) FROM commune WHERE name LIKE ? ESCAPE '\\'", (pattern,)).fetchone()[0]
        times.append(time.perf_counter() - started)
    return statistics.median(times), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    names = communes(Path(os.environ["ATOUT_DATA_DIR"]))
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE commune (name TEXT)")
    db.executemany("INSERT INTO commune VALUES (?)", [(name,) for name in names])
    built_in = {pattern: timed(db, pattern, runs) for pattern in SEARCHES}
    for arguments in (2, 3):
        db.create_function("like", arguments, like, deterministic=True)
    ours = {pattern: timed(db, pattern, runs) for pattern in SEARCHES}
    print(f"SQLite LIKE over the {len(names):,} communes of France — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"  machine: {cpu_model()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}; load average {load()}; median of {runs} runs")
    print(f"  {'pattern':<12} {'built-in':>10} {'rows':>6} {'atout':>10} {'rows':>6}")
    for pattern in SEARCHES:
        (before, found_before), (after, found_after) = built_in[pattern], ours[pattern]
        print(f"  {pattern:<12} {before * 1000:8.1f} ms {found_before:6} {after * 1000:8.1f} ms {found_after:6}")


if __name__ == "__main__":
    main()
