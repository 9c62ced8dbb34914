"""Diagnostic pages of a process: portrait, indicators with maps, benchmark, findings, import.

Every figure shown carries its source and vintage; every map has an accessible table and a CSV download.
"""

from __future__ import annotations

import csv
import math

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atout.core import access
from atout.core.contracts import provider
from atout.engine.formats.cells import safe_row
from atout.engine.formats.errors import FormatError
from atout.processes.roles import has_role
from atout.territories.models import Level, Territory

from . import analysis, neighbours
from .catalogue_store import current_catalogue
from .compass import INDEX, RADAR_HIGH, RADAR_LOW, radar_points
from .compass import compass as build_compass
from .forms import ImportForm
from .imports import import_file
from .maps import choropleth
from .models import ImportBatch, Indicator
from .portrait import DOMAIN_LABELS, MAP_LEVELS, ORIGINS, PORTRAIT, THEME_LABELS
from .summary import summary as build_summary

PEERS = {
    "departements": gettext_lazy("tous les départements"),
    "region": gettext_lazy("départements de la région"),
    "similar": gettext_lazy("départements les plus semblables"),
}


def _indicator(code: str) -> Indicator:
    current_catalogue()  # fills the table from the YAML catalogue on first use
    try:
        return Indicator.objects.get(code=code)
    except Indicator.DoesNotExist as exc:
        raise Http404(_("Indicateur inconnu : %(code)s") % {"code": code}) from exc


def _has_data() -> bool:
    return ImportBatch.objects.exists()


@access.public
def portrait(request, slug):
    process = request.process
    territory = process.territory
    catalogue = current_catalogue()
    codes = [c for c in PORTRAIT if c in catalogue]
    table = analysis.figures([territory], codes, catalogue=catalogue)
    facts = [{"indicator": Indicator.objects.get(code=c), "figure": table[territory.pk, c],
              "origin": ORIGINS[table[territory.pk, c].origin]} for c in codes]
    return render(request, "diagnostic/portrait.html", {
        "process": process, "territory": territory, "facts": facts, "has_data": _has_data(),
        "batches": ImportBatch.objects.all()[:10],
    })


@access.public
def indicators(request, slug):
    process = request.process
    territory = process.territory
    catalogue = current_catalogue()
    rows = list(Indicator.objects.all())
    table = analysis.figures([territory], [r.code for r in rows], catalogue=catalogue)
    themes: dict[str, list] = {}
    for row in rows:
        themes.setdefault(THEME_LABELS.get(row.theme, row.theme), []).append({"indicator": row, "figure": table[territory.pk, row.code]})
    return render(request, "diagnostic/indicators.html", {
        "process": process, "territory": territory, "themes": themes, "has_data": _has_data(),
    })


def _map_level(request) -> str:
    level = request.GET.get("niveau", "commune")
    return level if level in MAP_LEVELS else "commune"


def _map_territories(process, level: str) -> list[Territory]:
    territory = process.territory
    if level == "commune":
        return list(territory.communes().order_by("code"))
    if level == "epci":
        return list(territory.epcis())
    if level == "zone":
        return list(process.subterritories.order_by("code"))
    return list(Territory.objects.filter(level=Level.DEPARTEMENT).exclude(contour="").order_by("code"))


def _map_rows(process, indicator: Indicator, level: str) -> list[dict]:
    territories = _map_territories(process, level)
    values = analysis.values_for(territories, indicator.code)
    return [{"territory": t, "figure": values[t.pk], "origin": ORIGINS[values[t.pk].origin]} for t in territories]


@access.public
def indicator(request, slug, code):
    process = request.process
    entry = _indicator(code)
    level = _map_level(request)
    rows = _map_rows(process, entry, level)
    chart = choropleth([(r["territory"], r["figure"].value) for r in rows])
    own = analysis.value_of(process.territory, entry.code)
    return render(request, "diagnostic/indicator.html", {
        "process": process, "indicator": entry, "level": level, "levels": MAP_LEVELS, "rows": rows,
        "map": chart, "own": own, "own_origin": ORIGINS[own.origin],
        "level_label": MAP_LEVELS[level], "has_data": any(r["figure"].value is not None for r in rows),
    })


