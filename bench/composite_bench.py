"""Benchmark of the composite-index engine on SYNTHETIC data (seeded): 35,000 units × 30 indicators.

Times, as medians of 3 runs: the plain pipeline (denominate-free COINr-style: impute, screen, treat,
normalise, weight, aggregate), and the Monte Carlo uncertainty analysis with 1,000 runs varying weights
(±25 % on pillars and sub-indices), normalisation (min-max [1, 100] / rank), aggregation (arithmetic /
geometric), imputation (group mean / mean) and treatment (winsorise 5 points / none) — including its
set-up (the data-side variants). Target: < 30 s for the Monte Carlo. Also timed: the same Monte Carlo
with missing values kept (the slower level-by-level path) and a sensitivity analysis (N = 128).

Run: ``.venv/bin/python bench/composite_bench.py`` (add ``--units N --runs R`` to change the size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time

import numpy as np
import pandas as pd

from atout.engine.composite import CompositeData, IndexTree, Pipeline, Step
from atout.engine.uncertainty import CompositeUncertainty, UncertaintySpec

PILLARS = 6
PER_PILLAR = 5


def synthetic_data(units: int, seed: int = 20251126) -> CompositeData:
    """SYNTHETIC units × 30 indicators (6 pillars of 5, 2 sub-indices, 1 index): skewed, correlated,
    2 % missing, 8 groups, a third of indicators with polarity −1. Not real data."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(units, PILLARS))
    columns, level, parent, direction = {}, {}, {}, {}
    for p in range(PILLARS):
        pillar = f"P{p + 1}"
        level[pillar], parent[pillar] = 2, "S1" if p < PILLARS // 2 else "S2"
        for i in range(PER_PILLAR):
            code = f"I{p + 1}{i + 1}"
            signal = latent[:, p] + rng.normal(scale=1.0, size=units)
            # Some indicators are log-normal (skewed counts), others roughly normal.
            columns[code] = np.exp(signal) if i % 2 == 0 else 50 + 10 * signal
            level[code], parent[code] = 1, pillar
            direction[code] = -1 if i == 4 else 1
    values = pd.DataFrame(columns, index=[f"U{k:05d}" for k in range(units)])
    values = values.mask(rng.random(values.shape) < 0.02)
    level.update({"S1": 3, "S2": 3, "Index": 4})
    parent.update({"S1": "Index", "S2": "Index", "Index": None})
    tree = IndexTree(level, parent, {c: 1.0 for c in level}, direction)
    groups = pd.DataFrame({"zone": rng.integers(0, 8, units).astype(str)}, index=values.index)
    return CompositeData(values, tree, groups=groups)


def pipeline_for(data: CompositeData) -> Pipeline:
    return Pipeline(data, [
        Step("impute", {"method": "group_mean", "group": "zone"}),
        Step("screen", {"min_availability": 0.9}),
        Step("treat", {"winmax": 5}),
        Step("normalise", {"method": "minmax", "low": 0.0, "high": 100.0}),
        Step("weight", {"method": "expert"}),
        Step("aggregate", {"method": "arithmetic"}),
    ])


SPEC = UncertaintySpec(
    weights_noise={2: 0.25, 3: 0.25},
    # Geometric means need positive scores: z-scores of these skewed indicators go below zero, ranks do not.
    normalisation=({"method": "minmax", "low": 1.0, "high": 100.0}, {"method": "rank"}),
    aggregation=("arithmetic", "geometric"),
    imputation=({"method": "group_mean"}, {"method": "mean"}),
    treatment=({"winmax": 5}, {"method": "none"}),
)


CPU_SECONDS: list[float] = []


def timed(function) -> tuple[float, object]:
    """(wall-clock seconds, result); the process's CPU seconds are appended to CPU_SECONDS."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function()
    CPU_SECONDS.append(time.process_time() - cpu)
    return time.perf_counter() - start, result


def cpu_note(count: int) -> str:
    """Median CPU seconds of the last ``count`` timings: on a shared machine, wall time also counts waits."""
    return f"CPU {statistics.median(CPU_SECONDS[-count:]):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=35_000)
    parser.add_argument("--runs", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sensitivity", type=int, default=128, help="base sample of the sensitivity analysis")
    args = parser.parse_args()

    print("composite engine benchmark — SYNTHETIC data (seeded), not real figures")
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs (shared with other engineers working in parallel), "
          f"Python {platform.python_version()}, numpy {np.__version__}")
    print(f"date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}, "
          f"load average at start {os.getloadavg()[0]:.1f}")
    data = synthetic_data(args.units)
    print(f"data: {args.units} units × {data.values.shape[1]} indicators, "
          f"{int(data.values.isna().sum().sum())} missing values")

    pipeline = pipeline_for(data)
    plain = [timed(pipeline.run)[0] for _ in range(args.repeats)]
    print(f"plain pipeline (impute → aggregate): median {statistics.median(plain):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in plain)}; {cpu_note(args.repeats)})")

    setups, mcs, totals = [], [], []
    for repeat in range(args.repeats):
        setup, analysis = timed(lambda repeat=repeat: CompositeUncertainty(pipeline, SPEC, random_state=repeat))
        mc, table = timed(lambda analysis=analysis: analysis.monte_carlo(args.runs))
        setups.append(setup)
        mcs.append(mc)
        totals.append(setup + mc)
        CPU_SECONDS.append(CPU_SECONDS.pop() + CPU_SECONDS.pop())
    print(f"Monte Carlo, {args.runs} runs over {len(analysis.varying)} assumptions "
          f"({', '.join(analysis.varying)}; {len(analysis._matrices)} data variants):")
    print(f"  set-up (nominal + data variants): median {statistics.median(setups):.2f} s")
    print(f"  runs (weights, aggregation, ranks): median {statistics.median(mcs):.2f} s")
    print(f"  total: median {statistics.median(totals):.2f} s (runs: {', '.join(f'{t:.2f}' for t in totals)}); "
          f"{cpu_note(args.repeats)}; target < 30 s")
    width = (table["q95"] - table["q05"]).median()
    print(f"  median width of the 5–95 % rank interval: {width:.0f} ranks of {args.units}")

    # Same runs with the missing values kept (no imputation): weights are rescaled unit by unit, so
    # runs are aggregated level by level in batches instead of through the collapsed tree.
    gappy = UncertaintySpec(**{**SPEC.__dict__, "imputation": ({"method": "none"},)})
    totals = []
    for repeat in range(args.repeats):
        totals.append(timed(lambda repeat=repeat: CompositeUncertainty(pipeline, gappy, random_state=repeat)
                            .monte_carlo(args.runs))[0])
    print(f"Monte Carlo with missing values kept (level-by-level path), {args.runs} runs: "
          f"median {statistics.median(totals):.2f} s (runs: {', '.join(f'{t:.2f}' for t in totals)}; "
          f"{cpu_note(args.repeats)})")

    totals = []
    for repeat in range(args.repeats):
        analysis = CompositeUncertainty(pipeline, SPEC, random_state=repeat)
        totals.append(timed(lambda analysis=analysis: analysis.sensitivity(args.sensitivity))[0])
    runs = args.sensitivity * (len(analysis.varying) + 2)
    print(f"Sensitivity (Saltelli/Jansen), N = {args.sensitivity} → {runs} runs: "
          f"median {statistics.median(totals):.2f} s (runs: {', '.join(f'{t:.2f}' for t in totals)}; "
          f"{cpu_note(args.repeats)})")


if __name__ == "__main__":
    main()
