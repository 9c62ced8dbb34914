"""E-mail: sign-in links, event registrations and reminders, notifications to followers, newsletters.

Newsletter subscriptions use double opt-in (a signed confirmation link that expires) and every
letter carries a one-click unsubscribe link in its body and in the ``List-Unsubscribe`` /
``List-Unsubscribe-Post`` headers (RFC 8058). Letters are sent by a background task
(``django_tasks``), throttled to ``ATOUT_MAIL_RATE`` messages per second, and never to an address
recorded as a hard bounce. The mail backend is Django's (console in the demo, SMTP in production).
"""

from __future__ import annotations

import datetime as dt
import os
import time

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from atout.core.tasks import on_task_failure
from atout.processes.models import Process

from .models import Bounce, Delivery, Newsletter, Notification, Registration, Subscription

CONFIRM_SALT = "atout.community.subscription.confirm"
UNSUBSCRIBE_SALT = "atout.community.subscription.unsubscribe"
REGISTRATION_SALT = "atout.community.registration"
#: A confirmation link is valid this long.
CONFIRM_MAX_AGE = dt.timedelta(days=7)
#: Reminders go to confirmed registrations of events starting within this delay.
REMINDER_WINDOW = dt.timedelta(hours=48)


def site_url() -> str:
    """Base URL of links in messages sent without a request (commands, background tasks)."""
    return getattr(settings, "ATOUT_SITE_URL", "") or os.environ.get("ATOUT_SITE_URL", "http://localhost:8000")


def mail_rate() -> float:
    """Messages per second when sending a newsletter (keeps the relay and the reputation happy)."""
    return float(getattr(settings, "ATOUT_MAIL_RATE", os.environ.get("ATOUT_MAIL_RATE", "10")))


def bounced(email: str) -> bool:
    return Bounce.objects.filter(email__iexact=email, kind="hard").exists()


def _send(to: str, subject: str, body: str, *, headers: dict | None = None, connection=None) -> bool:
    if bounced(to):
        return False
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {}, connection=connection).send()
    return True


# --- accounts and events ------------------------------------------------------------------------


def send_login_link(user, link: str, *, reason: str = "sign-in") -> None:
    """A sign-in link: asked for ("sign-in"), welcoming a new account ("welcome"), or answering a
    sign-up with the address of an existing account ("exists")."""
    if reason == "welcome":
        subject, body = _("Bienvenue : confirmez votre adresse"), _(
            "Bonjour,\n\nBienvenue ! Pour confirmer votre adresse et vous connecter, ouvrez ce lien "
            "(valable 30 minutes, une seule fois) :\n%(link)s\n\n"
            "Si vous aviez choisi un mot de passe, il fonctionnera ensuite. "
            "Si vous n'avez pas créé de compte, ignorez ce message.")
    elif reason == "exists":
        subject, body = _("Vous avez déjà un compte"), _(
            "Bonjour,\n\nQuelqu'un, sans doute vous, a demandé à créer un compte avec cette adresse, "
            "mais vous avez déjà un compte. Pour vous connecter, ouvrez ce lien "
            "(valable 30 minutes, une seule fois) :\n%(link)s\n\n"
            "Si vous n'avez rien demandé, ignorez ce message : votre compte n'a pas changé.")
    else:
        subject, body = _("Votre lien de connexion"), _(
            "Bonjour,\n\nPour vous connecter, ouvrez ce lien (valable 30 minutes, une seule fois) :\n%(link)s\n\n"
            "Si vous n'avez rien demandé, ignorez ce message.")
    _send(user.email, subject, body % {"link": link})


def registration_token(registration: Registration) -> str:
    return signing.dumps(registration.pk, salt=REGISTRATION_SALT)


def registration_from_token(token: str) -> Registration | None:
    try:
        pk = signing.loads(token, salt=REGISTRATION_SALT)
    except signing.BadSignature:
        return None
    return Registration.objects.filter(pk=pk).select_related("event__process", "event__commune").first()


def _event_facts(event) -> str:
    start = timezone.localtime(event.start)
    return f"{event.title}\n{start:%d/%m/%Y %H:%M} — {event.venue}, {event.commune.name}"


