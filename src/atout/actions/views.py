"""Action-plan pages: the public accountability page ("vous avez dit, nous avons fait"), action pages,
the team's monitoring dashboard, spreadsheet import and export, and the progress journal."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atout.core import access
from atout.engine.formats.errors import FormatError
from atout.processes.roles import has_role
from atout.strategy.models import Evidence, EvidenceLink, Objective

from . import services
from .charts import gantt, kpi_chart
from .demo import PLAN_FILE
from .forms import FilterForm, KpiForm, MeasurementForm, MilestoneForm, PlanImportForm, ProgressUpdateForm
from .models import Action

#: Evidence kinds that carry what people said: shown as "vous avez dit" next to an action.
VOICE_KINDS = {Evidence.Kind.OPINION, Evidence.Kind.CONTRIBUTION, Evidence.Kind.EXCERPT, Evidence.Kind.THEME,
               Evidence.Kind.SURVEY}


def _effective(plan, action_id: str, attribute: str):
    """An action's axis or sub-territories, inherited from the nearest ancestor that has them."""
    for candidate in [action_id, *plan.ancestors(action_id)]:
        value = getattr(plan.actions[candidate], attribute)
        if value:
            return value
    return None if attribute == "axis" else ()


def _evidence_by_action(actions: list[Action], public_only: bool) -> dict[int, list[Evidence]]:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(Action)
    links = (EvidenceLink.objects.filter(target_type=content_type, target_id__in=[a.pk for a in actions])
             .select_related("evidence").order_by("evidence__kind", "evidence__title"))
    if public_only:
        links = links.filter(evidence__public=True)
    result: dict[int, list[Evidence]] = {}
    for link in links:
        result.setdefault(link.target_id, []).append(link.evidence)
    return result


def _cards(process, request, plan, rows, rollup, *, axis: str = "", zone: str = "") -> list[dict]:
    """The actions to show, in plan order with their depth, filtered by axis and sub-territory."""
    team = has_role(request.user, process, "team") if request.user.is_authenticated else False
    evidence = _evidence_by_action(list(rows.values()), public_only=not team)
    milestones = {}
    for action in rows.values():
        milestones[action.pk] = list(action.milestones.all())
    ordered = _tree_order(plan)
    cards = []
    for action_id in ordered:
        action = rows[action_id]
        if axis and _effective(plan, action_id, "axis") != axis:
            continue
        if zone and zone not in _effective(plan, action_id, "subterritories"):
            continue
        items = evidence.get(action.pk, [])
        cards.append({
            "action": action, "depth": plan.depth(action_id), "progress": rollup.actions[action_id],
            "late": action_id in rollup.late, "milestones": milestones[action.pk],
            "voices": [e for e in items if e.kind in VOICE_KINDS],
            "facts": [e for e in items if e.kind not in VOICE_KINDS],
            "computed": bool(plan.children[action_id]) and action.status != "done",
        })
    return cards


def _tree_order(plan) -> list[str]:
    order = []

    def walk(action_id):
        order.append(action_id)
        for child in plan.children[action_id]:
            walk(child)

    for root in plan.roots:
        walk(root)
    return order


def _zone_rates(process, rollup) -> list[dict]:
    zones = {t.code: t for t in services.reading_zones(process)}
    return [{"zone": zone, "progress": rollup.subterritories.get(code)} for code, zone in zones.items()]


@access.public
def accountability(request, slug):
    process = request.process
    form = FilterForm(request.GET or None, process=process)
    axis = zone = ""
    if form.is_bound and form.is_valid():
        axis, zone = form.cleaned_data["axis"], form.cleaned_data["zone"]
    plan, rows = services.plan_of(process)
    rollup = services.engine.roll_up(plan, services.today())
    cards = _cards(process, request, plan, rows, rollup, axis=axis, zone=zone)
    axes = [{"axis": a, "progress": rollup.axes.get(a.code)} for a in process.axes.all()]
    return render(request, "actions/accountability.html", {
        "process": process, "form": form, "cards": cards, "axes": axes, "zones": _zone_rates(process, rollup),
        "example": any(a.example for a in rows.values()), "filtered": bool(axis or zone), "total": len(rows),
        "team": request.user.is_authenticated and has_role(request.user, process, "team"),
    })


