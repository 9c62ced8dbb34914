"""Strategy pages: the positioning and objectives, the SWOT board and its curation, evidence pages."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atout.processes.roles import has_role
from atout.web import access

from . import services
from .forms import CurateForm
from .models import Evidence, Objective, Orientation, Positioning, SwotItem


def _is_team(request) -> bool:
    return has_role(request.user, request.process, "team")


@access.public
def strategy(request, slug):
    process = request.process
    from atout.actions.services import kpi_statuses, rollup

    progress = rollup(process).objectives
    kpis: dict[int, list] = {}
    for status in kpi_statuses(process):
        if status["kpi"].objective_id:
            kpis.setdefault(status["kpi"].objective_id, []).append(status)
    objectives = []
    for objective in Objective.objects.filter(process=process).select_related("axis", "orientation"):
        objectives.append({"objective": objective, "progress": progress.get(objective.code), "kpis": kpis.get(objective.pk, []),
                           "evidence": objective.linked_evidence().filter(public=True)})
    positioning = Positioning.objects.filter(process=process).first()
    proofs = [{"proof": p, "evidence": p.linked_evidence().filter(public=True)} for p in positioning.proof_points.all()] if positioning else []
    return render(request, "strategy/strategy.html", {
        "process": process, "positioning": positioning, "proofs": proofs, "objectives": objectives,
        "orientations": Orientation.objects.filter(process=process).select_related("axis"),
        "example": (positioning and positioning.example) or any(o["objective"].example for o in objectives),
        "team": _is_team(request),
    })


@access.public
def swot(request, slug):
    """The accepted SWOT items (the team also sees proposals and rejected items), each with its evidence."""
    process = request.process
    team = _is_team(request)
    items = SwotItem.objects.filter(process=process).select_related("axis", "subterritory")
    if not team:
        items = items.filter(status=SwotItem.Status.ACCEPTED)
    zone = request.GET.get("zone", "")
    if zone:
        items = items.filter(Q(subterritory__code=zone) | Q(subterritory__isnull=True))
    board = {kind: [] for kind, _label in SwotItem.Kind.choices}
    for item in items:
        evidence = item.linked_evidence() if team else item.linked_evidence().filter(public=True)
        board[item.kind].append({"item": item, "evidence": evidence})
    columns = [{"kind": kind, "label": label, "items": board[kind]} for kind, label in SwotItem.Kind.choices]
    return render(request, "strategy/swot.html", {
        "process": process, "columns": columns, "team": team, "zone": zone,
        "zones": process.subterritories.order_by("name"), "form": CurateForm(),
        "example": any(i.example for i in items),
    })


@access.team
@require_POST
def curate(request, slug):
    process = request.process
    form = CurateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect("strategy:swot", slug=slug)
    item = get_object_or_404(SwotItem, process=process, pk=form.cleaned_data["item"])
    decision = form.cleaned_data["decision"]
    if decision == "accept":
        item.status = SwotItem.Status.ACCEPTED
    elif decision == "reject":
        item.status = SwotItem.Status.REJECTED
    elif decision == "edit":
        data = form.cleaned_data
        item.title = data["title"] or item.title
        item.kind = data["kind"] or item.kind
        item.domain = data["domain"] or item.domain
        if data["axis"]:
            axis = process.axes.filter(code=data["axis"]).first()
            if axis is None:
                messages.error(request, _("Axe inconnu : %(code)s") % {"code": data["axis"]})
                return redirect("strategy:swot", slug=slug)
            item.axis = axis
    else:
        target = SwotItem.objects.filter(process=process, pk=form.cleaned_data["into"]).exclude(pk=item.pk).first()
        if target is None:
            messages.error(request, _("L'élément dans lequel fusionner n'existe pas."))
            return redirect("strategy:swot", slug=slug)
        services.merge(item, target)
    item.save()
    messages.success(request, _("Décision enregistrée."))
    return redirect(item.get_absolute_url())


@access.public
def evidence_list(request, slug):
    team = _is_team(request)
    items = Evidence.objects.filter(process=request.process).annotate(uses=Count("links"))
    if not team:
        items = items.filter(public=True)
    kinds = [{"label": label, "items": [e for e in items if e.kind == kind]} for kind, label in Evidence.Kind.choices]
    return render(request, "strategy/evidence_list.html", {"process": request.process, "kinds": kinds, "team": team})


@access.public
def evidence(request, slug, pk):
    """An evidence page: what it says, its figures and source, where it comes from and where it is used.
    Evidence that is not public is shown to the team only (others get a 404: its existence is private too)."""
    item = get_object_or_404(Evidence, process=request.process, pk=pk)
    if not item.public and not _is_team(request):
        raise Http404(_("Cet élément de preuve n'existe pas."))
    return render(request, "strategy/evidence.html", {
        "process": request.process, "item": item, "usages": services.usages(item), "origin_url": item.origin_url(),
        "team": _is_team(request),
    })


@access.participant
def prioritise(request, slug):
    """Stakeholder prioritisation: spread 100 points across the orientations."""
    process = request.process
    from .forms import AllocationForm
    from .models import Allocation

    orientations = Orientation.objects.filter(process=process).select_related("axis")
    previous = dict(Allocation.objects.filter(process=process, user=request.user).values_list("orientation_id", "points"))
    initial = {f"o{pk}": points for pk, points in previous.items()}
    form = AllocationForm(request.POST or None, orientations=orientations, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.record_allocation(process, request.user, form.points(), form.cleaned_data["segment"])
        messages.success(request, _("Merci : votre répartition est enregistrée."))
        return redirect("strategy:priorities", slug=slug)
    return render(request, "strategy/prioritise.html", {"process": process, "form": form, "previous": bool(previous)},
                  status=400 if form.errors else 200)


@access.public
def priorities(request, slug):
    """Results of the prioritisation: mean points per orientation, overall and by segment."""
    return render(request, "strategy/priorities.html", {"process": request.process,
                                                        "results": services.allocation_results(request.process)})
