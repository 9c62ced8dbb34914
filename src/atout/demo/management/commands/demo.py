"""``atout demo``: prepare the Drôme demo (geography, process, sub-territories, accounts) and return."""

from atout.commands import AtoutCommand, progress_bar, to_jsonable
from atout.demo import orchestration as demo


class Command(AtoutCommand):
    help = "Prepare the Drôme demo on the configured database (serving is 'make demo''s next step)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, json=False, **options):
        with progress_bar(None, "download") as progress:
            report = demo.prepare(progress=progress)
        if json:
            import json as _json

            self.stdout.write(_json.dumps(to_jsonable(report.__dict__), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Drôme demo ready (process '{demo.SLUG}'). Geography: {report.geography}.")
        if report.zones:
            self.stdout.write("Sub-territories: " + ", ".join(report.zones))
        for note in report.notes:
            self.stdout.write("  " + note)
        for problem in report.missing:
            self.stdout.write(self.style.WARNING("Missing data: " + problem))
        if report.missing:
            self.stdout.write(self.style.WARNING(
                "The demo runs without the official geography (no communes, no map). To provide it, set "
                "ATOUT_DATA_DIR to the offline mirror (e.g. ../shared/data) or connect to the internet, then "
                "run 'atout territories import' and 'atout demo' again."
            ))
        self.stdout.write("Demo accounts (local demo only):")
        for username, password, role in report.accounts:
            self.stdout.write(f"  {role:<12} {username:<10} password: {password}")
