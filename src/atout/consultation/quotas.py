"""Survey quotas: cells over respondents' profiles, targets, live fill rates and screen-out.

- A cell maps one or more profile variables (:data:`VARIABLES`) to a category; a response is in the
  cell when all its profile columns match.
- :func:`fill_rates` counts every cell with **one** grouped query on ``Response`` (``GROUP BY`` the
  variables the survey's quotas use, read through the ``response_quota_cells`` index).
- :func:`insee_margins` reads the INSEE census population aged 15 and over by age band for each
  commune of the process's territory, summed by sub-territory or EPCI — the margins the weighting
  uses (``variable → category → persons``) — and :func:`generate` turns them into targets
  proportional to the population for a chosen sample size (largest remainder, summing exactly).
- :func:`full_quota` tells whether a respondent falls in a full cell closed when full; the answering
  view and :func:`services.store_submission` then screen the response out (status ``screened_out``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from atout.engine.quotas import QuotaError, allocate
from atout.engine.sources import SourceUnavailable, locate
from atout.territories.models import Level, Membership, Territory

from .models import AgeBand, ProfileStatus, Quota, Response, Sex, Survey

#: Profile variables a cell can use → the Response column grouped on.
VARIABLES = {"age_band": "age_band", "sex": "sex", "zone": "zone_id", "epci": "epci_id", "profile_status": "profile_status"}
VARIABLE_LABELS = {"age_band": "Tranche d'âge", "sex": "Sexe", "zone": "Sous-territoire", "epci": "EPCI",
                   "profile_status": "Statut"}
#: The INSEE file and its columns for the census population by age band (aged 15 and over).
INSEE_AGE_FILE = "indicators/insee/dossier_complet_light_dep26.csv"
INSEE_AGE_COLUMNS = {"15-29": ["P22_POP1529"], "30-44": ["P22_POP3044"], "45-59": ["P22_POP4559"],
                     "60-74": ["P22_POP6074"], "75+": ["P22_POP7589", "P22_POP90P"]}
INSEE_SOURCE = "INSEE, recensement de la population 2022 (dossier complet), population de 15 ans ou plus"
#: Variables INSEE margins can generate cells over (population by sex is not in the offline data).
GENERATED = {"age_band", "zone", "epci"}
COUNTED = [Response.Status.SUBMITTED, Response.Status.SCREENED_OUT]


class QuotaInputError(ValueError):
    """A quota the team asked for that cannot be made; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = ""):
        self.field = field
        super().__init__(message)


def cell_key(cell: dict[str, str]) -> str:
    return ";".join(f"{variable}={cell[variable]}" for variable in sorted(cell))


# ---------------------------------------------------------------------------------------------
# Categories and cells


def categories(survey: Survey, variable: str) -> list[tuple[str, str]]:
    """(code, label) of the categories of ``variable`` for this survey's process."""
    if variable == "age_band":
        return [(c, str(label)) for c, label in AgeBand.choices]
    if variable == "sex":
        return [(c, str(label)) for c, label in Sex.choices]
    if variable == "profile_status":
        return [(c, str(label)) for c, label in ProfileStatus.choices]
    if variable == "zone":
        return list(survey.process.subterritories.filter(level=Level.ZONE).order_by("name").values_list("code", "name"))
    if variable == "epci":
        communes = survey.process.territory.communes()
        ids = Membership.objects.filter(commune__in=communes, group__level=Level.EPCI).values("group_id")
        return list(Territory.objects.filter(pk__in=ids).order_by("name").values_list("code", "name"))
    raise QuotaInputError(_("Variable de quota inconnue : %(v)s.") % {"v": variable}, "variable")


def clean_cell(survey: Survey, cell: dict[str, str]) -> dict[str, str]:
    """The cell with empty variables dropped, every category checked; raises QuotaInputError."""
    cleaned = {}
    for variable, category in cell.items():
        if variable not in VARIABLES:
            raise QuotaInputError(_("Variable de quota inconnue : %(v)s.") % {"v": variable}, variable)
        if category in ("", None):
            continue
        if str(category) not in {code for code, _label in categories(survey, variable)}:
            raise QuotaInputError(_("Catégorie inconnue pour %(v)s : %(c)s.") % {"v": _(VARIABLE_LABELS[variable]),
                                                                                   "c": category}, variable)
        cleaned[variable] = str(category)
    if not cleaned:
        raise QuotaInputError(_("Choisissez au moins une variable pour définir la cellule."), "age_band")
    return cleaned


