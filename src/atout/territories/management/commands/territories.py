"""``atout territories``: load the official geography, define zones, inspect any territory."""

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag, progress_bar
from atout.engine.formats.errors import FormatError
from atout.engine.sources import SourceUnavailable
from atout.territories import importer
from atout.territories.models import Level, Territory
from atout.territories.services import describe


def _import_args(parser):
    parser.add_argument("--offline", action="store_true", help="never download; use ATOUT_DATA_DIR or the cache only")
    json_flag(parser)


def _show_args(parser):
    parser.add_argument("code", help="territory code: 26, 26362, 200068781, reg:84, zone:vercors …")
    json_flag(parser)


def _children_args(parser):
    parser.add_argument("code")
    parser.add_argument("--level", required=True, choices=[lvl.value for lvl in Level])
    json_flag(parser)


def _zones_args(parser):
    parser.add_argument("file", help="YAML or CSV file of zones (see docs/user-guide.md)")
    parser.add_argument("--parent", help="territory the zones belong to, e.g. 26")
    json_flag(parser)


def _resolve(code: str) -> Territory:
    try:
        return Territory.objects.resolve(code)
    except Territory.DoesNotExist as exc:
        raise CommandError(f"unknown territory {code!r} (is the geography imported? 'atout territories import')") from exc


class Command(GroupCommand):
    help = "Official geography and custom sub-territories."
    actions = {
        "import": ("load the official geography (COG, populations, EPCI, contours)", _import_args),
        "show": ("describe a territory", _show_args),
        "children": ("list the territories of a level inside a territory", _children_args),
        "zones": ("create or replace custom sub-territories from a YAML/CSV file", _zones_args),
    }

    def do_import(self, offline=False, **options):
        try:
            with progress_bar(None, "download") as progress:
                files = importer.locate_geo_files(download=not offline, progress=progress)
            with progress_bar(6, "import") as progress:
                report = importer.import_geography(files, progress=progress)
        except (FormatError, SourceUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        return {"counts": report.counts, "notes": report.notes}

    def render_import(self, result):
        lines = [f"{key}: {value}" for key, value in result["counts"].items()]
        return "Geography imported.\n" + "\n".join(lines + result["notes"])

    def do_show(self, code, **options):
        return describe(_resolve(code))

    def render_show(self, r):
        return (
            f"{r['name']} ({r['level']} {r['code']})\npopulation: {r['population']}\ncommunes: {r['communes']}\n"
            f"EPCI: {', '.join(r['epcis'])}\nparents: {', '.join(p['name'] for p in r['parents'])}"
        )

    def do_children(self, code, level, **options):
        territory = _resolve(code)
        return {
            "territory": territory.code,
            "level": level,
            "children": [
                {"code": t.code, "name": t.name} for t in territory.children_at(level).order_by("code")
            ],
        }

    def render_children(self, r):
        return "\n".join(f"{c['code']}\t{c['name']}" for c in r["children"])

    def do_zones(self, file, parent=None, **options):
        try:
            zones = importer.load_zones(file, parent=_resolve(parent) if parent else None)
        except FormatError as exc:
            raise CommandError(str(exc)) from exc
        return {"zones": [describe(z) for z in zones]}

    def render_zones(self, r):
        return "\n".join(f"{z['code']}: {z['name']} — {z['communes']} communes, {z['population']} inhabitants" for z in r["zones"])
