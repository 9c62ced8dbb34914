"""Session pages: create and edit a session with participants by category and consent; the named
list is the team's only; the demo sessions are labelled as simulated."""

import re

from django.urls import reverse

from atout.fieldwork.models import ParticipantGroup, Session


def test_a_facilitator_records_a_session_with_counts_and_consent(client, users, drome):
    client.force_login(users["facilitator"])
    crest = drome.territory.communes().get(name="Crest")
    page = client.get(reverse("fieldwork:session_new", kwargs={"slug": drome.slug})).content.decode()
    assert "named_participants" not in page  # the named list is for the team only
    response = client.post(reverse("fieldwork:session_new", kwargs={"slug": drome.slug}), {
        "title": "Réunion publique à Crest", "kind": "public_meeting", "date": "2026-11-20", "place": crest.pk,
        "count_citizen": "23", "consent_citizen": "oral", "count_elected": "3", "consent_elected": "written",
        "named_participants": "Jean Dupont",
    })
    assert response.status_code == 302
    session = Session.objects.get(title="Réunion publique à Crest")
    assert session.facilitator == users["facilitator"] and session.named_participants == ""
    assert {(g.category, g.count, g.consent) for g in session.participant_groups.all()} == {
        ("citizen", 23, "oral"), ("elected", 3, "written")}
    assert session.participants_total == 26
    assert session.subterritory().code == "diois-vallee-drome"


def test_the_team_sees_and_edits_the_private_named_list(client, users, die_session):
    url = reverse("fieldwork:session_edit", kwargs={"slug": die_session.process.slug, "session": die_session.pk})
    client.force_login(users["team"])
    data = {"title": die_session.title, "kind": die_session.kind, "date": "2026-10-14", "place": die_session.place_id,
            "transcript": die_session.transcript, "named_participants": "Camille M.\nLéo D.",
            "count_young": "8", "consent_young": "written"}
    assert client.post(url, data).status_code == 302
    die_session.refresh_from_db()
    assert die_session.named_participants == "Camille M.\nLéo D."
    assert ParticipantGroup.objects.get(session=die_session, category="young").count == 8
    assert not ParticipantGroup.objects.filter(session=die_session, category="agent").exists()
    detail = reverse("fieldwork:session", kwargs={"slug": die_session.process.slug, "session": die_session.pk})
    assert "Camille M." in client.get(detail).content.decode()
    client.force_login(users["facilitator"])
    assert "Camille M." not in client.get(detail).content.decode()


def test_demo_sessions_say_they_are_simulated_everywhere(client, users, fieldwork):
    client.force_login(users["facilitator"])
    listing = client.get(reverse("fieldwork:sessions", kwargs={"slug": fieldwork.slug})).content.decode()
    assert listing.count("Données simulées") == 3
    for session in Session.objects.filter(process=fieldwork):
        assert session.simulated and "DONNÉES SIMULÉES" in session.transcript
        page = client.get(session.get_absolute_url()).content.decode()
        assert "Données simulées" in page
        workspace = client.get(reverse("fieldwork:code_session", kwargs={"slug": fieldwork.slug, "session": session.pk}))
        assert "Données simulées" in workspace.content.decode()
    assert {s.place.name for s in Session.objects.filter(process=fieldwork)} == {"Die", "Romans-sur-Isère", "Nyons"}


def test_the_demo_is_idempotent(fieldwork):
    from atout.fieldwork import demo
    from atout.fieldwork.models import Code, Excerpt

    before = (Session.objects.count(), Code.objects.count(), Excerpt.objects.count())
    demo.prepare(fieldwork, with_lille=False)
    assert (Session.objects.count(), Code.objects.count(), Excerpt.objects.count()) == before
    assert Code.objects.filter(codebook__process=fieldwork).exclude(swot="").exclude(axis=None).count() == len(demo.CODES)


def test_the_workspace_is_labelled_for_keyboard_and_screen_reader_use(client, users, die_session):
    client.force_login(users["facilitator"])
    page = client.get(reverse("fieldwork:code_session", kwargs={"slug": die_session.process.slug,
                                                               "session": die_session.pk})).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="(segment|code)" value="\d+" id="([\w-]+)">', page)
    assert boxes
    for _name, box_id in boxes:
        assert f'<label for="{box_id}">' in page
    assert "<legend>" in page


def test_the_session_place_lists_communes_in_french_order(client, users, drome):
    """Étoile-sur-Rhône among the E, not after Vinsobres as a byte-order sort puts it."""
    client.force_login(users["facilitator"])
    page = client.get(reverse("fieldwork:session_new", kwargs={"slug": drome.slug})).content.decode()
    assert page.index("Dieulefit (26114)") < page.index("Étoile-sur-Rhône (26124)") < page.index("Eurre (")
    assert page.index("Étoile-sur-Rhône (26124)") < page.index("Vinsobres (")
