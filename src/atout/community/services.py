"""What the community pages and commands do: import the directory, manage accounts and their data,
register people to events, take attendance, and record ambassadors' stories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from atout.core import audit
from atout.engine.formats.errors import FormatError
from atout.engine.formats.stakeholders import Record, duplicate_suggestions, normalise, read_stakeholders
from atout.opinion.models import Participant
from atout.processes.models import Process
from atout.territories.models import Level, Membership, Territory

from . import mail
from .models import (
    Ambassador,
    Channel,
    ConsentRecord,
    Contact,
    EngagementEvent,
    Event,
    Follow,
    LoginToken,
    Organisation,
    Profile,
    Purpose,
    Registration,
    Sector,
    Story,
    Subscription,
    new_token,
    token_hash,
)

#: How long an e-mailed sign-in link works.
LOGIN_LINK_LIFETIME = dt.timedelta(minutes=30)
#: Largest photo accepted with a story.
PHOTO_MAX_BYTES = 5 * 1024 * 1024
#: Content signatures of the accepted photo types (the file's own bytes, not its name, decide).
PHOTO_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
#: Extension a stored photo gets, by its detected type (atout.core.uploads).
PHOTO_EXTENSIONS = {"jpeg": ".jpg", "png": ".png"}


def subterritory_of(process: Process, commune: Territory | None) -> Territory | None:
    """The process's sub-territory containing ``commune`` (None if outside them all)."""
    if commune is None:
        return None
    return process.subterritories.filter(member_links__commune=commune).first()


def epci_of(commune: Territory | None) -> Territory | None:
    if commune is None:
        return None
    link = Membership.objects.filter(commune=commune, group__level=Level.EPCI).select_related("group").first()
    return link.group if link else None


# --- stakeholder import -------------------------------------------------------------------------


@dataclass
class ImportReport:
    organisations: int = 0
    contacts: int = 0
    rows: int = 0
    duplicates: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"rows": self.rows, "organisations": self.organisations, "contacts": self.contacts,
                "duplicates": self.duplicates}


def import_stakeholders(process: Process, path: str | Path) -> ImportReport:
    """Import a CSV/XLSX directory file into ``process``: every row or none.

    Raises :class:`FormatError` listing each row whose commune or sector is unknown, on top of the
    reader's own checks. Returns counts of created records and duplicate suggestions over the whole
    directory of the process.
    """
    rows = read_stakeholders(path)
    communes = {t.code: t for t in Territory.objects.filter(level=Level.COMMUNE, code__in={r.commune for r in rows if r.commune})}
    sectors = {}
    for sector in Sector.objects.all():
        sectors[normalise(sector.code)] = sector
        sectors[normalise(sector.name)] = sector
    problems = []
    for row in rows:
        if row.commune and row.commune not in communes:
            problems.append(FormatError(f"unknown commune code {row.commune!r}", path=path, line=row.line, column="commune"))
        if row.sector and normalise(row.sector) not in sectors:
            problems.append(FormatError(f"unknown sector {row.sector!r} (configure it in the back office)",
                                        path=path, line=row.line, column="sector"))
    if problems:
        raise FormatError.collect(problems, path=path)
    report = ImportReport(rows=len(rows))
    with transaction.atomic():
        for row in rows:
            commune = communes.get(row.commune)
            organisation = None
            if row.organisation:
                organisation, created = Organisation.objects.get_or_create(
                    process=process, name=row.organisation, commune=commune,
                    defaults={"kind": row.kind, "sector": sectors.get(normalise(row.sector)) if row.sector else None},
                )
                report.organisations += created
            if row.is_person:
                contact = Contact.objects.create(
                    process=process, organisation=organisation, first_name=row.first_name, last_name=row.last_name,
                    email=row.email, phone=row.phone, category=row.category, commune=commune,
                )
                ConsentRecord.objects.create(
                    contact=contact, purpose=_purpose(row.consent_purpose), date=row.consent_date,
                    source=row.consent_source, text_version=row.consent_text_version,
                )
                report.contacts += 1
    report.duplicates = directory_duplicates(process)
    return report


