"""Crawl the served demo from ``/`` as each role, following the site's own links breadth-first.

No link may lead to a refusal (403), a missing page (404) or an error (5xx); as team and administrator
the crawl must reach every capability's key page. The crawl runs on a 360 px phone, and no page it opens
may scroll sideways: the team's editing pages too, not only the public ones of test_phone_width.py. To stay within a few minutes the crawl opens at most
``PER_ROUTE`` addresses of each route (e.g. two indicators, not all of them) and ``BUDGET`` pages in all.
Only pages are opened: downloads (CSV, ZIP, PDF, iCal, JSON…), the admin, the API's machine endpoints and
sign-out are left out."""

from __future__ import annotations

import re
import time
import urllib.request
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from atout.processes.demo import ACCOUNTS

from .conftest import sign_in
from .test_phone_width import OVERFLOWING, WIDTH

pytestmark = pytest.mark.browser

#: Addresses opened per route (URL pattern), pages per role.
PER_ROUTE = 1
BUDGET = {"public": 80, "participant": 80, "facilitator": 100, "team": 180, "admin": 180}
SKIPPED_PREFIXES = ("/admin/", "/deconnexion/", "/api/v1/", "/i18n/", "/static/", "/media/")
DOWNLOAD = re.compile(r"\.(csv|zip|json|pdf|ics|xlsx|qdc|qdpx|xml|docx|odt|png|jpe?g|svg)$|/csv/$|/export/|/fichier/|/xlsform/")
#: Pages the team and the administrator must reach by clicking from ``/``.
KEY_PAGES = {"strategy:strategy", "strategy:swot", "actions:dashboard", "actions:accountability",
             "consultation:results", "fieldwork:themes", "fieldwork:sessions", "community:stakeholders",
             "community:dashboard", "processes:team", "reports:index", "opendata:package", "opinion:results",
             "diagnostic:summary", "fieldwork:documents", "fieldwork:agreement", "sectors:detail",
             "consultation:barometer", "strategy:positioning_edit", "processes:edit", "processes:members",
             "actions:objectives"}
USERNAMES = {role: username for username, _password, role in ACCOUNTS}


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def followable(base: str, href: str) -> str | None:
    """The same-origin page address behind ``href``, or None for what the crawl leaves out."""
    url, _fragment = urldefrag(href)
    parts = urlsplit(url)
    if not url.startswith(base) or parts.path.startswith(SKIPPED_PREFIXES) or DOWNLOAD.search(parts.path):
        return None
    return url


def crawl(page, base: str, budget: int) -> tuple[dict[str, int], list[tuple[str, str, int]], list[str]]:
    """Breadth-first from ``/``: ``({route: pages opened}, [(from, url, status) of every failure],
    [pages wider than the screen, with what sticks out])``."""
    queue = deque([(base + "/", "")])
    seen = {base + "/"}
    routes: dict[str, int] = {}
    failures = []
    too_wide = []
    opened = 0
    while queue and opened < budget:
        url, origin = queue.popleft()
        route = route_of(urlsplit(url).path) or "?"
        if routes.get(route, 0) >= PER_ROUTE:
            continue
        routes[route] = routes.get(route, 0) + 1
        opened += 1
        try:
            response = page.goto(url, wait_until="domcontentloaded")
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):  # a download the address did not announce: not a page
                continue
            raise
        status = response.status if response else 0
        if status >= 400 or route == "?":
            failures.append((origin, url, status))
            continue
        if "html" not in (response.headers.get("content-type") or ""):
            continue
        page.wait_for_load_state("load")  # its style sheets applied
        if page.evaluate("document.documentElement.scrollWidth") > WIDTH:
            too_wide.append(f"{url}: " + "; ".join(page.evaluate(OVERFLOWING)))
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"):
            target = followable(base, href)
            if target and target not in seen:
                seen.add(target)
                queue.append((target, url))
    return routes, failures, too_wide


@pytest.fixture(scope="module")
def warm_demo(served_demo):
    # Both gunicorn workers import every app on their first request: warm them before timing pages.
    for _ in range(4):
        urllib.request.urlopen(served_demo + "/p/drome/", timeout=240).read()
    return served_demo


@pytest.mark.parametrize("role", ["public", "participant", "facilitator", "team", "admin"])
def test_every_link_a_role_sees_opens(served_demo, warm_demo, browser, role):
    context = browser.new_context(locale="fr-FR", viewport={"width": WIDTH, "height": 740}, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    started = time.monotonic()
    try:
        if role != "public":
            sign_in(page, warm_demo, USERNAMES[role], "/")
        routes, failures, too_wide = crawl(page, warm_demo, BUDGET[role])
    finally:
        context.close()
    print(f"\ncrawl as {role}: {sum(routes.values())} pages, {len(routes)} routes, {time.monotonic() - started:.0f} s")
    assert failures == []
    assert too_wide == []
    if role in ("team", "admin"):
        assert KEY_PAGES - set(routes) == set()
    if role == "facilitator":
        assert {"fieldwork:sessions", "fieldwork:codebook"} <= set(routes)
    if role in ("public", "participant"):
        assert not {"processes:team", "actions:dashboard", "community:stakeholders"} & set(routes)
