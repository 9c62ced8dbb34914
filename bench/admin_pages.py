"""Benchmark: the admin's heaviest forms and the team's editing pages of the Drôme demo (bar: < 1 s).

Sets up a fresh SQLite database (migrations, the official geography with its ~36,000 communes, the Drôme
demo — not timed), then requests each page below with Django's test client, signed in as the demo's
administrator (admin pages) or team member (team pages), and prints the median wall-clock time of 7
requests (after one warm-up request), the largest <select> of the page (a form listing every commune
would show ~36,000 options) and the machine with its load. Before territory links became searches
(autocomplete), ``/admin/actions/action/add/`` took 22–28 s and a process change page 18–30 s.

Run: ``ATOUT_DATA_DIR=../shared/data .venv/bin/python bench/admin_pages.py``
(``DATABASE_URL=postgres://…`` to measure on PostgreSQL instead; that database is modified.)
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from report_pdf import machine  # noqa: E402  (the bench scripts' shared machine description)

RUNS = 7
BAR = 1.0


def largest_select(html: str) -> int:
    return max((block.count("<option") for block in re.findall(r"<select.*?</select>", html, flags=re.S)), default=0)


def main() -> None:
    data_dir = Path(os.environ.get("ATOUT_DATA_DIR", ""))
    if not data_dir.is_dir():
        raise SystemExit("set ATOUT_DATA_DIR to the data folder")
    scratch = tempfile.mkdtemp(prefix="atout-admin-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("ATOUT_VAR_DIR", scratch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atout.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from atout.actions.models import Action, Kpi
    from atout.processes import demo as process_demo
    from atout.processes.models import Process
    from atout.territories import importer

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0, skip_checks=True)
    importer.import_geography({key: data_dir / rel for key, rel in importer.GEO_FILES.items()})
    process_demo.prepare()
    process = Process.objects.get(slug="drome")
    action = Action.objects.filter(process=process).exclude(subterritories=None).first()
    kpi = Kpi.objects.filter(process=process).first()
    users = get_user_model().objects
    pages = [
        ("admin", reverse("admin:actions_action_add")),
        ("admin", reverse("admin:actions_action_change", args=[action.pk])),
        ("admin", reverse("admin:processes_process_change", args=[process.pk])),
        ("admin", reverse("admin:actions_kpi_change", args=[kpi.pk])),
        ("admin", reverse("admin:community_event_add")),
        ("admin", reverse("admin:strategy_swotitem_add")),
        ("equipe", reverse("processes:edit", kwargs={"slug": process.slug})),
        ("equipe", reverse("processes:members", kwargs={"slug": process.slug})),
        ("equipe", reverse("actions:action_add", kwargs={"slug": process.slug})),
        ("equipe", reverse("actions:action_edit", kwargs={"slug": process.slug, "code": action.code}) + "?q=saint"),
        ("equipe", reverse("actions:kpi_edit", kwargs={"slug": process.slug, "pk": kpi.pk})),
    ]
    clients = {}
    for username in {who for who, _url in pages}:
        clients[username] = Client()
        clients[username].force_login(users.get(username=username))
    load_before = os.getloadavg()
    print(f"# atout admin and team editing pages — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"# {machine()}")
    print(f"# {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, median of {RUNS} requests after one warm-up")
    print(f"{'page':<60} {'median s':>9} {'max s':>7} {'<select> max':>13}")
    worst = 0.0
    for who, url in pages:
        client = clients[who]
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        worst = max(worst, median)
        print(f"{url:<60} {median:9.3f} {max(times):7.3f} {largest_select(response.content.decode()):13d}")
    load_after = os.getloadavg()
    print(f"# load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    print(f"# slowest median {worst:.3f} s — bar {BAR:.1f} s: {'met' if worst < BAR else 'NOT met'}")


if __name__ == "__main__":
    main()
