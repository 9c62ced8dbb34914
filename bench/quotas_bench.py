"""Benchmark: quota fill rates at 100,000 responses.

What is timed (medians of RUNS runs):
- ``quotas.fill_rates``: the one grouped query over the survey's responses plus the per-cell sums,
  for the 25 cells age band × sub-territory generated from INSEE margins (the demo's quotas) and an
  extra cell by sex × status;
- the team's quota page (Django test client, signed-in team member, template rendered);
- ``quotas.full_quota``: the check made for one respondent at the profile page (every cell closed when
  full), i.e. one COUNT per matching cell.

Data: the real geography (``ATOUT_DATA_DIR``) and the Drôme demo; the demo survey's 3,200 simulated
profiles are repeated (as simulated responses without answers, which fill rates never read) up to N.
The database is the one of ``DATABASE_URL`` (PostgreSQL recommended) or a SQLite file in
``var/bench-quotas``; it is built on first run and reused.

Run: ``DATABASE_URL=postgres://… ATOUT_DATA_DIR=../shared/data .venv/bin/python bench/quotas_bench.py [--responses 100000]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

RUNS = 5
ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("ATOUT_VAR_DIR", str(ROOT / "var" / "bench-quotas"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atout.settings")
    Path(os.environ["ATOUT_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from atout.consultation import demo as survey_demo
    from atout.consultation import quotas
    from atout.consultation.models import Response, Survey
    from atout.demo import orchestration as demo

    call_command("migrate", verbosity=0)
    survey = Survey.objects.filter(process__slug=demo.SLUG, slug=survey_demo.SLUG).first()
    if survey is None:
        demo.prepare()
        survey = Survey.objects.get(process__slug=demo.SLUG, slug=survey_demo.SLUG)
    have = Response.objects.filter(survey=survey, status="submitted").count()
    if have < args.responses:
        started = time.perf_counter()
        profiles = list(Response.objects.filter(survey=survey, status="submitted").values(
            "version_id", "age_band", "sex", "commune_id", "epci_id", "zone_id", "profile_status")[:3200])
        rows = [Response(survey=survey, status="submitted", simulated=True, source="simulation", **profiles[i % len(profiles)])
                for i in range(args.responses - have)]
        Response.objects.bulk_create(rows, batch_size=5000)
        print(f"added {len(rows)} responses in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE consultation_response")  # what autovacuum does after a bulk load
    if not survey.quotas.exists():
        quotas.generate(survey, ["age_band", "zone"], survey_demo.QUOTA_TOTAL)
    quotas.add_quota(survey, {"sex": "F", "profile_status": "resident"}, 500)
    n = Response.objects.filter(survey=survey, status="submitted").count()

    def median(fn) -> float:
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    fill = median(lambda: quotas.fill_rates(survey))
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    team = get_user_model().objects.get(username="equipe")  # the demo's team member
    client = Client()
    client.force_login(team)
    page_url = reverse("consultation:quotas", kwargs={"slug": demo.SLUG, "survey": survey.slug})
    assert client.get(page_url).status_code == 200
    page = median(lambda: client.get(page_url))
    survey.quotas.update(close_when_full=True)
    profile = {"age_band": "30-44", "sex": "F", "profile_status": "resident",
               "zone": survey.process.subterritories.order_by("code").first(), "epci": None}
    check = median(lambda: quotas.full_quota(survey, profile))
    survey.quotas.update(close_when_full=False)
    plan = ""
    if connection.vendor == "postgresql":
        sql, params = (Response.objects.filter(survey=survey, status__in=quotas.COUNTED)
                       .values("status", "simulated", "age_band", "zone_id").annotate(n=django.db.models.Count("id"))
                       .order_by().query.sql_with_params())
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + sql, params)
            plan = "\n".join("    " + row[0] for row in cursor.fetchall())
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; "
          f"database {connection.vendor}")
    print(f"responses: {n}; quota cells: {survey.quotas.count()}")
    print(f"fill_rates (one grouped query): {fill * 1000:.0f} ms")
    print(f"quota page (rendered): {page * 1000:.0f} ms")
    print(f"full_quota check for one respondent: {check * 1000:.1f} ms")
    if plan:
        print("plan of the grouped query:\n" + plan)


if __name__ == "__main__":
    main()
