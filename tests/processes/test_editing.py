"""The team edits its process in the product: description, phases, axes, members, invitations.

Each change is written to the journal with its author; a member of another process is refused; a
form with an error changes nothing and names the field."""

import datetime as dt
import html
import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from atout.core.models import AuditEntry
from atout.processes.models import Axis, Phase, ProcessRole, TeamInvitation
from atout.processes.services import create_process


@pytest.fixture
def outsider(drome, db):
    """A team member of another process (not of the Drôme's)."""
    other = create_process(slug="autre", territory=drome.territory, title="Autre démarche")
    user = get_user_model().objects.create_user("autre-equipe", "autre@example.org", "x")
    ProcessRole.objects.create(user=user, process=other, role="team")
    return user


def _process_form(process, **overrides):
    data = {"title": process.title, "description": process.description, "status": process.status}
    for phase in process.phases.all():
        prefix = f"phase-{phase.kind}"
        data |= {f"{prefix}-start": phase.start.isoformat(), f"{prefix}-end": phase.end.isoformat(),
                 f"{prefix}-description": phase.description}
    data.update(overrides)
    return data


def test_the_team_changes_the_title_and_a_phase_and_the_journal_says_who(client, drome, users):
    client.force_login(users["team"])
    url = reverse("processes:edit", kwargs={"slug": drome.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, _process_form(drome, title="La Drôme, terre d'accueil",
                                              **{"phase-action_plan-end": "2031-06-30"}))
    assert response.status_code == 302
    drome.refresh_from_db()
    assert drome.title == "La Drôme, terre d'accueil"
    assert drome.phases.get(kind="action_plan").end == dt.date(2031, 6, 30)
    entries = AuditEntry.objects.filter(process=drome, username="equipe", action="update")
    assert [e.changes["title"] for e in entries.filter(object_type="processes.Process")] == [
        ["Drôme, terre d'attractivité", "La Drôme, terre d'accueil"]]
    assert entries.filter(object_type="processes.Phase").exists()


def test_overlapping_phases_are_refused_and_nothing_is_saved(client, drome, users):
    client.force_login(users["team"])
    url = reverse("processes:edit", kwargs={"slug": drome.slug})
    before = list(Phase.objects.filter(process=drome).values_list("kind", "start", "end"))
    response = client.post(url, _process_form(drome, title="Nouveau titre", **{"phase-strategy-start": "2024-10-01"}))
    assert response.status_code == 400
    assert "commence avant la fin de la phase" in response.content.decode()
    drome.refresh_from_db()
    assert drome.title != "Nouveau titre"
    assert list(Phase.objects.filter(process=drome).values_list("kind", "start", "end")) == before
    response = client.post(url, _process_form(drome, **{"phase-diagnostic-end": "2024-01-01"}))
    assert response.status_code == 400 and "La fin doit suivre le début." in response.content.decode()


def test_the_team_renames_an_axis_and_adds_one(client, drome, users):
    client.force_login(users["team"])
    url = reverse("processes:axes", kwargs={"slug": drome.slug})
    axis = drome.axes.get(code="proximite")
    data = {}
    for a in drome.axes.all():
        data |= {f"axis-{a.pk}-name_fr": a.name_fr, f"axis-{a.pk}-name_en": a.name_en,
                 f"axis-{a.pk}-description": a.description, f"axis-{a.pk}-order": a.order}
    data |= {f"axis-{axis.pk}-description": "Des services à moins de vingt minutes.",
             "new-name_fr": "Sobriété", "new-name_en": "", "new-description": "", "new-order": "9"}
    assert client.post(url, data).status_code == 302
    axis.refresh_from_db()
    assert axis.description == "Des services à moins de vingt minutes."
    assert Axis.objects.get(process=drome, code="sobriete").name_fr == "Sobriété"
    assert AuditEntry.objects.filter(process=drome, object_type="processes.Axis", action="create").exists()


@pytest.mark.parametrize("name", ["processes:edit", "processes:axes", "processes:members"])
def test_a_member_of_another_process_and_a_facilitator_are_refused(client, drome, users, outsider, name):
    url = reverse(name, kwargs={"slug": drome.slug})
    for user in (outsider, users["facilitator"]):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"title": "Piratée", "email": "x@example.org", "role": "team"}).status_code == 403
    drome.refresh_from_db()
    assert drome.title != "Piratée"
    assert not TeamInvitation.objects.filter(email="x@example.org").exists()


