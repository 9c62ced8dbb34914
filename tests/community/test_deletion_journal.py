"""Deleting an account leaves nothing of the person in the journal (GDPR erasure).

The journal (web_auditentry) and the admin's history (django_admin_log) keep what was done, but the
person's e-mail address, user name and name disappear from them: their entries are signed with a
pseudonym (« compte supprimé #… », the same for all of them), and the labels and values of entries
about their own things (ambassador profile, stories, roles, API tokens) are emptied.
"""

import json
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from atout.community import services
from atout.community.models import Event
from atout.core.models import AuditEntry
from atout.processes.models import ProcessRole
from atout.territories.models import Territory

EMAIL = "camille.dupuis@example.org"
FIRST, LAST = "Camille", "Dupuis"
#: What must not be left anywhere in the journal once the account is deleted.
TRACES = [EMAIL, "camille.dupuis", "Camille Dupuis", LAST]


def _journal_text() -> list[str]:
    rows = [" | ".join([e.username, e.object_label, json.dumps(e.changes, ensure_ascii=False)])
            for e in AuditEntry.objects.all()]
    rows += [" | ".join([e.object_repr, e.change_message]) for e in LogEntry.objects.all()]
    return rows


def _leftovers() -> list[str]:
    return [row for row in _journal_text() if any(t.casefold() in row.casefold() for t in TRACES)]


@pytest.fixture
def person(drome, users):
    """A participant who left traces in the journal: ambassador profile and story (moderated by the
    team), an API token, a facilitator role given in the admin, and an event the team named after them."""
    user = services.create_participant(email=EMAIL, password=None, category="citizen", commune=None, consents={})
    user.first_name, user.last_name = FIRST, LAST
    user.save()
    browser = Client()
    browser.force_login(user)
    response = browser.post(reverse("community:ambassador_signup", kwargs={"slug": "drome"}), {
        "display_name": "Camille Dupuis", "kind": "resident", "commune": "26362",
        "motto": "Je suis Camille Dupuis, de Valence", "consent_publish": "on"})
    assert response.status_code == 302
    response = browser.post(reverse("community:story_new", kwargs={"slug": "drome"}), {
        "title": "Le récit de Camille Dupuis", "text": "Mon récit.", "consent_publish": "on"})
    assert response.status_code == 302
    assert browser.post(reverse("api:tokens"), {"name": f"jeton de {EMAIL}", "scope": "read"}).status_code == 200

    team = Client()
    team.force_login(users["team"])
    story = user.ambassadorships.get().stories.get()
    assert team.post(reverse("community:moderation", kwargs={"slug": "drome"}),
                     {"story": story.pk, "decision": "publish", "reason": ""}).status_code == 302

    admin = Client()
    admin.force_login(users["admin"])
    roles = list(drome.roles.all())
    form = {"title": drome.title, "slug": drome.slug, "territory": drome.territory_id, "description": drome.description,
            "status": drome.status, "subterritories": list(drome.subterritories.values_list("pk", flat=True)),
            "phases-TOTAL_FORMS": "0", "phases-INITIAL_FORMS": "0", "axes-TOTAL_FORMS": "0", "axes-INITIAL_FORMS": "0",
            "roles-TOTAL_FORMS": str(len(roles) + 1), "roles-INITIAL_FORMS": str(len(roles))}
    for i, role in enumerate(roles):
        form.update({f"roles-{i}-id": role.pk, f"roles-{i}-process": drome.pk, f"roles-{i}-user": role.user_id,
                     f"roles-{i}-role": role.role})
    n = len(roles)
    form.update({f"roles-{n}-process": drome.pk, f"roles-{n}-user": user.pk, f"roles-{n}-role": "facilitator"})
    assert admin.post(reverse("admin:processes_process_change", args=[drome.pk]), form).status_code == 302
    assert ProcessRole.objects.filter(user=user, process=drome).exists()

    from atout.core.audit import Actor, acting_as

    with acting_as(Actor(users["team"], "equipe", True)):
        event = Event.objects.create(process=drome, kind="workshop", title="Atelier avec Camille Dupuis",
                                     commune=Territory.objects.get(level="commune", code="26362"),
                                     start="2026-10-01T18:00+02:00", end="2026-10-01T20:00+02:00", venue="Salle",
                                     capacity=10)
        event.title = "Atelier animé par Camille Dupuis"
        event.save()
    assert len(_leftovers()) >= 6, _journal_text()[:10]  # the journal did record the person
    user.browser = browser
    return user


def _check_erased(before: int):
    assert _leftovers() == []
    pseudonyms = set(AuditEntry.objects.filter(username__startswith="compte supprimé").values_list("username", flat=True))
    assert len(pseudonyms) == 1, pseudonyms  # one stable pseudonym for all of the person's entries
    assert re.fullmatch(r"compte supprimé #[0-9a-f]{8}", pseudonyms.pop())
    # What was done is still there, without who did it.
    assert AuditEntry.objects.count() >= before


def test_deleting_ones_account_erases_oneself_from_the_journal(person):
    before = AuditEntry.objects.count()
    assert person.browser.post(reverse("community:delete_account"), {"confirm": "yes"}).status_code == 302
    assert not get_user_model().objects.filter(email=EMAIL).exists()
    _check_erased(before)


def test_an_administrator_deleting_the_account_erases_it_from_the_journal(person, users):
    before = AuditEntry.objects.count()
    admin = Client()
    admin.force_login(users["admin"])
    response = admin.post(reverse("admin:auth_user_delete", args=[person.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(email=EMAIL).exists()
    _check_erased(before)


def test_deleting_the_account_from_the_command_line_erases_it_from_the_journal(person):
    """`atout shell` or any script: the erasure follows the deletion of the user row itself."""
    before = AuditEntry.objects.count()
    get_user_model().objects.filter(email=EMAIL).delete()
    _check_erased(before)


def test_other_peoples_entries_are_left_as_they_were(person, users, drome):
    from atout.core.audit import Actor, acting_as

    with acting_as(Actor(users["team"], "equipe", True)):
        Event.objects.create(process=drome, kind="meeting", title="Réunion publique de printemps",
                             commune=Territory.objects.get(level="commune", code="26114"),
                             start="2026-04-01T18:00+02:00", end="2026-04-01T20:00+02:00", venue="Mairie", capacity=50)
    theirs = list(AuditEntry.objects.filter(username="equipe").exclude(object_label__icontains="Dupuis")
                  .values_list("pk", "object_label", "changes"))
    assert person.browser.post(reverse("community:delete_account"), {"confirm": "yes"}).status_code == 302
    assert theirs
    assert list(AuditEntry.objects.filter(pk__in=[pk for pk, *_ in theirs]).values_list("pk", "object_label", "changes")) == theirs

