"""Benchmark of the opinion-mapping engine against red-dwarf, on real and synthetic conversations.

Run: ``ATOUT_DATA_DIR=/path/to/data .venv/bin/python bench/opinion_bench.py [--runs N] [--skip-reddwarf]``

Cases:
- the largest real conversation of ``$ATOUT_DATA_DIR/consultation/polis/`` (by number of votes);
- a SYNTHETIC conversation of 10,000 participants × 2,000 statements at 10 % density (2 million votes),
  generated with a fixed seed: four opinion camps with 15 % noise and 15 % passes.

For each case: median wall time of ``analyze()`` (ours: PCA, base clusters, groups, representative and
consensus statements) and of red-dwarf's ``run_pipeline`` (same steps, pol.is defaults) on the same
votes in the same process, and their ratio. atout's ``analyze`` caps BLAS/OpenMP threads at one (see
its docstring); red-dwarf is timed with library defaults and again capped at one thread. Building the
vote matrix from vote events is timed apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from atout.engine.formats.polis import read_conversation  # noqa: E402
from atout.engine.opinion import VoteMatrix, analyze  # noqa: E402


def synthetic_votes(n_participants=10_000, n_statements=2_000, density=0.10, seed=20251126):
    """Vote events of a synthetic conversation: (participant, statement, vote) int arrays.

    Each participant belongs to one of four camps; each camp has a stance (+1/−1) per statement; a
    participant votes on ``density`` of the statements at random, follows the camp's stance 85 % of
    the time (else the opposite) and passes on 15 % of their votes.
    """
    rng = np.random.default_rng(seed)
    stances = np.where(rng.random((4, n_statements)) < 0.5, 1, -1).astype(np.int8)
    camp = rng.integers(0, 4, size=n_participants)
    per_person = rng.binomial(n_statements, density, size=n_participants)
    participant = np.repeat(np.arange(n_participants), per_person)
    # distinct statements per participant: take the first k of a random permutation via argsort of keys
    keys = rng.random((n_participants, n_statements))
    order = np.argsort(keys, axis=1)
    statement = np.concatenate([order[i, : per_person[i]] for i in range(n_participants)])
    vote = stances[camp[participant], statement]
    vote = np.where(rng.random(len(vote)) < 0.15, -vote, vote)
    vote = np.where(rng.random(len(vote)) < 0.15, 0, vote).astype(np.int8)
    return participant.astype(np.int64), statement.astype(np.int64), vote


def median_time(fn, runs: int) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def run_reddwarf(participant, statement, vote, moderated_out):
    from reddwarf.implementations.polis import run_pipeline

    # red-dwarf builds a pandas frame from its ``votes`` argument: columns as arrays work and spare
    # it millions of small dicts
    votes = {"participant_id": participant, "statement_id": statement, "vote": vote}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_pipeline(votes=votes, mod_out_statement_ids=list(moderated_out), random_state=0)


def bench_case(label, matrix: VoteMatrix, moderated_out, runs: int, skip_reddwarf: bool) -> None:
    rows = matrix.entry_rows()
    participant = matrix.participant_ids[rows]
    statement = matrix.statement_ids[matrix.votes.indices]
    vote = matrix.votes.data.astype(np.int64)
    print(f"\n== {label}")
    print(f"   {matrix.shape[0]:,} participants × {matrix.shape[1]:,} statements, {matrix.n_votes:,} votes")
    build, _, _ = median_time(
        lambda: VoteMatrix.from_votes(participant, statement, vote, timestamp=np.arange(len(vote))), runs
    )
    print(f"   vote matrix from events (latest vote per pair): median {build:.3f} s")
    ours, times, result = median_time(lambda: analyze(matrix, moderated_out=moderated_out, random_state=0), runs)
    print(f"   atout analyze(): median {ours:.3f} s over {runs} runs {[round(t, 3) for t in times]}")
    print(f"   -> {result.n_groups} groups, sizes {result.group_sizes().tolist()}, in conversation {int(result.in_conversation.sum()):,}")
    if skip_reddwarf:
        return
    theirs, times, _ = median_time(lambda: run_reddwarf(participant, statement, vote, moderated_out), runs)
    print(f"   red-dwarf run_pipeline(), library thread defaults: median {theirs:.3f} s over {runs} runs {[round(t, 3) for t in times]}")
    print(f"   ratio red-dwarf / atout: {theirs / ours:.1f}x")
    # atout caps BLAS/OpenMP at one thread; give red-dwarf the same setting for a like-for-like figure
    with threadpool_limits(limits=1):
        single, times, _ = median_time(lambda: run_reddwarf(participant, statement, vote, moderated_out), runs)
    print(f"   red-dwarf run_pipeline(), capped at 1 thread like atout: median {single:.3f} s {[round(t, 3) for t in times]}")
    print(f"   ratio red-dwarf (1 thread) / atout: {single / ours:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--skip-reddwarf", action="store_true")
    args = parser.parse_args()

    print("opinion-mapping benchmark")
    print(f"date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}")
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"python {platform.python_version()}, numpy {np.__version__}")
    print("note: the machine is shared with other engineers' jobs; figures are medians and vary with load")
    try:
        load = os.getloadavg()
        print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    except OSError:
        pass

    data_dir = os.environ.get("ATOUT_DATA_DIR")
    if not data_dir:
        sys.exit("ATOUT_DATA_DIR must point at the shared data folder")
    polis = Path(data_dir) / "consultation" / "polis"
    conversations = {folder.name: read_conversation(folder) for folder in sorted(polis.iterdir()) if folder.is_dir()}
    name, largest = max(conversations.items(), key=lambda item: item[1].votes.n_votes)
    bench_case(f"real: {name} (largest of {len(conversations)})", largest.votes, largest.moderated_out, args.runs, args.skip_reddwarf)

    participant, statement, vote = synthetic_votes()
    synthetic = VoteMatrix.from_votes(participant, statement, vote)
    bench_case(
        "SYNTHETIC: 10,000 × 2,000 at 10 % density (seed 20251126, 4 camps)", synthetic, (), args.runs, args.skip_reddwarf
    )


if __name__ == "__main__":
    main()
