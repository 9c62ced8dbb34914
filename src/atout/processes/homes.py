"""What the homes of a process show: where each person lands after sign-in, the team's "needs attention
now" list and the public home's key figures and calls to take part.

Each figure is computed by a service function of the app that owns it; this module only gathers them.
"""

from __future__ import annotations

from django.urls import reverse

from .models import Process
from .roles import role_in


def processes_of(user) -> list[Process]:
    """The processes a signed-in person works on: every process for an administrator, the ones where one
    has a role, else the published ones (a resident follows them)."""
    if user.is_superuser:
        return list(Process.objects.order_by("title"))
    mine = list(Process.objects.filter(roles__user=user).distinct().order_by("title"))
    return mine or list(Process.objects.exclude(status=Process.Status.DRAFT).order_by("title"))


def landing_url(user, process: Process) -> str:
    """The page of ``process`` where ``user`` starts: the team home for the team and administrators, the
    public home (with its menu of what one may do) for everyone else."""
    if role_in(user, process) in ("team", "admin"):
        return reverse("processes:team", kwargs={"slug": process.slug})
    return reverse("processes:home", kwargs={"slug": process.slug})


def attention(process: Process) -> dict:
    """The team home's "to do now": statements and stories to moderate, survey collection against quotas,
    late actions and KPIs off trajectory, upcoming events. Each part is a list (empty: nothing to do)."""
    from atout.actions.services import needing_attention
    from atout.community.services import stories_to_moderate, upcoming_events
    from atout.consultation.quotas import collection_progress
    from atout.opinion.services import statements_to_moderate

    plan = needing_attention(process)
    stories = stories_to_moderate(process)
    parts = {
        "statements": statements_to_moderate(process),
        "surveys": collection_progress(process),
        "late_actions": plan["late"],
        "off_track": plan["off_track"],
        "stories": stories,
        "events": upcoming_events(process),
    }
    parts["count"] = (sum(r["count"] for r in parts["statements"]) + len(plan["late"]) + len(plan["off_track"])
                      + stories + sum(1 for s in parts["surveys"] if s["cells_behind"]))
    return parts


def key_figures(process: Process) -> list[dict]:
    from atout.diagnostic.analysis import key_figures as figures

    return figures(process.territory)


def calls_to_take_part(process: Process) -> dict:
    """What a resident can do now: open surveys (open to all), open conversations, the next events."""
    from atout.community.services import upcoming_events
    from atout.consultation.models import Survey
    from atout.opinion.models import Conversation

    return {
        "surveys": list(Survey.objects.filter(process=process, status=Survey.Status.OPEN, mode=Survey.Mode.OPEN)
                        .order_by("title_fr")),
        "conversations": list(Conversation.objects.filter(process=process, status=Conversation.Status.OPEN)),
        "events": upcoming_events(process, limit=3),
    }
