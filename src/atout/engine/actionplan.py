"""Action plans: a tree of actions, progress rolled up to parents, axes, objectives and sub-territories,
late actions, budget totals, and KPI trajectories with an off-track flag.

Pure Python (no Django): the ``actions`` app turns its rows into :class:`Action` records, calls
:func:`roll_up`, and shows or stores the result. Progress is a percentage (0–100).

The roll-up rule (docs/action-plan.md, after Decidim's Accountability):

* an action's **own progress** is 100 when its status is ``done``; otherwise the progress it was given,
  or, when none was given, the default of its status (:data:`DEFAULT_PROGRESS`);
* a **parent's progress** is the weighted mean (weight default 1) of its children's progress, children
  ``abandoned`` excluded; the parent's own progress figure is ignored then (a parent measures its
  children). A ``done`` parent counts 100 whatever its children. A parent whose children are all
  abandoned falls back to its own progress;
* an ``abandoned`` action keeps the progress it was given (or none) but never counts in any mean;
* an **axis's progress** is the weighted mean of its top-level actions (no parent), abandoned excluded;
  an **objective's progress** is the weighted mean of the top-most actions linked to it (those whose
  parent is not linked to the same objective);
* a **sub-territory's progress** is the weighted mean of the top-most actions concerning it (the actions
  listing it whose ancestors do not list it), so that a programme and its sub-actions are not counted
  twice; an action listing no sub-territory concerns the whole territory and counts in none;
* an action is **late** when today is past its end date and it is neither done nor abandoned, or when
  the team set its status to ``late``.

A mean over nothing (an axis without actions) is ``None``, never 0: "no data" is not "no progress".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

STATUSES = ("planned", "in_progress", "done", "late", "abandoned")

#: Progress (%) of an action whose progress is not given, by status. ``planned``: nothing done yet;
#: ``in_progress`` and ``late``: started, so half-way by convention (a late action is usually one that
#: is running over its end date); ``done``: always 100; ``abandoned``: none (it never counts).
DEFAULT_PROGRESS: dict[str, float | None] = {
    "planned": 0.0,
    "in_progress": 50.0,
    "late": 50.0,
    "done": 100.0,
    "abandoned": None,
}

#: Share of the planned change (|target − baseline|) a KPI may fall behind its trajectory before it
#: is flagged off track.
KPI_TOLERANCE = 0.10


class PlanError(ValueError):
    """An action plan is not a tree: unknown parent, duplicate id or cycle. ``action`` names the culprit."""

    def __init__(self, message: str, action: str | None = None):
        super().__init__(message)
        self.action = action


@dataclass(frozen=True)
class Action:
    """One action of a plan. ``progress`` in % (0–100) or None; ``weight`` > 0 (default 1); budgets in €."""

    id: str
    title: str = ""
    parent_id: str | None = None
    axis: str | None = None
    objective: str | None = None
    lead: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    status: str = "planned"
    progress: float | None = None
    weight: float = 1.0
    budget_planned: float | None = None
    budget_committed: float | None = None
    budget_spent: float | None = None
    subterritories: tuple[str, ...] = ()


@dataclass
class Plan:
    """Actions by id, in the given order, with their children. Build it with :func:`build_plan`."""

    actions: dict[str, Action]
    children: dict[str, list[str]] = field(default_factory=dict)

    @property
    def roots(self) -> list[str]:
        return [a.id for a in self.actions.values() if a.parent_id is None]

    def ancestors(self, action_id: str) -> list[str]:
        """Parent first, root last."""
        chain = []
        parent = self.actions[action_id].parent_id
        while parent is not None:
            chain.append(parent)
            parent = self.actions[parent].parent_id
        return chain

    def depth(self, action_id: str) -> int:
        return len(self.ancestors(action_id))


def build_plan(actions: Iterable[Action]) -> Plan:
    """Actions → a checked :class:`Plan`. Raises :class:`PlanError` on a duplicate id, an unknown
    parent or a cycle (the first found, in input order)."""
    by_id: dict[str, Action] = {}
    for action in actions:
        if action.id in by_id:
            raise PlanError(f"duplicate action id {action.id!r}", action.id)
        by_id[action.id] = action
    children: dict[str, list[str]] = {a: [] for a in by_id}
    for action in by_id.values():
        if action.parent_id is not None:
            if action.parent_id not in by_id:
                raise PlanError(f"action {action.id!r}: unknown parent {action.parent_id!r}", action.id)
            children[action.parent_id].append(action.id)
    for action_id in by_id:
        cycle = find_cycle(by_id, action_id)
        if cycle:
            raise PlanError(f"action {action_id!r} is its own ancestor: {' → '.join(cycle)}", action_id)
    return Plan(by_id, children)


def find_cycle(parents: Mapping[str, Action] | Mapping[str, str | None], start: str) -> list[str]:
    """The ids of the cycle reached by following parents from ``start`` (``[]`` when none).

    ``parents`` maps an id to its :class:`Action` or directly to its parent id; unknown parents end the walk.
    """
    def parent_of(key):
        value = parents.get(key)
        return value.parent_id if isinstance(value, Action) else value

    seen: list[str] = []
    current: str | None = start
    while current is not None and current in parents:
        if current in seen:
            return seen[seen.index(current):] + [current]
        seen.append(current)
        current = parent_of(current)
    return []


def own_progress(action: Action) -> float | None:
    """An action's progress ignoring its children: 100 when done, else given progress or status default."""
    if action.status == "done":
        return 100.0
    if action.progress is not None:
        return float(action.progress)
    return DEFAULT_PROGRESS.get(action.status)


def weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of (value, weight) pairs, values ``None`` skipped; None when nothing counts."""
    total = weight_sum = 0.0
    for value, weight in pairs:
        if value is None:
            continue
        total += value * weight
        weight_sum += weight
    return total / weight_sum if weight_sum > 0 else None


def action_progress(plan: Plan) -> dict[str, float | None]:
    """Progress (%) of every action by the roll-up rule of the module docstring, children first."""
    result: dict[str, float | None] = {}

    def visit(action_id: str) -> float | None:
        if action_id in result:
            return result[action_id]
        action = plan.actions[action_id]
        counted = [c for c in plan.children[action_id] if plan.actions[c].status != "abandoned"]
        child_values = [(visit(c), plan.actions[c].weight) for c in counted]
        for c in plan.children[action_id]:  # abandoned children still get their own figure
            visit(c)
        if action.status == "done" or not counted:
            value = own_progress(action)
        else:
            value = weighted_mean(child_values)
        result[action_id] = value
        return value

    # Iterative order (deepest first) keeps recursion shallow even for long chains.
    for action_id in sorted(plan.actions, key=plan.depth, reverse=True):
        visit(action_id)
    return {a: result[a] for a in plan.actions}


def _top_most(plan: Plan, member) -> list[str]:
    """Actions for which ``member(action)`` holds and holds for none of their ancestors."""
    chosen = []
    for action_id, action in plan.actions.items():
        if member(action) and not any(member(plan.actions[a]) for a in plan.ancestors(action_id)):
            chosen.append(action_id)
    return chosen


def _mean_of(plan: Plan, progress: Mapping[str, float | None], ids: Iterable[str]) -> float | None:
    return weighted_mean(
        (progress[i], plan.actions[i].weight) for i in ids if plan.actions[i].status != "abandoned"
    )


def axis_progress(plan: Plan, progress: Mapping[str, float | None]) -> dict[str, float | None]:
    """Axis code → weighted mean progress of its top-level actions (abandoned excluded)."""
    axes: dict[str, list[str]] = {}
    for action_id in plan.roots:
        axis = plan.actions[action_id].axis
        if axis:
            axes.setdefault(axis, []).append(action_id)
    return {axis: _mean_of(plan, progress, ids) for axis, ids in axes.items()}


def objective_progress(plan: Plan, progress: Mapping[str, float | None]) -> dict[str, float | None]:
    """Objective code → weighted mean progress of the top-most actions linked to it."""
    codes = {a.objective for a in plan.actions.values() if a.objective}
    return {code: _mean_of(plan, progress, _top_most(plan, lambda a, c=code: a.objective == c))
            for code in sorted(codes)}


def subterritory_progress(plan: Plan, progress: Mapping[str, float | None]) -> dict[str, float | None]:
    """Sub-territory code → weighted mean progress of the top-most actions listing it."""
    codes = {c for a in plan.actions.values() for c in a.subterritories}
    return {code: _mean_of(plan, progress, _top_most(plan, lambda a, c=code: c in a.subterritories))
            for code in sorted(codes)}


def is_late(action: Action, today: dt.date) -> bool:
    """Past its end date and neither done nor abandoned, or declared late by the team."""
    if action.status in ("done", "abandoned"):
        return False
    if action.status == "late":
        return True
    return action.end is not None and today > action.end


@dataclass
class Rollup:
    """The result of :func:`roll_up`; :meth:`as_dict` is the ``atout actions progress --json`` shape."""

    actions: dict[str, float | None]
    axes: dict[str, float | None]
    objectives: dict[str, float | None]
    subterritories: dict[str, float | None]
    late: list[str]

    def as_dict(self) -> dict:
        return {"actions": self.actions, "axes": self.axes, "subterritories": self.subterritories,
                "late": self.late, "objectives": self.objectives}


def roll_up(plan: Plan, today: dt.date) -> Rollup:
    """Every figure of the module docstring's rule for ``plan`` as of ``today``. Progress in %."""
    progress = action_progress(plan)
    return Rollup(
        actions=progress,
        axes=axis_progress(plan, progress),
        objectives=objective_progress(plan, progress),
        subterritories=subterritory_progress(plan, progress),
        late=[a.id for a in plan.actions.values() if is_late(a, today)],
    )


