"""The roll-up rule of atout.engine.actionplan, checked on plans computed by hand."""

import datetime as dt

import pytest

from atout.engine.actionplan import (
    DEFAULT_PROGRESS,
    Action,
    PlanError,
    Trajectory,
    budget_by_axis,
    build_plan,
    is_off_track,
    kpi_status,
    roll_up,
)

TODAY = dt.date(2027, 6, 1)


def hand_plan():
    return build_plan([
        Action("P1", axis="attractivite", status="in_progress", subterritories=("vercors-royans",),
               budget_planned=1000.0),
        Action("A", parent_id="P1", status="in_progress", progress=30, weight=2, end=dt.date(2027, 1, 1),
               subterritories=("vercors-royans",), budget_planned=400.0, budget_spent=50.0),
        Action("B", parent_id="P1", status="planned", subterritories=("diois",)),
        Action("C", parent_id="P1", status="done", progress=40, end=dt.date(2026, 1, 1)),
        Action("D", parent_id="P1", status="abandoned", progress=10, weight=5, end=dt.date(2026, 1, 1)),
        Action("P2", axis="attractivite", status="late", weight=3, subterritories=("diois",)),
        Action("P3", axis="proximite", status="abandoned"),
        Action("P4", axis="inventivite", status="planned", progress=90),
        Action("E", parent_id="P4", status="in_progress"),
        Action("E1", parent_id="E", status="done"),
        Action("E2", parent_id="E", status="planned", progress=20, budget_committed=70.0, budget_spent=10.0),
    ])


def test_a_parent_is_the_weighted_mean_of_its_children_abandoned_excluded():
    result = roll_up(hand_plan(), TODAY)
    # A 30 (weight 2), B planned → 0, C done → 100 whatever its figure, D abandoned: (60 + 0 + 100) / 4
    assert result.actions["P1"] == pytest.approx(40.0)
    assert result.actions["C"] == 100.0
    assert result.actions["B"] == 0.0
    assert result.actions["D"] == 10.0  # keeps its own figure, counted nowhere


def test_a_parent_ignores_its_own_figure_and_rolls_up_several_levels():
    result = roll_up(hand_plan(), TODAY)
    assert result.actions["E"] == pytest.approx(60.0)  # (100 + 20) / 2
    assert result.actions["P4"] == pytest.approx(60.0)  # its own 90 is ignored: it has children


def test_missing_progress_takes_the_status_default():
    result = roll_up(hand_plan(), TODAY)
    assert result.actions["P2"] == DEFAULT_PROGRESS["late"] == 50.0
    assert result.actions["P3"] is None


def test_an_axis_is_the_weighted_mean_of_its_top_level_actions():
    axes = roll_up(hand_plan(), TODAY).axes
    assert axes["attractivite"] == pytest.approx((1 * 40 + 3 * 50) / 4)
    assert axes["proximite"] is None  # only an abandoned action: no figure, not zero
    assert axes["inventivite"] == pytest.approx(60.0)


def test_a_subterritory_counts_its_top_most_actions_once():
    sub = roll_up(hand_plan(), TODAY).subterritories
    assert sub["vercors-royans"] == pytest.approx(40.0)  # P1 only: its child A lists the zone too
    assert sub["diois"] == pytest.approx((1 * 0 + 3 * 50) / 4)  # B (0) and P2 (50, weight 3)


def test_late_actions():
    assert roll_up(hand_plan(), TODAY).late == ["A", "P2"]
    assert roll_up(hand_plan(), dt.date(2026, 12, 31)).late == ["P2"]


def test_a_done_parent_counts_100_and_all_abandoned_children_fall_back_to_its_own_figure():
    plan = build_plan([
        Action("X", status="done"), Action("x1", parent_id="X", status="planned"),
        Action("Y", status="in_progress", progress=35), Action("y1", parent_id="Y", status="abandoned"),
    ])
    progress = roll_up(plan, TODAY).actions
    assert progress["X"] == 100.0
    assert progress["Y"] == 35.0


def test_budgets_take_a_programme_figure_before_its_childrens_sum():
    budgets = budget_by_axis(hand_plan())
    assert budgets["attractivite"]["budget_planned"] == 1000.0  # P1's own figure, not 1000 + 400
    assert budgets["attractivite"]["budget_spent"] == 50.0  # P1 has none: A's 50
    assert budgets["inventivite"] == {"budget_planned": 0.0, "budget_committed": 70.0, "budget_spent": 10.0}


@pytest.mark.parametrize("actions,message", [
    ([Action("a"), Action("a")], "duplicate"),
    ([Action("a", parent_id="zz")], "unknown parent"),
    ([Action("a", parent_id="b"), Action("b", parent_id="a")], "its own ancestor"),
])
def test_a_plan_must_be_a_tree(actions, message):
    with pytest.raises(PlanError, match=message):
        build_plan(actions)


def test_kpi_trajectory_is_linear_between_baseline_and_target():
    path = Trajectory(baseline_value=11.8, baseline_year=2022, target_value=9.8, target_year=2032)
    assert path.expected(2027) == pytest.approx(10.8)
    assert path.expected(2020) == 11.8 and path.expected(2040) == 9.8
    # Tolerance: 10 % of the planned change (0.2 point here), on the unfavourable side only.
    assert not is_off_track(path, 2027, 10.95)
    assert is_off_track(path, 2027, 11.05)
    assert not is_off_track(path, 2027, 9.0)  # ahead of the trajectory


def test_kpi_status_uses_the_latest_measurement():
    path = Trajectory(100, 2020, 200, 2030)
    status = kpi_status(path, [(2025, 160), (2022, 100)])
    assert status["year"] == 2025 and status["expected"] == pytest.approx(150)
    assert status["gap"] == pytest.approx(10) and status["off_track"] is False
    assert kpi_status(path, [(2024, 120)])["off_track"] is True  # expected 140, 20 behind > 10
    assert kpi_status(path, [])["off_track"] is False


def test_a_kpi_held_at_a_level_is_off_track_when_it_drifts():
    hold = Trajectory(50, 2020, 50, 2030)
    assert not is_off_track(hold, 2025, 52)
    assert is_off_track(hold, 2025, 56)
