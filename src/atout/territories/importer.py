"""Loading the official geography and custom zones into the database, all or nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from atout.core.planner import refresh_statistics
from atout.engine import sources
from atout.engine.formats import cog
from atout.engine.formats.errors import FormatError
from atout.engine.geometry import dissolve

from .models import GeographyImport, Level, Membership, Territory

#: Date of the COG the geography is expressed in; older contours are mapped to it.
COG_DATE = dt.date(2025, 1, 1)
CONTOURS_COG_DATE = dt.date(2018, 1, 1)

GEO_FILES = {
    "communes": "geo/cog-communes-2025.csv",
    "departements": "geo/cog-departements-2025.csv",
    "populations": "geo/donnees_communes-2023.csv",
    "epci": "geo/epcicom-2025.xlsx",
    "movements": "geo/mouvements-communes.csv",
    "commune_contours": "geo/communes-26-drome-2018.geojson",
    "departement_contours": "geo/departements-simplifie-2018.geojson",
}


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


Progress = Callable[[int, int | None], None]


def locate_geo_files(*, download: bool = True, progress: Progress | None = None) -> dict[str, Path]:
    return {key: sources.locate(rel, download=download, progress=progress) for key, rel in GEO_FILES.items()}


def import_geography(files: dict[str, Path], progress: Progress | None = None) -> ImportReport:
    """Replace the official geography with the content of ``files`` in one transaction.

    Custom zones are kept: their commune memberships are re-attached by code after the import.
    """
    step = progress or (lambda done, total=None: None)
    communes = cog.read_communes(files["communes"])
    departements = cog.read_departements(files["departements"])
    populations = _commune_populations(
        cog.read_populations(files["populations"]), cog.read_arrondissement_parents(files["communes"])
    )
    epcis = cog.read_epci_composition(files["epci"])
    movements = cog.read_movements(files["movements"])
    commune_contours = cog.read_contours(files["commune_contours"])
    departement_contours = cog.read_contours(files["departement_contours"])
    step(1, 6)

    commune_codes = {c.code for c in communes}
    unknown = sorted({m for e in epcis for m in e.members} - commune_codes)
    if unknown:
        raise FormatError(
            f"{len(unknown)} member commune code(s) not in the COG: {', '.join(unknown[:10])}",
            path=files["epci"], column="insee",
        )
    region_names = {c.region: p.region_name for c in communes if (p := populations.get(c.code))}
    report = ImportReport()

    contours_now = _contours_in_current_codes(commune_contours, movements, commune_codes)
    with transaction.atomic():
        sync = _Sync()
        france = sync.apply(Level.COUNTRY, [{"code": "FR", "name": "France"}])["FR"]
        region_by_code = sync.apply(Level.REGION, [
            {"code": code, "name": region_names.get(code, code), "parent": france}
            for code in sorted({c.region for c in communes})
        ])
        dep_by_code = sync.apply(Level.DEPARTEMENT, [
            {"code": d.code, "name": d.name, "parent": region_by_code.get(d.region),
             "contour": json.dumps(departement_contours[d.code]) if d.code in departement_contours else ""}
            for d in departements
        ])
        step(2, 6)
        commune_by_code = sync.apply(Level.COMMUNE, [
            {"code": c.code, "name": c.name, "parent": dep_by_code[c.departement],
             "population": populations[c.code].municipal if c.code in populations else None,
             "population_total": populations[c.code].total if c.code in populations else None,
             "contour": json.dumps(contours_now[c.code]) if c.code in contours_now else ""}
            for c in communes
        ])
        step(3, 6)
        epci_by_code = sync.apply(Level.EPCI, [
            {"code": e.siren, "name": e.name, "legal_form": e.legal_form, "contour": ""} for e in epcis
        ])
        Membership.objects.filter(group__level=Level.EPCI).delete()
        Membership.objects.bulk_create(
            (Membership(group=epci_by_code[e.siren], commune=commune_by_code[code]) for e in epcis for code in e.members),
            batch_size=5000,
        )
        step(4, 6)
        sync.delete_vanished()
        zones = list(Territory.objects.filter(level=Level.ZONE))
        _reattach_zones(zones, commune_by_code, epci_by_code)
        step(5, 6)

        missing_pop = [c.code for c in communes if c.code not in populations]
        if missing_pop:
            report.notes.append(f"{len(missing_pop)} commune(s) without legal population: {', '.join(missing_pop[:10])}")
        report.counts = {
            "regions": len(region_by_code),
            "departements": len(dep_by_code),
            "communes": len(commune_by_code),
            "epcis": len(epci_by_code),
            "commune_contours": len(contours_now),
            "departement_contours": len(departement_contours),
            "zones": len(zones),
            "created": sync.created,
            "updated": sync.updated,
            "removed": sync.removed,
        }
        GeographyImport.objects.create(
            sources={key: {"file": GEO_FILES[key], "sha256": sources.sha256_of(path)} for key, path in files.items()},
            counts=report.counts,
        )
    refresh_statistics()
    step(6, 6)
    return report


def _commune_populations(records, arrondissement_parent: dict[str, str]) -> dict[str, cog.PopulationRecord]:
    """Legal populations per commune; Paris, Lyon and Marseille, published only per arrondissement,
    are summed from them."""
    populations = {p.code: p for p in records if p.code not in arrondissement_parent}
    for parent in set(arrondissement_parent.values()) - set(populations):
        parts = [p for p in records if arrondissement_parent.get(p.code) == parent]
        if parts:
            populations[parent] = cog.PopulationRecord(
                code=parent,
                municipal=sum(p.municipal for p in parts),
                total=sum(p.total for p in parts),
                region_name=parts[0].region_name,
            )
    return populations


def _contours_in_current_codes(contours: dict[str, dict], movements, current: set[str]) -> dict[str, dict]:
    """Contours of an older COG re-keyed to current communes, merged communes dissolved together."""
    successors = cog.successor_codes(movements, current, since=CONTOURS_COG_DATE, until=COG_DATE)
    grouped: dict[str, list[dict]] = {}
    for code, geometry in contours.items():
        target = code if code in current else successors.get(code)
        if target is not None:
            grouped.setdefault(target, []).append(geometry)
    return {code: (geoms[0] if len(geoms) == 1 else dissolve(geoms)) for code, geoms in grouped.items()}


class _Sync:
    """Brings the territories of each level in line with the files: creates the new ones, updates
    the changed ones in place (processes and statistics keep pointing at them) and finally deletes
    those the COG no longer has (communes merged away)."""

    FIELDS = ["name", "parent", "population", "population_total", "legal_form", "contour"]

    def __init__(self):
        self.created = self.updated = self.removed = 0
        self.wanted: dict[str, set[str]] = {}

    def apply(self, level: str, rows: list[dict]) -> dict[str, Territory]:
        existing = {t.code: t for t in Territory.objects.filter(level=level)}
        new, changed = [], []
        for row in rows:
            obj = existing.get(row["code"])
            if obj is None:
                new.append(Territory(level=level, **row))
                continue
            fields = [f for f in self.FIELDS if f in row and _value(obj, f) != _value_of(row[f])]
            for f in fields:
                setattr(obj, f, row[f])
            if fields:
                changed.append(obj)
        Territory.objects.bulk_create(new, batch_size=2000)
        if changed:
            Territory.objects.bulk_update(changed, self.FIELDS, batch_size=500)
        self.created += len(new)
        self.updated += len(changed)
        result = {t.code: t for t in Territory.objects.filter(level=level)}
        wanted = self.wanted[level] = {row["code"] for row in rows}
        return {code: t for code, t in result.items() if code in wanted}

    def delete_vanished(self) -> None:
        vanished = [
            t for level, codes in self.wanted.items()
            for t in Territory.objects.filter(level=level).only("pk", "code", "name", "level")
            if t.code not in codes
        ]
        referenced = [t for t in vanished if t.processes.exists()]
        if referenced:
            names = ", ".join(f"{t.name} ({t.code})" for t in referenced)
            raise FormatError(f"territories used by a process no longer exist in the new geography: {names}")
        self.removed = len(vanished)
        for start in range(0, len(vanished), 500):
            Territory.objects.filter(pk__in=[t.pk for t in vanished[start:start + 500]]).delete()


def _value(obj: Territory, field_name: str):
    return obj.parent_id if field_name == "parent" else getattr(obj, field_name)


def _value_of(value):
    return value.pk if isinstance(value, Territory) else value


def _reattach_zones(zones: list[Territory], commune_by_code, epci_by_code) -> None:
    for zone in zones:
        codes = expand_zone_definition(list(zone.definition or []), commune_by_code, epci_by_code)
        current = set(zone.communes().values_list("code", flat=True))
        if codes != current:
            Membership.objects.filter(group=zone).delete()
            Membership.objects.bulk_create(Membership(group=zone, commune=commune_by_code[c]) for c in sorted(codes))
            Territory.objects.filter(pk=zone.pk).update(contour="")


def expand_zone_definition(definition: list[str], commune_by_code, epci_by_code, *, where: str = "") -> set[str]:
    """Commune codes of a zone defined by commune codes and/or EPCI SIRENs (``epci:`` optional).

    An item ``within:<territory>`` restricts the zone to the communes of that territory (useful for
    EPCIs straddling a département border).
    """
    codes: set[str] = set()
    within = [str(item).partition(":")[2] for item in definition if str(item).startswith("within:")]
    definition = [item for item in definition if not str(item).startswith("within:")]
    unknown = []
    for raw in definition:
        item = str(raw).strip()
        prefix, _sep, rest = item.partition(":")
        if rest and prefix == "epci":
            item, kind = rest, "epci"
        elif rest and prefix == "com":
            item, kind = rest, "commune"
        else:
            kind = "epci" if len(item) == 9 and item.isdigit() else "commune"
        if kind == "epci" and item in epci_by_code:
            codes.update(m.commune.code for m in epci_by_code[item].member_links.select_related("commune"))
        elif kind == "commune" and item in commune_by_code:
            codes.add(item)
        else:
            unknown.append(raw)
    if unknown:
        raise FormatError(f"unknown commune or EPCI code(s): {', '.join(map(str, unknown))}", path=where or None)
    for reference in within:
        try:
            territory = Territory.objects.resolve(reference)
        except Territory.DoesNotExist as exc:
            raise FormatError(f"unknown territory {reference!r} in 'within'", path=where or None) from exc
        codes &= set(territory.communes().values_list("code", flat=True))
    return codes


def load_zones(path: Path, *, parent: Territory | None = None) -> list[Territory]:
    """Create or replace custom zones from a YAML or CSV file, all or nothing.

    YAML: a list of ``{code, name, description?, members: [codes]}``; CSV: columns
    ``zone_code, zone_name, member`` (one row per member code).
    """
    path = Path(path)
    definitions = _read_zone_file(path)
    commune_by_code = {t.code: t for t in Territory.objects.filter(level=Level.COMMUNE)}
    epci_by_code = {t.code: t for t in Territory.objects.filter(level=Level.EPCI)}
    if not commune_by_code:
        raise FormatError("the official geography is not loaded: run 'atout territories import' first", path=path)
    created = []
    with transaction.atomic():
        for number, item in enumerate(definitions, start=1):
            where = f"{path.name} (zone #{number} {item['code']!r})"
            codes = expand_zone_definition(item["members"], commune_by_code, epci_by_code, where=where)
            zone, _created = Territory.objects.update_or_create(
                level=Level.ZONE, code=item["code"],
                defaults={
                    "name": item["name"], "description": item.get("description", ""),
                    "definition": [str(m) for m in item["members"]], "parent": parent, "contour": "",
                },
            )
            Membership.objects.filter(group=zone).delete()
            Membership.objects.bulk_create(Membership(group=zone, commune=commune_by_code[c]) for c in sorted(codes))
            created.append(zone)
    return created


def _read_zone_file(path: Path) -> list[dict]:
    if not path.is_file():
        raise FormatError("file not found", path=path)
    if path.suffix.lower() in {".yaml", ".yml"}:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise FormatError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=path,
                              line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None) from exc
        if not isinstance(data, list):
            raise FormatError("expected a list of zones", path=path, line=1)
        for number, item in enumerate(data, start=1):
            if not isinstance(item, dict):
                raise FormatError(f"zone #{number} is not a mapping", path=path)
            for key in ("code", "name", "members"):
                if not item.get(key):
                    raise FormatError(f"zone #{number} has no '{key}'", path=path, column=key)
            if not isinstance(item["members"], list):
                raise FormatError(f"zone #{number}: 'members' must be a list of codes", path=path, column="members")
            item["code"] = str(item["code"])
            if item.get("within"):
                item["members"] = [*item["members"], f"within:{item['within']}"]
        return data
    if path.suffix.lower() == ".csv":
        import csv

        zones: dict[str, dict] = {}
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"zone_code", "zone_name", "member"} - set(reader.fieldnames or [])
            if missing:
                raise FormatError(f"missing column(s) {', '.join(sorted(missing))}", path=path, line=1)
            for row in reader:
                for column in ("zone_code", "zone_name", "member"):
                    if not (row.get(column) or "").strip():
                        raise FormatError("empty value", path=path, line=reader.line_num, column=column)
                zone = zones.setdefault(row["zone_code"].strip(), {"code": row["zone_code"].strip(), "name": row["zone_name"].strip(), "members": []})
                zone["members"].append(row["member"].strip())
        if not zones:
            raise FormatError("no zone defined", path=path)
        return list(zones.values())
    raise FormatError("unsupported zone file type (use .yaml, .yml or .csv)", path=path)
