"""Between the action-plan rows and the engine: roll-up, import, export, KPI statuses, budgets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from atout.engine import actionplan as engine
from atout.engine.formats.actionplan import Subterritories, read_action_plan, write_action_plan
from atout.engine.formats.errors import FormatError
from atout.processes.models import Process
from atout.strategy.models import Objective
from atout.territories.models import Level, Territory

from .models import Action, Kpi, Measurement, ProgressUpdate


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def actions_of(process: Process):
    return (Action.objects.filter(process=process).select_related("parent", "axis", "objective")
            .prefetch_related("subterritories", "milestones__evidence").order_by("order", "code"))


def to_engine(action: Action) -> engine.Action:
    """A stored action as the engine's record; sub-territories by code."""
    return engine.Action(
        id=action.code, title=action.title, parent_id=action.parent.code if action.parent_id else None,
        axis=action.axis.code if action.axis_id else None,
        objective=action.objective.code if action.objective_id else None, lead=action.lead,
        start=action.start, end=action.end, status=action.status, progress=action.progress, weight=action.weight,
        budget_planned=_float(action.budget_planned), budget_committed=_float(action.budget_committed),
        budget_spent=_float(action.budget_spent),
        subterritories=tuple(sorted(t.code for t in action.subterritories.all())),
    )


def plan_of(process: Process) -> tuple[engine.Plan, dict[str, Action]]:
    """The process's plan for the engine, and its stored actions by code."""
    rows = list(actions_of(process))
    return engine.build_plan(to_engine(a) for a in rows), {a.code: a for a in rows}


def today() -> dt.date:
    return timezone.localdate()


def rollup(process: Process, on: dt.date | None = None) -> engine.Rollup:
    """Every progress figure of the plan as of ``on`` (today by default); see the engine's rule."""
    plan, _rows = plan_of(process)
    return engine.roll_up(plan, on or today())


def subterritory_places(process: Process) -> dict[str, Territory]:
    """What a plan's ``subterritories`` cell may name, by stored code: the communes and the EPCIs of the
    process's territory, and the process's own sub-territories (custom zones, EPCIs)."""
    places = {t.code: t for t in process.territory.communes()}
    places.update({t.code: t for t in process.territory.epcis()})
    places.update({t.code: t for t in process.subterritories.all()})
    return places


def reading_zones(process: Process) -> list[Territory]:
    """The places progress is read by: the process's sub-territories, then any other EPCI or commune
    its actions list (by name within each group)."""
    own = list(process.subterritories.order_by("name"))
    listed = (Territory.objects.filter(pk__in=Action.subterritories.through.objects.filter(action__process=process)
                                       .values("territory_id"))
              .exclude(pk__in=[t.pk for t in own]).order_by("name"))
    return own + list(listed)


def _name_outside(code: str) -> str | None:
    """The name of an EPCI or commune of France with this code (for a message), or None."""
    return Territory.objects.filter(level__in=[Level.EPCI, Level.COMMUNE], code=code).values_list(
        "name", flat=True).first()


def known_codes(process: Process, places: dict[str, Territory] | None = None) -> dict:
    """What the cells of a plan may name in this process, for :func:`read_action_plan`: axes by code or
    name, objectives by code or title, sub-territories resolved against the process's territory."""
    places = subterritory_places(process) if places is None else places
    zones = set(process.subterritories.values_list("code", flat=True))
    return {
        "known_axes": {a.code: (a.name_fr, a.name_en) for a in process.axes.all()},
        "known_objectives": dict(Objective.objects.filter(process=process).values_list("code", "title")),
        "known_subterritories": Subterritories(
            zones=zones,
            epcis={code for code, t in places.items() if t.level == Level.EPCI},
            communes={code for code, t in places.items() if t.level == Level.COMMUNE},
            territory=process.territory.name, describe=_name_outside,
        ),
    }


