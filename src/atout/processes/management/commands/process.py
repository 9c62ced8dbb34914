"""``atout process``: create and list processes (démarches)."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils.text import slugify

from atout.commands import GroupCommand, json_flag
from atout.processes.models import PhaseKind, Process
from atout.processes.services import create_process, summary
from atout.territories.models import Territory


def _date_range(value: str) -> tuple[dt.date, dt.date]:
    try:
        start, end = (dt.date.fromisoformat(v) for v in value.split(":"))
    except ValueError as exc:
        raise CommandError(f"{value!r}: expected START:END as ISO dates, e.g. 2026-01-01:2026-06-30") from exc
    if end < start:
        raise CommandError(f"{value!r}: the end is before the start")
    return start, end


def _create_args(parser):
    parser.add_argument("--slug", required=True)
    parser.add_argument("--territory", required=True, help="territory code, e.g. 26 or epci:200068781")
    parser.add_argument("--title", required=True)
    parser.add_argument("--description", default="")
    for kind in PhaseKind:
        parser.add_argument(f"--{kind.value.replace('_', '-')}", metavar="START:END", help=f"dates of the {kind.value} phase")
    json_flag(parser)


def _list_args(parser):
    json_flag(parser)


class Command(GroupCommand):
    help = "Processes (démarches): create, list."
    actions = {"create": ("create a process", _create_args), "list": ("list processes", _list_args)}

    def do_create(self, slug, territory, title, description="", **options):
        if slugify(slug) != slug:
            raise CommandError(f"--slug {slug!r}: use lowercase letters, digits and dashes (e.g. {slugify(slug)!r})")
        if Process.objects.filter(slug=slug).exists():
            raise CommandError(f"--slug {slug!r}: a process with this slug already exists")
        try:
            place = Territory.objects.resolve(territory)
        except Territory.DoesNotExist as exc:
            raise CommandError(f"--territory {territory!r}: unknown territory (is the geography imported?)") from exc
        phases = {
            kind.value: _date_range(options[kind.value])
            for kind in PhaseKind
            if options.get(kind.value)
        }
        return summary(create_process(slug=slug, territory=place, title=title, description=description, phases=phases))

    def render_create(self, r):
        return f"Created process {r['slug']} ({r['title']}) on {r['territory']['name']}."

    def do_list(self, **options):
        return {"processes": [summary(p) for p in Process.objects.select_related("territory").order_by("slug")]}

    def render_list(self, r):
        return "\n".join(f"{p['slug']}\t{p['title']}\t{p['territory']['name']}\t{p['current_phase'] or '-'}" for p in r["processes"]) or "No process."
