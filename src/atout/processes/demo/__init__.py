"""The Drôme demo process: its phases, axes, sub-territories and accounts (the orchestration of the
whole demo is :mod:`atout.demo.orchestration`).

Everything here is real except what says otherwise: later capabilities add simulated answers and
label them "données simulées" wherever they are shown.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from atout.territories import importer
from atout.territories.models import Level, Territory
from atout.territories.services import geography_loaded

from ..models import Phase, PhaseKind, Process, ProcessRole, Role

ZONES_FILE = Path(__file__).with_name("drome-zones.yaml")
SLUG = "drome"

#: Demo accounts: (username, password, role). Passwords are public: for the local demo only.
ACCOUNTS = [
    ("admin", "demo-admin-drome", "admin"),
    ("equipe", "demo-equipe-drome", Role.TEAM),
    ("animation", "demo-animation-drome", Role.FACILITATOR),
    ("habitant", "demo-habitant-drome", "participant"),
]

PHASES = {
    PhaseKind.DIAGNOSTIC: (dt.date(2026, 9, 1), dt.date(2027, 2, 28)),
    PhaseKind.STRATEGY: (dt.date(2027, 3, 1), dt.date(2027, 9, 30)),
    PhaseKind.ACTION_PLAN: (dt.date(2027, 10, 1), dt.date(2032, 12, 31)),
}

DESCRIPTION = (
    "Faire connaître la Drôme, attirer talents, entreprises et visiteurs, et rendre ses habitants fiers "
    "d'y vivre : un diagnostic partagé (statistiques et paroles d'habitants), une stratégie selon trois axes "
    "— Attractivité, Proximité, Inventivité — et un plan d'actions suivi dans la durée."
)


def prepare_process(report) -> Process:
    """The demo process with its phases, axes, sub-territories (when the geography is loaded) and
    accounts; fills ``report.zones`` and ``report.accounts``. Idempotent. The whole demo, the geography
    first and every app's step after, is :func:`atout.demo.orchestration.prepare`."""
    with transaction.atomic():
        drome = _drome()
        process, _created = Process.objects.get_or_create(
            slug=SLUG,
            defaults={"title": "Drôme, terre d'attractivité", "territory": drome, "description": DESCRIPTION, "is_demo": True},
        )
        if process.territory_id != drome.pk:
            process.territory = drome
            process.save(update_fields=["territory"])
        process.add_default_axes()
        for kind, (start, end) in PHASES.items():
            Phase.objects.update_or_create(process=process, kind=kind, defaults={"start": start, "end": end})
        if geography_loaded():
            zones = importer.load_zones(ZONES_FILE, parent=drome)
            process.subterritories.set(zones)
            report.zones = [z.name for z in zones]
        report.accounts = _accounts(process)
    return process


def _drome() -> Territory:
    drome = Territory.objects.filter(level=Level.DEPARTEMENT, code="26").first()
    if drome is None:
        # Without the official files the demo still starts, on a bare Drôme without communes.
        drome = Territory.objects.create(level=Level.DEPARTEMENT, code="26", name="Drôme")
    return drome


def _accounts(process: Process) -> list[tuple[str, str, str]]:
    User = get_user_model()
    accounts = []
    for username, password, role in ACCOUNTS:
        user, _created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@demo.invalid"})
        user.set_password(password)
        user.is_superuser = user.is_staff = role == "admin"
        if role == Role.TEAM:
            # The team edits its own process, its phases, axes and roles in the back office (limited to
            # the processes where it has the team role: atout.processes.admin); creating or deleting a
            # process is for administrators.
            user.is_staff = True
        user.save()
        if role == Role.TEAM:
            user.user_permissions.set(Permission.objects.filter(content_type__app_label="processes")
                                      .exclude(codename__in=["add_process", "delete_process"]))
        if role in (Role.TEAM, Role.FACILITATOR):
            ProcessRole.objects.get_or_create(user=user, process=process, role=role)
        accounts.append((username, password, str(role)))
    return accounts