def send_registration(registration: Registration, base_url: str, *, promoted_from_waiting_list: bool = False) -> None:
    event = registration.event
    cancel = base_url.rstrip("/") + reverse("community:registration", kwargs={"token": registration_token(registration)})
    if promoted_from_waiting_list:
        subject = _("Une place s'est libérée : vous êtes inscrit·e")
    elif registration.status == Registration.Status.CONFIRMED:
        subject = _("Inscription confirmée")
    else:
        subject = _("Vous êtes sur liste d'attente")
    body = _("Bonjour %(name)s,\n\n%(subject)s :\n%(event)s\n\nPour annuler : %(link)s\n") % {
        "name": registration.name, "subject": subject, "event": _event_facts(event), "link": cancel}
    _send(registration.email, f"{subject} — {event.title}", body)


def send_reminders(now: dt.datetime | None = None) -> int:
    """Remind confirmed registrants of events starting within ``REMINDER_WINDOW``; idempotent."""
    now = now or timezone.now()
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED, reminder_sent__isnull=True,
        event__start__gt=now, event__start__lte=now + REMINDER_WINDOW,
    ).select_related("event__commune", "event__process")
    sent = 0
    for registration in due:
        # Claim the reminder first, so two concurrent runs never send it twice.
        if not Registration.objects.filter(pk=registration.pk, reminder_sent__isnull=True).update(reminder_sent=now):
            continue
        cancel = site_url().rstrip("/") + reverse("community:registration", kwargs={"token": registration_token(registration)})
        body = _("Bonjour %(name)s,\n\nRappel : vous êtes inscrit·e à\n%(event)s\n\nSi vous ne pouvez plus venir, libérez votre place : %(link)s\n") % {
            "name": registration.name, "event": _event_facts(registration.event), "link": cancel}
        sent += _send(registration.email, _("Rappel : %(title)s") % {"title": registration.event.title}, body)
    return sent


# --- notifications to followers -----------------------------------------------------------------


def due_notices(process, today: dt.date) -> list[tuple[str, str, str]]:
    """(key, subject, body) of everything followers of ``process`` should hear about now."""
    notices = []
    base = site_url().rstrip("/")
    for phase in process.phases.filter(start__lte=today, end__gte=today):
        notices.append((f"phase:{phase.pk}:{phase.start.isoformat()}",
                        _("%(process)s : la phase « %(phase)s » est ouverte") % {"process": process.title, "phase": phase.get_kind_display()},
                        base + process.get_absolute_url()))
    from django.apps import apps

    try:
        Survey = apps.get_model("consultation", "Survey")
    except LookupError:
        Survey = None
    if Survey is not None:
        for survey in Survey.objects.filter(process=process, status="open"):
            notices.append((f"survey:{survey.pk}:open", _("Nouvelle enquête : %(title)s") % {"title": survey.title_fr},
                            base + reverse("community:participate", kwargs={"slug": process.slug})))
    Analysis = apps.get_model("opinion", "Analysis")
    for conversation_id, question, conversation_slug in Analysis.objects.filter(
        conversation__process=process
    ).values_list("conversation_id", "conversation__question", "conversation__slug").distinct():
        notices.append((f"results:conversation:{conversation_id}", _("Résultats publiés : %(title)s") % {"title": question},
                        base + reverse("opinion:results", kwargs={"slug": process.slug, "conversation": conversation_slug})))
    return notices


def notify(today: dt.date | None = None) -> dict:
    """Send every due notice to every follower once (a :class:`Notification` row per address and key).

    Returns counts: notices found, messages sent, reminders sent. Running it twice sends nothing more.
    """
    today = today or timezone.localdate()
    counts = {"notices": 0, "sent": 0, "reminders": send_reminders()}
    for process in Process.objects.filter(followers__isnull=False).distinct():
        emails = sorted({e for e in process.followers.values_list("user__email", flat=True) if e})
        for key, subject, link in due_notices(process, today):
            counts["notices"] += 1
            for email in emails:
                try:
                    with transaction.atomic():
                        Notification.objects.create(process=process, email=email, key=key)
                except IntegrityError:
                    continue  # already told
                body = _("Bonjour,\n\n%(subject)s.\n%(link)s\n\nVous recevez ce message parce que vous suivez cette démarche ; "
                         "vous pouvez arrêter de la suivre depuis votre compte.\n") % {"subject": subject, "link": link}
                counts["sent"] += _send(email, subject, body)
    return counts


# --- newsletters --------------------------------------------------------------------------------