def test_an_invitation_is_mailed_and_accepted_by_creating_an_account(client, drome, users):
    client.force_login(users["team"])
    members = reverse("processes:members", kwargs={"slug": drome.slug})
    response = client.post(members, {"email": "Nouvelle.Animatrice@example.org", "role": "facilitator"})
    assert response.status_code == 302
    invitation = TeamInvitation.objects.get(process=drome)
    assert invitation.email == "nouvelle.animatrice@example.org" and invitation.pending
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nouvelle.animatrice@example.org"]
    link = re.search(r"http\S+/p/invitation/\S+/", mail.outbox[0].body).group(0)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash  # only a hash of the token is kept
    entry = AuditEntry.objects.get(process=drome, object_type="processes.TeamInvitation", action="create")
    assert entry.username == "equipe" and entry.changes["email"] == [None, None]  # no address in the journal

    client.logout()
    path = link.split("testserver", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "Animateur·rice" in page.content.decode()
    weak = client.post(path, {"username": "animatrice2", "password": "123"})
    assert weak.status_code == 400 and not get_user_model().objects.filter(username="animatrice2").exists()
    taken = client.post(path, {"username": "equipe", "password": "un mot de passe solide 42"})
    assert taken.status_code == 400 and "déjà pris" in taken.content.decode()
    accepted = client.post(path, {"username": "animatrice2", "password": "un mot de passe solide 42"})
    assert accepted.status_code == 302
    user = get_user_model().objects.get(username="animatrice2")
    assert user.email == "nouvelle.animatrice@example.org"
    assert ProcessRole.objects.filter(process=drome, user=user, role="facilitator").exists()
    # Used once: the link is no longer valid.
    assert client.get(path).status_code == 404


def test_a_signed_in_person_accepts_an_invitation(client, drome, users):
    from atout.processes.services import invite

    _invitation, link = invite(drome, "habitant@example.org", "team", base_url="http://testserver")
    client.force_login(users["participant"])
    path = link.split("testserver", 1)[1]
    assert client.post(path).status_code == 302
    assert ProcessRole.objects.filter(process=drome, user=users["participant"], role="team").exists()


def test_an_expired_invitation_gives_nothing(client, drome, users):
    from django.utils import timezone

    from atout.processes.services import invite

    invitation, link = invite(drome, "tard@example.org", "team", base_url="http://testserver")
    TeamInvitation.objects.filter(pk=invitation.pk).update(expires=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(users["participant"])
    path = link.split("testserver", 1)[1]
    assert client.post(path).status_code == 404
    assert not ProcessRole.objects.filter(process=drome, user=users["participant"]).exists()


def test_the_team_changes_a_role_and_cannot_remove_the_last_team_member(client, drome, users):
    client.force_login(users["team"])
    facilitator = ProcessRole.objects.get(process=drome, user=users["facilitator"])
    url = reverse("processes:member_change", kwargs={"slug": drome.slug, "pk": facilitator.pk})
    client.post(url, {f"role-{facilitator.pk}-role": "team"})
    facilitator.refresh_from_db()
    assert facilitator.role == "team"
    client.post(url, {"remove": "1"})
    assert not ProcessRole.objects.filter(pk=facilitator.pk).exists()
    last = ProcessRole.objects.get(process=drome, role="team")
    response = client.post(reverse("processes:member_change", kwargs={"slug": drome.slug, "pk": last.pk}),
                           {"remove": "1"}, follow=True)
    assert ProcessRole.objects.filter(pk=last.pk).exists()
    assert "dernier membre de l'équipe" in html.unescape(response.content.decode())
    assert AuditEntry.objects.filter(process=drome, object_type="processes.ProcessRole", action="delete").exists()


def _cli(*args):
    out = io.StringIO()
    call_command("process", *args, stdout=out)
    return json.loads(out.getvalue())


def test_cli_update_invite_and_members(drome):
    updated = _cli("update", "drome", "--title", "Drôme 2030", "--action-plan", "2025-10-01:2031-12-31", "--json")
    assert updated["title"] == "Drôme 2030"
    assert {p["kind"]: p["end"] for p in updated["phases"]}["action_plan"] == "2031-12-31"
    assert AuditEntry.objects.filter(username="cli", object_label="atout process update", process=drome).exists()
    invited = _cli("invite", "drome", "--email", "elu@example.org", "--role", "team", "--json")
    assert invited["email"] == "elu@example.org" and "/p/invitation/" in invited["link"]
    assert len(mail.outbox) == 1
    listed = _cli("members", "drome", "--json")
    assert {"username": "equipe", "role": "team"} in listed["roles"]
    assert [i["email"] for i in listed["invitations"] if i["pending"]] == ["elu@example.org"]


@pytest.mark.parametrize("args,message", [
    (["update", "nulle-part", "--title", "x"], "no process with this slug"),
    (["update", "drome", "--strategy", "2024-10-01:2025-09-30"], "phases overlap"),
    (["update", "drome", "--title", " "], "--title: must not be empty"),
    (["invite", "drome", "--email", "pas-une-adresse", "--role", "team"], "not an e-mail address"),
])
def test_cli_refuses_bad_input_and_changes_nothing(drome, args, message):
    before = (drome.title, list(drome.phases.values_list("start", "end")), TeamInvitation.objects.count())
    with pytest.raises(CommandError, match=message):
        call_command("process", *args)
    drome.refresh_from_db()
    assert (drome.title, list(drome.phases.values_list("start", "end")), TeamInvitation.objects.count()) == before


def test_a_process_without_phases_gets_the_ones_given_and_no_half_dated_phase(client, drome, outsider):
    other = ProcessRole.objects.get(user=outsider).process
    client.force_login(outsider)
    url = reverse("processes:edit", kwargs={"slug": other.slug})
    base = {"title": other.title, "description": "", "status": other.status}
    half = client.post(url, base | {"phase-diagnostic-start": "2026-01-01"})
    assert half.status_code == 400 and "laissez les deux vides" in half.content.decode()
    assert not other.phases.exists()
    done = client.post(url, base | {"phase-diagnostic-start": "2026-01-01", "phase-diagnostic-end": "2026-06-30"})
    assert done.status_code == 302
    assert list(other.phases.values_list("kind", flat=True)) == ["diagnostic"]