def add_quota(survey: Survey, cell: dict[str, str], target: int, *, close_when_full: bool = False) -> Quota:
    """A quota set by hand; a cell already having a quota gets the new target."""
    cleaned = clean_cell(survey, cell)
    if target < 0:
        raise QuotaInputError(_("L'objectif doit être un nombre entier positif."), "target")
    quota, _created = Quota.objects.update_or_create(
        survey=survey, key=cell_key(cleaned),
        defaults={"cell": cleaned, "target": target, "close_when_full": close_when_full, "source": Quota.Source.MANUAL,
                  "population": None},
    )
    return quota


def describe(survey: Survey, cell: dict[str, str], names: dict[tuple[str, str], str] | None = None) -> str:
    """The cell in words: « 15 à 29 ans · Vercors-Royans »."""
    names = names if names is not None else category_names(survey, list(cell))
    return " · ".join(names.get((v, c), c) for v, c in sorted(cell.items(), key=lambda vc: list(VARIABLES).index(vc[0])))


def category_names(survey: Survey, variables) -> dict[tuple[str, str], str]:
    return {(v, code): label for v in set(variables) for code, label in categories(survey, v)}


# ---------------------------------------------------------------------------------------------
# INSEE margins and generated targets


def insee_commune_ages(process) -> dict[str, dict[str, float]]:
    """Commune code → age band → persons (census 2022, aged 15+) for the communes of the process.

    Raises QuotaInputError when the INSEE file is missing or covers none of these communes."""
    try:
        path = locate(INSEE_AGE_FILE, download=False)
    except SourceUnavailable as exc:
        raise QuotaInputError(_("Population par âge INSEE introuvable : %(e)s") % {"e": exc}, "variables") from None
    codes = set(process.territory.communes().values_list("code", flat=True))
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    missing = [c for cols in INSEE_AGE_COLUMNS.values() for c in cols if c not in (reader.fieldnames or [])]
    if missing or "CODGEO" not in (reader.fieldnames or []):
        raise QuotaInputError(f"{path}, line 1: missing column(s) {', '.join(missing or ['CODGEO'])}", "variables")
    found: dict[str, dict[str, float]] = {}
    for line, row in enumerate(reader, start=2):
        if row["CODGEO"] not in codes:
            continue
        try:
            found[row["CODGEO"]] = {band: sum(float((row[c] or "0").replace(",", ".")) for c in cols)
                                    for band, cols in INSEE_AGE_COLUMNS.items()}
        except ValueError:
            raise QuotaInputError(f"{path}, line {line}: a population by age is not a number", "variables") from None
    if not found:
        raise QuotaInputError(_("Le fichier INSEE %(f)s ne couvre aucune commune de %(t)s.")
                              % {"f": INSEE_AGE_FILE, "t": process.territory.name}, "variables")
    return found


def insee_cells(process, variables: list[str]) -> dict[tuple[str, ...], float]:
    """Population aged 15+ of every cell crossing ``variables`` (among age_band, zone, epci).

    Output: tuple of categories (in the order of ``variables``) → persons. Communes outside every
    sub-territory (or EPCI) are left out of cells using that variable."""
    unknown = [v for v in variables if v not in GENERATED]
    if unknown or not variables or len(set(variables)) != len(variables):
        raise QuotaInputError(_("Les marges INSEE disponibles croisent la tranche d'âge et le sous-territoire ou "
                                "l'EPCI ; la population par sexe n'est pas dans les données INSEE hors ligne : "
                                "créez ces cellules à la main."), "variables")
    if "zone" in variables and "epci" in variables:
        raise QuotaInputError(_("Choisissez le sous-territoire ou l'EPCI, pas les deux."), "variables")
    ages = insee_commune_ages(process)
    groups: dict[str, dict[str, str]] = {}
    for variable in ("zone", "epci"):
        if variable in variables:
            level = Level.ZONE if variable == "zone" else Level.EPCI
            memberships = Membership.objects.filter(commune__code__in=list(ages), commune__level=Level.COMMUNE,
                                                    group__level=level)
            if variable == "zone":
                memberships = memberships.filter(group__in=process.subterritories.all())
            groups[variable] = dict(memberships.values_list("commune__code", "group__code"))
            if not groups[variable]:
                raise QuotaInputError(_("La démarche n'a pas de sous-territoire défini par des communes."), "variables")
    cells: dict[tuple[str, ...], float] = {}
    for commune, bands in ages.items():
        places = {v: groups[v].get(commune) for v in groups}
        if any(place is None for place in places.values()):
            continue
        for band, persons in bands.items():
            key = tuple(band if v == "age_band" else places[v] for v in variables)
            cells[key] = cells.get(key, 0.0) + persons
    return dict(sorted(cells.items()))