def subscribe(process, email: str, *, category: str = "", commune=None, base_url: str) -> Subscription:
    """Record a pending subscription and send the confirmation link (double opt-in)."""
    email = email.strip().lower()
    subscription, _created = Subscription.objects.get_or_create(process=process, email=email)
    subscription.category = category or subscription.category
    subscription.commune = commune or subscription.commune
    if subscription.unsubscribed:
        subscription.unsubscribed = None
        subscription.confirmed = None  # coming back asks for a fresh confirmation
    subscription.save()
    if not subscription.active:
        link = base_url.rstrip("/") + reverse("community:confirm", kwargs={"token": signing.dumps(subscription.pk, salt=CONFIRM_SALT)})
        _send(email, _("Confirmez votre abonnement — %(process)s") % {"process": process.title}, _(
            "Bonjour,\n\nPour recevoir la lettre d'information de « %(process)s », confirmez votre adresse :\n%(link)s\n\n"
            "Sans confirmation, vous ne recevrez rien.\n") % {"process": process.title, "link": link})
    return subscription


def confirm(token: str) -> Subscription | None:
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    subscription = Subscription.objects.filter(pk=pk).first()
    if subscription and subscription.confirmed is None:
        subscription.confirmed = timezone.now()
        subscription.unsubscribed = None
        subscription.save(update_fields=["confirmed", "unsubscribed"])
    return subscription


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe(token: str) -> Subscription | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    subscription = Subscription.objects.filter(pk=pk).first()
    if subscription and subscription.unsubscribed is None:
        subscription.unsubscribed = timezone.now()
        subscription.save(update_fields=["unsubscribed"])
    return subscription


def audience(newsletter: Newsletter):
    """Active subscriptions of the newsletter's segment, without bounced addresses."""
    subscriptions = Subscription.objects.filter(process=newsletter.process, confirmed__isnull=False, unsubscribed__isnull=True)
    if newsletter.category:
        subscriptions = subscriptions.filter(category=newsletter.category)
    if newsletter.subterritory_id:
        subscriptions = subscriptions.filter(commune__memberships__group=newsletter.subterritory_id)
    hard = Bounce.objects.filter(kind="hard").values_list("email", flat=True)
    return subscriptions.exclude(email__in=hard).order_by("pk")


def send_newsletter(newsletter: Newsletter, *, base_url: str | None = None) -> int:
    """Send the letter to its segment, once per subscription (resumable), throttled. Returns messages sent."""
    base = (base_url or site_url()).rstrip("/")
    Newsletter.objects.filter(pk=newsletter.pk).update(status=Newsletter.Status.SENDING)
    pause = 1 / mail_rate() if mail_rate() > 0 else 0
    sent = 0
    connection = get_connection()
    with connection:
        for subscription in audience(newsletter).exclude(deliveries__newsletter=newsletter):
            link = base + reverse("community:unsubscribe", kwargs={"token": unsubscribe_token(subscription)})
            headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
            body = newsletter.body + "\n\n-- \n" + _("Se désabonner en un clic : %(link)s") % {"link": link}
            _send(subscription.email, newsletter.subject, body, headers=headers, connection=connection)
            Delivery.objects.create(newsletter=newsletter, subscription=subscription)
            sent += 1
            if pause:
                time.sleep(pause)
    Newsletter.objects.filter(pk=newsletter.pk).update(status=Newsletter.Status.SENT, sent=timezone.now())
    return sent


@task()
def send_newsletter_task(newsletter_id: int) -> int:
    """Background entry point: ``send_newsletter_task.enqueue(newsletter.pk)``."""
    return send_newsletter(Newsletter.objects.get(pk=newsletter_id))


@on_task_failure("atout.community.mail.send_newsletter_task")
def sending_lost(newsletter_id: int, *, message: str) -> None:
    """The worker died while sending too many times: back to draft, so the team can send again (sending
    resumes where it stopped: addresses already served are skipped)."""
    Newsletter.objects.filter(pk=newsletter_id, status=Newsletter.Status.SENDING).update(status=Newsletter.Status.DRAFT)


def record_bounces(lines, *, kind: str = "hard") -> int:
    """Record bounce lines (``address`` or ``address<TAB, ; or ,>reason``; ``#`` comments).

    All-or-nothing: raises ``ValueError`` naming the line of the first address that is not one.
    Returns the number of addresses recorded.
    """
    parsed = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        email, reason = text, ""
        for separator in ("\t", ";", ","):
            if separator in text:
                email, reason = (part.strip() for part in text.split(separator, 1))
                break
        if "@" not in email or " " in email:
            raise ValueError(f"line {number}: {email!r} is not an e-mail address")
        parsed.append(Bounce(email=email.lower(), kind=kind, reason=reason[:300]))
    Bounce.objects.bulk_create(parsed)
    return len(parsed)
