"""The Drôme demo: the real geography, a process with its phases, axes, sub-territories and accounts.

Everything here is real except what says otherwise: later capabilities add simulated answers and
label them "données simulées" wherever they are shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from atout.engine.sources import SourceUnavailable
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


@dataclass
class DemoReport:
    geography: str = ""
    missing: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def prepare(*, progress=None) -> DemoReport:
    """Idempotent: running it again refreshes the demo without duplicating anything."""
    report = DemoReport()
    if not geography_loaded():
        try:
            files = importer.locate_geo_files(download=True, progress=progress)
        except SourceUnavailable as exc:
            report.missing.append(str(exc))
            report.geography = "missing"
        else:
            importer.import_geography(files)
            report.geography = "imported"
    else:
        report.geography = "already loaded"

    with transaction.atomic():
        drome = _drome()
        process, created = Process.objects.get_or_create(
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
    if not geography_loaded():
        # Every capability's demo reads by sub-territory: without the geography there is nothing to show.
        report.notes.append("capability demos skipped (statistics, surveys, conversations, plan, community, "
                            "fieldwork): they need the official geography")
        return report
    for step in DEMO_STEPS:
        report.steps.append(step)
        report.notes.extend(_run_step(step, process))
    return report


#: What each capability adds to the demo, in order; each is called with the demo process.
DEMO_STEPS = [
    "atout.diagnostic.demo.prepare_process",
    "atout.consultation.demo.prepare",
    "atout.opinion.demo.prepare",
    "atout.actions.demo.prepare",  # after opinion: the example plan cites the demo conversation
    "atout.community.demo.prepare",  # after opinion: it attaches simulated voters to simulated accounts
    "atout.fieldwork.demo.prepare",
    "atout.strategy.demo.prepare",  # after survey, example strategy and fieldwork: SWOT from survey and themes
    "atout.sectors.demo.prepare",  # after community, plan and strategy: filières link actors, SWOT, actions, KPIs
    "atout.consultation.barometer_demo.prepare",  # after the plan: its KPIs follow the example action A2
]


def _run_step(dotted: str, process) -> list[str]:
    """Run one capability's demo step; its report's ``messages()``, if any, are passed on."""
    from django.utils.module_loading import import_string

    outcome = import_string(dotted)(process)
    messages = getattr(outcome, "messages", None)
    return [f"{dotted.split('.')[1]}: {m}" for m in messages()] if callable(messages) else []


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
