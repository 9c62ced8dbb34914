"""Read-side helpers shared by views, API and CLI."""

from __future__ import annotations

from .models import Level, Territory


def describe(territory: Territory) -> dict:
    """The ``atout territories show --json`` shape."""
    return {
        "code": territory.code,
        "name": territory.name,
        "level": territory.level,
        "population": territory.computed_population(),
        "communes": territory.communes().count(),
        "epcis": list(territory.epcis().values_list("code", flat=True)) if territory.level != Level.EPCI else [territory.code],
        "parents": [{"code": p.code, "level": p.level, "name": p.name} for p in territory.parents()],
    }


def geography_loaded() -> bool:
    return Territory.objects.filter(level=Level.COMMUNE).exists()
