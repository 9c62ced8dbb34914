"""E-mail through a real local SMTP server (aiosmtpd): double opt-in, one-click unsubscribe,
registration and reminders, notifications to followers, bounces."""

import datetime as dt
import io
import json
import re

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from atout.community import mail
from atout.community.models import Bounce, Event, Follow, Newsletter, Registration, Subscription
from atout.territories.models import Territory

LINK = re.compile(r"http://testserver(/\S+)")


def _links(mailbox, message) -> list[str]:
    return LINK.findall(mailbox.body(message))


def test_double_opt_in_then_one_click_unsubscribe(client, drome, smtp):
    response = client.post(f"/communaute/{drome.slug}/lettre/", {"email": "Lea@Example.org", "category": "young"})
    assert response.status_code == 302
    subscription = Subscription.objects.get(process=drome, email="lea@example.org")
    assert not subscription.active
    # Nothing is sent to an unconfirmed address.
    newsletter = Newsletter.objects.create(process=drome, subject="Lettre 1", body="Bonjour.")
    assert mail.send_newsletter(newsletter) == 0

    (confirmation,) = smtp.to("lea@example.org")
    assert "Confirmez" in confirmation["Subject"]
    (confirm_path,) = _links(smtp, confirmation)
    assert client.get(confirm_path).status_code == 200
    subscription.refresh_from_db()
    assert subscription.active

    newsletter = Newsletter.objects.create(process=drome, subject="Lettre 2", body="Des nouvelles.", category="young")
    mail.send_newsletter_task.enqueue(newsletter.pk)  # the immediate backend runs it now
    letter = smtp.to("lea@example.org")[-1]
    assert letter["Subject"] == "Lettre 2"
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_link = letter["List-Unsubscribe"].strip().strip("<>")  # folded headers keep a leading space
    assert header_link.startswith("http://testserver/communaute/lettre/desabonnement/")
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT and newsletter.deliveries.count() == 1

    # A GET (a link scanner) does not unsubscribe; the RFC 8058 one-click POST does, without CSRF token.
    path = header_link.removeprefix("http://testserver")
    assert client.get(path).status_code == 200
    subscription.refresh_from_db()
    assert subscription.active
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    subscription.refresh_from_db()
    assert not subscription.active

    count = len(smtp.messages)
    assert mail.send_newsletter(Newsletter.objects.create(process=drome, subject="Lettre 3", body="…")) == 0
    assert len(smtp.messages) == count


def test_a_newsletter_reaches_only_its_segment_and_skips_bounced_addresses(drome, smtp):
    valence = Territory.objects.get(level="commune", code="26362")
    die = Territory.objects.get(level="commune", code="26113")
    now = timezone.now()
    for email, commune in (("a@example.org", valence), ("b@example.org", die), ("c@example.org", valence)):
        Subscription.objects.create(process=drome, email=email, commune=commune, confirmed=now)
    Bounce.objects.create(email="c@example.org", kind="hard", reason="550 no such user")
    zone = drome.subterritories.get(member_links__commune=valence)
    sent = mail.send_newsletter(Newsletter.objects.create(process=drome, subject="Vallée", body="…", subterritory=zone))
    assert sent == 1
    assert [m["To"] for m in smtp.messages] == ["a@example.org"]


def test_registration_waiting_list_and_reminder(client, drome, smtp):
    valence = Territory.objects.get(level="commune", code="26362")
    start = timezone.now() + dt.timedelta(hours=30)
    event = Event.objects.create(process=drome, title="Atelier mobilité", start=start, end=start + dt.timedelta(hours=2),
                                 commune=valence, venue="Mairie", capacity=1)
    url = f"/communaute/{drome.slug}/evenements/{event.pk}/"
    assert client.post(url, {"name": "Ana", "email": "ana@example.org"}).status_code == 302
    assert client.post(url, {"name": "Ben", "email": "ben@example.org"}).status_code == 302
    ana, ben = Registration.objects.filter(event=event).order_by("pk")
    assert (ana.status, ben.status) == ("confirmed", "waiting")
    assert "Inscription confirmée" in smtp.to("ana@example.org")[0]["Subject"]
    assert "liste d'attente" in smtp.to("ben@example.org")[0]["Subject"]

    # Ana cancels from the link in her e-mail: Ben gets the place and is told.
    cancel_path = next(p for p in _links(smtp, smtp.to("ana@example.org")[0]) if "/inscription/" in p)
    assert client.post(cancel_path).status_code == 302
    ben.refresh_from_db()
    assert ben.status == "confirmed"
    assert "place s'est libérée" in smtp.to("ben@example.org")[-1]["Subject"]

    out = io.StringIO()
    call_command("notify", "--json", stdout=out)
    assert json.loads(out.getvalue())["reminders"] == 1
    reminder = smtp.to("ben@example.org")[-1]
    assert reminder["Subject"].startswith("Rappel")
    assert "Atelier mobilité" in smtp.body(reminder)
    assert not any(m["Subject"].startswith("Rappel") for m in smtp.to("ana@example.org"))
    count = len(smtp.messages)
    call_command("notify", "--json", stdout=io.StringIO())
    assert len(smtp.messages) == count  # idempotent


def test_followers_are_notified_once_of_an_open_phase(drome, smtp):
    from atout.processes.models import Phase

    user = get_user_model().objects.create_user("suiveur@example.org", "suiveur@example.org")
    Follow.objects.create(user=user, process=drome)
    phase = drome.phases.first()
    Phase.objects.filter(pk=phase.pk).update(start=timezone.localdate() - dt.timedelta(days=1),
                                             end=timezone.localdate() + dt.timedelta(days=30))
    first = mail.notify()
    assert first["sent"] >= 1
    subjects = [m["Subject"] for m in smtp.to("suiveur@example.org")]
    assert any("est ouverte" in s for s in subjects)
    assert mail.notify()["sent"] == 0


def test_bounces_are_ingested_all_or_nothing(tmp_path, db):
    from django.core.management.base import CommandError

    good = tmp_path / "bounces.txt"
    good.write_text("# from the relay\nx@example.org;550 unknown user\ny@example.org\n", encoding="utf-8")
    out = io.StringIO()
    call_command("bounces", "ingest", str(good), "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"recorded": 2}
    assert mail.bounced("X@example.org")
    bad = tmp_path / "bad.txt"
    bad.write_text("z@example.org\nnot an address\n", encoding="utf-8")
    try:
        call_command("bounces", "ingest", str(bad), stdout=io.StringIO())
    except CommandError as exc:
        assert "line 2" in str(exc)
    else:
        raise AssertionError("a bad line must fail the import")
    assert not Bounce.objects.filter(email="z@example.org").exists()
