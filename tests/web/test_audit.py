"""The audit log: team actions recorded with who, what and when; participant data and personal values
never; the journal page and the command line."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from atout.core.audit import Actor, acting_as
from atout.core.models import AuditEntry

MIDDLEWARE = "atout.core.audit.AuditMiddleware"


@pytest.fixture(autouse=True)
def audit_middleware(settings):
    """The audit middleware where production has it: right after authentication."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        items = list(settings.MIDDLEWARE)
        items.insert(items.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, MIDDLEWARE)
        settings.MIDDLEWARE = items


@pytest.fixture
def action(drome):
    from atout.actions.models import Action

    return Action.objects.create(process=drome, code="audit-1", title="Navettes vers la gare")


def test_a_team_members_change_is_recorded_with_old_and_new_values(client, drome, users, action):
    client.force_login(users["team"])
    response = client.post(reverse("actions:update", kwargs={"slug": "drome", "code": action.code}),
                           {"status": "in_progress", "progress": "40", "note": ""})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_type="actions.Action", object_id=str(action.pk), action="update")
    assert entry.user == users["team"]
    assert entry.username == "equipe"
    assert entry.process == drome
    assert entry.object_label
    assert entry.changes["status"] == ["planned", "in_progress"]
    assert AuditEntry.objects.filter(object_type="actions.ProgressUpdate", action="create", process=drome).exists()


def test_anonymous_visitors_leave_no_entry(client, drome, action):
    before = AuditEntry.objects.count()
    client.get(reverse("actions:action", kwargs={"slug": "drome", "code": action.code}))
    client.post(reverse("actions:update", kwargs={"slug": "drome", "code": action.code}), {"status": "done"})
    assert AuditEntry.objects.count() == before


def test_creations_and_deletions_are_recorded_but_not_participant_data(drome, users):
    from atout.actions.models import Action
    from atout.consultation.models import Response, Survey, SurveyVersion

    with acting_as(Actor(users["team"], "equipe", True)):
        item = Action.objects.create(process=drome, code="audit-2", title="Maison de santé")
        survey = Survey.objects.create(process=drome, slug="audit", title_fr="Enquête témoin")
        version = SurveyVersion.objects.create(survey=survey, number=1, structure={})
        Response.objects.create(survey=survey, version=version, status="submitted")
        pk = item.pk
        item.delete()
    assert AuditEntry.objects.filter(object_type="actions.Action", object_id=str(pk), action="create").exists()
    assert AuditEntry.objects.filter(object_type="actions.Action", object_id=str(pk), action="delete").exists()
    assert AuditEntry.objects.filter(object_type="consultation.Survey", action="create").exists()
    assert not AuditEntry.objects.filter(object_type="consultation.Response").exists()


def test_opening_a_survey_is_a_publication(drome, users):
    from atout.consultation.models import Survey

    survey = Survey.objects.create(process=drome, slug="audit-pub", title_fr="Enquête à publier")
    with acting_as(Actor(users["team"], "equipe", True)):
        survey.status = Survey.Status.OPEN
        survey.save()
    entry = AuditEntry.objects.get(object_type="consultation.Survey", object_id=str(survey.pk))
    assert entry.action == "publish"
    assert entry.changes["status"] == ["draft", "open"]


def test_personal_values_are_never_written(drome, users):
    from atout.community.models import Contact

    with acting_as(Actor(users["team"], "equipe", True)):
        contact = Contact.objects.create(process=drome, first_name="Camille", last_name="Durand",
                                         email="camille.durand@example.org", phone="0475000000",
                                         category="expert")
        contact.last_name = "Martin"
        contact.save()
    entries = AuditEntry.objects.filter(object_type="community.Contact")
    assert [e.action for e in entries.order_by("pk")] == ["create", "update"]
    text = " ".join(f"{e.object_label} {e.changes}" for e in entries)
    for personal in ("Camille", "Durand", "Martin", "camille.durand", "0475000000"):
        assert personal not in text
    assert entries.get(action="update").changes == {"last_name": [None, None]}


def test_deleting_a_process_keeps_its_entries_without_breaking_integrity(drome, users):
    from atout.actions.models import Action
    from atout.processes.services import create_process

    with acting_as(Actor(users["admin"], "admin", True)):
        other = create_process(slug="audit-autre", territory=drome.territory, title="Démarche éphémère")
        Action.objects.create(process=other, code="a", title="Action éphémère")
        other.delete()
    connection.check_constraints()
    entries = AuditEntry.objects.filter(object_type="actions.Action", action="delete")
    assert entries.exists()
    assert all(e.process_id is None for e in entries)


def test_the_command_line_is_recorded_as_cli(drome):
    call_command("process", "create", "--slug", "audit-cli", "--territory", "26", "--title", "Démarche CLI")
    entry = AuditEntry.objects.get(object_type="cli.process")
    assert entry.username == "cli"
    assert entry.user is None
    assert entry.action == "create"
    assert entry.object_label == "atout process create"
    assert entry.process.slug == "audit-cli"
    # The rows the command wrote are not logged one by one.
    assert not AuditEntry.objects.filter(object_type="processes.Process").exists()


def journal(client, **params):
    return client.get(reverse("web:journal", kwargs={"slug": "drome"}), params)


def test_the_journal_lists_filters_and_pages(client, drome, users, action):
    from atout.core.audit import record
    from atout.web.views import JOURNAL_PAGE

    for i in range(JOURNAL_PAGE + 5):
        record("update", obj=action, changes={"title": [f"v{i}", f"v{i + 1}"]}, user=users["team"])
    record("import", object_type="cli.actions", label="atout actions import", process=drome, username="cli")
    client.force_login(users["team"])
    page = journal(client)
    assert page.status_code == 200
    assert "v54 → v55" in page.content.decode()  # newest first
    assert "page=2" in page.content.decode()
    assert journal(client, page=2).status_code == 200
    only_cli = journal(client, user="cli").content.decode()
    assert "atout actions import" in only_cli and "v54" not in only_cli
    imports = journal(client, action="import").content.decode()
    assert "atout actions import" in imports and "v54" not in imports
    by_type = journal(client, type="actions.Action").content.decode()
    assert "v54" in by_type and "atout actions import" not in by_type


def test_the_journal_is_for_the_team(client, drome, users):
    client.force_login(users["facilitator"])
    assert journal(client).status_code == 403
    client.force_login(users["team"])
    assert journal(client).status_code == 200


def test_the_admin_shows_the_log_read_only(client, drome, users, action):
    from atout.core.audit import record

    record("update", obj=action, changes={"title": ["a", "b"]}, user=users["team"])
    client.force_login(users["admin"])
    response = client.get(reverse("admin:core_auditentry_changelist"))
    assert response.status_code == 200
    assert "Navettes vers la gare" in response.content.decode()
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403
