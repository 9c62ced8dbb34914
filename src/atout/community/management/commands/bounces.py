"""``atout bounces ingest FILE [--soft] [--json]``: record addresses the mail server reported as
undeliverable, one per line (``address`` or ``address;reason``). Hard bounces are no longer written to."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.community import mail


def _ingest_args(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="text file, one address per line")
    parser.add_argument("--soft", action="store_true", help="temporary failures (still written to)")
    json_flag(parser)


class Command(GroupCommand):
    help = "Bounced e-mail addresses."
    actions = {"ingest": ("record bounced addresses from a file", _ingest_args)}

    def do_ingest(self, *, file, soft, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: file not found")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text") from exc
        try:
            count = mail.record_bounces(lines, kind="soft" if soft else "hard")
        except ValueError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        return {"recorded": count}