def import_plan(process: Process, path: str | Path, *, data: bytes | None = None, user=None) -> dict:
    """Read a spreadsheet and upsert its actions by ``id`` in one transaction (all or nothing).

    Actions of the file are created or updated (their milestones, KPIs, evidence and journal are kept);
    actions absent from the file are left as they are. A change of status or progress is written to the
    journal. Axes are found by code or name, objectives by code or title; an objective the strategy does
    not have is created under the row's axis; sub-territories may be zones of the process, EPCIs or
    communes of its territory. Raises :class:`FormatError` naming rows and columns; nothing is written then.
    Returns ``{"created": n, "updated": n, "actions": n, "objectives_created": [{"code", "title", "axis",
    "line"}]}``.
    """
    places = subterritory_places(process)
    read = read_action_plan(path, data=data, create_objectives=True, **known_codes(process, places))
    axes = {a.code: a for a in process.axes.all()}
    created = updated = 0
    with transaction.atomic():
        after = (Objective.objects.filter(process=process).aggregate(last=Max("order"))["last"] or 0) + 1
        for number, new in enumerate(read.new_objectives):
            Objective.objects.create(process=process, code=new.code, title=new.title, axis=axes[new.axis],
                                     order=after + number)
        objectives = {o.code: o for o in Objective.objects.filter(process=process)}
        existing = {a.code: a for a in Action.objects.filter(process=process)}
        stored: dict[str, Action] = {}
        for order, row in enumerate(read.rows):
            record = row.action
            action = existing.get(record.id) or Action(process=process, code=record.id)
            before = (action.status, action.progress) if action.pk else None
            action.title = record.title
            action.axis = axes.get(record.axis) if record.axis else None
            action.objective = objectives.get(record.objective) if record.objective else None
            organisation, _sep, service = record.lead.partition(" — ")
            action.lead_organisation, action.lead_service = organisation.strip(), service.strip()
            action.start, action.end = record.start, record.end
            action.status, action.progress, action.weight = record.status, record.progress, record.weight
            for name in engine.BUDGET_FIELDS:
                value = getattr(record, name)
                setattr(action, name, None if value is None else Decimal(str(round(value, 2))))
            if "description" in row.extra:
                action.description = row.extra["description"]
            action.order = order
            action.parent = None  # set below, once every action of the file exists
            action.save()
            if before is None:
                created += 1
            else:
                updated += 1
            if before != (action.status, action.progress):
                ProgressUpdate.objects.create(action=action, author=user, status=action.status, progress=action.progress,
                                              note=f"import {Path(path).name}")
            action.subterritories.set([places[c] for c in record.subterritories])
            stored[record.id] = action
        for row in read.rows:
            if row.action.parent_id:
                action = stored[row.action.id]
                action.parent = stored[row.action.parent_id]
                action.save(update_fields=["parent"])
        # The file's tree is checked; this re-checks it with the actions the file left untouched.
        try:
            plan_of(process)
        except engine.PlanError as exc:
            raise FormatError(str(exc), path=path) from exc
    return {"created": created, "updated": updated, "actions": len(read.rows),
            "objectives_created": [{"code": o.code, "title": o.title, "axis": o.axis, "line": o.line}
                                   for o in read.new_objectives]}


def export_plan(process: Process, path: str | Path) -> Path:
    """Write the process's plan to ``path`` (.xlsx or .csv) in the import format."""
    plan, _rows = plan_of(process)
    return write_action_plan(plan.actions.values(), path)


def budget_by_axis(process: Process, plan, rollup) -> tuple[list[dict], dict]:
    """The plan's money and progress per axis of ``process`` (planned, committed, spent, the share spent,
    the number of top-level actions) and its totals: what the dashboard and the monitoring report show."""
    budgets = engine.budget_by_axis(plan)
    axes = []
    for axis in process.axes.all():
        money = budgets.get(axis.code, {"budget_planned": 0.0, "budget_committed": 0.0, "budget_spent": 0.0})
        planned = money["budget_planned"]
        axes.append({"axis": axis, "progress": rollup.axes.get(axis.code), **money,
                     "spent_rate": 100 * money["budget_spent"] / planned if planned else None,
                     "actions": sum(1 for a in plan.roots if plan.actions[a].axis == axis.code)})
    totals = budget_totals(plan)
    totals["spent_rate"] = 100 * totals["budget_spent"] / totals["budget_planned"] if totals["budget_planned"] else None
    return axes, totals


def objective_progress(process: Process) -> tuple[dict, dict[int, list[dict]]]:
    """The plan's progress per objective code and the KPI statuses per objective id: what the strategy
    page shows under each objective (provided to strategy through this app's contract)."""
    progress = rollup(process).objectives
    kpis: dict[int, list[dict]] = {}
    for status in kpi_statuses(process):
        if status["kpi"].objective_id:
            kpis.setdefault(status["kpi"].objective_id, []).append(status)
    return progress, kpis


def kpi_statuses(process: Process) -> list[dict]:
    """Each KPI with its measurements, its latest status against its trajectory and its trajectory points."""
    result = []
    for kpi in Kpi.objects.filter(process=process).select_related("action", "objective", "baseline_evidence").prefetch_related("measurements__evidence"):
        measurements = list(kpi.measurements.all())
        status = engine.kpi_status(kpi.trajectory, [(m.year, m.value) for m in measurements])
        result.append({"kpi": kpi, "measurements": measurements, **status})
    return result


def budget_totals(plan: engine.Plan) -> dict[str, float]:
    """€ totals over the top-level actions (a programme's own figure first, see the engine)."""
    totals = {name: 0.0 for name in engine.BUDGET_FIELDS}
    for action_id in plan.roots:
        for name in engine.BUDGET_FIELDS:
            totals[name] += engine.action_budget(plan, action_id, name) or 0.0
    return totals


def record_progress(action: Action, *, status: str, progress: float | None, note: str = "", user=None) -> ProgressUpdate:
    """Set an action's status and progress and keep the change in its journal (one transaction).
    Used by the action page and the API."""
    with transaction.atomic():
        action.status, action.progress = status, progress
        action.save(update_fields=["status", "progress"])
        return ProgressUpdate.objects.create(action=action, author=user, status=status, progress=progress, note=note)


def record_measurement(kpi: Kpi, *, year: int, value: float, source: str = "") -> tuple[Measurement, bool]:
    """Create or replace the KPI's measurement of ``year`` (one per year); returns it and whether it is new."""
    return Measurement.objects.update_or_create(kpi=kpi, year=year, defaults={"value": value, "source": source})
