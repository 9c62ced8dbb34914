"""Benchmark: the diagnostic app on the Drôme demo's real data, in a throw-away SQLite database.

Sets up a fresh database (migrations, the official geography, the Drôme demo — not timed), then times:
the import of the three demo files (INSEE dossier complet and comparateur for the 362 Drôme communes, the
PTOD départements file) through ``import_file``; the 93 catalogue indicators for the Drôme aggregated
from its communes (the portrait and indicator list); one indicator for the 362 communes, the 16 EPCIs and
the 96 départements (the maps); the findings of the Drôme against the 96 départements and of a zone
against the other sub-territories; the attractiveness compass with 300 Monte Carlo runs.
Figures are medians of 5 runs (imports: 3 runs, each into an emptied store).

Run: ``ATOUT_DATA_DIR=../shared/data .venv/bin/python bench/diagnostic_bench.py``
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

RUNS = 5


def timed(function, runs=RUNS, before=None) -> float:
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    data_dir = Path(os.environ.get("ATOUT_DATA_DIR", ""))
    if not data_dir.is_dir():
        raise SystemExit("set ATOUT_DATA_DIR to the data folder")
    scratch = tempfile.mkdtemp(prefix="atout-diag-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atout.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from atout.demo import orchestration as process_demo
    from atout.diagnostic import analysis, demo
    from atout.diagnostic.catalogue_store import current_catalogue
    from atout.diagnostic.compass import compass
    from atout.diagnostic.models import ImportBatch
    from atout.territories import importer
    from atout.territories.models import Level, Territory

    call_command("migrate", verbosity=0, skip_checks=True)
    importer.import_geography({key: data_dir / rel for key, rel in importer.GEO_FILES.items()})
    process_demo.prepare()

    def empty():
        ImportBatch.objects.all().delete()

    figures = {"import of the 3 demo files (≈ 38,750 values)": timed(lambda: demo.prepare(data_dir), runs=3,
                                                                     before=empty)}
    catalogue = current_catalogue()
    drome = Territory.objects.get(level=Level.DEPARTEMENT, code="26")
    zone = Territory.objects.get(level=Level.ZONE, code="drome-provencale")
    communes = list(drome.communes())
    epcis = list(drome.epcis())
    departements = list(Territory.objects.filter(level=Level.DEPARTEMENT).exclude(contour=""))
    figures["93 indicators for the Drôme (portrait)"] = timed(lambda: analysis.figures([drome], list(catalogue)))
    figures["1 indicator × 362 communes (map)"] = timed(lambda: analysis.values_for(communes, "unemployment_rate"))
    figures["1 indicator × 16 EPCIs (map)"] = timed(lambda: analysis.values_for(epcis, "unemployment_rate"))
    figures["1 indicator × 96 départements (map)"] = timed(lambda: analysis.values_for(departements, "median_income"))
    figures["findings: Drôme vs 96 départements"] = timed(lambda: analysis.findings_for(drome, "departements"))
    figures["findings: a zone vs 5 sub-territories"] = timed(lambda: analysis.findings_for(zone, "departements"))
    ptod = analysis.ptod_table()
    figures["compass, 300 Monte Carlo runs"] = timed(lambda: compass(ptod, catalogue, "26", runs=300))

    database = django.db.connection.vendor
    print(f"diagnostic app benchmark — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.platform()}, "
          f"{platform.python_version()}, {os.cpu_count()} CPUs (machine shared with other jobs), {database}")
    for name, seconds in figures.items():
        print(f"  {name:<48} {seconds * 1000:8.0f} ms (median)")


if __name__ == "__main__":
    main()
