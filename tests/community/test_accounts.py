"""Participant accounts: sign-up, sign-in by e-mailed link, consents, export and deletion of one's data."""

import datetime as dt
import json
import re

from django.contrib.auth import get_user_model
from django.utils import timezone

from atout.community import services
from atout.community.models import (
    Ambassador,
    ConsentRecord,
    EngagementEvent,
    Event,
    LoginToken,
    Profile,
    Registration,
    Story,
    Subscription,
)
from atout.opinion.models import Participant, Vote
from atout.territories.models import Territory

SIGNUP = "/communaute/compte/inscription/"


def _link_in(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def test_sign_up_with_a_password_records_profile_and_consents(client, db, mailoutbox):
    response = client.post(SIGNUP, {
        "email": "Nina@Example.org", "password": "une-phrase-de-passe-longue", "category": "young", "commune": "Dieulefit",
        "newsletter": "on",
    })
    assert response.status_code == 302
    user = get_user_model().objects.get(username="nina@example.org")
    assert Profile.objects.get(user=user).commune.code == "26114"
    assert services.current_consents(user) == {"newsletter": True, "invitations": False, "research": False}
    # Not signed in yet, and the password does not work yet: the address is confirmed by the e-mailed link.
    assert client.get("/communaute/compte/").status_code == 302
    assert client.post("/connexion/", {"username": "nina@example.org", "password": "une-phrase-de-passe-longue"}).status_code == 200
    (message,) = mailoutbox
    assert message.to == ["nina@example.org"] and "Bienvenue" in message.body
    assert client.post(_link_in(message)).status_code == 302
    assert client.get("/communaute/compte/").status_code == 200  # signed in
    client.post("/deconnexion/")
    response = client.post("/connexion/", {"username": "nina@example.org", "password": "une-phrase-de-passe-longue"})
    assert response.status_code == 302  # the chosen password works from then on


def _visible(response) -> tuple:
    """What a visitor can tell from a sign-up answer: status, where it leads, the page it leads to."""
    page = response.client.get(response.url).content.decode() if response.status_code == 302 else ""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return response.status_code, response.get("Location"), page


def test_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(db, mailoutbox):
    from django.test import Client

    existing = services.create_participant(email="deja@example.org", password="un-ancien-mot-de-passe", category="citizen",
                                           commune=None, consents={})
    before = existing.password
    answers = []
    for email in ("nouvelle@example.org", "DEJA@example.org"):
        response = Client().post(SIGNUP, {"email": email, "password": "une-phrase-de-passe-longue", "category": "citizen"},
                                 REMOTE_ADDR="192.0.2.30")
        answers.append(_visible(response))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302 and "courriel" in answers[0][2]
    # Each address got one e-mail: a welcome to the new one, "you already have an account" to the other.
    assert [m.to for m in mailoutbox] == [["nouvelle@example.org"], ["deja@example.org"]]
    assert "Bienvenue" in mailoutbox[0].body
    assert "déjà un compte" in mailoutbox[1].body
    existing.refresh_from_db()
    assert existing.password == before  # nothing changed on the existing account
    assert get_user_model().objects.filter(email__iexact="deja@example.org").count() == 1
    # The link in the second e-mail signs its owner in, as a sign-in link would.
    client = Client()
    assert client.post(_link_in(mailoutbox[1])).status_code == 302
    assert client.get("/communaute/compte/").status_code == 200


def test_sign_up_and_link_requests_are_throttled_per_client(db, settings, mailoutbox):
    from django.test import Client

    settings.ATOUT_MAIL_REQUESTS_PER_CLIENT = 3
    client = Client()
    for i in range(2):
        response = client.post(SIGNUP, {"email": f"robot{i}@example.org", "category": "citizen"}, REMOTE_ADDR="198.51.100.80")
        assert response.status_code == 302
    assert client.post("/communaute/compte/lien/", {"email": "robot0@example.org"}, REMOTE_ADDR="198.51.100.80").status_code == 302
    response = client.post(SIGNUP, {"email": "robot9@example.org", "category": "citizen"}, REMOTE_ADDR="198.51.100.80")
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert not get_user_model().objects.filter(email="robot9@example.org").exists()
    response = client.post("/communaute/compte/lien/", {"email": "robot0@example.org"}, REMOTE_ADDR="198.51.100.80")
    assert response.status_code == 429
    assert len(mailoutbox) == 3
    # Another client is not affected.
    assert Client().post(SIGNUP, {"email": "robot9@example.org", "category": "citizen"},
                         REMOTE_ADDR="198.51.100.81").status_code == 302


def test_sign_up_refuses_an_unknown_commune(client, db):
    response = client.post("/communaute/compte/inscription/", {"email": "x@example.org", "category": "citizen", "commune": "Atlantide"})
    assert response.status_code == 400
    assert "Commune inconnue" in response.content.decode()
    assert not get_user_model().objects.filter(email="x@example.org").exists()


def test_a_login_link_works_once_and_expires(client, db, mailoutbox):
    user = services.create_participant(email="lien@example.org", password=None, category="citizen", commune=None, consents={})
    assert client.post("/communaute/compte/lien/", {"email": "lien@example.org"}).status_code == 302
    (message,) = mailoutbox
    path = re.search(r"http://testserver(/\S+)", message.body).group(1)
    assert client.get(path).status_code == 200  # a mail scanner's GET does not spend the link
    assert client.post(path).status_code == 302
    assert client.get("/communaute/compte/").status_code == 200
    client.logout()
    assert client.post(path).status_code == 400  # used once
    link = services.create_login_link(user, "http://testserver/")
    LoginToken.objects.filter(user=user, used_at__isnull=True).update(expires=timezone.now() - dt.timedelta(minutes=1))
    assert client.post(link.removeprefix("http://testserver")).status_code == 400


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, db, mailoutbox):
    response = client.post("/communaute/compte/lien/", {"email": "personne@example.org"}, follow=True)
    assert "Si un compte existe" in response.content.decode()
    assert mailoutbox == []


