from django.http import Http404
from django.shortcuts import render

from atout.core import access
from atout.engine import placenames

from .maps import zone_map
from .models import Level, Territory
from .services import describe


@access.public
def detail(request, key):
    try:
        territory = Territory.objects.resolve(key)
    except Territory.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    facts = describe(territory)
    children_level = {
        Level.REGION: Level.DEPARTEMENT,
        Level.DEPARTEMENT: Level.EPCI,
        Level.EPCI: Level.COMMUNE,
        Level.ZONE: Level.COMMUNE,
    }.get(territory.level)
    # Sorted as a French reader expects (Étoile-sur-Rhône among the E), not in byte order.
    children = sorted(territory.children_at(children_level), key=lambda t: placenames.sort_key(t.name)) \
        if children_level else []
    zones = children if children_level == Level.EPCI else []
    drawn, total = territory.contour_coverage()
    return render(request, "territories/detail.html", {
        "territory": territory,
        "facts": facts,
        "children": children,
        "children_label": Level(children_level).label if children_level else "",
        "map": zone_map(territory, zones) if territory.level != Level.COMMUNE or territory.contour else None,
        "map_title": territory.name,
        "contour_coverage": (drawn, total),
    })
