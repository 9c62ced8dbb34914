"""Shared plumbing for atout's command groups (``atout <group> <action> ...``).

A group is a Django management command whose actions are argparse subcommands. Each action is a
method ``do_<action>`` (dashes become underscores). Actions that produce data return it; the group
prints it as JSON with ``--json`` or through the action's ``render_<action>`` as text otherwise.
Errors are raised as :class:`django.core.management.CommandError` with a message naming the place
(file, line, column); they exit with status 1 and nothing on stdout.

atout's commands (:class:`AtoutCommand`: the groups, ``demo``, ``backup``, ``restore``, ``notify``)
run no system checks: Django's checks import the whole URLconf, hence every view and the
analysis stack behind them, which cost seconds per call. The checks run where they matter: ``atout
migrate``, ``atout check [--deploy]``, ``atout worker``, the WSGI start-up (:mod:`atout.wsgi`) and the test
suite. A command module imports what its actions need, not the views.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand

from atout.core.audit import cli_command


def to_jsonable(value: Any) -> Any:
    """Turn numpy scalars, dates, sets and Paths into JSON-native values."""
    import datetime as dt
    from decimal import Decimal
    from pathlib import Path

    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency
        np = None
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if np is not None:
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return None if np.isnan(value) else float(value)
        if isinstance(value, np.ndarray):
            return to_jsonable(value.tolist())
        if isinstance(value, np.bool_):
            return bool(value)
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


class AtoutCommand(BaseCommand):
    """Base of atout's own commands: no system checks (see the module's docstring)."""

    requires_system_checks = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django's option, still accepted (and ignored) so that scripts written when atout's commands
        # ran the checks keep working.
        parser.add_argument("--skip-checks", action="store_true", help=argparse.SUPPRESS)
        return parser


class GroupCommand(AtoutCommand):
    """A command with actions: subclasses define ``actions`` and ``do_<action>`` methods.

    ``actions`` maps an action name to ``(help text, function adding its arguments)``.
    """

    actions: dict[str, tuple[str, Callable[[Any], None]]] = {}
    #: Actions that read and write files only, never the database: not written to the journal.
    offline_actions: frozenset[str] = frozenset()

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        for name, (help_text, add_args) in self.actions.items():
            action_parser = sub.add_parser(name, help=help_text, description=help_text)
            add_args(action_parser)

    def handle(self, *args, action: str, **options):
        method = getattr(self, "do_" + action.replace("-", "_"))
        if action in self.offline_actions:
            result = method(**options)
        else:
            with cli_command(self.__module__.rsplit(".", 1)[-1], action, options):  # the audit log (user "cli")
                result = method(**options)
        if result is None:
            return
        if options.get("json"):
            self.stdout.write(json.dumps(to_jsonable(result), ensure_ascii=False, indent=2))
        else:
            renderer = getattr(self, "render_" + action.replace("-", "_"), None)
            self.stdout.write(renderer(result) if renderer else json.dumps(to_jsonable(result), ensure_ascii=False, indent=2))


def json_flag(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


@contextmanager
def progress_bar(total: int | None, description: str, enabled: bool | None = None):
    """Yield a ``progress(done, total)`` callback drawing a bar on a terminal, silent otherwise."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield lambda done, total=None: None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=description, unit="", file=sys.stderr, leave=False)

    def progress(done: int, new_total: int | None = None) -> None:
        if new_total is not None and new_total != bar.total:
            bar.total = new_total
        bar.n = done
        bar.refresh()

    try:
        yield progress
    finally:
        bar.close()