def _person_with_contributions(drome):
    valence = Territory.objects.get(level="commune", code="26362")
    user = services.create_participant(email="moi@example.org", password="une-phrase-de-passe-longue", category="citizen",
                                       commune=valence, consents={"newsletter": True})
    conversation = drome.conversations.get(slug="priorites-drome")
    participant = Participant.objects.create(conversation=conversation, number=99999, user=user)
    Vote.objects.create(participant=participant, statement=conversation.statements.first(), value=1, created=timezone.now())
    start = timezone.now() - dt.timedelta(days=2)
    event = Event.objects.create(process=drome, kind="workshop", title="Atelier", start=start, end=start + dt.timedelta(hours=1),
                                 commune=valence, venue="Salle", capacity=5)
    registration = Registration.objects.create(event=event, user=user, name="Moi", email=user.email, status="confirmed")
    services.take_attendance(event, {registration.pk})
    ambassador = Ambassador.objects.create(process=drome, user=user, display_name="Moi M.", kind="resident", commune=valence)
    Story.objects.create(ambassador=ambassador, title="Mon histoire", text="…", consent_publish=True)
    Subscription.objects.create(process=drome, email=user.email, confirmed=timezone.now())
    return user, participant, registration


def test_my_data_shows_and_exports_everything(client, drome):
    user, _participant, _registration = _person_with_contributions(drome)
    client.force_login(user)
    assert "Mon histoire" in client.get("/communaute/compte/donnees/").content.decode()
    response = client.get("/communaute/compte/donnees.json")
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["account"]["email"] == "moi@example.org"
    assert data["profile"] == {"category": "citizen", "commune": "26362"}
    assert [c["purpose"] for c in data["consents"]] == ["newsletter"]
    assert len(data["opinion"][0]["votes"]) == 1
    assert data["event_registrations"][0]["attended"] is True
    assert data["stories"][0]["title"] == "Mon histoire"
    assert data["subscriptions"][0]["email"] == "moi@example.org"
    assert data["contributions"][0]["channel"] == "workshop"


def test_deleting_my_account_removes_personal_data_and_keeps_contributions_anonymous(client, drome):
    user, participant, registration = _person_with_contributions(drome)
    client.force_login(user)
    assert client.post("/communaute/compte/supprimer/", {"confirm": "yes"}).status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not Profile.objects.filter(user_id=user.pk).exists()
    assert not ConsentRecord.objects.filter(user_id=user.pk).exists()
    assert not Subscription.objects.filter(email="moi@example.org").exists()
    assert not Story.objects.filter(title="Mon histoire").exists()
    participant.refresh_from_db()
    assert participant.user_id is None and participant.votes.count() == 1  # the vote stays, anonymous
    registration.refresh_from_db()
    assert (registration.user_id, registration.name, registration.attended) == (None, "", True)
    event = EngagementEvent.objects.get(source_id=registration.pk, channel="workshop")
    assert event.user_id is None and event.contact_id is None
    assert client.get("/communaute/compte/").status_code == 302  # signed out
