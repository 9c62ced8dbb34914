"""``atout opendata``: a process's open data package (Frictionless data package of CSV files).

``atout opendata export --process SLUG DIR [--json]`` creates DIR, writes one CSV per resource and
``datapackage.json``, validates the package with ``frictionless`` and prints
``{"directory": ..., "resources": [{"name", "path", "rows"}], "valid": true}``. Writing is all or nothing:
the files go to a temporary folder beside DIR, renamed to DIR once valid. DIR must not exist or be empty
(``--replace`` swaps an existing package). Any process can be exported here, public or not.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.processes.models import Process


def _export_args(parser) -> None:
    parser.add_argument("--process", required=True, metavar="SLUG", help="the process (démarche) identifier")
    parser.add_argument("directory", metavar="DIR", help="folder to create (must not exist, or be empty)")
    parser.add_argument("--replace", action="store_true", help="replace the package already in DIR")
    json_flag(parser)


class Command(GroupCommand):
    help = "Open data: write a process's Frictionless data package."

    actions = {
        "export": ("write and validate a process's open data package (CSV + datapackage.json) into DIR", _export_args),
    }

    def do_export(self, *, process: str, directory: str, replace: bool = False, **options) -> dict:
        from atout.opendata.services import ExportError, export

        try:
            target = Process.objects.get(slug=process)
        except Process.DoesNotExist as exc:
            raise CommandError(f"--process: no process {process!r}") from exc
        try:
            result = export(target, directory, replace=replace)
        except ExportError as exc:
            raise CommandError(f"{directory}: {exc}") from exc
        except OSError as exc:
            raise CommandError(f"{directory}: cannot write ({exc.strerror or exc})") from exc
        return result.as_dict()

    def render_export(self, result: dict) -> str:
        lines = [f"{r['name']}: {r['rows']} row(s) → {r['path']}" for r in result["resources"]]
        lines.append(f"valid data package written to {result['directory']}")
        return "\n".join(lines)
