"""Creating processes and describing them (CLI, API and views share these)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count

from atout.territories.models import Level, Territory

from .models import Phase, PhaseKind, Process


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
