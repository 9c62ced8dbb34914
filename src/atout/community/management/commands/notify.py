"""``atout notify [--json]``: send what is due — event reminders and notices to the followers of each
process (a phase opens, a survey launches, results are published). Idempotent: each address gets
each notice once, each registration one reminder. Meant for cron, e.g. every 15 minutes."""

from __future__ import annotations

import json

from atout.commands import AtoutCommand
from atout.community import mail


class Command(AtoutCommand):
    help = "Send due notifications and event reminders (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, **options):
        counts = mail.notify()
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(f"{counts['notices']} notice(s) due, {counts['sent']} message(s) sent, {counts['reminders']} reminder(s) sent")