def insee_margins(process, variables=("age_band", "zone")) -> dict[str, dict[str, float]]:
    """Weighting margins from the same INSEE counts: variable (among age_band, zone, epci) → category
    → persons aged 15+. The margins are sums of the cells crossing ``variables``, so every margin
    covers the same communes (with zone, those of a sub-territory) and they add up to one total."""
    variables = list(variables)
    margins: dict[str, dict[str, float]] = {v: {} for v in variables}
    for key, persons in insee_cells(process, variables).items():
        for variable, category in zip(variables, key, strict=True):
            margins[variable][category] = margins[variable].get(category, 0.0) + persons
    return {v: dict(sorted(cats.items())) for v, cats in margins.items()}


@dataclass
class Generated:
    created: int
    total: int
    population: float
    source: str = INSEE_SOURCE


@transaction.atomic
def generate(survey: Survey, variables: list[str], total: int, *, close_when_full: bool = False) -> Generated:
    """Replace the survey's quotas by targets proportional to the INSEE population of every cell
    crossing ``variables``, rounded (largest remainder) so that they sum to ``total``."""
    if total < 1:
        raise QuotaInputError(_("La taille d'échantillon doit être un nombre entier positif."), "total")
    cells = insee_cells(survey.process, variables)
    try:
        targets = allocate(cells, total)
    except QuotaError as exc:
        raise QuotaInputError(str(exc), "total") from None
    survey.quotas.all().delete()
    Quota.objects.bulk_create([
        Quota(survey=survey, cell=dict(zip(variables, key, strict=True)), key=cell_key(dict(zip(variables, key, strict=True))),
              target=targets[key], close_when_full=close_when_full, source=Quota.Source.INSEE, population=cells[key])
        for key in cells
    ])
    return Generated(created=len(cells), total=total, population=sum(cells.values()))


# ---------------------------------------------------------------------------------------------
# Fill rates


def _territory_ids(quotas) -> dict[tuple[str, str], int]:
    """(variable, territory code) → id for the zone/EPCI categories the quotas use."""
    wanted = {(v, c) for q in quotas for v, c in q.cell.items() if v in ("zone", "epci")}
    if not wanted:
        return {}
    levels = {"zone": Level.ZONE, "epci": Level.EPCI}
    rows = Territory.objects.filter(level__in=[levels[v] for v, _c in wanted],
                                    code__in=[c for _v, c in wanted]).values_list("level", "code", "id")
    back = {Level.ZONE: "zone", Level.EPCI: "epci"}
    return {(back[level], code): pk for level, code, pk in rows}


def _matches(row: dict, cell: dict, ids: dict) -> bool:
    for variable, category in cell.items():
        value = row[VARIABLES[variable]]
        # A territory code that no longer exists matches nothing (not the responses without one).
        expected = ids.get((variable, category), -1) if variable in ("zone", "epci") else category
        if value != expected:
            return False
    return True


