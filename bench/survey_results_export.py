"""Benchmark: the survey results page and the streamed CSV export at 100,000 responses.

Bars (../shared/PRODUCT.md): results page < 1 s; CSV export < 10 s with flat memory (< 300 MB).

Data: the real geography (COG 2025, ``ATOUT_DATA_DIR``) and the Drôme demo process, then the demo
perception questionnaire with N SIMULATED responses (``atout.consultation.demo``, seeded; ~27 answer
rows each, so ~2.7 M answer rows at 100,000). The database is built once in a folder (default
``var/bench-survey``; SQLite unless ``DATABASE_URL`` is set) and reused by later runs.

Measured (medians of RUNS runs):
- ``survey_results``: every table of the survey (frequencies with Wilson intervals, means, NPS,
  crosstabs by sub-territory, hexagon) computed from SQL sums;
- the results page (Django test client, signed-in team member, template rendered): its first view
  after the responses changed (computes the tables and stores a snapshot), then views reusing it;
- the CSV export, each run in a fresh process, with that process's peak resident memory.

Run: ``ATOUT_DATA_DIR=../shared/data .venv/bin/python bench/survey_results_export.py [--responses 100000]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 3
ROOT = Path(__file__).resolve().parents[1]


def setup_django(var_dir: Path) -> None:
    os.environ.setdefault("ATOUT_VAR_DIR", str(var_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atout.settings")
    import django

    django.setup()


def build(count: int) -> None:
    from django.core.management import call_command

    from atout.consultation import demo as survey_demo
    from atout.consultation.models import Response
    from atout.processes import demo
    from atout.processes.models import Process

    call_command("migrate", verbosity=0)
    if not Process.objects.filter(slug="drome").exists():
        started = time.perf_counter()
        demo.prepare()
        print(f"geography and Drôme demo loaded in {time.perf_counter() - started:.0f} s")
    process = Process.objects.get(slug="drome")
    if Response.objects.filter(survey__process=process, survey__slug=survey_demo.SLUG).count() != count:
        started = time.perf_counter()
        survey_demo.prepare(process, count=count)
        print(f"{count:,} simulated responses built in {time.perf_counter() - started:.0f} s")


def measure_results() -> tuple[list[float], list[float], int]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from atout.consultation import demo as survey_demo
    from atout.consultation import results
    from atout.consultation.models import Answer, Survey

    survey = Survey.objects.get(process__slug="drome", slug=survey_demo.SLUG)
    rows = Answer.objects.filter(survey=survey).count()
    engine_times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        results.survey_results(survey, segments=["zone"])
        engine_times.append(time.perf_counter() - started)
    client = Client()
    client.force_login(get_user_model().objects.get(username="equipe"))
    url = reverse("consultation:results", kwargs={"slug": "drome", "survey": survey.slug}) + "?segment=zone"
    client.get("/")  # loads the URL configuration (and the apps it imports) once, outside the timing
    from atout.consultation.models import ResultsSnapshot

    ResultsSnapshot.objects.filter(survey=survey).delete()
    started = time.perf_counter()
    assert client.get(url).status_code == 200
    cold = time.perf_counter() - started
    page_times = [cold]
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        page_times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return engine_times, page_times, rows


def export_once(path: str) -> None:
    """Child process: one CSV export; prints seconds, rows and peak RSS (MB)."""
    from atout.consultation import demo as survey_demo
    from atout.consultation import exports
    from atout.consultation.models import Survey

    survey = Survey.objects.get(process__slug="drome", slug=survey_demo.SLUG)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    count = exports.write_csv(survey, Path(path))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{elapsed} {count} {peak} {before}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--var", default=str(ROOT / "var" / "bench-survey"))
    parser.add_argument("--export-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    var_dir = Path(args.var)
    var_dir.mkdir(parents=True, exist_ok=True)
    setup_django(var_dir)
    if args.export_child:
        export_once(args.export_child)
        return
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs "
          f"(shared with other engineers' jobs while measuring), Python {platform.python_version()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    from django.db import connection

    print(f"database: {connection.vendor}")
    build(args.responses)
    engine_times, page_times, rows = measure_results()
    print(f"{args.responses:,} responses, {rows:,} answer rows")
    print(f"survey_results (all tables, crosstab by zone): median {statistics.median(engine_times):.3f} s "
          f"over {RUNS} runs {[round(t, 3) for t in engine_times]}  (bar: results page < 1 s)")
    print(f"results page, first view after new responses (computes and stores the snapshot): {page_times[0]:.3f} s")
    print(f"results page, snapshot reused (template rendered): median {statistics.median(page_times[1:]):.3f} s "
          f"{[round(t, 3) for t in page_times[1:]]}")
    output = var_dir / "export.csv"
    runs = []
    for _ in range(RUNS):
        done = subprocess.run([sys.executable, __file__, "--var", str(var_dir), "--export-child", str(output)],
                              check=True, capture_output=True, text=True, env=os.environ)
        elapsed, count, peak, before = done.stdout.split()[-4:]
        runs.append((float(elapsed), int(count), float(peak), float(before)))
    print(f"CSV export: median {statistics.median(r[0] for r in runs):.2f} s for {runs[0][1]:,} rows, "
          f"{output.stat().st_size / 1e6:.0f} MB written; peak RSS of the exporting process "
          f"{max(r[2] for r in runs):.0f} MB (after start-up {runs[0][3]:.0f} MB)  (bar: < 10 s, < 300 MB)")


if __name__ == "__main__":
    main()
