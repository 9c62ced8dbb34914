"""The per-process menu, the 403 links, where sign-in leads, the team home and the public home.

Every role (anonymous, participant, facilitator, team, admin) sees exactly the menu entries it may open,
and every entry it sees opens (no 403, 404 or error)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from atout.processes import navigation
from atout.processes.models import Process, ProcessRole, Role
from atout.processes.roles import ORDER
from tests.test_permissions import ROLES

MENU_LINK = re.compile(r'<nav class="process-menu".*?</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def menu_links(html: str) -> list[str]:
    found = MENU_LINK.search(html)
    return HREF.findall(found.group(0)) if found else []


def sign_in(client, users, role):
    if role != "public":
        client.force_login(users[role])


def test_each_menu_line_states_the_role_its_view_declares():
    """The role on a menu line is the one the view's decorator enforces: the line cannot promise more
    or less than the page gives (and every URL name exists and takes the process slug only)."""
    wrong = {e.url_name: (e.role, navigation.declared_access(e.url_name, slug="drome"))
             for e in navigation.MENU if e.role != navigation.declared_access(e.url_name, slug="drome")}
    assert wrong == {}
    assert {e.section for e in navigation.MENU} <= set(navigation.SECTIONS)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_entries_it_may_open_and_each_opens(client, drome, users, role):
    sign_in(client, users, role)
    links = menu_links(client.get(reverse("processes:home", kwargs={"slug": drome.slug})).content.decode())
    expected = [reverse(e.url_name, kwargs={"slug": drome.slug}) for e in navigation.MENU
                if ORDER.index(e.role) <= ORDER.index(role)]
    assert links == expected
    failing = {}
    for url in links:
        status = client.get(url).status_code
        if status != 200:
            failing[url] = status
    assert failing == {}


def test_the_key_capabilities_are_in_the_team_menu(client, drome, users):
    client.force_login(users["team"])
    links = set(menu_links(client.get(reverse("diagnostic:portrait", kwargs={"slug": drome.slug})).content.decode()))
    for name in ("strategy:strategy", "strategy:swot", "actions:dashboard", "actions:accountability",
                 "consultation:list", "fieldwork:themes", "fieldwork:sessions", "community:stakeholders",
                 "community:dashboard", "reports:index", "opendata:package", "opinion:conversations",
                 "diagnostic:compass", "processes:team"):
        assert reverse(name, kwargs={"slug": drome.slug}) in links, name


def test_the_menu_is_on_process_pages_and_marks_the_current_one(client, drome):
    html = client.get(reverse("diagnostic:indicators", kwargs={"slug": drome.slug})).content.decode()
    assert 'aria-label="Menu de la démarche"' in html
    current = reverse("diagnostic:indicators", kwargs={"slug": drome.slug})
    assert f'<a href="{current}" aria-current="page">' in html
    assert 'class="process-menu"' not in client.get(reverse("web:sources")).content.decode()


# --- links that used to lead to 403 ----------------------------------------------------------------


def test_a_participant_is_not_shown_team_links(client, drome, users):
    from atout.community.models import Event

    client.force_login(users["participant"])
    slug = drome.slug
    assert reverse("opinion:new", kwargs={"slug": slug}) not in client.get(reverse("opinion:conversations", kwargs={"slug": slug})).content.decode()
    assert reverse("diagnostic:import", kwargs={"slug": slug}) not in client.get(reverse("diagnostic:portrait", kwargs={"slug": slug})).content.decode()
    event = Event.objects.filter(process=drome).first()
    attendance = reverse("community:attendance", kwargs={"slug": slug, "event": event.pk})
    assert attendance not in client.get(event.get_absolute_url()).content.decode()
    client.force_login(users["facilitator"])
    assert attendance in client.get(event.get_absolute_url()).content.decode()
    assert client.get(attendance).status_code == 200


def test_the_facilitator_moderates_a_conversation(client, drome, users):
    from atout.opinion.models import Conversation, Statement

    conversation = Conversation.objects.filter(process=drome).first()
    statement = Statement.objects.create(conversation=conversation, number=9001, text="Plus de trains le soir",
                                         created=timezone.now())
    client.force_login(users["facilitator"])
    results = client.get(reverse("opinion:results", kwargs={"slug": drome.slug, "conversation": conversation.slug})).content.decode()
    moderation = reverse("opinion:moderation", kwargs={"slug": drome.slug, "conversation": conversation.slug})
    assert moderation in results
    assert reverse("opinion:analyze", kwargs={"slug": drome.slug, "conversation": conversation.slug}) not in results
    assert "Plus de trains le soir" in client.get(moderation).content.decode()
    response = client.post(moderation, {"statement": statement.pk, "decision": "accept", "reason": ""})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == Statement.Status.ACCEPTED and statement.moderated_by == users["facilitator"]
    client.force_login(users["participant"])
    assert client.get(moderation).status_code == 403


# --- after sign-in -------------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "password", "landing"), [
    ("equipe", "demo-equipe-drome", "/p/drome/equipe/"),
    ("admin", "demo-admin-drome", "/p/drome/equipe/"),
    ("animation", "demo-animation-drome", "/p/drome/"),
    ("habitant", "demo-habitant-drome", "/p/drome/"),
])
def test_sign_in_leads_to_ones_process(client, drome, username, password, landing):
    response = client.post(reverse("login"), {"username": username, "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200


def test_with_several_processes_sign_in_leads_to_a_chooser(client, drome, users):
    other = Process.objects.create(slug="vercors", title="Vercors, montagne habitée", territory=drome.territory,
                                   status=drome.status)
    ProcessRole.objects.create(process=other, user=users["team"], role=Role.TEAM)
    client.force_login(users["team"])
    response = client.get(reverse("processes:chooser"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("processes:team", kwargs={"slug": "vercors"}) in html
    assert reverse("processes:team", kwargs={"slug": "drome"}) in html
    assert client.get(reverse("processes:chooser")).status_code == 200
    anonymous = type(client)()
    assert anonymous.get(reverse("processes:chooser")).status_code == 302


# --- the homes -----------------------------------------------------------------------------------


def test_the_team_home_lists_what_needs_attention_with_links(client, drome, users):
    from atout.community.models import Ambassador, Story
    from atout.opinion.models import Conversation, Statement

    conversation = Conversation.objects.filter(process=drome).first()
    Statement.objects.filter(conversation__process=drome, status=Statement.Status.PENDING).delete()
    for n in range(2):
        Statement.objects.create(conversation=conversation, number=9100 + n, text=f"Affirmation {n}", created=timezone.now())
    ambassador = Ambassador.objects.filter(process=drome).first()
    Story.objects.filter(ambassador__process=drome, status=Story.Status.PENDING).delete()
    Story.objects.create(ambassador=ambassador, title="Mon village", text="…", consent_publish=True)
    client.force_login(users["team"])
    html = client.get(reverse("processes:team", kwargs={"slug": drome.slug})).content.decode()
    moderation = reverse("opinion:moderation", kwargs={"slug": drome.slug, "conversation": conversation.slug})
    assert f'<a href="{moderation}">' in html and "2 en attente" in html
    assert reverse("community:moderation", kwargs={"slug": drome.slug}) in html and "1 récit en attente" in html
    assert "Collecte des enquêtes" in html and "visées par les quotas" in html
    assert "Actions en retard" in html and "Prochains rendez-vous" in html
    assert "epci:" not in html  # sub-territories are named, not coded


def test_the_team_home_names_late_actions_and_kpis_off_trajectory(client, drome, users):
    from atout.actions.services import needing_attention

    attention = needing_attention(drome)
    assert attention["late"], "the demo plan has late actions"
    client.force_login(users["team"])
    html = client.get(reverse("processes:team", kwargs={"slug": drome.slug})).content.decode()
    for action in attention["late"]:
        assert reverse("actions:action", kwargs={"slug": drome.slug, "code": action.code}) in html
    for row in attention["off_track"]:
        assert escape(row["kpi"].label) in html


def test_the_public_home_shows_key_figures_phase_and_calls(client, drome):
    from atout.consultation.models import Survey

    html = client.get(reverse("processes:home", kwargs={"slug": drome.slug})).content.decode()
    assert "Drôme en quelques chiffres" in html
    assert "521" in html and "Source : INSEE, recensement de la population 2022, chiffre de 2022" in html
    assert "PTOD" not in html and "Étape en cours" in html
    survey = Survey.objects.filter(process=drome, status=Survey.Status.OPEN, mode=Survey.Mode.OPEN).first()
    assert survey.get_absolute_url() in html


def test_source_in_words_drops_codes():
    from atout.diagnostic.analysis import source_in_words

    assert source_in_words("INSEE, Filosofi 2021 (comparateur 2025, MED21); PTOD rev_med_21 pour les départements") == "INSEE, Filosofi 2021"
    assert source_in_words("INSEE, recensement 2022 (comparateur 2025) (2022)") == "INSEE, recensement 2022"


def test_participant_menu_has_no_team_entries(client, drome, users):
    client.force_login(users["participant"])
    links = menu_links(client.get(reverse("processes:home", kwargs={"slug": drome.slug})).content.decode())
    assert reverse("processes:team", kwargs={"slug": drome.slug}) not in links
    assert reverse("consultation:mine", kwargs={"slug": drome.slug}) in links



def test_a_sign_in_link_also_leads_to_ones_process(client, drome):
    from atout.community import services

    user = services.create_participant(email="lien-nav@example.org", password=None, category="citizen", commune=None, consents={})
    link = services.create_login_link(user, "http://testserver/").removeprefix("http://testserver")
    response = client.post(link, follow=True)
    assert [url for url, _status in response.redirect_chain] == [reverse("processes:chooser"), reverse("processes:home", kwargs={"slug": "drome"})]