@access.public
def action(request, slug, code):
    process = request.process
    item = get_object_or_404(Action.objects.select_related("axis", "objective", "parent"), process=process, code=code)
    plan, rows = services.plan_of(process)
    rollup = services.engine.roll_up(plan, services.today())
    team = has_role(request.user, process, "team") if request.user.is_authenticated else False
    evidence = item.linked_evidence() if team else item.linked_evidence().filter(public=True)
    children = [{"action": rows[c], "progress": rollup.actions[c]} for c in plan.children[code]]
    kpis = [k for k in services.kpi_statuses(process) if k["kpi"].action_id == item.pk]
    return render(request, "actions/action.html", {
        "process": process, "item": item, "progress": rollup.actions[code], "late": code in rollup.late,
        "children": children, "evidence": evidence, "milestones": item.milestones.select_related("evidence"),
        "kpis": kpis, "updates": item.updates.select_related("author")[:20], "team": team,
        "budget": {name: services.engine.action_budget(plan, code, name) for name in services.engine.BUDGET_FIELDS},
        "update_form": ProgressUpdateForm(initial={"status": item.status, "progress": item.progress}) if team else None,
        "milestone_form": MilestoneForm(process=process) if team else None,
        "kpi_form": KpiForm(process=process) if team else None,
        "measurement_form": MeasurementForm() if team else None,
        "zones": item.subterritories.order_by("name"),
    })


@access.team
@require_POST
def update(request, slug, code):
    """Record a progress update: the action's status and progress change and the journal keeps the entry."""
    item = get_object_or_404(Action, process=request.process, code=code)
    form = ProgressUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{form.fields[f].label} : {e}" for f, errors in form.errors.items() for e in errors))
        return redirect(item)
    services.record_progress(item, status=form.cleaned_data["status"], progress=form.cleaned_data["progress"],
                             note=form.cleaned_data["note"], user=request.user)
    messages.success(request, _("Avancement enregistré."))
    return redirect(item)


@access.team
def dashboard(request, slug):
    process = request.process
    plan, rows = services.plan_of(process)
    rollup = services.engine.roll_up(plan, services.today())
    axes, totals = services.budget_by_axis(process, plan, rollup)
    kpis = []
    for status in services.kpi_statuses(process):
        kpi = status["kpi"]
        points = [(m.year, m.value) for m in status["measurements"]]
        kpis.append({**status, "chart": kpi_chart(kpi.trajectory, points),
                     "rows": [{"year": m.year, "value": m.value, "expected": kpi.trajectory.expected(m.year),
                               "evidence": m.evidence, "source": m.source} for m in status["measurements"]]})
    today = services.today()
    timeline_rows = [{"code": a, "title": rows[a].title, "depth": plan.depth(a), "start": rows[a].start,
                      "end": rows[a].end, "progress": rollup.actions[a], "late": a in rollup.late,
                      "status": rows[a].get_status_display(), "url": rows[a].get_absolute_url()}
                     for a in _tree_order(plan)]
    return render(request, "actions/dashboard.html", {
        "process": process, "axes": axes, "totals": totals, "kpis": kpis,
        "timeline": gantt(timeline_rows, today), "timeline_rows": timeline_rows, "today": today,
        "late": [rows[a] for a in rollup.late], "off_track": [k for k in kpis if k["off_track"]],
        "zones": _zone_rates(process, rollup), "example": any(a.example for a in rows.values()),
    })


def _summary_key(process) -> str:
    return f"actions-import-summary-{process.pk}"


@access.team
def import_plan(request, slug):
    """The import form; after an import (POST, then redirect here), the summary of what it did."""
    form = PlanImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["spreadsheet"]
        try:
            result = services.import_plan(request.process, Path(upload.name).name, data=upload.read(), user=request.user)
        except FormatError as exc:
            problems = exc.problems or [exc]
            form.add_error("spreadsheet", _("Rien n'a été importé : corrigez les lignes signalées ci-dessous."))
        else:
            request.session[_summary_key(request.process)] = result
            return redirect("actions:import", slug=slug)
    summary = request.session.pop(_summary_key(request.process), None) if request.method == "GET" else None
    return render(request, "actions/import.html", {
        "process": request.process, "form": form, "problems": problems, "summary": _import_summary(request.process, summary),
        "territory": request.process.territory,
    }, status=400 if form.errors else 200)


def _import_summary(process, result: dict | None) -> dict | None:
    """What the last import did, for the page: counts and the objectives it created (with their axis)."""
    if not result:
        return None

    lines = {o["code"]: o["line"] for o in result.get("objectives_created", [])}
    created = Objective.objects.filter(process=process, code__in=lines).select_related("axis").order_by("order")
    return {
        "counts": _("%(n)s action(s) importée(s) : %(created)s créée(s), %(updated)s mise(s) à jour.")
        % {"n": result["actions"], "created": result["created"], "updated": result["updated"]},
        "objectives": [{"objective": o, "line": lines[o.code]} for o in created],
    }


@access.team
def export(request, slug):
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        fmt = "xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        path = services.export_plan(request.process, Path(tmp) / f"plan-actions-{slug}.{fmt}")
        content = path.read_bytes()
    types = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    response = HttpResponse(content, content_type=types[fmt])
    response["Content-Disposition"] = f'attachment; filename="plan-actions-{slug}.{fmt}"'
    return response


@access.public
def template(request, slug):
    """The documented example spreadsheet, to start a plan from."""
    return FileResponse(PLAN_FILE.open("rb"), as_attachment=True, filename="plan-actions-modele.csv",
                        content_type="text/csv; charset=utf-8")
