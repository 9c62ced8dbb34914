"""Benchmark: raking 100,000 respondents to age × sex × zone margins.

Run: ``.venv/bin/python bench/weighting_bench.py``. Prints medians of several runs and the machine.
The sample is simulated (deliberately skewed); the age and zone margins have the shape of the
Drôme's (5 age bands, 2 sexes, 8 sub-territories). Figures are wall-clock seconds on whatever else
the machine is running: on the shared 2-core development machine other engineers' jobs compete.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import time

import numpy as np
import pandas as pd

from atout.engine.weighting import rake

N = 100_000
RUNS = 7
AGE = {"15-29": 0.18, "30-44": 0.22, "45-59": 0.24, "60-74": 0.22, "75+": 0.14}
SEX = {"F": 0.52, "M": 0.48}
ZONE = {f"zone-{i}": share for i, share in enumerate([0.30, 0.18, 0.12, 0.10, 0.09, 0.08, 0.07, 0.06], start=1)}


def simulated_sample(n: int, seed: int = 42) -> pd.DataFrame:
    """Respondents over-representing older people, women and the first zones (as online panels do)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.choice(list(AGE), n, p=[0.08, 0.15, 0.25, 0.32, 0.20]),
        "sex": rng.choice(list(SEX), n, p=[0.60, 0.40]),
        "zone": rng.choice(list(ZONE), n, p=[0.40, 0.20, 0.10, 0.08, 0.07, 0.06, 0.05, 0.04]),
    })


def timed(function, runs: int = RUNS) -> tuple[float, object]:
    durations = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations), result


def main() -> None:
    margins = {"age": AGE, "sex": SEX, "zone": ZONE}
    sample = simulated_sample(N)
    print(f"weighting benchmark — {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}")
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"os.cpu_count()={os.cpu_count()}, Python {platform.python_version()}, numpy {np.__version__}")
    print("note: shared development machine (other engineers' jobs running); medians of "
          f"{RUNS} runs, wall-clock seconds")
    print(f"sample: {N:,} respondents; margins: age (5) × sex (2) × zone (8)")

    seconds, result = timed(lambda: rake(sample, margins))
    print(f"rake, tolerance 1e-10:              median {seconds:.3f} s  "
          f"({result.iterations} cycles, deff {result.deff:.3f}, effective n {result.effective_n:,.0f})")

    seconds, result = timed(lambda: rake(sample, margins, trim=(0.3, 3.0)))
    print(f"rake + trim 0.3–3, tolerance 1e-10: median {seconds:.3f} s  "
          f"({result.iterations} cycles, deff {result.deff:.3f}, max weight {result.weights.max():.3f})")

    columns = {c: sample[c].tolist() for c in sample.columns}  # as the CLI passes them: lists of text
    seconds, result = timed(lambda: rake(columns, margins))
    print(f"rake from Python lists:              median {seconds:.3f} s")


if __name__ == "__main__":
    main()