def fill_rates(survey: Survey) -> dict:
    """Each quota's target, submitted responses, fill rate, remaining and screened-out respondents.

    One grouped query on Response (status × the variables the quotas use). Output:
    ``{"cells": [{"id", "cell", "label", "target", "count", "fill_rate", "remaining", "screened_out",
    "close_when_full", "full", "source", "population"}], "total": {...same sums..., "submitted"},
    "simulated": submitted simulated responses}``; ``fill_rate`` is
    count / target (None for a zero target) and may exceed 1 (over-filled cells are not capped)."""
    quotas = list(survey.quotas.order_by("key"))
    used = sorted({v for q in quotas for v in q.cell}, key=list(VARIABLES).index)
    columns = [VARIABLES[v] for v in used]
    groups = []
    if quotas:
        groups = list(Response.objects.filter(survey=survey, status__in=COUNTED)
                      .values("status", "simulated", *columns).annotate(n=Count("id")).order_by())
    ids = _territory_ids(quotas)
    names = category_names(survey, used)
    cells = []
    for quota in quotas:
        count = screened = 0
        for row in groups:
            if _matches(row, quota.cell, ids):
                if row["status"] == Response.Status.SUBMITTED:
                    count += row["n"]
                else:
                    screened += row["n"]
        cells.append({
            "id": quota.pk, "cell": dict(quota.cell), "label": describe(survey, quota.cell, names), "target": quota.target,
            "count": count, "fill_rate": count / quota.target if quota.target else None,
            "remaining": max(quota.target - count, 0), "screened_out": screened,
            "close_when_full": quota.close_when_full, "full": count >= quota.target, "source": quota.source,
            "population": quota.population,
        })
    target = sum(c["target"] for c in cells)
    count = sum(c["count"] for c in cells)
    submitted = sum(r["n"] for r in groups if r["status"] == Response.Status.SUBMITTED)
    total = {"target": target, "count": count, "fill_rate": count / target if target else None,
             "remaining": sum(c["remaining"] for c in cells), "screened_out": sum(c["screened_out"] for c in cells),
             "submitted": submitted}
    simulated = sum(r["n"] for r in groups if r["status"] == Response.Status.SUBMITTED and r["simulated"])
    return {"cells": cells, "total": total, "simulated": simulated}


# ---------------------------------------------------------------------------------------------
# Screen-out


def _profile_value(variable: str, profile: dict):
    value = profile.get(variable)
    if variable in ("zone", "epci"):
        return getattr(value, "code", None)
    return value or None


def matching_closed_quotas(survey: Survey, profile: dict):
    """Quotas closed when full whose cell holds a respondent with these profile columns
    (``services.profile_columns``: age_band, sex, profile_status codes; zone, epci territories)."""
    values = {v: _profile_value(v, profile) for v in VARIABLES}
    return [q for q in survey.quotas.filter(close_when_full=True)
            if all(values[v] is not None and values[v] == c for v, c in q.cell.items())]


def cell_count(survey: Survey, cell: dict, profile: dict | None = None) -> int:
    """Submitted responses in ``cell`` (one COUNT through the ``response_quota_cells`` index).
    ``profile`` (of a respondent in the cell) gives the zone/EPCI ids, saving a join."""
    filters = {}
    for variable, category in cell.items():
        if variable in ("zone", "epci"):
            place = (profile or {}).get(variable)
            if place is not None and place.code == category:
                filters[f"{variable}_id"] = place.pk
            else:
                filters[f"{variable}__code"] = category
        else:
            filters[variable] = category
    return Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED, **filters).count()


def full_quota(survey: Survey, profile: dict, *, lock: bool = False) -> Quota | None:
    """The first closed-when-full quota of the respondent's cell that is full, else None.

    With ``lock`` (inside a transaction) the matching quota rows are locked first, so two
    submissions in the same cell are counted one after the other and the cell never overfills."""
    matching = matching_closed_quotas(survey, profile)
    if lock and matching:
        list(Quota.objects.select_for_update().filter(pk__in=[q.pk for q in matching]).order_by("pk"))
    for quota in matching:
        if cell_count(survey, quota.cell, profile) >= quota.target:
            return quota
    return None


def collection_progress(process) -> list[dict]:
    """Open surveys of ``process`` with their submitted responses and, when they have quotas, the quota
    total and its fill rate (for the team home): ``[{"survey", "submitted", "target", "fill_rate",
    "cells_behind"}]``; ``target`` is None without quotas; ``cells_behind``: quota cells under half full."""
    rows = []
    for survey in Survey.objects.filter(process=process, status=Survey.Status.OPEN).order_by("title_fr"):
        submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED).count()
        rates = fill_rates(survey)
        target = rates["total"]["target"] or None
        rows.append({
            "survey": survey, "submitted": submitted, "target": target,
            "fill_rate": rates["total"]["fill_rate"] if target else None,
            "cells_behind": sum(1 for c in rates["cells"] if c["fill_rate"] is not None and c["fill_rate"] < 0.5),
        })
    return rows
