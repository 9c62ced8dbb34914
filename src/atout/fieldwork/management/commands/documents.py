"""``atout documents``: the document corpus of a process (SCoT, PLUi, SRADDET, tourism plan, press…).

``atout documents import PATH --process SLUG --type scot|plui|sraddet|tourism|press|other [--year N]
[--title TEXT] [--author TEXT] --json`` prints::

    {"document": <id>, "process": "<slug>", "title", "author", "year", "type", "format", "pages",
     "characters", "paragraphs"}

``atout documents list [--process SLUG] --json`` prints ``{"documents": [{"document", "process", "title",
"author", "year", "type", "format", "pages", "characters", "excerpts", "simulated"}]}``.

A file that cannot be read (not a PDF/DOCX/ODT, encrypted, a scan without text, empty) is refused with
the reason and nothing is stored.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.processes.models import Process

#: French names accepted for --type besides the codes.
TYPE_ALIASES = {"plan tourisme": "tourism", "tourisme": "tourism", "presse": "press", "autre": "other"}
TYPES = ("scot", "plui", "sraddet", "tourism", "press", "other")


def _add_import_arguments(parser) -> None:
    parser.add_argument("path", help="PDF (with a text layer), DOCX or ODT file")
    parser.add_argument("--process", required=True, metavar="SLUG", help="process receiving the document")
    parser.add_argument("--type", dest="document_type", default="other",
                        help=f"document type: {', '.join(TYPES)} (French names accepted: tourisme, presse, autre)")
    parser.add_argument("--year", type=int, default=None, help="year of the document (default: from the file)")
    parser.add_argument("--title", default="", help="title (default: from the file's metadata, else its name)")
    parser.add_argument("--author", default="", help="author or body (default: from the file's metadata)")
    parser.add_argument("--note", default="", help="reading note")
    json_flag(parser)


def _add_list_arguments(parser) -> None:
    parser.add_argument("--process", default=None, metavar="SLUG", help="only this process's documents")
    json_flag(parser)


def describe(document) -> dict:
    return {"document": document.pk, "process": document.process.slug, "title": document.title,
            "author": document.author, "year": document.year, "type": document.type, "format": document.kind,
            "pages": document.pages, "characters": len(document.text), "simulated": document.simulated}


class Command(GroupCommand):
    help = "Document corpus: import PDF/DOCX/ODT documents as searchable, codable texts; list them."
    actions = {
        "import": ("import a document (text extracted from its PDF, DOCX or ODT file)", _add_import_arguments),
        "list": ("list the documents of the corpus", _add_list_arguments),
    }

    def do_import(self, *, path, process, document_type="other", year=None, title="", author="", note="", **options):

        from ...documents import DocumentError, import_document

        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        target = Process.objects.filter(slug=process).first()
        if target is None:
            raise CommandError(f"no process with slug {process!r}")
        kind = TYPE_ALIASES.get(document_type.lower(), document_type.lower())
        if kind not in TYPES:
            raise CommandError(f"unknown --type {document_type!r}: expected one of {', '.join(TYPES)}")
        try:
            document = import_document(target, file.name, file.read_bytes(), type=kind, title=title, author=author,
                                       year=year, note=note)
        except DocumentError as exc:
            raise CommandError(str(exc)) from None
        return {**describe(document), "paragraphs": len(document.text.split("\n\n"))}

    def render_import(self, result: dict) -> str:
        return (f"document #{result['document']} « {result['title']} » imported into {result['process']}: "
                f"{result['characters']} characters, {result['paragraphs']} paragraph(s)")

    def do_list(self, *, process=None, **options):
        from django.db.models import Count

        from ...models import Document

        documents = Document.objects.select_related("process").annotate(n=Count("excerpts")).order_by("process__slug", "pk")
        if process is not None:
            documents = documents.filter(process__slug=process)
        return {"documents": [{**describe(d), "excerpts": d.n} for d in documents]}

    def render_list(self, result: dict) -> str:
        lines = [f"#{d['document']} [{d['process']}] {d['type']} {d['year'] or '—'} « {d['title']} » "
                 f"({d['excerpts']} excerpt(s))" for d in result["documents"]]
        return "\n".join(lines) or "no documents"
