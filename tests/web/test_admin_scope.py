"""The back office lets a team member reach only their own processes.

A team member of the Drôme demo is staff (they edit their process, phases, axes and roles in /admin/),
and holds the `processes` permissions; nothing of that may reach another process: not its listing, its
page, its change, its deletion, its team. Every other admin page is for administrators only.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from atout.api.tokens import create_token
from atout.processes.models import Axis, Phase, Process, ProcessRole
from atout.processes.services import create_process


@pytest.fixture
def other(drome, db):
    """Another process with its own team, a draft, with an action and a KPI."""
    from atout.actions.models import Action, Kpi

    process = create_process(slug="autre", territory=drome.territory, title="Autre démarche")
    process.status = Process.Status.DRAFT
    process.save()
    owner = get_user_model().objects.create_user("proprietaire", "proprietaire@example.org", "x")
    ProcessRole.objects.create(user=owner, process=process, role="team")
    action = Action.objects.create(process=process, code="A1", title="Action de l'autre", status="planned")
    Kpi.objects.create(process=process, action=action, indicator="POP", label="Indicateur de l'autre",
                       baseline_value=1, baseline_year=2020, target_value=2, target_year=2030)
    return process


def _state(process):
    """What the database holds about ``process`` (compared before and after each attempt)."""
    process.refresh_from_db()
    return (process.title, process.status, process.slug, sorted(process.roles.values_list("user__username", "role")),
            sorted(process.axes.values_list("code", "name_fr")), sorted(process.phases.values_list("kind", "start")))


def _change_form(process, **overrides):
    """The admin change form of ``process`` as the browser would post it, with its inlines."""
    data = {"title": process.title, "slug": process.slug, "territory": process.territory_id, "description": "",
            "status": process.status, "subterritories": [],
            "phases-TOTAL_FORMS": "0", "phases-INITIAL_FORMS": "0",
            "axes-TOTAL_FORMS": "0", "axes-INITIAL_FORMS": "0"}
    roles = list(process.roles.all())
    data.update({"roles-TOTAL_FORMS": str(len(roles) + 1), "roles-INITIAL_FORMS": str(len(roles))})
    for i, role in enumerate(roles):
        data.update({f"roles-{i}-id": role.pk, f"roles-{i}-process": process.pk, f"roles-{i}-user": role.user_id,
                     f"roles-{i}-role": role.role})
    data.update(overrides)
    return data


def test_a_team_member_sees_only_their_processes_in_the_admin(client, users, drome, other):
    client.force_login(users["team"])
    listing = client.get(reverse("admin:processes_process_changelist"))
    assert listing.status_code == 200
    shown = list(listing.context["cl"].result_list)
    assert drome in shown and other not in shown
    assert "Autre démarche" not in listing.content.decode()
    assert client.get(reverse("admin:processes_process_changelist") + "?q=autre").context["cl"].result_count == 0


def test_a_team_member_cannot_view_change_or_delete_another_process(client, users, other):
    before = _state(other)
    team = users["team"]
    client.force_login(team)
    change_url = reverse("admin:processes_process_change", args=[other.pk])
    page = client.get(change_url)
    # Django's admin answers a row outside the person's listing as a missing one: back to the index.
    assert page.status_code == 302 and page.url == reverse("admin:index")
    # Adding oneself to its team through the roles inline, and renaming it.
    form = _change_form(other, title="Prise de contrôle")
    n = int(form["roles-TOTAL_FORMS"]) - 1
    form.update({f"roles-{n}-process": other.pk, f"roles-{n}-user": team.pk, f"roles-{n}-role": "team"})
    assert client.post(change_url, form).status_code == 302
    delete_url = reverse("admin:processes_process_delete", args=[other.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    history = client.get(reverse("admin:processes_process_history", args=[other.pk]))
    assert history.status_code == 302 and "Prise de contrôle" not in history.content.decode()
    # Bulk deletion from the listing, naming the other process.
    client.post(reverse("admin:processes_process_changelist"),
                {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"})
    assert Process.objects.filter(pk=other.pk).exists()
    assert _state(other) == before
    assert not ProcessRole.objects.filter(user=team, process=other).exists()


def test_the_roles_inline_of_ones_own_process_cannot_reach_another(client, users, drome, other):
    """A role row posted with the other process's id lands on one's own process (the parent), or nowhere."""
    team = users["team"]
    client.force_login(team)
    form = _change_form(drome)
    n = int(form["roles-TOTAL_FORMS"]) - 1
    form.update({f"roles-{n}-process": other.pk, f"roles-{n}-user": team.pk, f"roles-{n}-role": "facilitator"})
    # An existing role of the other process, named in one of the own rows.
    theirs = other.roles.get()
    form.update({"roles-0-id": theirs.pk, "roles-0-process": other.pk})
    client.post(reverse("admin:processes_process_change", args=[drome.pk]), form)
    assert sorted(other.roles.values_list("user__username", "role")) == [("proprietaire", "team")]
    assert not ProcessRole.objects.filter(user=team, process=other).exists()


def test_a_team_member_cannot_create_or_delete_processes(client, users, drome):
    client.force_login(users["team"])
    assert client.get(reverse("admin:processes_process_add")).status_code == 403
    response = client.post(reverse("admin:processes_process_add"), {
        "title": "Nouvelle", "slug": "nouvelle", "territory": drome.territory_id, "status": "active",
        "phases-TOTAL_FORMS": "0", "phases-INITIAL_FORMS": "0", "axes-TOTAL_FORMS": "0", "axes-INITIAL_FORMS": "0",
        "roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0"})
    assert response.status_code == 403
    assert not Process.objects.filter(slug="nouvelle").exists()
    assert client.post(reverse("admin:processes_process_delete", args=[drome.pk]), {"post": "yes"}).status_code == 403
    assert Process.objects.filter(pk=drome.pk).exists()


def test_a_team_member_still_edits_their_own_process(client, users, drome):
    client.force_login(users["team"])
    url = reverse("admin:processes_process_change", args=[drome.pk])
    assert client.get(url).status_code == 200
    form = _change_form(drome, title="Drôme, territoire attractif")
    form["subterritories"] = list(drome.subterritories.values_list("pk", flat=True))
    response = client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    drome.refresh_from_db()
    assert drome.title == "Drôme, territoire attractif"


def test_phases_axes_and_roles_of_another_process_are_out_of_reach(client, users, other):
    """Their own admin pages (if ever registered) or their inlines: never another process's rows."""
    client.force_login(users["team"])
    for model in (Phase, Axis, ProcessRole):
        if model in admin.site._registry:
            url = reverse(f"admin:processes_{model._meta.model_name}_changelist")
            assert client.get(url).status_code == 403