@access.public
def indicator_csv(request, slug, code):
    process = request.process
    entry = _indicator(code)
    level = _map_level(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{process.slug}-{entry.code}-{level}.csv"'
    writer = csv.writer(response)
    writer.writerow(["code", "name", "level", "indicator", "value", "unit", "coverage", "population_coverage",
                     "origin", "year", "source"])
    # Names and sources are text from imported files: no cell may start a spreadsheet formula.
    for row in _map_rows(process, entry, level):
        figure, territory = row["figure"], row["territory"]
        writer.writerow(safe_row([territory.code, territory.name, territory.level, entry.code,
                                  "" if figure.value is None else repr(figure.value), entry.unit, figure.coverage,
                                  "" if figure.population_coverage is None else figure.population_coverage,
                                  figure.origin, figure.year or "", figure.source]))
    return response


def _peers(request) -> str:
    peers = request.GET.get("pairs", "departements")
    return peers if peers in PEERS else "departements"


@access.public
def benchmark(request, slug):
    process = request.process
    territory = process.territory
    peers = _peers(request)
    rows, basis, error = [], "", ""
    if territory.level != Level.DEPARTEMENT:
        error = _("La comparaison entre départements s'applique aux démarches départementales ; "
                  "voir les constats par sous-territoire.")
    else:
        try:
            table, basis = analysis.departement_benchmark(territory, peers)
        except ValueError:
            error = _("Les indicateurs départementaux (PTOD) ne sont pas encore importés.")
        else:
            labels = {i.code: i for i in Indicator.objects.filter(code__in=list(table["indicator"]))}
            rows = [{**r, "entry": labels[r["indicator"]]} for r in table.to_dict("records")
                    if not (isinstance(r["value"], float) and math.isnan(r["value"]))]
    return render(request, "diagnostic/benchmark.html", {
        "process": process, "territory": territory, "peers": peers, "peer_sets": PEERS, "rows": rows,
        "basis": basis, "error": error, "neighbours": neighbours.comparison(territory) if not error else None,
    })


@access.public
def findings(request, slug):
    process = request.process
    territory = process.territory
    peers = _peers(request)
    sections, problems, tables = [], [], {}
    for place in [territory, *process.subterritories.order_by("code")]:
        try:
            result = analysis.findings_for(place, peers, tables=tables)
        except (ValueError, FormatError) as exc:
            problems.append((place, str(exc)))
            continue
        items = result["findings"]
        sections.append({"territory": place, "basis": result["basis"],
                         "strengths": [f for f in items if f["kind"] == "strength"],
                         "weaknesses": [f for f in items if f["kind"] == "weakness"],
                         "neutral": [f for f in items if f["kind"] == "neutral"]})
    return render(request, "diagnostic/findings.html", {
        "process": process, "peers": peers, "peer_sets": PEERS, "sections": sections, "problems": problems,
        "language": "en" if (request.LANGUAGE_CODE or "fr").startswith("en") else "fr",
    })


@access.public
def compass(request, slug):
    process = request.process
    territory = process.territory
    result, error = None, ""
    ptod = analysis.ptod_table() if territory.level == Level.DEPARTEMENT else None
    if territory.level != Level.DEPARTEMENT:
        error = _("La boussole compare des départements : elle s'applique aux démarches départementales.")
    elif ptod is None:
        error = _("Les indicateurs départementaux (PTOD) ne sont pas encore importés.")
    # Weighting of the domains: equal (default) or from the stakeholders' priorities, which the strategy
    # app (above this one) provides through its contract.
    weighting = "priorites" if request.GET.get("ponderation") == "priorites" else "egale"
    composite_weights = provider("compass.priority_weights")
    priority_weights = composite_weights(process) if weighting == "priorites" and composite_weights else {}
    weighting_notice = ""
    if weighting == "priorites" and not priority_weights:
        weighting_notice = _("Pas encore de priorités des acteurs rattachées aux piliers de la boussole : "
                             "pondération égale affichée.")
        weighting = "egale"
    if territory.level == Level.DEPARTEMENT and ptod is not None:
        try:
            result = build_compass(ptod, current_catalogue(), territory.code, weights=priority_weights or None)
        except ValueError as exc:
            error = str(exc)
    context = {"process": process, "territory": territory, "result": result, "error": error,
               "weighting": weighting, "weighting_notice": weighting_notice,
               "priorities_url": reverse("strategy:priorities", kwargs={"slug": process.slug})}
    if result is not None:
        labels = {i.code: i for i in Indicator.objects.filter(code__in=[c for v in result.indicators.values() for c in v])}
        count = len(result.domains)
        axes = []
        for i, domain in enumerate(result.domains):
            angle = -math.pi / 2 + 2 * math.pi * i / count
            axes.append({"x": 160 + 120 * math.cos(angle), "y": 160 + 120 * math.sin(angle),
                         "lx": 160 + 140 * math.cos(angle), "ly": 160 + 140 * math.sin(angle),
                         "anchor": "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end"),
                         "label": DOMAIN_LABELS[domain]})
        rows = [{"label": DOMAIN_LABELS[d], "score": result.scores[d], "france": result.france.get(d),
                 "median": result.median[d], "rank": result.ranks[d],
                 "indicators": [labels[c] for c in result.indicators[d]]} for d in result.domains]
        context.update({
            "axes": axes, "rows": rows, "index": INDEX,
            "weights": [{"label": DOMAIN_LABELS[d], "weight": result.weights[d]} for d in result.domains],
            "territory_points": radar_points(result.scores, result.domains),
            "france_points": radar_points(result.france, result.domains),
            "median_points": radar_points(result.median, result.domains),
            "rings": [{"r": 120 * (f - RADAR_LOW) / (RADAR_HIGH - RADAR_LOW), "label": f,
                       "y": 160 - 120 * (f - RADAR_LOW) / (RADAR_HIGH - RADAR_LOW) - 2} for f in (40, 50, 60, 70)],
        })
    return render(request, "diagnostic/compass.html", context)


@access.public
def summary(request, slug):
    """The one-page summary for elected officials; the team can have it as a PDF (reports app)."""
    process = request.process
    return render(request, "diagnostic/summary.html", {
        **build_summary(process), "is_team": request.user.is_authenticated and has_role(request.user, process, "team"),
    })


@access.team
def import_data(request, slug):
    process = request.process
    result, problems, error = None, [], ""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_file(upload.name, form.cleaned_data["format"], data=upload.read(),
                                     source=form.cleaned_data["source"], user=request.user)
            except FormatError as exc:
                error = exc.message
                problems = exc.problems or [exc]
            else:
                form = ImportForm()
    else:
        form = ImportForm()
    status = 400 if request.method == "POST" and (problems or form.errors) else 200
    return render(request, "diagnostic/import.html", {
        "process": process, "form": form, "result": result, "problems": problems, "error": error,
        "batches": ImportBatch.objects.all()[:20],
    }, status=status)
