"""The demo is put together from the apps' contracts: each step after the ones it reads."""

import pytest
from django.utils.module_loading import import_string

from atout.core.contracts import Contract, ContractError, DemoStep, contracts, demo_steps


def test_every_demo_step_comes_after_the_steps_it_names():
    ordered = [label for label, _step in demo_steps()]
    assert ordered == ["diagnostic", "consultation", "opinion", "actions", "community", "fieldwork", "strategy",
                       "fieldwork.documents", "sectors", "actions.barometer"]
    position = {label: i for i, label in enumerate(ordered)}
    for label, step in demo_steps():
        assert all(position[before] < position[label] for before in step.after)


def test_each_step_is_a_function_of_its_own_app():
    for label, step in demo_steps():
        assert step.function.startswith(f"atout.{label.split('.')[0]}.")
        assert callable(import_string(step.function))


def test_a_step_after_an_app_without_one_is_refused():
    declared = {"a": Contract(demo=DemoStep("x.a", after=("b",))), "b": Contract()}
    with pytest.raises(ContractError, match="a: its demo step comes after b"):
        demo_steps(declared)


def test_steps_that_wait_for_each_other_are_refused():
    declared = {"a": Contract(demo=DemoStep("x.a", after=("b",))), "b": Contract(demo=DemoStep("x.b", after=("a",)))}
    with pytest.raises(ContractError, match="cycle: a, b"):
        demo_steps(declared)


def test_without_constraints_the_steps_keep_the_apps_order():
    declared = {name: Contract(demo=DemoStep(f"x.{name}")) for name in ("c", "a", "b")}
    declared["c"] = Contract(demo=DemoStep("x.c", after=("b",)))
    assert [label for label, _ in demo_steps(declared)] == ["a", "b", "c"]


def test_the_demo_app_runs_the_steps_of_the_contracts():
    assert "demo" in contracts() and contracts()["demo"].demo is None
