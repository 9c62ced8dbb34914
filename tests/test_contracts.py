"""Every app declares its contract (atout.core.contracts), and the code keeps to it: an app imports only
the modules another app declares public, wherever the import is (module level or inside a function)."""

from __future__ import annotations

import ast
from importlib.util import find_spec
from pathlib import Path

import pytest
from django.apps import apps
from django.utils.module_loading import import_string

from atout.core.contracts import Contract, contracts, provider

SOURCE = Path(find_spec("atout").origin).parent
APPS = [config for config in apps.get_app_configs() if config.name.startswith("atout.")]
LABELS = {config.label for config in APPS}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every atout module ``path`` imports; ``from pkg import name`` counts as
    ``pkg.name`` when that is a module, ``pkg`` otherwise."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("atout."):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.append((node.lineno, full if find_spec_safe(full) else node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("atout.")]
    return found


def find_spec_safe(name: str) -> bool:
    try:
        return find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def owner(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LABELS else None


@pytest.mark.parametrize("config", APPS, ids=lambda c: c.label)
def test_every_app_declares_a_contract(config):
    assert find_spec(f"{config.name}.contract") is not None, f"{config.name} has no contract.py"
    assert isinstance(contracts()[config.label], Contract)


@pytest.mark.parametrize("config", APPS, ids=lambda c: c.label)
def test_the_public_modules_exist_and_belong_to_the_app(config):
    for module in contracts()[config.label].public:
        assert owner(module) == config.label, module
        assert find_spec_safe(module), f"{config.label} declares {module}, which does not exist"


def test_apps_import_only_the_public_modules_of_other_apps():
    public = {label: set(contract.public) for label, contract in contracts().items()}
    breaches = []
    for config in APPS:
        for path in sorted((SOURCE / config.label).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, module in imported_modules(path):
                target = owner(module)
                if target in (None, config.label):
                    continue
                if not any(module == p or module.startswith(p + ".") for p in public[target]):
                    breaches.append(f"{path.relative_to(SOURCE)}:{line} imports {module}, not public in {target}")
    assert not breaches, "\n".join(breaches)


def test_every_provided_service_is_a_function():
    for label, contract in contracts().items():
        for name, dotted in contract.provides.items():
            assert owner(dotted) == label, dotted
            assert callable(import_string(dotted)), name
            assert provider(name) is import_string(dotted)


def test_a_service_nobody_provides_is_none():
    assert provider("nobody.provides.this") is None
