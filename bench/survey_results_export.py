"""Benchmark: the survey results page and the streamed CSV export at 100,000 responses.

Bars (../shared/PRODUCT.md): results page < 1 s; CSV export < 10 s with flat memory (< 300 MB).

Data: the real geography (COG 2025, ``ATOUT_DATA_DIR``) and the Drôme demo process, then the demo
perception questionnaire with N SIMULATED responses (``atout.consultation.demo``, seeded; ~27 answer
rows each, so ~2.7 M answer rows at 100,000). The database is built once in a folder (default
``var/bench-survey``; SQLite unless ``DATABASE_URL`` is set) and reused by later runs.

Measured (medians of RUNS runs):
- the stored sums of the survey (``results.aggregates``) recomputed from every answer row — what
  the first view after new weights, a deletion or a purge costs;
- the results page (Django test client, signed-in team member, template rendered): its first view
  after NEW_RESPONSES responses were submitted through ``services.store_submission`` (the stored sums are
  brought up to date, every table computed, the snapshot stored), then a second view reusing it.
  The added responses are deleted at the end and the sums recomputed, so the data stays as built;
- the CSV export, each run in a fresh process, with its wall and CPU time and its peak resident
  memory; then the CSV for Excel once (and the XLSX export once with ``--with-xlsx``).

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
    from atout.demo import orchestration as demo
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
    _analyze()


def _analyze() -> None:
    """PostgreSQL: planner statistics and the visibility map (for index-only scans), as autovacuum
    would have them on a database in use — right after a bulk load they are missing and the
    planner expects one row. (SQLite's plans here do not depend on statistics.)"""
    from django.db import connection

    from atout.consultation.models import Answer, Response

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Response, Answer):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


NEW_RESPONSES = 10  # submitted before each "first view after the responses changed"


def _new_answers(i: int) -> dict:
    """Plausible answers for a response submitted during the benchmark (through the real path)."""
    from atout.consultation import demo as survey_demo

    return {
        "atouts": ["nature", "climat"], "faiblesses": ["transports"], "fierte": str(1 + i % 5), "recommande": float(i % 11),
        **{name: str(1 + (i + j) % 5) for j, (name, _fr, _en) in enumerate(survey_demo.HEXAGON)},
        "attractive": "Les paysages.", "profil_age": "30-44", "profil_sexe": "F", "profil_commune": "26362",
        "profil_statut": "resident",
    }