def test_every_other_admin_page_is_for_administrators_only(client, db):
    """A staff member holding every permission of the site, but no superuser, reaches no other admin
    page: a page added later is closed until it is scoped to the person's processes."""
    staff = get_user_model().objects.create_user("personnel", "personnel@example.org", "x", is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    client.force_login(staff)
    opened = []
    for model, model_admin in admin.site._registry.items():
        if model is Process:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        if client.get(url).status_code != 403:
            opened.append(url)
        if model_admin.has_module_permission(_request(staff)):
            opened.append(f"{url} (listed on the admin index)")
    assert opened == []
    index = client.get(reverse("admin:index"))
    assert [m["object_name"] for app in index.context["app_list"] for m in app["models"]] == ["Process"]
    # The process listing itself shows the person's processes, none here.
    assert client.get(reverse("admin:processes_process_changelist")).context["cl"].result_count == 0


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_the_api_refuses_writes_and_drafts_of_another_process(client, users, other):
    """A write token of the Drôme's team member: no KPI, no progress, no draft of the other process."""
    from atout.actions.models import Action, Measurement

    _token, key = create_token(users["team"], "script", "write")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    kpi = other.kpis.get()
    assert client.get("/api/v1/processes/autre", **auth).status_code == 404
    assert client.get("/api/v1/processes/autre/actions", **auth).status_code == 404
    response = client.put(f"/api/v1/processes/autre/kpis/{kpi.pk}/measurements/2026", {"value": 1.0},
                          content_type="application/json", **auth)
    assert response.status_code in (403, 404)
    response = client.post("/api/v1/processes/autre/actions/A1/progress", {"status": "done"},
                           content_type="application/json", **auth)
    assert response.status_code in (403, 404)
    other.status = Process.Status.ACTIVE
    other.save()
    response = client.put(f"/api/v1/processes/autre/kpis/{kpi.pk}/measurements/2026", {"value": 1.0},
                          content_type="application/json", **auth)
    assert response.status_code == 403
    response = client.post("/api/v1/processes/autre/actions/A1/progress", {"status": "done"},
                           content_type="application/json", **auth)
    assert response.status_code == 403
    assert not Measurement.objects.filter(kpi=kpi).exists()
    assert Action.objects.get(process=other, code="A1").status == "planned"


def test_the_team_pages_of_another_process_are_refused(client, users, other):
    client.force_login(users["team"])
    other.status = Process.Status.ACTIVE
    other.save()
    for url in ("/p/autre/equipe/", "/journal/autre/", "/actions/autre/suivi/"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
