"""Creating processes and describing them (CLI, API and views share these)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from atout.territories.models import Territory

from .models import Phase, PhaseKind, Process


def create_process(*, slug: str, territory: Territory, title: str, description: str = "",
                   phases: dict[str, tuple[dt.date, dt.date]] | None = None, is_demo: bool = False) -> Process:
    """A new process with the default API axes and, optionally, dated phases."""
    with transaction.atomic():
        process = Process.objects.create(slug=slug, title=title, territory=territory, description=description, is_demo=is_demo)
        process.add_default_axes()
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
