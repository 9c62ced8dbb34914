"""Strategy pages: the positioning and objectives, the SWOT board and its curation, evidence pages."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atout.consultation.models import Survey
from atout.core import access
from atout.core.contracts import provider
from atout.fieldwork.models import ThemeRun
from atout.processes.roles import has_role

from . import board, services
from .forms import CurateForm
from .models import Evidence, Objective, Orientation, Positioning, SwotItem


def _is_team(request) -> bool:
    return has_role(request.user, request.process, "team")


@access.public
def strategy(request, slug):
    process = request.process
    # The plan (actions) sits above the strategy: it provides its progress through its contract.
    objective_progress = provider("plan.objective_progress")
    progress, kpis = objective_progress(process) if objective_progress else ({}, {})
    objectives = []
    for objective in Objective.objects.filter(process=process).select_related("axis", "orientation"):
        objectives.append({"objective": objective, "progress": progress.get(objective.code), "kpis": kpis.get(objective.pk, []),
                           "evidence": objective.linked_evidence().filter(public=True)})
    positioning = Positioning.objects.filter(process=process).first()
    proofs = [{"proof": p, "evidence": p.linked_evidence().filter(public=True)} for p in positioning.proof_points.all()] if positioning else []
    return render(request, "strategy/strategy.html", {
        "process": process, "positioning": positioning, "proofs": proofs, "objectives": objectives,
        # objectives without an orientation (an action-plan import creates them under an axis only)
        "loose": [row for row in objectives if not row["objective"].orientation_id],
        "orientations": Orientation.objects.filter(process=process).select_related("axis"),
        "example": (positioning and positioning.example) or any(o["objective"].example for o in objectives),
        "team": _is_team(request),
    })


@access.public
def swot(request, slug):
    """The SWOT board: four quadrants of grouped items, each with its evidence one click away. The public
    sees the retained items; the team also the proposals, ticks items and decides on them at once."""
    process = request.process
    team = _is_team(request)
    zone = request.GET.get("zone", "")
    rejected = team and request.GET.get("ecartes") == "1"
    columns = board.board(process, team=team, zone=zone, rejected=rejected)
    return render(request, "strategy/swot.html", {
        "process": process, "columns": columns, "team": team, "zone": zone, "rejected": rejected,
        "zones": process.subterritories.order_by("name"), "form": CurateForm(process=process),
        "example": any(row["item"].example for col in columns for row in col["items"]),
        "sources": _sources(process) if team else [],
        "formats": board.swotdoc.FORMATS,
    })


@access.public
def swot_export(request, slug, fmt):
    """The retained SWOT as a DOCX or ODT document (what the public board shows), built on request."""
    from django.http import HttpResponse

    if fmt not in board.swotdoc.FORMATS:
        raise Http404(_("Format inconnu : %(fmt)s") % {"fmt": fmt})
    response = HttpResponse(board.export(request.process, fmt), content_type=board.swotdoc.MEDIA_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{board.filename(request.process, fmt)}"'
    return response


@access.team
@require_POST
def curate(request, slug):
    """One decision on every ticked item; nothing changes when the form or the decision is not valid."""
    process = request.process
    form = CurateForm(request.POST, process=process)
    # Back to the board as it was shown (zone, discarded items), not to its default view.
    back = redirect(request.POST["next"]) if _safe_next(request) else redirect("strategy:swot", slug=slug)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back
    data = form.cleaned_data
    try:
        changed = board.curate(process, data["items"], data["action"], kind=data["kind"], title=data["title"])
    except board.CurationError as exc:
        messages.error(request, str(exc))
        return back
    messages.success(request, _("Décision enregistrée pour %(n)s élément(s).") % {"n": len(data["items"])})
    if data["action"] == "merge":
        return redirect(changed[0].get_absolute_url())
    return back


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


@access.team
@require_POST
def swot_propose(request, slug):
    """Generate SWOT proposals from one source: ``survey:<slug>`` or ``themes:<run pk>`` (idempotent)."""
    process = request.process
    kind, _sep, ref = request.POST.get("source", "").partition(":")
    if kind == "survey":
        survey = Survey.objects.filter(process=process, slug=ref).first()
        if survey is None:
            messages.error(request, _("Questionnaire inconnu : %(ref)s") % {"ref": ref})
            return redirect("strategy:swot", slug=slug)
        items = services.propose_from_survey(process, survey)
    elif kind == "themes" and ref.isdigit():
        run = ThemeRun.objects.filter(process=process, pk=int(ref)).first()
        if run is None:
            messages.error(request, _("Analyse thématique inconnue : %(ref)s") % {"ref": ref})
            return redirect("strategy:swot", slug=slug)
        items = services.propose_from_themes(process, run)
    else:
        messages.error(request, _("Source de propositions inconnue."))
        return redirect("strategy:swot", slug=slug)
    proposed = sum(1 for i in items if i.status == SwotItem.Status.PROPOSED)
    messages.success(request, _("%(n)s élément(s) issus de cette source, dont %(p)s encore à examiner.") % {
        "n": len(items), "p": proposed})
    return redirect("strategy:swot", slug=slug)


def _sources(process) -> list[dict]:
    """Sources of SWOT proposals offered on the board: surveys with answers and finished theme runs."""
    found = [{"value": f"survey:{s.slug}", "label": _("Enquête « %(t)s »") % {"t": s.title_fr}}
             for s in Survey.objects.filter(process=process, responses__status="submitted").distinct().order_by("slug")]
    found += [{"value": f"themes:{r.pk}", "label": _("Thèmes « %(t)s »") % {"t": r}}
              for r in ThemeRun.objects.filter(process=process, status=ThemeRun.Status.DONE).order_by("-created")]
    return found


@access.team
def perception(request, slug):
    """Perception vs reality: survey agreement per item and sub-territory next to the matched indicators."""
    from atout.engine.formats.errors import FormatError
    from atout.engine.perception import FLAG_TEXT

    from . import perception as perception_service

    process = request.process
    segment = request.GET.get("segment", "age_band")
    if segment not in perception_service.SEGMENTS:
        segment = "age_band"
    table, problem = None, ""
    try:
        table = perception_service.perception_table(process, segment=segment)
    except (ValueError, FormatError) as exc:
        problem = str(exc)
    if table:
        names = {z["code"]: z["name"] for z in table["zones"]}
        for item in table["items"]:
            item["whole"]["flag_text"] = FLAG_TEXT[item["whole"]["flag"]][0]
            for row in item["zones"]:
                row["name"] = names[row["zone"]]
                row["flag_text"] = FLAG_TEXT[row["flag"]][0]
                for ind in row["indicators"]:
                    ind["meta"] = table["indicators"][ind["code"]]
                    ind["flag_text"] = FLAG_TEXT[ind["flag"]][0]
            for ind in item["whole"]["indicators"]:
                ind["meta"] = table["indicators"][ind["code"]]
    return render(request, "strategy/perception.html", {
        "process": process, "table": table, "problem": problem, "segment": segment,
        "segments": perception_service.SEGMENTS.items(), "team": True,
    })


@access.team
@require_POST
def perception_evidence(request, slug):
    """Turn one row of the perception table into an Evidence (kind « perception »), usable on SWOT items."""
    from atout.engine.formats.errors import FormatError

    from . import perception as perception_service

    process = request.process
    try:
        table = perception_service.perception_table(process)
        evidence = perception_service.evidence_from_row(process, table, request.POST.get("item", ""),
                                                        request.POST.get("zone", ""))
    except (ValueError, FormatError, LookupError) as exc:
        messages.error(request, str(exc))
        return redirect("strategy:perception", slug=slug)
    target = request.POST.get("swot", "").strip()
    if target:
        item = SwotItem.objects.filter(process=process, pk=int(target)).first() if target.isdigit() else None
        if item is None:
            messages.error(request, _("Élément de preuve enregistré, mais l'élément AFOM n° %(n)s n'existe pas.") % {"n": target})
            return redirect(evidence.get_absolute_url())
        item.link_evidence(evidence, note=_("Perception et réalité"))
        messages.success(request, _("Élément de preuve enregistré et rattaché à l'élément AFOM « %(t)s ».") % {"t": item.title})
        return redirect(evidence.get_absolute_url())
    messages.success(request, _("Élément de preuve enregistré : il peut appuyer un élément AFOM."))
    return redirect(evidence.get_absolute_url())


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
    team = _is_team(request)
    return render(request, "strategy/evidence.html", {
        "process": request.process, "item": item, "usages": services.usages(item),
        "origin_url": board.source_url(item, team=team), "team": team,
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


@access.participant
def rank(request, slug):
    """Stakeholder prioritisation: rank the orientations (1 = most important)."""
    process = request.process
    from .forms import RankingForm
    from .models import Ranking

    orientations = Orientation.objects.filter(process=process).select_related("axis")
    previous = dict(Ranking.objects.filter(process=process, user=request.user).values_list("orientation_id", "rank"))
    initial = {f"r{pk}": rank for pk, rank in previous.items()}
    form = RankingForm(request.POST or None, orientations=orientations, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.record_ranking(process, request.user, form.ranks(), form.cleaned_data["segment"])
        messages.success(request, _("Merci : votre classement est enregistré."))
        return redirect("strategy:priorities", slug=slug)
    return render(request, "strategy/rank.html", {"process": process, "form": form, "previous": bool(previous)},
                  status=400 if form.errors else 200)


@access.team
@require_POST
def prioritisation_mode(request, slug):
    """The team chooses how participants prioritise: points, ranking or both."""
    from .forms import PrioritisationModeForm
    from .models import PrioritisationSettings

    form = PrioritisationModeForm(request.POST)
    if form.is_valid():
        PrioritisationSettings.objects.update_or_create(process=request.process, defaults={"mode": form.cleaned_data["mode"]})
        messages.success(request, _("Mode de priorisation enregistré."))
    else:
        messages.error(request, _("Choisissez un mode de priorisation."))
    return redirect("strategy:priorities", slug=slug)


@access.public
def priorities(request, slug):
    """Results of the prioritisation (points and/or ranking): overall, by segment and segment-balanced, and
    the compass weights they give."""
    from .forms import PrioritisationModeForm
    from .models import OECD_DOMAINS

    process = request.process
    mode = services.prioritisation_mode(process)
    points = services.allocation_results(process) if mode in ("points", "both") else None
    ranking = services.ranking_results(process) if mode in ("ranking", "both") else None
    weights = services.composite_weights(process)
    return render(request, "strategy/priorities.html", {
        "process": process, "mode": mode, "results": points, "ranking": ranking,
        "weights": [{"label": dict(OECD_DOMAINS)[d], "weight": w} for d, w in weights.items()],
        "mapped": Orientation.objects.filter(process=process).exclude(domain="").select_related("axis"),
        "is_team": _is_team(request), "mode_form": PrioritisationModeForm(initial={"mode": mode}),
    })


@access.team
def positioning_edit(request, slug):
    """The team edits the brand platform; each save that changes something is a new version."""
    from . import positioning
    from .forms import PositioningForm

    process = request.process
    form = PositioningForm(request.POST or None, initial=positioning.current(process))
    if request.method == "POST" and form.is_valid():
        version = positioning.save(process, form.cleaned_data, user=request.user, note=form.cleaned_data["note"])
        if version is None:
            messages.info(request, _("Aucune modification : pas de nouvelle version."))
        else:
            messages.success(request, _("Positionnement enregistré (version %(n)s).") % {"n": version.number})
        return redirect("strategy:positioning_history", slug=slug)
    return render(request, "strategy/positioning_edit.html", {"process": process, "form": form, "team": True},
                  status=400 if form.errors else 200)


@access.team
def positioning_history(request, slug):
    """Every version of the brand platform: who saved it, when, what changed, and its full text."""
    from . import positioning

    return render(request, "strategy/positioning_history.html", {
        "process": request.process, "rows": positioning.history(request.process), "team": True})

