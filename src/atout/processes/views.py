from django.shortcuts import redirect, render
from django.utils import timezone

from atout.core import access
from atout.territories.maps import zone_map
from atout.territories.services import geography_loaded

from . import homes
from .roles import role_in


@access.participant
def chooser(request):
    """Where sign-in leads: one's process when there is one, else the list of one's processes (the
    processes where one has a role; every open process for an administrator)."""
    processes = homes.processes_of(request.user)
    if len(processes) == 1:
        return redirect(homes.landing_url(request.user, processes[0]))
    return render(request, "processes/chooser.html", {
        "rows": [(p, role_in(request.user, p), homes.landing_url(request.user, p)) for p in processes],
    })


@access.public
def home(request, slug):
    """The public home page of a process: key figures, where the process stands, how to take part, then
    its phases, axes and map."""
    process = request.process
    today = timezone.localdate()
    zones = list(process.subterritories.order_by("name"))
    return render(request, "processes/home.html", {
        "process": process,
        "phases": [(phase, phase.is_current(today)) for phase in process.phases.all()],
        "current_phase": process.current_phase(today),
        "figures": homes.key_figures(process),
        "calls": homes.calls_to_take_part(process),
        "axes": process.axes.all(),
        "map": zone_map(process.territory, zones) if geography_loaded() else None,
        "map_title": process.territory.name,
        "geography_loaded": geography_loaded(),
        "role": role_in(request.user, process),
    })


@access.team
def team(request, slug):
    """The team's home: what needs attention now (each item with its link), then who has which role and
    the sub-territories."""
    process = request.process
    return render(request, "processes/team.html", {
        "process": process,
        "attention": homes.attention(process),
        "menu_open": True,
        "roles": process.roles.select_related("user").order_by("role", "user__username"),
        "zones": [(z, z.communes().count(), z.computed_population()) for z in process.subterritories.order_by("name")],
    })
