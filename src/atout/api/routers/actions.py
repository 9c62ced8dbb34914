"""The action plan: actions with their rolled-up progress, KPIs, and the team's updates."""


import datetime as dt

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Answer

from atout.actions import services
from atout.actions.models import Action, Kpi, Status

from ..core import (
    OPTIONAL_AUTH,
    OPTIONAL_SECURITY,
    READ_ERRORS,
    REQUIRED_AUTH,
    WRITE_ERRORS,
    Id,
    Pagination,
    Text,
    Year,
    authored_by,
    is_team,
    require_write,
    visible_process,
)
from .processes import EvidenceOut, visible_evidence

router = Router(tags=["action plan"], auth=OPTIONAL_AUTH)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


class ActionOut(Schema):
    code: str
    title: str
    parent: str | None = Field(description="code of the parent action")
    axis: str | None = Field(description="axis code")
    objective: str | None = Field(description="objective code")
    lead: str
    status: str = Field(description="planned, in_progress, done, late or abandoned")
    progress: float | None = Field(description="progress in %, rolled up from sub-actions (null when nothing counts)")
    late: bool
    start: dt.date | None
    end: dt.date | None
    budget_planned: float | None
    budget_committed: float | None
    budget_spent: float | None
    subterritories: list[str] = Field(description="codes of the sub-territories concerned")
    example: bool = Field(description="an example action of the demo")


class MilestoneOut(Schema):
    date: dt.date
    title: str
    done: bool


class MeasurementOut(Schema):
    year: int
    value: float
    source: str


class KpiOut(Schema):
    id: int
    action: str | None = Field(description="code of the action it follows")
    objective: str | None = Field(description="code of the objective it follows")
    indicator: str = Field(description="catalogue indicator code")
    label: str
    unit: str
    baseline_value: float
    baseline_year: int
    target_value: float
    target_year: int
    measurements: list[MeasurementOut]
    year: int | None = Field(description="year of the latest measurement")
    value: float | None = Field(description="latest measurement")
    expected: float | None = Field(description="value expected on the trajectory that year")
    gap: float | None
    off_track: bool


class UpdateOut(Schema):
    created: dt.datetime
    status: str
    progress: float | None
    note: str
    author: str | None = Field(description="username, shown to the team only")


class ActionDetailOut(ActionOut):
    description: str
    milestones: list[MilestoneOut]
    kpis: list[KpiOut]
    evidence: list[EvidenceOut]
    updates: list[UpdateOut] = Field(description="the journal, latest first (20 entries)")


def _action_dict(action: Action, rollup) -> dict:
    return {
        "code": action.code, "title": action.title, "parent": action.parent.code if action.parent_id else None,
        "axis": action.axis.code if action.axis_id else None,
        "objective": action.objective.code if action.objective_id else None, "lead": action.lead,
        "status": action.status, "progress": _round(rollup.actions.get(action.code)),
        "late": action.code in rollup.late, "start": action.start, "end": action.end,
        "budget_planned": action.budget_planned, "budget_committed": action.budget_committed,
        "budget_spent": action.budget_spent,
        "subterritories": sorted(t.code for t in action.subterritories.all()), "example": action.example,
    }


def _kpi_dict(entry: dict) -> dict:
    kpi = entry["kpi"]
    return {"id": kpi.pk, "action": kpi.action.code if kpi.action_id else None,
            "objective": kpi.objective.code if kpi.objective_id else None, "indicator": kpi.indicator,
            "label": kpi.label, "unit": kpi.unit, "baseline_value": kpi.baseline_value,
            "baseline_year": kpi.baseline_year, "target_value": kpi.target_value, "target_year": kpi.target_year,
            "measurements": entry["measurements"], "year": entry["year"], "value": entry["value"],
            "expected": entry["expected"], "gap": entry["gap"], "off_track": bool(entry["off_track"])}


class ActionFilters(Schema):
    axis: Text | None = Field(None, description="axis code")
    status: Status | None = None
    zone: Text | None = Field(None, description="sub-territory code")
    late: bool | None = Field(None, description="only late (true) or on-time (false) actions")


