"""Creating processes and describing them (CLI, API and views share these)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from atout.core.site import site_url
from atout.territories.models import Level, Territory

from .models import Phase, PhaseKind, Process, ProcessRole, Role, TeamInvitation


def inherited_subterritories(territory: Territory) -> list[Territory]:
    """The sub-territories a new process on ``territory`` starts with.

    The custom zones defined for the territory (``atout territories zones FILE --parent CODE``), then the
    EPCIs having communes in it — an EPCI straddling the border included, as the Drôme's demo zones do —
    except an EPCI covering the whole territory (the territory is then part of it, not the reverse).
    """
    zones = list(Territory.objects.filter(level=Level.ZONE, parent=territory).order_by("code"))
    communes = territory.communes()
    total = communes.count()
    if not total:
        return zones
    # filter() before annotate() on the same relation: the count is of the territory's communes only
    epcis = (Territory.objects.filter(level=Level.EPCI, member_links__commune__in=communes)
             .annotate(inside=Count("member_links")).filter(inside__lt=total).exclude(pk=territory.pk).order_by("code"))
    return zones + list(epcis)


def create_process(*, slug: str, territory: Territory, title: str, description: str = "",
                   phases: dict[str, tuple[dt.date, dt.date]] | None = None, is_demo: bool = False) -> Process:
    """A new process with the default API axes, the sub-territories of its territory
    (:func:`inherited_subterritories`) and, optionally, dated phases."""
    with transaction.atomic():
        process = Process.objects.create(slug=slug, title=title, territory=territory, description=description, is_demo=is_demo)
        process.add_default_axes()
        process.subterritories.set(inherited_subterritories(territory))
        for kind, (start, end) in (phases or {}).items():
            Phase.objects.create(process=process, kind=PhaseKind(kind), start=start, end=end)
    return process


def summary(process: Process) -> dict:
    current = process.current_phase()
    return {
        "slug": process.slug,
        "title": process.title,
        "territory": {"code": process.territory.code, "level": process.territory.level, "name": process.territory.name},
        "status": process.status,
        "demo": process.is_demo,
        "phases": [
            {"kind": p.kind, "start": p.start.isoformat(), "end": p.end.isoformat()} for p in process.phases.all()
        ],
        "current_phase": current.kind if current else None,
        "axes": [{"code": a.code, "name": a.name_fr, "name_en": a.name_en} for a in process.axes.all()],
        "subterritories": [t.key for t in process.subterritories.order_by("code")],
    }


# --- the team: roles and invitations ------------------------------------------------------------

#: An invitation link is valid this long.
INVITATION_DAYS = 14


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(process: Process, email: str, role: str, *, invited_by=None, base_url: str = "") -> tuple[TeamInvitation, str]:
    """Create an invitation and e-mail its link; returns it with the link (the token is not stored).

    ``base_url`` is the site's address (scheme and host) for the link; without it the one of
    ``ATOUT_SITE_URL``."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    token = secrets.token_urlsafe(32)
    invitation = TeamInvitation.objects.create(
        process=process, email=email.strip().lower(), role=role, token_hash=hash_token(token),
        invited_by=invited_by if getattr(invited_by, "pk", None) else None,
        expires=timezone.now() + dt.timedelta(days=INVITATION_DAYS))
    link = (base_url or site_url()).rstrip("/") + reverse("processes:invitation", kwargs={"token": token})
    role_label = Role(role).label
    body = gettext(
        "Bonjour,\n\nVous êtes invité·e à rejoindre la démarche « %(process)s » avec le rôle « %(role)s ».\n"
        "Pour accepter, ouvrez ce lien (valable %(days)s jours) :\n%(link)s\n\n"
        "Si vous n'attendiez pas ce message, ignorez-le : rien ne sera fait sans vous.\n"
    ) % {"process": process.title, "role": role_label, "days": INVITATION_DAYS, "link": link}
    send_mail(gettext("Invitation : %(process)s") % {"process": process.title}, body, settings.DEFAULT_FROM_EMAIL,
              [invitation.email])
    return invitation, link


def invitation_for(token: str) -> TeamInvitation | None:
    """The pending invitation of ``token``, or None (unknown, used or expired)."""
    invitation = TeamInvitation.objects.select_related("process").filter(token_hash=hash_token(token)).first()
    return invitation if invitation is not None and invitation.pending else None


def accept(invitation: TeamInvitation, user) -> ProcessRole:
    """Give ``user`` the invitation's role (once) and close the invitation."""
    with transaction.atomic():
        role, _created = ProcessRole.objects.get_or_create(user=user, process=invitation.process, role=invitation.role)
        invitation.accepted, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted", "accepted_by"])
    return role


def last_team_member(role: ProcessRole) -> bool:
    """Whether ``role`` is the process's only team role (removing it would leave the process without a team)."""
    return role.role == Role.TEAM and not ProcessRole.objects.filter(
        process_id=role.process_id, role=Role.TEAM).exclude(pk=role.pk).exists()


def members(process: Process) -> dict:
    """The team and the invitations of ``process`` (CLI and API)."""
    return {
        "process": process.slug,
        "roles": [{"username": r.user.get_username(), "role": r.role}
                  for r in process.roles.select_related("user").order_by("role", "user__username")],
        "invitations": [{"email": i.email, "role": i.role, "created": i.created.isoformat(),
                         "expires": i.expires.isoformat(), "pending": i.pending,
                         "accepted_by": i.accepted_by.get_username() if i.accepted_by else None}
                        for i in process.invitations.select_related("accepted_by")],
    }


def update_process(process: Process, *, title: str | None = None, description: str | None = None,
                   status: str | None = None, phases: dict[str, tuple[dt.date, dt.date]] | None = None) -> Process:
    """Change what is given of a process (CLI); its phases are created or re-dated."""
    with transaction.atomic():
        fields = {"title": title, "description": description, "status": status}
        for name, value in fields.items():
            if value is not None:
                setattr(process, name, value)
        process.save()
        for kind, (start, end) in (phases or {}).items():
            Phase.objects.update_or_create(process=process, kind=kind, defaults={"start": start, "end": end})
    return process
