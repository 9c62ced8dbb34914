"""Filières: the NAF reference, the official figures of the process's département, and a filière's page data."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atout.engine import sectors as engine
from atout.engine.formats.errors import FormatError
from atout.engine.sources import SourceUnavailable, locate
from atout.strategy.models import SwotItem
from atout.territories.models import Level

from .models import Filiere

#: Why a figure is absent, in the words shown to people (keys: atout.engine.sectors).
MISSING = {
    engine.FINER_THAN_SECTORS: gettext_lazy(
        "Les fichiers officiels disponibles hors ligne ne donnent les emplois et les établissements que par grand "
        "secteur (cinq regroupements de sections NAF). Cette filière est définie plus finement : aucun chiffre propre "
        "à la filière n'est affiché. Les grands secteurs qui la contiennent sont donnés pour situer son environnement ; "
        "ils ne la mesurent pas."),
    engine.NO_TREND: gettext_lazy(
        "Évolution de l'emploi depuis 2016 non disponible : la part de ce grand secteur en 2016 n'est pas publiée "
        "dans les fichiers hors ligne."),
    engine.NO_FRANCE_ESTABLISHMENTS: gettext_lazy(
        "Établissements : pas de comparaison avec la France, le nombre national n'est pas disponible hors ligne."),
    engine.NO_DATA: gettext_lazy(
        "Les fichiers officiels d'emploi et d'établissements ne sont pas disponibles pour ce territoire : "
        "aucun chiffre n'est affiché."),
}

COVERAGE = {"whole": gettext_lazy("secteur entier"), "part": gettext_lazy("contient une partie de la filière")}


@lru_cache(maxsize=1)
def naf_reference() -> engine.NafReference:
    return engine.read_naf()


@lru_cache(maxsize=8)
def _read(ptod_path: str, insee_path: str, departement: str, stamp: tuple) -> engine.SectorData | None:
    from atout.engine.formats.insee import read_insee
    from atout.engine.formats.ptod import read_ptod_values

    return engine.read_sector_data(read_ptod_values(ptod_path), read_insee(insee_path), departement)


def sector_data(process) -> tuple[engine.SectorData | None, str]:
    """The broad-sector figures of the process's département, or None and the reason (in French)."""
    territory = process.territory
    if territory.level != Level.DEPARTEMENT:
        return None, _("Les chiffres par secteur sont calculés pour un département ; le territoire de la démarche "
                       "est « %(name)s ».") % {"name": territory.name}
    try:
        ptod = locate(engine.PTOD_FILE, download=False)
        insee = locate(engine.INSEE_FILE, download=False)
    except SourceUnavailable:
        return None, str(MISSING[engine.NO_DATA])
    stamp = tuple(Path(p).stat().st_mtime_ns for p in (ptod, insee))
    try:
        data = _read(str(ptod), str(insee), territory.code, stamp)
    except FormatError as exc:
        return None, _("Un fichier officiel est illisible : %(error)s") % {"error": exc}
    if data is None:
        return None, str(MISSING[engine.NO_DATA])
    return data, ""


def indicators(filiere: Filiere, data: engine.SectorData | None = None, problem: str = "") -> dict:
    """The engine's figures for a filière, with the reasons for absent figures worded for people."""
    if data is None and not problem:
        data, problem = sector_data(filiere.process)
    result = engine.filiere_indicators(filiere.naf_codes, naf_reference(), data)
    result["notes"] = [str(MISSING[m]) for m in result["missing"] if m != engine.NO_DATA]
    if problem:
        result["notes"].append(problem)
    for sector in result["sectors"]:
        sector["coverage_label"] = str(COVERAGE[sector["coverage"]])
        sector["notes"] = [str(MISSING[m]) for m in sector["missing"]]
    if result["filiere"]:
        result["filiere"]["notes"] = [str(MISSING[m]) for m in result["filiere"]["missing"]]
    return result


def naf_rows(codes: list[str]) -> list[dict]:
    naf = naf_reference()
    return [{"code": c, "level": naf.level_of(c), "label": naf.label(c)} for c in codes]


def linked(filiere: Filiere, *, team: bool) -> dict:
    """What the filière is linked to; the public sees accepted SWOT items and public pages only."""
    swot = filiere.swot_items.select_related("axis").order_by("kind", "title")
    if not team:
        swot = swot.filter(status=SwotItem.Status.ACCEPTED)
    return {
        "organisations": list(filiere.organisations.select_related("sector", "commune").order_by("name")),
        "swot": list(swot),
        "objectives": list(filiere.objectives.select_related("axis").order_by("order", "code")),
        "actions": list(filiere.actions.order_by("order", "code")),
        "kpis": list(filiere.kpis.select_related("action", "objective").order_by("pk")),
    }


def jsonable(filiere: Filiere, *, team: bool = False, with_indicators: bool = True, data=None, problem="") -> dict:
    """A filière as the CLI and the API print it."""
    row = {"slug": filiere.slug, "name": filiere.name, "description": filiere.description,
           "naf": naf_rows(filiere.naf_codes), "highlights": filiere.highlights, "example": filiere.example}
    if with_indicators:
        figures = indicators(filiere, data, problem)
        row["indicators"] = {k: figures[k] for k in ("coverage", "own_figures", "filiere", "sectors", "missing",
                                                      "notes", "sources")}
    links = linked(filiere, team=team)
    row["organisations"] = [{"name": o.name, "kind": o.kind, "simulated": o.simulated} for o in links["organisations"]]
    row["swot"] = [{"kind": s.kind, "title": s.title, "status": s.status} for s in links["swot"]]
    row["objectives"] = [{"code": o.code, "title": o.title} for o in links["objectives"]]
    row["actions"] = [{"code": a.code, "title": a.title, "status": a.status} for a in links["actions"]]
    row["kpis"] = [{"label": k.label, "unit": k.unit, "baseline": k.baseline_value, "baseline_year": k.baseline_year,
                    "target": k.target_value, "target_year": k.target_year} for k in links["kpis"]]
    return row
