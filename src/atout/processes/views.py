from django.shortcuts import render
from django.utils import timezone

from atout.core import access
from atout.territories.maps import zone_map
from atout.territories.services import geography_loaded

from .roles import role_in


@access.public
def home(request, slug):
    """The public home page of a process: its phases (current one highlighted), axes and map."""
    process = request.process
    today = timezone.localdate()
    zones = list(process.subterritories.order_by("name"))
    return render(request, "processes/home.html", {
        "process": process,
        "phases": [(phase, phase.is_current(today)) for phase in process.phases.all()],
        "axes": process.axes.all(),
        "map": zone_map(process.territory, zones) if geography_loaded() else None,
        "map_title": process.territory.name,
        "geography_loaded": geography_loaded(),
        "role": role_in(request.user, process),
    })


@access.team
def team(request, slug):
    """The team's page: who has which role, sub-territories and their composition."""
    process = request.process
    return render(request, "processes/team.html", {
        "process": process,
        "roles": process.roles.select_related("user").order_by("role", "user__username"),
        "zones": [(z, z.communes().count(), z.computed_population()) for z in process.subterritories.order_by("name")],
    })
