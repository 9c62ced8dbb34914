"""The permission matrix: every view of the site × every role → allowed, or refused as it should be.

Each view states the role it needs through the decorators of ``atout.core.access``; this test walks the
whole URL configuration, so a new view without a declared access level fails here. URL arguments other
than ``slug`` (a process) and ``key`` (a territory) come from ``permission_samples.py`` modules in the
test packages: ``def samples(process) -> {url name: kwargs}``.
"""

import importlib
import pkgutil

import pytest
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.i18n import set_language

import tests
from atout.processes.roles import ORDER

ROLES = ["public", "participant", "facilitator", "team", "admin"]
#: Django's own views, public by nature; the admin site is checked in test_admin_is_for_staff.
FRAMEWORK_VIEWS = {auth_views.LoginView, auth_views.LogoutView, set_language}


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            # The admin site is checked below; the REST API (django-ninja's patterns) has its own
            # matrix, per operation and token, in tests/api/test_matrix.py.
            if pattern.app_name in ("admin", "ninja"):
                continue
            ns = pattern.namespace or namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def declared_samples(process):
    found = {}
    for module_info in pkgutil.walk_packages(tests.__path__, "tests."):
        if module_info.name.endswith(".permission_samples"):
            found.update(importlib.import_module(module_info.name).samples(process))
    return found


def site_views():
    views = []
    for name, pattern in walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "view_class", pattern.callback)
        if view in FRAMEWORK_VIEWS:
            continue
        views.append((name, pattern))
    return views


def test_every_view_declares_its_access_level():
    undeclared = [name for name, p in site_views() if getattr(p.callback, "access", None) not in ORDER]
    assert undeclared == []


def build_url(name, pattern, process, samples):
    params = set(pattern.pattern.converters)
    if name in samples:
        return reverse(name, kwargs=samples[name])
    kwargs = {}
    if "slug" in params:
        kwargs["slug"] = process.slug
    if "key" in params:
        kwargs["key"] = "dep:26"
    missing = params - set(kwargs)
    assert not missing, f"{name}: add sample values for {missing} in a permission_samples.py module"
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_the_permission_matrix(client, drome, users, role):
    if role != "public":
        client.force_login(users[role])
    samples = declared_samples(drome)
    problems = []
    for name, pattern in site_views():
        url = build_url(name, pattern, drome, samples)
        needed = pattern.callback.access
        response = client.get(url)
        allowed = ORDER.index(role) >= ORDER.index(needed)
        refused_anonymously = response.status_code == 302 and response.url.startswith(reverse("login"))
        if allowed and (response.status_code in (403, 500) or refused_anonymously):
            problems.append(f"{role} should reach {url} ({needed}) but got {response.status_code}")
        if not allowed and role == "public" and not refused_anonymously:
            problems.append(f"anonymous visitor should be sent to login from {url} ({needed}), got {response.status_code}")
        if not allowed and role != "public" and response.status_code != 403:
            problems.append(f"{role} should get 403 on {url} ({needed}), got {response.status_code}")
    assert problems == []


@pytest.mark.parametrize("role,status", [("public", 302), ("participant", 302), ("facilitator", 302), ("team", 200), ("admin", 200)])
def test_admin_is_for_staff(client, users, role, status):
    if role != "public":
        client.force_login(users[role])
    response = client.get(reverse("admin:index"))
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("admin:login"))


def test_a_team_member_of_another_process_is_refused(client, drome, users, db):
    from atout.processes.models import ProcessRole
    from atout.processes.services import create_process

    other = create_process(slug="autre", territory=drome.territory, title="Autre démarche")
    ProcessRole.objects.create(user=users["participant"], process=other, role="team")
    client.force_login(users["participant"])
    assert client.get(reverse("processes:team", kwargs={"slug": "autre"})).status_code == 200
    assert client.get(reverse("processes:team", kwargs={"slug": "drome"})).status_code == 403