def measure_results() -> dict:
    """Times of the results: a full recomputation of the stored sums, then RUNS × (NEW_RESPONSES
    submitted, first view of the results page, a second view)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from atout.consultation import demo as survey_demo
    from atout.consultation import results, services
    from atout.consultation.models import Answer, Response, ResultsSnapshot, Survey

    survey = Survey.objects.get(process__slug="drome", slug=survey_demo.SLUG)
    rows = Answer.objects.filter(survey=survey).count()
    started = time.perf_counter()
    assert results.aggregates(survey, rebuild=True)["mode"] == "full"
    full = time.perf_counter() - started
    started = time.perf_counter()
    results.survey_results(survey, segments=["zone"])
    engine_unchanged = time.perf_counter() - started
    client = Client()
    client.force_login(get_user_model().objects.get(username="equipe"))
    url = reverse("consultation:results", kwargs={"slug": "drome", "survey": survey.slug}) + "?segment=zone"
    client.get("/")  # loads the URL configuration (and the apps it imports) once, outside the timing
    assert client.get(url).status_code == 200
    first_views, first_cpu, repeat_views, modes = [], [], [], []
    added = []
    try:
        for run in range(RUNS):
            for i in range(NEW_RESPONSES):
                response, _token = services.start_response(survey)
                added.append(services.store_submission(survey, _new_answers(run * NEW_RESPONSES + i), partial=response).pk)
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            first_views.append(time.perf_counter() - started)
            first_cpu.append(time.process_time() - cpu)
            assert response.status_code == 200, response.status_code
            modes.append(ResultsSnapshot.objects.get(survey=survey, key=results.AGGREGATES_KEY).data["mode"])
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            repeat_views.append(time.perf_counter() - started)
        n_shown = client.get(url + "&format=json").json()["n"]
    finally:
        # Leave the data as built (the next run reuses it); the stored sums are recomputed.
        Response.objects.filter(pk__in=added).delete()
        results.aggregates(survey, rebuild=True)
    return {"rows": rows, "full": full, "engine_unchanged": engine_unchanged, "first": first_views, "first_cpu": first_cpu,
            "repeat": repeat_views, "modes": modes, "n_shown": n_shown}


def export_once(path: str, fmt: str) -> None:
    """Child process: one export; prints wall seconds, CPU seconds, rows, peak RSS and RSS after start-up (MB)."""
    from atout.consultation import demo as survey_demo
    from atout.consultation import exports
    from atout.consultation.models import Survey

    survey = Survey.objects.get(process__slug="drome", slug=survey_demo.SLUG)
    before = _peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    if fmt == "xlsx":
        count = exports.write_xlsx(survey, Path(path))
    else:
        count = exports.write_csv(survey, Path(path), excel=fmt == "excel")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _peak_mb()
    print(f"{elapsed} {cpu} {count} {peak} {before}")


def _peak_mb() -> float:
    """Peak resident memory of this process (MB). ``VmHWM`` from /proc, not ``ru_maxrss``: on Linux
    the latter keeps the parent's resident size from before ``exec``, which is not this process's."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export(var_dir: Path, fmt: str) -> tuple[float, float, int, float, float, Path]:
    output = var_dir / f"export-{fmt}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    done = subprocess.run([sys.executable, __file__, "--var", str(var_dir), "--export-child", str(output), "--format", fmt],
                          check=True, capture_output=True, text=True, env=os.environ)
    elapsed, cpu, count, peak, before = done.stdout.split()[-5:]
    return float(elapsed), float(cpu), int(count), float(peak), float(before), output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--var", default=str(ROOT / "var" / "bench-survey"))
    parser.add_argument("--export-child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--format", default="csv", help=argparse.SUPPRESS)
    parser.add_argument("--with-xlsx", action="store_true", help="also time one XLSX export (minutes at 100,000)")
    args = parser.parse_args()
    var_dir = Path(args.var)
    var_dir.mkdir(parents=True, exist_ok=True)
    setup_django(var_dir)
    if args.export_child:
        export_once(args.export_child, args.format)
        return
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs "
          f"(shared with other engineers' jobs while measuring), Python {platform.python_version()}, "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; load average {_load()}")
    from django.db import connection

    print(f"database: {connection.vendor}")
    build(args.responses)
    found = measure_results()
    print(f"{args.responses:,} responses, {found['rows']:,} answer rows")
    print(f"stored sums recomputed from every answer row (after new weights, a deletion or a purge): {found['full']:.2f} s")
    print(f"survey_results (all tables, crosstab by zone), responses unchanged: {found['engine_unchanged']:.3f} s")
    print(f"results page, first view after {NEW_RESPONSES} new responses (sums brought up to date: {set(found['modes'])}): "
          f"median {statistics.median(found['first']):.3f} s {[round(t, 3) for t in found['first']]}, "
          f"CPU of this process {statistics.median(found['first_cpu']):.3f} s  (bar: < 1 s)")
    print(f"results page, second view (snapshot reused): median {statistics.median(found['repeat']):.3f} s "
          f"{[round(t, 3) for t in found['repeat']]}; page showed n = {found['n_shown']:,}")
    runs = [_export(var_dir, "csv") for _ in range(RUNS)]
    print(f"CSV export: median {statistics.median(r[0] for r in runs):.2f} s wall, "
          f"{statistics.median(r[1] for r in runs):.2f} s CPU for {runs[0][2]:,} rows {[round(r[0], 2) for r in runs]}, "
          f"{runs[0][5].stat().st_size / 1e6:.0f} MB written; peak RSS of the exporting process "
          f"{max(r[3] for r in runs):.0f} MB (after start-up {runs[0][4]:.0f} MB)  (bar: < 10 s, < 300 MB)")
    for fmt in ("excel", "xlsx") if args.with_xlsx else ("excel",):
        elapsed, cpu, count, peak, before, output = _export(var_dir, fmt)
        print(f"{'CSV for Excel' if fmt == 'excel' else 'XLSX'} export (one run): {elapsed:.2f} s wall, {cpu:.2f} s CPU, "
              f"{count:,} rows, {output.stat().st_size / 1e6:.0f} MB; peak RSS {peak:.0f} MB (after start-up {before:.0f} MB)")
    print(f"load average at the end: {_load()}")


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


if __name__ == "__main__":
    main()
