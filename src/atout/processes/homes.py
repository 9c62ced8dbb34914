"""What the homes of a process show: where each person lands after sign-in, the team's "needs attention
now" list and the public home's key figures and calls to take part.

Each figure is computed by a service function of the app that owns it; this module only gathers them.
"""

from __future__ import annotations

from django.urls import reverse

from atout.core.contracts import provider

from .models import Process
from .roles import role_in


def processes_of(user) -> list[Process]:
    """The processes a signed-in person works on: the ones where one has a role; else the running ones
    (a resident follows them, an administrator oversees them), else every published one (every one for
    an administrator)."""
    mine = list(Process.objects.filter(roles__user=user).distinct().order_by("title"))
    if mine:
        return mine
    running = list(Process.objects.filter(status=Process.Status.ACTIVE).order_by("title"))
    if running:
        return running
    if user.is_superuser:
        return list(Process.objects.order_by("title"))
    return list(Process.objects.exclude(status=Process.Status.DRAFT).order_by("title"))


def landing_url(user, process: Process) -> str:
    """The page of ``process`` where ``user`` starts: the team home for the team and administrators, the
    public home (with its menu of what one may do) for everyone else."""
    if role_in(user, process) in ("team", "admin"):
        return reverse("processes:team", kwargs={"slug": process.slug})
    return reverse("processes:home", kwargs={"slug": process.slug})


def _ask(name: str, process: Process, default, **options):
    """A figure of the home asked for by name from the app that provides it (the feature apps sit above
    processes: ``atout.core.contracts.provider``); ``default`` when no installed app provides it."""
    service = provider(name)
    return service(process, **options) if service else default


def attention(process: Process) -> dict:
    """The team home's "to do now": statements and stories to moderate, survey collection against quotas,
    late actions and KPIs off trajectory, upcoming events. Each part is a list (empty: nothing to do)."""
    plan = _ask("home.plan_attention", process, {"late": [], "off_track": []})
    stories = _ask("home.stories_to_moderate", process, 0)
    parts = {
        "statements": _ask("home.statements_to_moderate", process, []),
        "surveys": _ask("home.survey_collection", process, []),
        "late_actions": plan["late"],
        "off_track": plan["off_track"],
        "stories": stories,
        "events": _ask("home.upcoming_events", process, []),
    }
    parts["count"] = (sum(r["count"] for r in parts["statements"]) + len(plan["late"]) + len(plan["off_track"])
                      + stories + sum(1 for s in parts["surveys"] if s["cells_behind"]))
    return parts


def key_figures(process: Process) -> list[dict]:
    return _ask("home.key_figures", process, [])


def calls_to_take_part(process: Process) -> dict:
    """What a resident can do now: open surveys (open to all), open conversations, the next events."""
    return {
        "surveys": _ask("home.open_surveys", process, []),
        "conversations": _ask("home.open_conversations", process, []),
        "events": _ask("home.upcoming_events", process, [], limit=3),
    }
