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


def pickable(territory: Territory):
    """The territories a process on ``territory`` may name (an action's places): the territory itself,
    its communes, the EPCIs having communes in it and its custom zones. A queryset, for validation."""
    from django.db.models import Q

    communes = territory.communes()
    return Territory.objects.filter(
        Q(pk=territory.pk) | Q(pk__in=communes.values("pk"))
        | Q(level=Level.EPCI, member_links__commune__in=communes.values("pk"))
        | Q(level=Level.ZONE, parent=territory)
    ).distinct()


def search_within(territory: Territory, query: str, limit: int = 30) -> list[Territory]:
    """Territories of :func:`pickable` whose name contains ``query`` or whose code starts with it,
    without regard to accents, case, dashes or apostrophes ("saint jean" finds "Saint-Jean-en-Royans");
    the closest first (names starting with the query), then alphabetical."""
    from atout.engine.formats.actionplan import fold

    wanted = fold(query or "")
    if not wanted:
        return []
    rows = pickable(territory).only("pk", "level", "code", "name", "parent_id")
    found = []
    for place in rows:
        name = fold(place.name)
        if wanted in name or place.code.startswith(query.strip()):
            found.append((not name.startswith(wanted), fold(place.name), place.code, place))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found[:limit]]
