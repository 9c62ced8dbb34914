"""What each app offers the others, declared in one place: its ``contract.py`` (Decidim's idea of a
component manifest).

A contract names:

- ``public``: the app's modules other apps may import (its services, and the models whose rows other
  apps point at or read); everything else is the app's own business (``tests/test_contracts.py``
  checks every import between apps against it; import-linter, configured in ``pyproject.toml``,
  checks the layers);
- ``demo``: the app's step of ``atout demo`` (a function called with the demo process) and the steps it
  must come after;
- ``provides``: services the app offers to apps *below* it, by name (a dotted path to a function):
  a lower app asks for one with :func:`provider` instead of importing a higher app, which would make a
  cycle (the compass of ``diagnostic`` weighted by ``strategy``'s priorities, the strategy page showing
  the plan's progress from ``actions``).

:func:`contracts` collects them from the installed ``atout`` apps; :func:`demo_steps` orders the demo
steps. core reads the contracts but imports no feature app by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class DemoStep:
    """``function`` (dotted path) is called with the demo process; ``after`` names apps (labels)
    whose steps must have run first, because this one reads what they made."""

    function: str
    after: tuple[str, ...] = ()
    #: A second step of the same app is named: others refer to it as "label.name" (the app's first,
    #: unnamed step is referred to by the app's label alone).
    name: str = ""


@dataclass(frozen=True)
class Contract:
    public: tuple[str, ...] = ()
    #: One step, or several when an app adds to the demo at two moments (fieldwork codes its sessions
    #: before the strategy is drafted, and its documents back the SWOT items after).
    demo: DemoStep | tuple[DemoStep, ...] | None = None
    provides: dict[str, str] = field(default_factory=dict)


class ContractError(Exception):
    """A contract that cannot be honoured (an unknown app in ``after``, a cycle)."""


def atout_apps() -> list:
    """The installed atout apps, in ``INSTALLED_APPS`` order."""
    return [config for config in apps.get_app_configs() if config.name.startswith("atout.")]


def contracts() -> dict[str, Contract]:
    """App label → its contract, for every installed atout app that declares one."""
    found = {}
    for config in atout_apps():
        if find_spec(f"{config.name}.contract") is None:
            continue
        found[config.label] = import_module(f"{config.name}.contract").CONTRACT
    return found


def provider(name: str):
    """The function an installed app provides under ``name`` (its contract's ``provides``), or None
    when no installed app provides it: the caller then does without (and says so)."""
    for contract in contracts().values():
        if name in contract.provides:
            return import_string(contract.provides[name])
    return None


def demo_steps(declared: dict[str, Contract] | None = None) -> list[tuple[str, DemoStep]]:
    """The demo steps as (app label, step), each after the steps it names; otherwise in
    ``INSTALLED_APPS`` order."""
    declared = contracts() if declared is None else declared
    steps = {}
    for label, contract in declared.items():
        for step in (contract.demo if isinstance(contract.demo, tuple) else (contract.demo,)):
            if step is not None:
                steps[f"{label}.{step.name}" if step.name else label] = step
    for label, step in steps.items():
        missing = [name for name in step.after if name not in steps]
        if missing:
            raise ContractError(f"{label}: its demo step comes after {', '.join(missing)}, which has none")
    ordered: list[tuple[str, DemoStep]] = []
    done: set[str] = set()
    while len(ordered) < len(steps):
        ready = [label for label, step in steps.items() if label not in done and set(step.after) <= done]
        if not ready:
            raise ContractError("the demo steps' 'after' form a cycle: " + ", ".join(sorted(set(steps) - done)))
        ordered.append((ready[0], steps[ready[0]]))
        done.add(ready[0])
    return ordered
