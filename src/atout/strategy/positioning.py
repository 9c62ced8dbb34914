"""The brand platform (positioning) edited in the product, versioned: each save that changes something keeps
the new state as a :class:`~atout.strategy.models.PositioningVersion` with its author and date; the change
itself reaches the journal (:mod:`atout.core.audit`) as every change made in a request does."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from .models import POSITIONING_FIELDS, Positioning, PositioningVersion


def current(process) -> dict[str, str]:
    found = Positioning.objects.filter(process=process).first()
    return {name: getattr(found, name) if found else "" for name in POSITIONING_FIELDS}


@transaction.atomic
def save(process, data: dict[str, str], *, user=None, note: str = "") -> PositioningVersion | None:
    """Save the platform of ``process`` from ``data`` (the five fields) as a new version; None when nothing
    changed (no empty version). The state found before the first save in atout (the demo's, the admin's) is
    kept first, as a version without an author, so the history starts where the team started."""
    positioning = Positioning.objects.select_for_update().filter(process=process).first()
    before = {name: getattr(positioning, name) if positioning else "" for name in POSITIONING_FIELDS}
    after = {name: (data.get(name) or "").strip() for name in POSITIONING_FIELDS}
    if after == before:
        return None
    last = PositioningVersion.objects.filter(process=process).order_by("-number").first()
    if positioning is not None and any(before.values()) and (last is None or last.content() != before):
        last = PositioningVersion.objects.create(
            process=process, number=(last.number + 1) if last else 1, note=_("État avant la modification dans atout"),
            **before)
    if positioning is None:
        positioning = Positioning(process=process)
    for name, value in after.items():
        setattr(positioning, name, value)
    positioning.example = False  # written by the team now, no longer the demo's example
    positioning.save()
    return PositioningVersion.objects.create(process=process, number=(last.number + 1) if last else 1,
                                             note=note.strip()[:300], created_by=user, **after)


def history(process) -> list[dict]:
    """The versions, newest first, each with the fields that changed from the one before it."""
    versions = list(PositioningVersion.objects.filter(process=process).select_related("created_by").order_by("-number"))
    rows = []
    for version, older in zip(versions, versions[1:] + [None], strict=False):
        changed = [name for name in POSITIONING_FIELDS if older is None or getattr(version, name) != getattr(older, name)]
        rows.append({"version": version, "changed": [PositioningVersion._meta.get_field(n).verbose_name for n in changed]})
    return rows
