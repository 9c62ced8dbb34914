"""``atout indicators``: the indicator catalogue, imports of statistics, and values for any territory.

- ``atout indicators import FILE --format insee|long|wide|ptod [--dictionary F] [--json]``: all-or-nothing;
  problems are reported with line and column;
- ``atout indicators value --territory CODE --indicator CODE [--year Y] --json``: ``{"value", "unit",
  "coverage", "source", …}`` for any territory, aggregated from its communes. ``--indicator`` also takes
  the name of an imported raw series (``P22_POP``, any case): the same shape with ``"indicator": null``,
  ``"unit": null`` (the producer gives none), ``"series"``, ``"label"`` and ``"aggregation"`` (``sum`` for
  a series the catalogue counts, ``none`` for one never summed over communes);
- ``atout indicators catalogue [--json]``: syncs the YAML catalogue into the database and lists it.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag, progress_bar
from atout.engine.formats.errors import FormatError
from atout.territories.models import Territory

from ...analysis import close_names, find_series, series_value, value_of
from ...catalogue_store import current_catalogue, sync_catalogue
from ...imports import FORMATS, import_file


def _import_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="the file to import")
    parser.add_argument("--format", required=True, choices=FORMATS, help="the file's format")
    parser.add_argument("--dictionary", help="PTOD: the dictionary file (series labels)")
    parser.add_argument("--source", default="", help="how to cite the file (default: from its format and name)")
    json_flag(parser)


def _value_arguments(parser) -> None:
    parser.add_argument("--territory", required=True, help="territory code (26, dep:26, epci:…, zone:…, 26362)")
    parser.add_argument("--indicator", required=True,
                        help="catalogue indicator code, or the name of an imported raw series (P22_POP)")
    parser.add_argument("--year", type=int, help="year of the value (default: the indicator's vintage)")
    json_flag(parser)


def _catalogue_arguments(parser) -> None:
    json_flag(parser)


def resolve_territory(reference: str) -> Territory:
    try:
        return Territory.objects.resolve(reference)
    except Territory.DoesNotExist as exc:
        raise CommandError(f"unknown territory {reference!r} (try dep:26, epci:CODE, zone:CODE or a commune code)") from exc


class Command(GroupCommand):
    help = "Indicator catalogue, imports of statistics, values for any territory."
    actions = {
        "import": ("import an indicator file (all-or-nothing)", _import_arguments),
        "value": ("one indicator for one territory, aggregated from its communes", _value_arguments),
        "catalogue": ("sync the YAML catalogue into the database and list it", _catalogue_arguments),
    }

    def do_import(self, file, format, dictionary=None, source="", **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        if dictionary and not Path(dictionary).is_file():
            raise CommandError(f"{dictionary}: no such file")
        try:
            with progress_bar(None, f"import {path.name}") as progress:
                return import_file(path, format, dictionary=dictionary, source=source, progress=progress)
        except FormatError as exc:
            raise CommandError(str(exc)) from exc

    def render_import(self, result) -> str:
        return (f"{result['file']}: {result['observations']} values ({result['missing']} missing) for "
                f"{result['territories']} territories, {result['series']} series and {result['indicators']} "
                f"indicators; {result['replaced']} earlier values replaced (batch {result['batch']})."
                + "".join(f"\n  note: {note}" for note in result.get("notes", [])))

    def do_value(self, territory, indicator, year=None, **options):
        place = resolve_territory(territory)
        try:
            catalogue = current_catalogue()
        except FormatError as exc:
            raise CommandError(str(exc)) from exc
        if indicator in catalogue:
            value = value_of(place, indicator, year=year)
            return {"territory": place.key, "name": place.name, "indicator": indicator, **value.as_dict()}
        series = find_series(indicator)
        if series is None:
            close = close_names(indicator, catalogue)
            hint = f"close matches: {', '.join(close)}" if close else "see atout indicators catalogue"
            raise CommandError(f"unknown indicator or series {indicator!r} ({hint})")
        value = series_value(place, series, year=year, catalogue=catalogue)
        return {"territory": place.key, "name": place.name, "indicator": None, **value.as_dict()}

    def render_value(self, result) -> str:
        unit = f" {result['unit']}" if result["unit"] else ""
        shown = "n/a" if result["value"] is None else f"{result['value']:.6g}{unit}"
        what = result["indicator"] or f"series {result['series']}"
        note = ""
        if result.get("aggregation") == "none" and result["origin"] == "missing":
            note = " — not summed over communes: the catalogue does not count this series"
        return (f"{result['name']} — {what}: {shown} (coverage {result['coverage']:.0%}, "
                f"{result['origin']}; {result['source']}){note}")

    def do_catalogue(self, **options):
        try:
            counts = sync_catalogue()
            catalogue = current_catalogue()
        except FormatError as exc:
            raise CommandError(str(exc)) from exc
        return {**counts, "indicators": [
            {"code": i.code, "theme": i.theme, "label": i.label.fr, "unit": i.unit, "kind": i.kind,
             "polarity": i.polarity, "source": i.source, "vintage": i.vintage, "ptod": i.ptod}
            for i in catalogue.values()
        ]}

    def render_catalogue(self, result) -> str:
        lines = [f"{i['code']:<36} {i['kind']:<15} {i['unit']:<12} {i['label']}" for i in result["indicators"]]
        lines.append(f"{result['total']} indicators: {result['created']} created, {result['updated']} updated, "
                     f"{result['kept']} kept as edited in the admin.")
        return "\n".join(lines)