def _purpose(text: str) -> str:
    key = normalise(text)
    for value, label in Purpose.choices:
        if key in (value, normalise(str(label))):
            return value
    return Purpose.DIRECTORY


def directory_duplicates(process: Process) -> list[dict]:
    """Duplicate suggestions among the process's contacts and among its organisations."""
    suggestions = []
    contacts = list(Contact.objects.filter(process=process).select_related("commune"))
    records = [Record(c.pk, f"{c.first_name} {c.last_name}", c.email, c.commune.code if c.commune else "") for c in contacts]
    names = {c.pk: str(c) for c in contacts}
    for s in duplicate_suggestions(records):
        suggestions.append({"kind": "contact", "ids": [s.first, s.second], "names": [names[s.first], names[s.second]],
                            "reason": s.reason, "score": s.score})
    organisations = list(Organisation.objects.filter(process=process).select_related("commune"))
    records = [Record(o.pk, o.name, "", o.commune.code if o.commune else "") for o in organisations]
    names = {o.pk: o.name for o in organisations}
    for s in duplicate_suggestions(records):
        suggestions.append({"kind": "organisation", "ids": [s.first, s.second], "names": [names[s.first], names[s.second]],
                            "reason": s.reason, "score": s.score})
    return suggestions


# --- accounts -----------------------------------------------------------------------------------


def record_consents(user, granted: dict[str, bool], *, source: str, text_version: str = "2026-1") -> None:
    """Append a consent record for each purpose whose state changes."""
    current = current_consents(user)
    today = timezone.localdate()
    for purpose, value in granted.items():
        if current.get(purpose) != value:
            ConsentRecord.objects.create(user=user, purpose=purpose, granted=value, date=today, source=source,
                                         text_version=text_version)


def current_consents(user) -> dict[str, bool]:
    """Purpose → granted, from the latest record of each purpose."""
    state = {}
    for purpose, granted in ConsentRecord.objects.filter(user=user).order_by("created", "pk").values_list("purpose", "granted"):
        state[purpose] = granted
    return state


def create_login_link(user, base_url: str, *, reason: str = "sign-in", password: str = "") -> str:
    """Send ``user`` a one-time sign-in link; returns the link (tests read it from the mail instead).

    ``reason``: "sign-in" (asked on the link page), "welcome" (a new account; ``password`` is the hash
    of the password chosen at sign-up, set when the link is used) or "exists" (someone tried to sign up
    with the address of this account)."""
    token = new_token()
    LoginToken.objects.create(user=user, token_hash=token_hash(token), password=password,
                              expires=timezone.now() + LOGIN_LINK_LIFETIME)
    from django.urls import reverse

    link = base_url.rstrip("/") + reverse("community:login_link", kwargs={"token": token})
    mail.send_login_link(user, link, reason=reason)
    return link


def use_login_token(token: str):
    """The user of a valid, unused, unexpired token, which is then spent; None otherwise. A welcome
    link also sets the password chosen at sign-up."""
    with transaction.atomic():
        login = LoginToken.objects.select_for_update().filter(token_hash=token_hash(token)).select_related("user").first()
        if login is None or login.used_at is not None or login.expires < timezone.now():
            return None
        login.used_at = timezone.now()
        login.save(update_fields=["used_at"])
        if login.password:
            login.user.password = login.password
            login.user.save(update_fields=["password"])
        return login.user


def sign_up(*, email: str, password: str | None, category: str, commune: Territory | None,
            consents: dict[str, bool], base_url: str) -> None:
    """Sign-up whose outcome a visitor cannot tell apart whether the address has an account or not:
    either way the address receives one e-mail with a sign-in link — a welcome for a new account
    (created now; the chosen password works once the link is used, which confirms the address), or
    "you already have an account" for an existing one (left unchanged)."""
    from django.contrib.auth.hashers import make_password
    from django.db import IntegrityError

    email = email.lower()
    # Hashed on both paths, so that the answer takes as long either way.
    pending = make_password(password) if password else ""
    existing = _account_of(email)
    if existing is None:
        try:
            user = create_participant(email=email, password=None, category=category, commune=commune, consents=consents)
        except IntegrityError:  # the same address signed up at the same moment
            existing = _account_of(email)
        else:
            create_login_link(user, base_url, reason="welcome", password=pending)
            return
    if existing is not None and existing.is_active:
        create_login_link(existing, base_url, reason="exists")


