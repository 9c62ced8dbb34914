"""``atout actions``: a process's action plan from the command line.

``atout actions import FILE --process SLUG [--json]`` reads an XLSX or CSV plan (all-or-nothing; errors
name the rows and columns) and upserts its actions by ``id``: ``{"created", "updated", "actions",
"objectives_created": [{"code", "title", "axis", "line"}]}`` (objectives the plan names that the strategy
did not have, created under the row's axis).
``atout actions progress --process SLUG [--json] [--date YYYY-MM-DD]`` prints the roll-up:
``{"actions": {"<id>": progress}, "axes": {"<axis>": progress}, "subterritories": {"<code>": progress},
"late": [<ids>]}`` (plus ``objectives`` and ``date``); progress in %, ``null`` when nothing counts.
``atout actions export --process SLUG --output FILE.xlsx|FILE.csv`` writes the plan in the import format.
``atout actions refresh-kpis --process SLUG [--json]`` recomputes the KPIs' yearly measurements from their
sources (catalogue indicator observations, barometer waves, engagement figures): ``{"process", "kpis": [{"kpi",
"label", "source", "metric", "written": [{"year", "value"}], "note"}]}``.
``atout actions demo --process SLUG`` adds the example strategy and action plan (demo processes only).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.engine.formats.errors import FormatError
from atout.processes.models import Process


def _process_arg(parser) -> None:
    parser.add_argument("--process", required=True, metavar="SLUG", help="the process (démarche) identifier")


def _import_args(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="action plan spreadsheet (.xlsx or .csv)")
    _process_arg(parser)
    json_flag(parser)


def _progress_args(parser) -> None:
    _process_arg(parser)
    parser.add_argument("--date", help="compute lateness as of this date (YYYY-MM-DD; default today)")
    json_flag(parser)


def _export_args(parser) -> None:
    _process_arg(parser)
    parser.add_argument("--output", required=True, metavar="FILE", help="file to write (.xlsx or .csv)")
    json_flag(parser)


def _demo_args(parser) -> None:
    _process_arg(parser)
    json_flag(parser)


def _process(slug: str) -> Process:
    try:
        return Process.objects.get(slug=slug)
    except Process.DoesNotExist as exc:
        raise CommandError(f"--process: no process {slug!r}") from exc


def _round(value):
    return None if value is None else round(value, 2)


class Command(GroupCommand):
    help = "Action plan: import, progress roll-up, export."

    actions = {
        "import": ("import an action plan spreadsheet (XLSX or CSV) into a process", _import_args),
        "progress": ("print the progress rolled up to actions, axes and sub-territories, and late actions", _progress_args),
        "export": ("write a process's action plan to a spreadsheet (XLSX or CSV)", _export_args),
        "demo": ("add the example strategy and action plan to a demo process", _demo_args),
        "refresh-kpis": ("recompute the KPIs' measurements from their sources (indicators, barometer waves, engagement)",
                         _demo_args),
    }

    def do_refresh_kpis(self, *, process: str, **options) -> dict:
        from atout.actions.kpis import refresh_kpis

        return refresh_kpis(_process(process))

    def render_refresh_kpis(self, result: dict) -> str:
        lines = [f"{len(result['kpis'])} KPI(s) of {result['process']}"]
        for row in result["kpis"]:
            written = ", ".join(f"{w['year']}: {w['value']:g}" for w in row["written"]) or row["note"] or "nothing new"
            lines.append(f"  {row['label']} ({row['source']}): {written}")
        return "\n".join(lines)

    def do_import(self, *, file: str, process: str, **options) -> dict:
        from atout.actions.services import import_plan

        target = _process(process)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            return import_plan(target, path)
        except FormatError as exc:
            raise CommandError(str(exc)) from exc

    def render_import(self, result: dict) -> str:
        lines = [f"{result['actions']} action(s) imported: {result['created']} created, {result['updated']} updated"]
        lines += [f"new objective {o['code']} ({o['title']}) under axis {o['axis']}, line {o['line']}"
                  for o in result["objectives_created"]]
        return "\n".join(lines)

    def do_progress(self, *, process: str, date: str | None = None, **options) -> dict:
        from atout.actions.services import rollup

        on = None
        if date:
            try:
                on = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date: bad date {date!r}, expected YYYY-MM-DD") from exc
        result = rollup(_process(process), on)
        return {
            "actions": {k: _round(v) for k, v in result.actions.items()},
            "axes": {k: _round(v) for k, v in result.axes.items()},
            "subterritories": {k: _round(v) for k, v in result.subterritories.items()},
            "late": result.late,
            "objectives": {k: _round(v) for k, v in result.objectives.items()},
        }

    def render_progress(self, result: dict) -> str:
        lines = ["axes:"] + [f"  {k}: {_pct(v)}" for k, v in result["axes"].items()]
        lines += ["sub-territories:"] + [f"  {k}: {_pct(v)}" for k, v in result["subterritories"].items()]
        lines += ["actions:"] + [f"  {k}: {_pct(v)}" for k, v in result["actions"].items()]
        lines.append("late: " + (", ".join(result["late"]) or "none"))
        return "\n".join(lines)

    def do_export(self, *, process: str, output: str, **options) -> dict:
        from atout.actions.services import export_plan

        if Path(output).suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError(f"--output: {output} must end in .xlsx or .csv")
        target = _process(process)
        try:
            path = export_plan(target, output)
        except OSError as exc:
            raise CommandError(f"--output: cannot write {output} ({exc.strerror or exc})") from exc
        return {"output": str(path), "actions": target.actions.count()}

    def render_export(self, result: dict) -> str:
        return f"{result['actions']} action(s) written to {result['output']}"

    def do_demo(self, *, process: str, **options) -> dict:
        from atout.actions.demo import prepare

        target = _process(process)
        if not target.is_demo:
            raise CommandError(f"--process: {process!r} is not a demo process; the example plan only goes into a demo")
        return prepare(target)


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.1f} %"
