"""The example plan of the demo: every SWOT item and action points to evidence that exists."""

import datetime as dt

from atout.actions.models import Action, Kpi
from atout.strategy.models import Evidence, Objective, ProofPoint, SwotItem


def test_every_action_and_swot_item_has_evidence_that_exists(example):
    actions = Action.objects.filter(process=example)
    assert actions.count() == 18
    for action in actions:
        assert action.linked_evidence().exists(), action.code
        assert action.example
    items = SwotItem.objects.filter(process=example)
    assert {i.kind for i in items} == {"S", "W", "O", "T"}
    for item in items:
        assert item.linked_evidence().exists(), item.title
    for model in (Objective, ProofPoint):
        for obj in model.objects.filter(pk__in=model.objects.all()):
            assert obj.linked_evidence().exists(), obj


def test_findings_are_real_ptod_values_and_statements_are_real_texts(example):
    unemployment = Evidence.objects.get(process=example, key="finding:unemployment_rate")
    assert unemployment.value == 11.8 and "73e sur 96" in unemployment.summary
    opinion = Evidence.objects.filter(process=example, kind="opinion")
    assert opinion.count() == 20 and all(e.simulated and e.n > 0 for e in opinion)
    # The statement evidence points back at the real statement of the conversation.
    assert {e.origin.text for e in opinion} >= {"Il manque des médecins dans les zones rurales."}


def test_kpis_use_published_values_and_one_is_off_track(example):
    from atout.actions.services import kpi_statuses

    statuses = {s["kpi"].indicator: s for s in kpi_statuses(example)}
    assert Kpi.objects.filter(process=example).count() == 3
    assert statuses["employment_rate"]["value"] == 67.53 and not statuses["employment_rate"]["off_track"]
    assert statuses["executives_share"]["off_track"]  # 7.98 in 2022 against 8.53 expected
    assert statuses["unemployment_rate"]["year"] is None


def test_each_kpi_measures_what_its_objective_or_action_says(example):
    # "Ramener le chômage sous la moyenne nationale" is followed by the unemployment rate, the
    # employment programme by the employment rate; every target falls within the plan (2030).
    unemployment = Objective.objects.get(process=example, code="emploi")
    assert list(unemployment.kpis.values_list("indicator", flat=True)) == ["unemployment_rate"]
    programme = Action.objects.get(process=example, code="A1")
    assert list(programme.kpis.values_list("indicator", flat=True)) == ["employment_rate"]
    plan_end = example.phases.get(kind="action_plan").end
    assert all(k.target_year <= plan_end.year for k in Kpi.objects.filter(process=example))


def test_actions_and_milestones_fall_within_the_action_phase(example):
    phase = example.phases.get(kind="action_plan")
    assert example.current_phase(dt.date(2026, 12, 5)) == phase
    for action in Action.objects.filter(process=example):
        assert phase.start <= action.start <= action.end <= phase.end, action.code
        for milestone in action.milestones.all():
            assert phase.start <= milestone.date <= phase.end, milestone


def test_prepare_is_idempotent(example):
    from atout.actions.demo import prepare

    counts = (Action.objects.count(), SwotItem.objects.count(), Evidence.objects.count())
    prepare(example)
    assert (Action.objects.count(), SwotItem.objects.count(), Evidence.objects.count()) == counts