def _account_of(email: str):
    from django.db.models import Q

    return get_user_model().objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).order_by("pk").first()


def personal_data(user) -> dict:
    """Everything the platform holds about ``user``, as JSON-able values (the export of the data page)."""
    from atout.commands import to_jsonable

    profile = Profile.objects.filter(user=user).select_related("commune").first()
    data = {
        "account": {"username": user.username, "email": user.email, "first_name": user.first_name,
                    "last_name": user.last_name, "date_joined": user.date_joined},
        "profile": {"category": profile.category, "commune": profile.commune.code if profile.commune else None}
        if profile else None,
        "consents": list(ConsentRecord.objects.filter(user=user).values("purpose", "granted", "date", "source", "text_version")),
        "follows": list(Follow.objects.filter(user=user).values_list("process__slug", flat=True)),
        "subscriptions": list(Subscription.objects.filter(email__iexact=user.email).values(
            "process__slug", "email", "category", "confirmed", "unsubscribed")) if user.email else [],
        "event_registrations": list(Registration.objects.filter(user=user).values(
            "event__title", "event__start", "name", "email", "status", "attended")),
        "ambassador": list(Ambassador.objects.filter(user=user).values("process__slug", "display_name", "kind", "commune__code", "motto", "status")),
        "stories": list(Story.objects.filter(ambassador__user=user).values("title", "text", "photo", "status", "created")),
        "contributions": list(EngagementEvent.objects.filter(user=user).values("process__slug", "channel", "date")),
        "directory_entries": list(Contact.objects.filter(user=user).values("process__slug", "first_name", "last_name", "email", "phone", "category")),
        "opinion": _opinion_data(user),
        "surveys": _survey_data(user),
    }
    return to_jsonable(data)


def _opinion_data(user) -> list[dict]:
    rows = []
    for p in Participant.objects.filter(user=user).select_related("conversation"):
        rows.append({"conversation": p.conversation.question, "age_band": p.age_band, "status": p.status,
                     "votes": list(p.votes.values("statement__number", "value", "created")),
                     "statements": list(p.statements.values("number", "text", "status"))})
    return rows


def _survey_data(user) -> list[dict]:
    from django.apps import apps

    try:
        Response = apps.get_model("consultation", "Response")
    except LookupError:
        return []
    return list(Response.objects.filter(user=user).values("survey__title_fr", "status", "submitted_at", "receipt"))


def delete_account(user) -> None:
    """Remove the person's personal data; their contributions stay, anonymised.

    Deleted: account, profile, consents, sign-in links, follows, subscriptions of their address,
    ambassador profile and stories (they carry their name and picture), directory entries linked to
    them. Anonymised (kept without any link to the person): opinion participations (votes and
    statements), survey responses, event registrations (name and e-mail erased, attendance kept),
    recorded contributions (they become anonymous contributions). The journal keeps what the person
    did under a pseudonym, without their name or address (:func:`atout.core.audit.forget`).
    """
    from django.apps import apps

    with transaction.atomic():
        audit.remember_personal_things(user)  # the ambassador profile and stories go before the account
        if user.email:
            Subscription.objects.filter(email__iexact=user.email).delete()
        for story in Story.objects.filter(ambassador__user=user):
            if story.photo:
                story.photo.delete(save=False)
        Ambassador.objects.filter(user=user).delete()
        Contact.objects.filter(user=user).delete()
        Registration.objects.filter(user=user).update(user=None, name="", email="anonyme@invalid")
        EngagementEvent.objects.filter(user=user).update(user=None, contact=None)
        apps.get_model("opinion", "Participant").objects.filter(user=user).update(user=None)
        try:
            apps.get_model("consultation", "Response").objects.filter(user=user).update(user=None)
        except LookupError:
            pass
        user.delete()  # cascades: profile, consents, login links, follows