@router.get("/processes/{slug}/actions", response={200: list[ActionOut], **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Actions of the plan")
@paginate(Pagination)
def actions(request, slug: Text, filters: Query[ActionFilters]):
    """Every action in plan order with its progress rolled up as on the accountability page."""
    process = visible_process(request, slug)
    rows = services.actions_of(process)
    if filters.axis:
        rows = rows.filter(axis__code=filters.axis)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.zone:
        rows = rows.filter(subterritories__code=filters.zone).distinct()
    rollup = services.rollup(process)
    result = [_action_dict(a, rollup) for a in rows]
    if filters.late is not None:
        result = [a for a in result if a["late"] == filters.late]
    return result


def _action(process, code: str) -> Action:
    found = Action.objects.select_related("parent", "axis", "objective").filter(process=process, code=code).first()
    if found is None:
        raise Http404(f"No action {code!r} in {process.slug!r}.")
    return found


@router.get("/processes/{slug}/actions/{code}", response={200: ActionDetailOut, **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="One action")
def action(request, slug: Text, code: Text):
    """An action with its milestones, KPIs, evidence (non-public evidence for the team only) and journal."""
    process = visible_process(request, slug)
    item = _action(process, code)
    team = is_team(request, process)
    rollup = services.rollup(process)
    evidence = visible_evidence(request, process).filter(pk__in=item.linked_evidence().values("pk"))
    kpis = [_kpi_dict(k) for k in services.kpi_statuses(process) if k["kpi"].action_id == item.pk]
    updates = [{"created": u.created, "status": u.status, "progress": u.progress, "note": u.note,
                "author": (u.author.username if u.author else None) if team else None}
               for u in item.updates.select_related("author")[:20]]
    return {**_action_dict(item, rollup), "description": item.description, "milestones": list(item.milestones.all()),
            "kpis": kpis, "evidence": list(evidence.order_by("kind", "title", "pk")), "updates": updates}


class ProgressOut(Schema):
    date: dt.date
    actions: dict[str, float | None]
    axes: dict[str, float | None]
    objectives: dict[str, float | None]
    subterritories: dict[str, float | None]
    late: list[str]


@router.get("/processes/{slug}/progress", response={200: ProgressOut, **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Progress rolled up")
def progress(request, slug: Text):
    """Progress (%) of every action, axis, objective and sub-territory, and the late actions — the
    ``atout actions progress --json`` shape."""
    process = visible_process(request, slug)
    today = services.today()
    rollup = services.engine.roll_up(services.plan_of(process)[0], today)
    return {"date": today, **{k: (v if k == "late" else {c: _round(p) for c, p in v.items()})
                              for k, v in rollup.as_dict().items()}}


@router.get("/processes/{slug}/kpis", response={200: list[KpiOut], **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="KPIs and their trajectory")
def kpis(request, slug: Text):
    """Each KPI with its measurements and its latest one against the trajectory (off track or not)."""
    return [_kpi_dict(k) for k in services.kpi_statuses(visible_process(request, slug))]


# ----------------------------------------------------------------------------------------- writes

class ProgressIn(Schema):
    status: Status
    progress: float | None = Field(None, ge=0, le=100, allow_inf_nan=False,
                                   description="in %; null: the status's default progress")
    note: str = Field("", max_length=2000, pattern=r"^[^\x00]*$", description="why, for the journal")


@router.post("/processes/{slug}/actions/{code}/progress", auth=REQUIRED_AUTH,
             response={201: ActionDetailOut, **WRITE_ERRORS}, summary="Record a progress update")
def update_progress(request, slug: Text, code: Text, update: ProgressIn):
    """Set the action's status and progress; the journal keeps the entry with the token's user as author.
    Needs a token with the write scope of a team member of the process."""
    process = visible_process(request, slug)
    token = require_write(request, process)
    item = _action(process, code)
    with authored_by(token):
        services.record_progress(item, status=update.status, progress=update.progress, note=update.note, user=token.user)
    return Answer(201, action(request, slug, code))


class MeasurementIn(Schema):
    value: float = Field(allow_inf_nan=False)
    source: str = Field("", max_length=300, pattern=r"^[^\x00]*$")


@router.put("/processes/{slug}/kpis/{kpi}/measurements/{year}", auth=REQUIRED_AUTH,
            response={200: KpiOut, **WRITE_ERRORS}, summary="Record a KPI measurement")
def put_measurement(request, slug: Text, kpi: Id, year: Year, measurement: MeasurementIn):
    """Create or replace the KPI's value for ``year`` (one per year); answers the KPI with its new status.
    Needs a token with the write scope of a team member of the process."""
    process = visible_process(request, slug)
    token = require_write(request, process)
    found = Kpi.objects.filter(process=process, pk=kpi).first()
    if found is None:
        raise Http404(f"No KPI {kpi} in {slug!r}.")
    with authored_by(token):
        services.record_measurement(found, year=year, value=measurement.value, source=measurement.source)
    return next(_kpi_dict(k) for k in services.kpi_statuses(process) if k["kpi"].pk == found.pk)
