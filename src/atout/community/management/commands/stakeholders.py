"""``atout stakeholders``: the stakeholder directory of a process.

``atout stakeholders import FILE --process SLUG [--json]`` imports a CSV/XLSX file (all-or-nothing;
every faulty row is reported with its line and column) and prints the counts and the duplicate
suggestions. ``atout stakeholders duplicates --process SLUG [--json]`` lists the suggestions only.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.community import services
from atout.engine.formats.errors import FormatError
from atout.processes.models import Process


def _process_arg(parser) -> None:
    parser.add_argument("--process", required=True, metavar="SLUG", help="the process (démarche) slug")
    json_flag(parser)


def _import_args(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="CSV (UTF-8, , or ;) or XLSX file")
    _process_arg(parser)


def get_process(slug: str) -> Process:
    try:
        return Process.objects.get(slug=slug)
    except Process.DoesNotExist:
        raise CommandError(f"no process with slug {slug!r}") from None


class Command(GroupCommand):
    help = "Stakeholder directory: import, duplicate suggestions."
    actions = {
        "import": ("import organisations and contacts from a CSV/XLSX file", _import_args),
        "duplicates": ("list duplicate suggestions of the directory", _process_arg),
    }

    def do_import(self, *, file, process, **options):
        try:
            return services.import_stakeholders(get_process(process), file).as_dict()
        except FormatError as exc:
            raise CommandError(str(exc)) from exc

    def render_import(self, result):
        lines = [f"{result['rows']} row(s): {result['organisations']} new organisation(s), {result['contacts']} contact(s)"]
        lines += [self._duplicate_line(d) for d in result["duplicates"]]
        return "\n".join(lines)

    def do_duplicates(self, *, process, **options):
        return {"duplicates": services.directory_duplicates(get_process(process))}

    def render_duplicates(self, result):
        return "\n".join(self._duplicate_line(d) for d in result["duplicates"]) or "no duplicate suggestion"

    @staticmethod
    def _duplicate_line(d: dict) -> str:
        return f"possible duplicate {d['kind']}: {d['names'][0]} ~ {d['names'][1]} ({d['reason']}, {d['score']})"
