"""Shared plumbing for atout's command groups (``atout <group> <action> ...``).

A group is a Django management command whose actions are argparse subcommands. Each action is a
method ``do_<action>`` (dashes become underscores). Actions that produce data return it; the group
prints it as JSON with ``--json`` or through the action's ``render_<action>`` as text otherwise.
Errors are raised as :class:`django.core.management.CommandError` with a message naming the place
(file, line, column); they exit with status 1 and nothing on stdout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError


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


class GroupCommand(BaseCommand):
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
        from atout.web.audit import cli_command

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


def fail(message: str) -> CommandError:
    """A command error: the message names the problem and its place."""
    return CommandError(message)


def iter_chunks(items: Iterable, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