# --- events -------------------------------------------------------------------------------------


def register(event: Event, *, name: str, email: str, user=None, base_url: str) -> Registration:
    """Register someone: confirmed while places remain, else on the waiting list; e-mails them."""
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()  # serialise concurrent registrations
        existing = event.registrations.filter(email__iexact=email).exclude(status=Registration.Status.CANCELLED).first()
        if existing:
            return existing
        status = (Registration.Status.CONFIRMED if event.confirmed_count() < event.capacity
                  else Registration.Status.WAITING)
        registration = Registration.objects.create(event=event, user=user, name=name, email=email, status=status)
    mail.send_registration(registration, base_url)
    return registration


def cancel_registration(registration: Registration, *, base_url: str) -> Registration | None:
    """Cancel; a freed place goes to the first person waiting, who is told. Returns the promoted one."""
    with transaction.atomic():
        was_confirmed = registration.status == Registration.Status.CONFIRMED
        registration.status = Registration.Status.CANCELLED
        registration.save(update_fields=["status"])
        promoted = None
        if was_confirmed:
            promoted = registration.event.registrations.filter(status=Registration.Status.WAITING).order_by("created", "pk").first()
            if promoted:
                promoted.status = Registration.Status.CONFIRMED
                promoted.save(update_fields=["status"])
    if promoted:
        mail.send_registration(promoted, base_url, promoted_from_waiting_list=True)
    return promoted


def take_attendance(event: Event, present_ids: set[int]) -> int:
    """Mark who came (the rest as absent) and record one contribution per person present.

    Idempotent: taking attendance again adjusts the recorded contributions. Returns the number present.
    """
    channel = Channel.WORKSHOP if event.kind == Event.Kind.WORKSHOP else Channel.EVENT
    registration_type = ContentType.objects.get_for_model(Registration)
    zone = subterritory_of(event.process, event.commune)
    with transaction.atomic():
        registrations = list(event.registrations.exclude(status=Registration.Status.CANCELLED))
        for registration in registrations:
            present = registration.pk in present_ids
            if registration.attended != present:
                registration.attended = present
                registration.save(update_fields=["attended"])
            recorded = EngagementEvent.objects.filter(source_type=registration_type, source_id=registration.pk)
            if present and not recorded.exists():
                EngagementEvent.objects.create(
                    process=event.process, user=registration.user, contact=_contact_for(event.process, registration),
                    channel=channel, subterritory=zone, date=event.start, source_type=registration_type,
                    source_id=registration.pk, simulated=event.simulated,
                )
            elif not present:
                recorded.delete()
    return sum(1 for r in registrations if r.pk in present_ids)


def _contact_for(process: Process, registration: Registration) -> Contact | None:
    """A registration without an account is attributed to the directory contact of the same address."""
    if registration.user_id or not registration.email:
        return None
    return Contact.objects.filter(process=process, email__iexact=registration.email).first()


# --- ambassadors --------------------------------------------------------------------------------


def photo_name(kind: str) -> str:
    """A new story photo's file name: random, with the extension of its detected type (never the
    uploaded name, which a web server serving the media folder would trust)."""
    import secrets

    return f"{secrets.token_hex(16)}{PHOTO_EXTENSIONS[kind]}"


def moderate_story(story: Story, *, publish: bool, user, reason: str = "") -> None:
    story.status = Story.Status.PUBLISHED if publish else Story.Status.REJECTED
    story.moderated_by = user
    story.moderation_reason = reason
    story.save(update_fields=["status", "moderated_by", "moderation_reason"])


def follow(user, process: Process) -> None:
    Follow.objects.get_or_create(user=user, process=process)


def unfollow(user, process: Process) -> None:
    Follow.objects.filter(user=user, process=process).delete()


def create_participant(*, email: str, password: str | None, category: str, commune: Territory | None,
                       consents: dict[str, bool]):
    """A participant account (the e-mail is the username) with its profile and consents."""
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.create_user(username=email.lower(), email=email.lower(), password=password)
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Profile.objects.create(user=user, category=category, commune=commune)
        record_consents(user, consents, source="inscription")
    return user
