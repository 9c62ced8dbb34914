"""``atout contributions``: import texts contributed on other platforms into a process.

``atout contributions import FILE --process SLUG --format decidim|polis|csv [--text-column NAME]
[--id-column NAME] [--segment-column NAME ...] [--label TEXT] --json`` prints::

    {"import": <batch id>, "process": "<slug>", "format": "...", "file": "<name>",
     "contributions": <rows stored>, "kinds": {"comment": n, ...}}

The import is all-or-nothing: any bad row (line and column named) fails it and nothing is stored.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.engine.formats.errors import FormatError
from atout.processes.models import Process


def _add_import_arguments(parser) -> None:
    parser.add_argument("file", help="Decidim open-data CSV, pol.is comments.csv, or any CSV with a text column")
    parser.add_argument("--process", required=True, metavar="SLUG", help="process receiving the contributions")
    parser.add_argument("--format", dest="file_format", required=True, choices=("decidim", "polis", "csv"))
    parser.add_argument("--text-column", dest="text_column", default=None,
                        help="CSV: column holding the text (Decidim: 'title' to import titles instead of bodies)")
    parser.add_argument("--id-column", dest="id_column", default=None, help="CSV: column of ids (default: row numbers)")
    parser.add_argument("--segment-column", dest="segment_columns", action="append", default=[], metavar="NAME",
                        help="CSV: column kept to split results by (repeatable)")
    parser.add_argument("--label", default="", help="name of this set of contributions, shown in the pages")
    parser.add_argument("--note", default="", help="what these texts are (and are not)")
    json_flag(parser)


class Command(GroupCommand):
    help = "Contributions from other platforms (Decidim, pol.is, CSV) as analysable texts of a process."
    actions = {"import": ("import a file of contributions into a process (all-or-nothing)", _add_import_arguments)}

    def do_import(self, *, file, process, file_format, text_column=None, id_column=None, segment_columns=(),
                  label="", note="", **options):
        from ...imports import import_contributions

        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        target = Process.objects.filter(slug=process).first()
        if target is None:
            raise CommandError(f"no process with slug {process!r}")
        try:
            batch = import_contributions(target, path, file_format, text_column=text_column, id_column=id_column,
                                         segment_columns=segment_columns, label=label, note=note)
        except FormatError as exc:
            raise CommandError(str(exc)) from None
        kinds = Counter(batch.contributions.values_list("kind", flat=True))
        return {"import": batch.pk, "process": target.slug, "format": file_format, "file": path.name,
                "contributions": batch.count, "kinds": dict(kinds)}

    def render_import(self, result: dict) -> str:
        return (f"{result['contributions']} contribution(s) imported from {result['file']} "
                f"into {result['process']} (import #{result['import']})")
