"""User content is escaped everywhere: XSS payloads written into every free-text field of every model
(see tests/web/xss.py for what counts as free text), then every page of the permission walk
(tests/test_permissions.py) rendered as an administrator and as an anonymous visitor."""

import pytest

from tests.test_permissions import build_url, declared_samples, site_views
from tests.web import xss


def walk_pages(client, process, samples):
    """(url, problem) for every page of the site that shows a payload unescaped or fails."""
    problems = []
    pages = 0
    for name, pattern in site_views():
        try:
            url = build_url(name, pattern, process, samples)
        except Exception as error:
            problems.append(f"{name}: {type(error).__name__}: {error}")
            continue
        try:
            response = client.get(url)
        except Exception as error:  # a payload must not break a page either
            problems.append(f"{url}: {type(error).__name__}: {error}")
            continue
        if response.status_code >= 500:
            problems.append(f"{url}: status {response.status_code}")
        if response.status_code != 200 or response.streaming or not xss.shows_html(response):
            continue
        pages += 1
        found = xss.unescaped(response.content.decode("utf-8", "replace"))
        if found:
            problems.append(f"{url}: {found}")
    return pages, problems


def test_every_free_text_field_is_covered_or_excluded_for_a_reason():
    fields = {f"{m._meta.label}.{f.name}" for m, f, _kind in xss.free_text_fields()}
    existing = {f"{m._meta.label}.{f.name}" for m in xss.atout_models() for f in m._meta.concrete_fields}
    assert set(xss.NOT_FREE_TEXT) <= existing, "stale entries: " + ", ".join(sorted(set(xss.NOT_FREE_TEXT) - existing))
    # The fields the brief names explicitly are all covered.
    for label in ("processes.Process.title", "processes.Process.description", "diagnostic.Indicator.label_fr",
                  "consultation.SurveyVersion.structure", "consultation.Answer.text", "fieldwork.Contribution.text",
                  "fieldwork.Code.name", "opinion.Statement.text", "strategy.Evidence.url", "actions.Action.title",
                  "community.Event.fieldwork_notes", "community.Story.text", "community.BrandKit.colours"):
        assert label in fields, label


def test_payloads_reach_the_demo_objects(drome):
    samples = declared_samples(drome)
    assert samples
    touched = xss.inject()
    empty = sorted(label for label, n in touched.items() if n == 0)
    # Most fields hold demo data; the others are reported rather than silently skipped.
    assert sum(1 for n in touched.values() if n) > 100, empty
    from atout.processes.models import Process

    assert Process.objects.get(pk=drome.pk).title.startswith(xss.SCRIPT)


@pytest.mark.parametrize("role", ["admin", "public"])
def test_no_page_shows_a_payload_unescaped(client, drome, users, role):
    from atout.core.audit import record

    samples = declared_samples(drome)
    record("update", obj=drome, changes={"title": ["avant", "après"]}, user=users["team"])  # for the journal page
    xss.inject()
    if role != "public":
        client.force_login(users[role])
    pages, problems = walk_pages(client, drome, samples)
    assert pages > (80 if role == "admin" else 20)
    assert problems == []
