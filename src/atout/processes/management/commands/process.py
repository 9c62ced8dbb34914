"""``atout process``: create, list and update processes (démarches), invite team members, list them."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils.text import slugify

from atout.commands import GroupCommand, json_flag
from atout.processes.models import PhaseKind, Process, Role
from atout.processes.services import create_process, invite, members, summary, update_process
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


def _update_args(parser):
    parser.add_argument("slug", help="the process to change")
    parser.add_argument("--title")
    parser.add_argument("--description")
    parser.add_argument("--status", choices=Process.Status.values)
    for kind in PhaseKind:
        parser.add_argument(f"--{kind.value.replace('_', '-')}", metavar="START:END", help=f"dates of the {kind.value} phase")
    json_flag(parser)


def _invite_args(parser):
    parser.add_argument("slug", help="the process")
    parser.add_argument("--email", required=True)
    parser.add_argument("--role", required=True, choices=Role.values)
    json_flag(parser)


def _members_args(parser):
    parser.add_argument("slug", help="the process")
    json_flag(parser)


def _process(slug: str) -> Process:
    try:
        return Process.objects.select_related("territory").get(slug=slug)
    except Process.DoesNotExist as exc:
        raise CommandError(f"{slug!r}: no process with this slug (see `atout process list`)") from exc


class Command(GroupCommand):
    help = "Processes (démarches): create, list, update; team members and invitations."
    actions = {"create": ("create a process", _create_args), "list": ("list processes", _list_args),
               "update": ("change a process's title, description, status or phase dates", _update_args),
               "invite": ("invite someone by e-mail to a role in a process", _invite_args),
               "members": ("list a process's roles and invitations", _members_args)}

    def do_create(self, slug, territory, title, description="", **options):
        if slugify(slug) != slug:
            raise CommandError(f"--slug {slug!r}: use lowercase letters, digits and dashes (e.g. {slugify(slug)!r})")
        if slug == "invitation":  # /p/invitation/<token>/ is the invitation link
            raise CommandError(f"--slug {slug!r}: this word is reserved, choose another slug")
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

    def do_update(self, slug, title=None, description=None, status=None, **options):
        process = _process(slug)
        phases = {kind.value: _date_range(options[kind.value]) for kind in PhaseKind if options.get(kind.value)}
        current = {p.kind: (p.start, p.end) for p in process.phases.all()} | phases
        ordered = [current[k.value] for k in PhaseKind if k.value in current]
        for (_start_a, end_a), (start_b, _end_b) in zip(ordered, ordered[1:], strict=False):
            if start_b <= end_a:
                raise CommandError(f"phases overlap: a phase starting {start_b} begins before the previous one ends ({end_a})")
        if title is not None and not title.strip():
            raise CommandError("--title: must not be empty")
        return summary(update_process(process, title=title, description=description, status=status, phases=phases))

    def render_update(self, r):
        return f"Updated process {r['slug']} ({r['title']})."

    def do_invite(self, slug, email, role, **options):
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        process = _process(slug)
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"--email {email!r}: not an e-mail address") from exc
        invitation, link = invite(process, email, role)
        return {"process": slug, "email": invitation.email, "role": role, "expires": invitation.expires.isoformat(),
                "link": link}

    def render_invite(self, r):
        return f"Invitation sent to {r['email']} ({r['role']}), valid until {r['expires'][:10]}: {r['link']}"

    def do_members(self, slug, **options):
        return members(_process(slug))

    def render_members(self, r):
        lines = [f"{m['username']}\t{m['role']}" for m in r["roles"]] or ["No role."]
        pending = [f"{i['email']}\t{i['role']}\tinvited, pending until {i['expires'][:10]}" for i in r["invitations"] if i["pending"]]
        return "\n".join(lines + pending)
