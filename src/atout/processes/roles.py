"""Who may do what: one function answers it for views, API and templates.

Roles, from most to least powerful: admin (Django superuser), team (per process), facilitator (per
process), participant (any signed-in person), public (anonymous). A team member may do everything a
facilitator may, and so on down.
"""

from __future__ import annotations

from .models import Process, ProcessRole, Role

ORDER = ["public", "participant", "facilitator", "team", "admin"]


def role_in(user, process: Process | None) -> str:
    """The highest role of ``user`` in ``process`` (or site-wide when ``process`` is None)."""
    if user is None or not user.is_authenticated:
        return "public"
    if user.is_superuser:
        return "admin"
    if process is not None:
        roles = set(ProcessRole.objects.filter(user=user, process=process).values_list("role", flat=True))
        if Role.TEAM in roles:
            return "team"
        if Role.FACILITATOR in roles:
            return "facilitator"
    return "participant"


def has_role(user, process: Process | None, needed: str) -> bool:
    return ORDER.index(role_in(user, process)) >= ORDER.index(needed)
