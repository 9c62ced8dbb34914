"""Benchmark of the stakeholder directory engine: reading a large CSV and suggesting duplicates.

Run: .venv/bin/python bench/community_bench.py
Prints medians of 5 runs and the machine. The directory of a département-wide process holds a few
thousand to a few tens of thousands of records; the figures say whether import and deduplication
stay interactive at that size.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from atout.engine.formats.stakeholders import Record, duplicate_suggestions, read_stakeholders

FIRST = ["Camille", "Louis", "Léa", "Hugo", "Manon", "Jules", "Chloé", "Lucas", "Emma", "Nathan", "Inès", "Théo"]
LAST = ["Martin", "Bernard", "Roux", "Faure", "Blanc", "Girard", "Chabert", "Reynaud", "Bonnet", "Arnaud", "Vial", "Brun"]
RUNS = 5


def synthetic(n: int, communes: int, seed: int = 0) -> list[tuple[str, str, str, str]]:
    """n (first, last, email, commune) rows over ``communes`` communes, with ~2 % near-duplicates."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        first, last = str(rng.choice(FIRST)), str(rng.choice(LAST)) + str(i)
        commune = f"26{int(rng.integers(0, communes)):03d}"
        if rows and rng.random() < 0.02:
            first, last, _e, commune = rows[int(rng.integers(0, len(rows)))]
            last = last + "e"
        rows.append((first, last, f"p{i}@example.org", commune))
    return rows


def median_time(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print(f"machine: {platform.platform()}, {platform.processor() or 'cpu'}, {os.cpu_count()} cores (shared with other engineers' jobs); "
          f"Python {platform.python_version()}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    for n in (2_000, 10_000, 40_000):
        rows = synthetic(n, communes=362)
        records = [Record(i, f"{f} {last}", e, c) for i, (f, last, e, c) in enumerate(rows)]
        found = len(duplicate_suggestions(records))
        seconds = median_time(lambda records=records: duplicate_suggestions(records))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "directory.csv"
            lines = ["first_name,last_name,email,commune,category,consent_purpose,consent_date,consent_source,consent_text_version"]
            lines += [f"{f},{last},{e},{c},citizen,annuaire,2026-01-01,formulaire,v1" for f, last, e, c in rows]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            read_seconds = median_time(lambda path=path: read_stakeholders(path))
        print(f"{n:>6} records over 362 communes: read CSV {read_seconds:.3f} s, duplicate suggestions {seconds:.3f} s "
              f"({found} suggestions) — medians of {RUNS} runs")


if __name__ == "__main__":
    main()
