"""Benchmark: every team page and every admin form of the Drôme demo (bar: < 1 s each).

Sets up a fresh SQLite database (migrations, the official geography with its ~36,000 communes, the Drôme
demo — not timed), then, with Django's test client:

- signed in as the demo's team member, crawls the site from ``/`` by its own links (one address per
  route, as tests/browser/test_crawl.py does; downloads, the admin and the API left out) and times every
  page reached, plus the editing pages with a place search (``?q=saint``);
- signed in as the demo's administrator, times the list, the add form and the change form (of its first
  object) of every model the admin shows.

For each page: the median wall-clock time of 7 requests after one warm-up, the largest <select> of the
page (a form listing every commune would show ~36,000 options); then the machine with its load. Before
territory links became searches (autocomplete), ``/admin/actions/action/add/`` took 22–28 s and a
process change page 18–30 s.

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
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from report_pdf import machine  # noqa: E402  (the bench scripts' shared machine description)
from tests.crawl import SKIPPED, links_of  # noqa: E402  (the links the crawl tests follow)

RUNS = 7
BAR = 1.0


def largest_select(html: str) -> int:
    return max((block.count("<option") for block in re.findall(r"<select.*?</select>", html, flags=re.S)), default=0)


def crawl(client, start: str = "/") -> list[str]:
    """Every page the signed-in client reaches from ``start`` by links, one address per route."""
    from django.urls import Resolver404, resolve

    queue, seen, routes, pages = deque([start]), {start}, set(), []
    while queue:
        path = queue.popleft()
        try:
            route = resolve(path).view_name
        except Resolver404:
            continue
        if route in routes:
            continue
        routes.add(route)
        response = client.get(path)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages.append(path)
        for link in links_of(response.content.decode(), path):
            href = link.split("?", 1)[0]
            if href not in seen and not SKIPPED.search(href):
                seen.add(href)
                queue.append(href)
    return pages


def admin_forms(site) -> list[str]:
    """The list, add form and change form (first object) of every model of the admin ``site``."""
    from django.urls import reverse

    urls = []
    for model in sorted(site._registry, key=lambda m: m._meta.label):
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        urls.append(reverse(f"{name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{name}_change", args=[first.pk]))
    return urls


def timed(client, url: str) -> tuple[float, float, int] | int:
    """(median, max, largest <select>) of ``RUNS`` requests after a warm-up; the status if not a 200 page."""
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), largest_select(response.content.decode())


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
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from atout.actions.models import Action, Kpi
    from atout.demo import orchestration
    from atout.processes.models import Process

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0, skip_checks=True)
    orchestration.prepare()  # imports the geography from ATOUT_DATA_DIR first
    process = Process.objects.get(slug="drome")
    action = Action.objects.filter(process=process).exclude(subterritories=None).first()
    kpi = Kpi.objects.filter(process=process).first()
    users = get_user_model().objects
    clients = {}
    for username in ("equipe", "admin"):
        clients[username] = Client()
        clients[username].force_login(users.get(username=username))
    searches = [reverse("actions:action_edit", kwargs={"slug": process.slug, "code": action.code}) + "?q=saint",
                reverse("actions:kpi_edit", kwargs={"slug": process.slug, "pk": kpi.pk}),
                reverse("actions:action_add", kwargs={"slug": process.slug}) + "?q=val"]
    # The crawl keeps the first address of each route; the barometer's pages are the heaviest of theirs.
    barometer = {"slug": process.slug, "survey": "barometre-image-drome"}
    searches += [reverse("consultation:barometer", kwargs=barometer), reverse("consultation:results", kwargs=barometer)]
    pages = [("equipe", url) for url in crawl(clients["equipe"]) + searches]
    pages += [("admin", url) for url in admin_forms(admin.site)]
    load_before = os.getloadavg()
    print(f"# atout team pages and admin forms — {dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"# {machine()}")
    print(f"# {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, median of {RUNS} requests after one warm-up;"
          f" {sum(who == 'equipe' for who, _ in pages)} team pages (crawled from / as 'equipe'),"
          f" {sum(who == 'admin' for who, _ in pages)} admin pages")
    print(f"{'who':<7} {'page':<70} {'median s':>9} {'max s':>7} {'<select> max':>13}")
    results, refused = [], []
    for who, url in pages:
        measured = timed(clients[who], url)
        if isinstance(measured, int):
            refused.append(f"{url} ({measured})")
            continue
        results.append((who, url, *measured))
    for who, url, median, slowest, options in sorted(results, key=lambda r: -r[2]):
        print(f"{who:<7} {url:<70} {median:9.3f} {slowest:7.3f} {options:13d}")
    load_after = os.getloadavg()
    medians = [r[2] for r in results]
    worst = max(medians)
    print(f"# load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    print(f"# {len(results)} pages: median of medians {statistics.median(medians):.3f} s, slowest {worst:.3f} s"
          f" — bar {BAR:.1f} s: {'met' if worst < BAR else 'NOT met'}")
    if refused:
        # The admin answers 403 to the add form of a model it shows read-only (journal, imports, runs).
        print("# not a 200 page, left out (403 on an add form: the model is read-only in the admin): "
              + ", ".join(refused))


if __name__ == "__main__":
    main()
