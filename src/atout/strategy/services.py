"""Evidence records from the other parts of atout, SWOT proposals from findings, and evidence usage."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType

from atout.processes.models import Process

from .models import Evidence, EvidenceLink, SwotItem

#: Finding kind → SWOT category. Findings say what the statistics show: strengths and weaknesses.
#: Opportunities and threats come from the outside (trends, opinion, documents) and are added by the team.
FINDING_TO_SWOT = {"strength": SwotItem.Kind.STRENGTH, "weakness": SwotItem.Kind.WEAKNESS}


def finding_key(finding: dict, territory: str = "") -> str:
    return f"finding:{territory}:{finding['indicator']}" if territory else f"finding:{finding['indicator']}"


def evidence_from_finding(process: Process, finding: dict, *, territory: str = "") -> Evidence:
    """An indicator finding (see :func:`atout.engine.findings.findings`) as evidence; idempotent by key."""
    source, _sep, vintage = finding["source"].rpartition(" (")
    evidence, _created = Evidence.objects.update_or_create(
        process=process, key=finding_key(finding, territory),
        defaults={
            "kind": Evidence.Kind.FINDING, "title": finding["label"], "summary": finding["statement"]["fr"],
            "value": finding["value"], "unit": finding.get("unit", ""), "n": None, "margin": None,
            "source": (source or finding["source"])[:400], "vintage": vintage.rstrip(")")[:40],
            "public": True, "simulated": False,
        },
    )
    return evidence


def evidence_from_statement(process: Process, statement, *, simulated: bool) -> Evidence:
    """An opinion statement with its share of agreement (latest vote of each participant) as evidence.

    ``value`` is the % of agree among agree + disagree + pass; ``n`` the number of voters. ``simulated``
    says whether the votes are simulated (the demo).
    """
    latest: dict[int, int] = {}
    for participant, value in statement.votes.order_by("created", "pk").values_list("participant_id", "value"):
        latest[participant] = value
    counts = Counter(latest.values())
    n = sum(counts.values())
    share = 100.0 * counts.get(1, 0) / n if n else None
    conversation = statement.conversation
    summary = (f"{counts.get(1, 0)} d'accord, {counts.get(-1, 0)} pas d'accord, {counts.get(0, 0)} sans avis "
               f"sur {n} votant·es.")
    evidence, _created = Evidence.objects.update_or_create(
        process=process, key=f"opinion:{conversation.slug}:{statement.number}",
        defaults={
            "kind": Evidence.Kind.OPINION, "title": statement.text[:300], "summary": summary, "value": share,
            "unit": "% d'accord", "n": n, "margin": None,
            "source": f"Conversation « {conversation.question} »"[:400], "vintage": f"{statement.created:%Y}",
            "public": True, "simulated": simulated,
            "origin_type": ContentType.objects.get_for_model(statement), "origin_id": statement.pk,
        },
    )
    return evidence


def propose_from_findings(process: Process, findings: Iterable[dict], *, territory=None) -> list[SwotItem]:
    """Propose a SWOT item for each strength or weakness finding, with its evidence; idempotent.

    Items already proposed from the same finding are left as the team curated them (accepted,
    edited, merged or rejected). ``territory``: a sub-territory (None for the whole process territory).
    """
    axes = {a.code: a for a in process.axes.all()}
    from atout.engine.catalogue import load_catalogue

    catalogue = load_catalogue()
    items = []
    for finding in findings:
        kind = FINDING_TO_SWOT.get(finding["kind"])
        if kind is None:
            continue
        evidence = evidence_from_finding(process, finding, territory=territory.code if territory else "")
        indicator = catalogue.get(finding["indicator"])
        item, created = SwotItem.objects.get_or_create(
            process=process, subterritory=territory, proposed_from=evidence.key,
            defaults={"kind": kind, "title": finding["label"], "description": finding["statement"]["fr"],
                      "axis": axes.get(indicator.axis) if indicator else None,
                      "domain": indicator.domain if indicator else ""},
        )
        item.link_evidence(evidence)
        items.append(item)
    return items


def usages(evidence: Evidence) -> list[dict]:
    """Where ``evidence`` is used: ``[{"object", "kind" (verbose name), "url", "note"}]``."""
    result = []
    for link in EvidenceLink.objects.filter(evidence=evidence).select_related("target_type"):
        target = link.target
        if target is None:
            continue
        url = getattr(target, "get_absolute_url", lambda: "")()
        result.append({"object": target, "kind": link.target_type.model_class()._meta.verbose_name, "url": url,
                       "note": link.note})
    for milestone in evidence.milestones.select_related("action"):
        result.append({"object": milestone, "kind": milestone._meta.verbose_name,
                       "url": milestone.action.get_absolute_url(), "note": ""})
    return result


def merge(item: SwotItem, into: SwotItem) -> None:
    """Merge ``item`` into ``into``: its evidence moves over, it is marked merged (kept for the record)."""
    for evidence in item.linked_evidence():
        into.link_evidence(evidence)
    item.status = SwotItem.Status.MERGED
    item.merged_into = into
    if into.status == SwotItem.Status.PROPOSED:
        into.status = SwotItem.Status.ACCEPTED
        into.save(update_fields=["status"])


#: Segments with fewer respondents are not shown (k-anonymity, as for opinion groups).
SMALL_CELL = 10


def record_allocation(process: Process, user, points: dict, segment: str = "") -> None:
    """Replace ``user``'s allocation in ``process`` by ``points`` ({orientation: points})."""
    from django.db import transaction

    from .models import Allocation

    with transaction.atomic():
        Allocation.objects.filter(process=process, user=user).delete()
        Allocation.objects.bulk_create(
            Allocation(process=process, orientation=o, user=user, points=p, segment=segment) for o, p in points.items())


def allocation_results(process: Process) -> dict:
    """Mean points per orientation (unweighted: every respondent counts once), by segment too.

    Returns ``{"respondents": n, "rows": [{"orientation", "mean", "share"}], "segments": [{"label", "n",
    "means": [mean or None per orientation]}]}``; ``share`` (0–1, summing to 1) is the weight the
    orientation would get in a composite index. Segments under SMALL_CELL respondents are hidden.
    """
    from atout.opinion.models import Participant

    from .models import Allocation, Orientation

    orientations = list(Orientation.objects.filter(process=process).select_related("axis"))
    by_user: dict[int, dict[int, int]] = {}
    segment_of: dict[int, str] = {}
    for user, orientation, points, segment in Allocation.objects.filter(process=process).values_list(
            "user_id", "orientation_id", "points", "segment"):
        by_user.setdefault(user, {})[orientation] = points
        segment_of[user] = segment

    def means(users):
        if not users:
            return [None] * len(orientations)
        return [sum(by_user[u].get(o.pk, 0) for u in users) / len(users) for o in orientations]

    everyone = list(by_user)
    overall = means(everyone)
    total = sum(m for m in overall if m is not None) or None
    rows = [{"orientation": o, "mean": m, "share": (m / total if total and m is not None else None)}
            for o, m in zip(orientations, overall, strict=True)]
    segments = []
    for code, label in Participant.Status.choices:
        users = [u for u in everyone if segment_of[u] == code]
        if users:
            segments.append({"label": label, "n": len(users),
                             "means": means(users) if len(users) >= SMALL_CELL else [None] * len(orientations)})
    return {"respondents": len(everyone), "rows": rows, "segments": segments}
