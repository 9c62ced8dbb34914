"""``atout report``: a process's reports from the command line, written to a file.

``atout report diagnostic --process SLUG --output FILE.pdf [--format pdf|html] [--json]``
``atout report factsheet --process SLUG --territory CODE --output FILE [--format pdf|html] [--json]``
(CODE: an EPCI of the process's territory or one of its sub-territories, e.g. ``200068781`` or
``zone:vercors-royans``)
``atout report monitoring --process SLUG --output FILE [--format pdf|html] [--json]``
``atout report summary --process SLUG --output FILE [--format pdf|html] [--json]`` (the one-page summary
of the diagnostic for elected officials; ``--output`` defaults to ``summary-SLUG.pdf``)

``--json`` prints ``{"output", "format", "pages" (PDF; null for HTML), "seconds", "bytes"}``. The
format defaults to the output's extension (``.html``/``.htm`` → html, else pdf). The file is written
whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag, progress_bar
from atout.core.files import write_atomically
from atout.processes.models import Process


def _common(parser, *, territory: bool = False, output_required: bool = True) -> None:
    parser.add_argument("--process", required=True, metavar="SLUG", help="the process (démarche) identifier")
    if territory:
        parser.add_argument("--territory", required=True, metavar="CODE",
                            help="an EPCI of the process's territory or one of its sub-territories (zone:CODE)")
    parser.add_argument("--output", required=output_required, metavar="FILE",
                        help="file to write (.pdf or .html)" + ("" if output_required else
                                                                 "; default: summary-SLUG.pdf in the current folder"))
    parser.add_argument("--format", choices=["pdf", "html"], help="pdf or html (default: from the file extension)")
    json_flag(parser)


class Command(GroupCommand):
    help = "Reports: diagnostic, sub-territory fact sheet, monitoring, as PDF or HTML."

    actions = {
        "diagnostic": ("write the diagnostic report of a process (PDF or HTML)", _common),
        "factsheet": ("write the two-page fact sheet of an EPCI or sub-territory of a process",
                      lambda p: _common(p, territory=True)),
        "monitoring": ("write the action plan monitoring report of a process", _common),
        "summary": ("write the one-page summary of the diagnostic for elected officials",
                    lambda p: _common(p, output_required=False)),
    }

    def do_diagnostic(self, **options) -> dict:
        return self._write("diagnostic", **options)

    def do_factsheet(self, **options) -> dict:
        return self._write("factsheet", **options)

    def do_monitoring(self, **options) -> dict:
        return self._write("monitoring", **options)

    def do_summary(self, *, output: str | None = None, **options) -> dict:
        return self._write("summary", output=output or f"summary-{options['process']}.pdf", **options)

    def _write(self, kind: str, *, process: str, output: str, format: str | None = None, territory: str | None = None,
               **options) -> dict:
        from atout.reports import content, rendering

        try:
            target = Process.objects.get(slug=process)
        except Process.DoesNotExist as exc:
            raise CommandError(f"--process: no process {process!r}") from exc
        path = Path(output)
        fmt = format or ("html" if path.suffix.lower() in (".html", ".htm") else "pdf")
        if not path.parent.exists():
            raise CommandError(f"--output {output}: folder {path.parent} does not exist")
        subject = None
        if territory is not None:
            try:
                subject = content.factsheet_subject(target, territory)
            except content.SubjectError as exc:
                raise CommandError(f"--territory {territory}: {exc}") from exc
        with progress_bar(100, f"{kind} ({fmt})") as bar:
            result = rendering.build(kind, target, territory=subject, fmt=fmt, progress=lambda pct, _msg: bar(pct))
        write_atomically(path, result.data)
        return {"output": str(path.resolve()), "format": fmt, "pages": result.pages,
                "seconds": round(result.seconds, 2), "bytes": len(result.data)}

    def render_diagnostic(self, result: dict) -> str:
        pages = f", {result['pages']} pages" if result["pages"] else ""
        return f"{result['output']} ({result['format']}{pages}, {result['seconds']} s)"

    render_factsheet = render_monitoring = render_summary = render_diagnostic
