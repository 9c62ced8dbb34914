"""Benchmark: the full diagnostic report of the Drôme demo as a PDF (bar: < 30 s).

Sets up a fresh SQLite database (migrations, the official geography, the Drôme demo — not timed), then
generates the diagnostic PDF three times exactly as ``atout report diagnostic`` does
(``atout.reports.rendering.build``: gathering every section from the apps, rendering the templates,
typesetting with WeasyPrint) and prints the median wall-clock time, the median CPU time of the process
(what the work costs, whatever else the machine is doing), the split between gathering and typesetting,
the page count and the file size, with the machine and its load.

Run: ``ATOUT_DATA_DIR=../shared/data .venv/bin/python bench/report_pdf.py``
(``DATABASE_URL=postgres://…`` to measure on PostgreSQL instead; that database is modified.)
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

RUNS = 3
BAR = 30.0


def machine() -> str:
    cpu = "unknown CPU"
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        total = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        memory = f", {int(total.split()[1]) / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration):
        pass
    return f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs ({cpu}){memory}"


def main() -> None:
    data_dir = Path(os.environ.get("ATOUT_DATA_DIR", ""))
    if not data_dir.is_dir():
        raise SystemExit("set ATOUT_DATA_DIR to the data folder")
    scratch = tempfile.mkdtemp(prefix="atout-report-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("ATOUT_VAR_DIR", scratch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atout.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from atout.demo import orchestration as process_demo
    from atout.processes.models import Process
    from atout.reports import rendering
    from atout.territories import importer

    call_command("migrate", verbosity=0, skip_checks=True)
    importer.import_geography({key: data_dir / rel for key, rel in importer.GEO_FILES.items()})
    process_demo.prepare()
    process = Process.objects.get(slug="drome")

    walls, cpus, gathers, pages, sizes = [], [], [], [], []
    load_before = os.getloadavg()
    with translation.override("fr"):
        for _ in range(RUNS):
            marks = {}
            start, cpu_start = time.perf_counter(), time.process_time()

            def progress(percent, _message, marks=marks, start=start):
                if percent >= 80 and "gathered" not in marks:
                    marks["gathered"] = time.perf_counter() - start

            output = rendering.build("diagnostic", process, fmt="pdf", progress=progress)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu_start)
            gathers.append(marks["gathered"])
            pages.append(output.pages)
            sizes.append(len(output.data))
    load_after = os.getloadavg()
    database = django.db.connection.vendor
    wall = statistics.median(walls)
    print(f"diagnostic report PDF benchmark — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {database}")
    print(f"  machine: {machine()}")
    print(f"  load average (1, 5, 15 min): before {' '.join(f'{v:.1f}' for v in load_before)}, "
          f"after {' '.join(f'{v:.1f}' for v in load_after)}")
    print(f"  full diagnostic PDF, wall clock     {wall:7.1f} s (median of {RUNS}; runs "
          f"{', '.join(f'{w:.1f}' for w in walls)}) — bar < {BAR:.0f} s: {'met' if wall < BAR else 'NOT met'}")
    print(f"  CPU time of the process              {statistics.median(cpus):7.1f} s (median)")
    print(f"  of which gathering the sections      {statistics.median(gathers):7.1f} s wall (median); "
          f"the rest renders and typesets")
    print(f"  pages {pages[0]}, size {sizes[0] / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
