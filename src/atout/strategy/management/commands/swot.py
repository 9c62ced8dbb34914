"""``atout swot``: the SWOT board as a document.

``atout swot export --process SLUG --format docx|odt [--output FILE] [--json]`` writes the retained items of
the SWOT board (four quadrants, the places each holds for, its public evidence with source and vintage) to a
DOCX or ODT file — the same content as the board's download links. ``--output`` defaults to
``afom-<process>-<date>.<format>`` in the current folder. The file is written whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.core.files import write_atomically
from atout.processes.models import Process


def _export_args(parser) -> None:
    parser.add_argument("--process", required=True, metavar="SLUG", help="the process (démarche) identifier")
    parser.add_argument("--format", required=True, choices=["docx", "odt"], dest="fmt", help="document format")
    parser.add_argument("--output", metavar="FILE", help="file to write (default afom-<process>-<date>.<format>)")
    json_flag(parser)


class Command(GroupCommand):
    help = "SWOT board: export the retained items as a DOCX or ODT document."

    actions = {"export": ("write the retained SWOT items, with their evidence, to a DOCX or ODT file", _export_args)}

    def do_export(self, *, process: str, fmt: str, output: str | None = None, **options) -> dict:
        from atout.strategy import board

        found = Process.objects.filter(slug=process).select_related("territory").first()
        if found is None:
            raise CommandError(f"--process: no process {process!r}")
        target = Path(output) if output else Path.cwd() / board.filename(found, fmt)
        if target.is_dir():
            raise CommandError(f"--output: {target} is a folder; give a file name")
        if not target.parent.is_dir():
            raise CommandError(f"--output: folder {target.parent} does not exist")
        document = board.document(found)
        data = board.swotdoc.write(document, fmt)
        write_atomically(target, data)
        return {"path": str(target.resolve()), "format": fmt, "bytes": len(data),
                "items": {q.label: len(q.entries) for q in document.quadrants}}

    def render_export(self, result: dict) -> str:
        counts = ", ".join(f"{label} {n}" for label, n in result["items"].items())
        return f"{result['path']} ({result['format']}, {result['bytes']} bytes): {counts}"