# --- budgets -------------------------------------------------------------------------------------

BUDGET_FIELDS = ("budget_planned", "budget_committed", "budget_spent")


def action_budget(plan: Plan, action_id: str, field_name: str) -> float | None:
    """An action's budget (€): its own figure when given, else the sum of its children's (None if none).

    Teams enter budgets either on a programme or on its sub-actions; taking the programme's own figure
    first never counts the same euro twice.
    """
    own = getattr(plan.actions[action_id], field_name)
    if own is not None:
        return float(own)
    parts = [action_budget(plan, c, field_name) for c in plan.children[action_id]]
    parts = [p for p in parts if p is not None]
    return sum(parts) if parts else None


def budget_by_axis(plan: Plan) -> dict[str, dict[str, float]]:
    """Axis code → {budget field → € total over its top-level actions}; abandoned actions included
    (money committed or spent on them was still committed or spent)."""
    totals: dict[str, dict[str, float]] = {}
    for action_id in plan.roots:
        axis = plan.actions[action_id].axis or ""
        row = totals.setdefault(axis, {f: 0.0 for f in BUDGET_FIELDS})
        for name in BUDGET_FIELDS:
            row[name] += action_budget(plan, action_id, name) or 0.0
    return totals


# --- KPIs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trajectory:
    """A KPI's planned path: linear from (baseline_value, baseline_year) to (target_value, target_year)."""

    baseline_value: float
    baseline_year: int
    target_value: float
    target_year: int

    def expected(self, year: float) -> float:
        """The value planned for ``year``: the baseline before it, the target after it, linear between."""
        if self.target_year <= self.baseline_year or year <= self.baseline_year:
            return self.baseline_value if year <= self.baseline_year else self.target_value
        if year >= self.target_year:
            return self.target_value
        share = (year - self.baseline_year) / (self.target_year - self.baseline_year)
        return self.baseline_value + share * (self.target_value - self.baseline_value)

    @property
    def direction(self) -> int:
        """+1 when the target is above the baseline (higher is better), −1 below, 0 to hold a level."""
        delta = self.target_value - self.baseline_value
        return 0 if delta == 0 else int(math.copysign(1, delta))


def kpi_gap(trajectory: Trajectory, year: int, value: float) -> float:
    """Measured minus expected, signed so that a negative gap is behind the trajectory (unit of the KPI).

    For a KPI held at a level (direction 0) the gap is minus the absolute deviation: any drift is behind.
    """
    raw = value - trajectory.expected(year)
    if trajectory.direction == 0:
        return -abs(raw)
    return raw * trajectory.direction


def is_off_track(trajectory: Trajectory, year: int, value: float, tolerance: float = KPI_TOLERANCE) -> bool:
    """True when the measured ``value`` of ``year`` is behind the trajectory by more than ``tolerance``
    × the planned change |target − baseline| (or × |baseline| for a KPI held at a level; with a zero
    baseline too, any drift counts)."""
    scale = abs(trajectory.target_value - trajectory.baseline_value) or abs(trajectory.baseline_value)
    return kpi_gap(trajectory, year, value) < -tolerance * scale - 1e-12


def kpi_status(trajectory: Trajectory, measurements: Iterable[tuple[int, float]],
               tolerance: float = KPI_TOLERANCE) -> dict:
    """A KPI's latest measurement against its trajectory.

    ``measurements``: (year, value) pairs. Returns ``{"year", "value", "expected", "gap", "off_track"}``
    for the latest year, or the same keys with ``None`` (``off_track`` False) when nothing was measured.
    """
    points = sorted(measurements)
    if not points:
        return {"year": None, "value": None, "expected": None, "gap": None, "off_track": False}
    year, value = points[-1]
    return {"year": year, "value": value, "expected": trajectory.expected(year),
            "gap": kpi_gap(trajectory, year, value), "off_track": is_off_track(trajectory, year, value, tolerance)}
