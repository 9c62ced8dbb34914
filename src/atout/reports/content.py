"""What each report shows, gathered from the apps that own it — never recomputed differently.

Each builder returns a plain template context. Figures come from the same functions as the pages:
``diagnostic.analysis`` (portrait, indicators, benchmark, findings), ``diagnostic.compass`` (the
compass and its Monte Carlo rank interval), ``diagnostic.maps`` and ``territories.maps`` (SVG maps),
``consultation.results`` (survey shares and intervals, small cells suppressed), ``fieldwork`` (sessions,
theme runs), ``strategy`` (SWOT) and ``actions`` (roll-up, budget, KPIs).

``progress(percent, message)`` is called between sections; percentages stay below 80 (rendering the
PDF takes the rest).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from atout.actions import services as action_services
from atout.actions.charts import gantt, kpi_chart
from atout.consultation import results
from atout.consultation.models import Response, Survey
from atout.diagnostic import analysis
from atout.diagnostic.catalogue_store import current_catalogue
from atout.diagnostic.compass import INDEX, RADAR_HIGH, RADAR_LOW, radar_points
from atout.diagnostic.compass import compass as build_compass
from atout.diagnostic.maps import choropleth
from atout.diagnostic.models import ImportBatch, Indicator
from atout.diagnostic.portrait import DOMAIN_LABELS, ORIGINS, PORTRAIT
from atout.engine.formats.errors import FormatError
from atout.engine.sources import SOURCES
from atout.engine.theme_labels import describe_run
from atout.fieldwork.models import (
    Contribution,
    Excerpt,
    ParticipantGroup,
    Session,
    ThemeAssignment,
    ThemeRun,
)
from atout.fieldwork.themeruns import run_sources, unit_texts
from atout.processes.models import Process
from atout.sectors import services
from atout.sectors.models import Filiere
from atout.strategy import perception as comparison
from atout.strategy.models import SwotItem
from atout.territories.maps import zone_map
from atout.territories.models import Level, Territory
from atout.territories.services import geography_loaded

Progress = Callable[[int, str], None]

#: Indicators mapped by commune in the diagnostic report (those of the catalogue, in this order).
MAP_INDICATORS = ["density", "population_growth", "share_75_plus", "median_income", "unemployment_rate",
                  "second_home_share"]
#: Points of a map closer than this (SVG units: 0.1–0.2 mm each on paper) are merged.
MAP_STEP = 2.5
#: Figures of a sub-territory fact sheet, compared with the whole territory.
FACTSHEET_FIGURES = PORTRAIT
#: Theme sizes below this are not shown: the value of ``atout.fieldwork.themeruns.SMALL_CELL``, not
#: imported because that module loads the French language pipeline (~20 s); a test checks they agree.
THEME_SMALL_CELL = 10
#: Words kept from a quote in a report.
QUOTE_WORDS = 45
DOCS_METHODS = Path(__file__).resolve().parents[3] / "docs" / "methods"


def _noop(percent: int, message: str) -> None:
    return None


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


_POINT = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")


def thin_path(d: str, step: float = 1.0) -> str:
    """An SVG path of M/L/Z commands with points closer than ``step`` (user units) to the last kept one
    dropped; every ring keeps its first and last point. At the size maps are printed, 1 unit is about
    0.2 mm: the drawing is unchanged to the eye, and the PDF is much lighter to lay out."""
    rings = []
    for ring in d.split("M")[1:]:
        points = [(float(x), float(y)) for x, y in _POINT.findall(ring)]
        if len(points) < 4:
            rings.append("M" + ring.strip())
            continue
        kept = [points[0]]
        for x, y in points[1:-1]:
            if abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= step:
                kept.append((x, y))
        kept.append(points[-1])
        if len(kept) < 4:  # a tiny ring: keep it whole rather than flatten it
            kept = points
        rings.append("M" + " L".join(f"{x:g},{y:g}" for x, y in kept) + " Z")
    return " ".join(rings)


def _thin_map(chart, step: float = 1.0):
    if chart is None:
        return None
    for area in chart.areas:
        area.path = thin_path(area.path, step)
    if hasattr(chart, "communes"):
        chart.communes = [thin_path(p, step) for p in chart.communes]
        chart.outline = thin_path(chart.outline, step) if chart.outline else ""
    return chart


def licence_of(source: str) -> str:
    """The licence of a statistics source named in the catalogue (see the data folder's README)."""
    if source.startswith("PTOD"):
        return _("données ouvertes INSEE, URSSAF, DVF recalculées par l'observatoire PTOD (aucun fichier de licence publié)")
    if source.startswith("INSEE"):
        return _("Licence Ouverte 2.0 (Etalab)")
    return _("voir la source")


# --------------------------------------------------------------------------- diagnostic sections


def portrait(process: Process) -> dict:
    territory = process.territory
    catalogue = current_catalogue()
    codes = [c for c in PORTRAIT if c in catalogue]
    table = analysis.figures([territory], codes, catalogue=catalogue)
    labels = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    facts = [{"indicator": labels[c], "figure": table[territory.pk, c], "origin": ORIGINS[table[territory.pk, c].origin]}
             for c in codes]
    zones = list(process.subterritories.order_by("name"))
    return {"facts": facts, "zones": zones,
            "map": _thin_map(zone_map(territory, zones), MAP_STEP) if geography_loaded() and zones else None,
            "communes": territory.communes().count(), "population": territory.computed_population()}


#: Names of the catalogue's themes (its YAML files).
THEME_LABELS = {"demography": gettext_lazy("Démographie"), "economy": gettext_lazy("Économie"),
                "employment": gettext_lazy("Emploi"), "equipment": gettext_lazy("Équipements"),
                "housing": gettext_lazy("Logement"), "income": gettext_lazy("Revenus"),
                "tourism": gettext_lazy("Tourisme")}


def indicator_tables(process: Process) -> list[dict]:
    """Every catalogue indicator for the territory, by theme (as the indicators page)."""
    territory = process.territory
    rows = list(Indicator.objects.all())
    table = analysis.figures([territory], [r.code for r in rows], catalogue=current_catalogue())
    themes: dict[str, list] = {}
    for row in rows:
        figure = table[territory.pk, row.code]
        if figure.value is not None:
            themes.setdefault(row.theme, []).append({"indicator": row, "figure": figure})
    return [{"theme": THEME_LABELS.get(theme, theme), "rows": items} for theme, items in themes.items()]


def indicator_maps(process: Process, codes: list[str] | None = None) -> list[dict]:
    """Commune choropleths of a few key indicators (the indicator page's map at commune level)."""
    territory = process.territory
    communes = list(territory.communes().order_by("code"))
    catalogue = current_catalogue()
    wanted = [c for c in (codes or MAP_INDICATORS) if c in catalogue]
    table = analysis.figures(communes, wanted, catalogue=catalogue)  # one pass for every map
    own = analysis.figures([territory], wanted, catalogue=catalogue)
    labels = {i.code: i for i in Indicator.objects.filter(code__in=wanted)}
    maps = []
    for code in wanted:
        values = [table[c.pk, code].value for c in communes]
        if all(v is None for v in values):
            continue
        chart = _thin_map(choropleth(list(zip(communes, values, strict=True)), width=420), MAP_STEP)
        if chart is None:
            continue
        maps.append({"indicator": labels[code], "map": chart, "own": own[territory.pk, code],
                     "known": sum(1 for v in values if v is not None), "total": len(communes)})
    return maps


def benchmark(process: Process, peers: str = "departements") -> dict:
    territory = process.territory
    if territory.level != Level.DEPARTEMENT:
        return {"rows": [], "basis": "", "error": _("La comparaison entre départements s'applique aux démarches "
                                                        "départementales ; voir les constats par sous-territoire.")}
    try:
        table, basis = analysis.departement_benchmark(territory, peers)
    except ValueError:
        return {"rows": [], "basis": "", "error": _("Les indicateurs départementaux (PTOD) ne sont pas encore importés.")}
    labels = {i.code: i for i in Indicator.objects.filter(code__in=list(table["indicator"]))}
    rows = [{**r, "entry": labels[r["indicator"]]} for r in table.to_dict("records")
            if not (isinstance(r["value"], float) and math.isnan(r["value"]))]
    return {"rows": rows, "basis": basis, "error": ""}


def rank_interval_chart(nominal: int, median: float, low: float, high: float, of: int, *, width: int = 520) -> dict:
    """A rank scale 1 (left, best) … ``of``: the 5–95 % interval as a bar, the median and nominal rank as marks."""
    left, right = 20.0, width - 20.0

    def x(rank: float) -> str:
        return f"{left + (right - left) * (rank - 1) / max(of - 1, 1):.1f}"

    ticks = sorted({1, of, *range(10, of, 10)})
    return {"width": width, "height": 70, "left": f"{left:.1f}", "right": f"{right:.1f}",
            "low": x(low), "high": x(high), "median": x(median), "nominal": x(nominal),
            "ticks": [{"x": x(t), "label": str(t)} for t in ticks]}


def compass_section(process: Process) -> dict:
    """The compass page's content: scores by OECD domain, radar, ranks and the index's rank interval."""
    territory = process.territory
    if territory.level != Level.DEPARTEMENT:
        return {"error": _("La boussole compare des départements : elle s'applique aux démarches départementales.")}
    ptod = analysis.ptod_table()
    if ptod is None:
        return {"error": _("Les indicateurs départementaux (PTOD) ne sont pas encore importés.")}
    try:
        result = build_compass(ptod, current_catalogue(), territory.code)
    except ValueError as exc:
        return {"error": str(exc)}
    labels = {i.code: i for i in Indicator.objects.filter(code__in=[c for v in result.indicators.values() for c in v])}
    count = len(result.domains)
    axes = []
    for i, domain in enumerate(result.domains):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        axes.append({"x": f"{160 + 120 * math.cos(angle):.1f}", "y": f"{160 + 120 * math.sin(angle):.1f}",
                     "lx": f"{160 + 140 * math.cos(angle):.1f}", "ly": f"{160 + 140 * math.sin(angle):.1f}",
                     "anchor": "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end"),
                     "label": DOMAIN_LABELS[domain]})
    rows = [{"label": DOMAIN_LABELS[d], "score": result.scores[d], "france": result.france.get(d),
             "median": result.median[d], "rank": result.ranks[d],
             "indicators": [labels[c] for c in result.indicators[d]]} for d in result.domains]
    interval = result.interval
    return {
        "error": "", "result": result, "axes": axes, "rows": rows,
        "index": {"score": result.scores[INDEX], "france": result.france.get(INDEX), "rank": result.ranks[INDEX]},
        "territory_points": radar_points(result.scores, result.domains),
        "france_points": radar_points(result.france, result.domains),
        "median_points": radar_points(result.median, result.domains),
        "rings": [{"r": f"{120 * (f - RADAR_LOW) / (RADAR_HIGH - RADAR_LOW):.1f}", "label": f,
                   "y": f"{160 - 120 * (f - RADAR_LOW) / (RADAR_HIGH - RADAR_LOW) - 2:.1f}"} for f in (40, 50, 60, 70)],
        "interval_chart": rank_interval_chart(result.ranks[INDEX], interval["median"], interval["q05"], interval["q95"],
                                              result.of),
    }


def findings_for_places(places: list[Territory], peers: str = "departements") -> tuple[list[dict], list]:
    sections, problems = [], []
    language = _language()
    for place in places:
        try:
            result = analysis.findings_for(place, peers)
        except (ValueError, FormatError) as exc:
            problems.append((place, str(exc)))
            continue
        items = [{**f, "text": f["statement"].get(language) or f["statement"].get("fr")} for f in result["findings"]]
        sections.append({"territory": place, "basis": result["basis"],
                         "strengths": [f for f in items if f["kind"] == "strength"],
                         "weaknesses": [f for f in items if f["kind"] == "weakness"],
                         "neutral": len([f for f in items if f["kind"] == "neutral"])})
    return sections, problems


def _bar(option: dict) -> dict | None:
    """A share and its 95 % interval on a 0–100 scale, for a bar drawn in the table row (None when suppressed)."""
    if option["suppressed"] or option["share"] is None:
        return None

    def clip(value: float) -> str:
        return f"{100 * max(0.0, min(1.0, value)):.1f}"

    return {"w": clip(option["share"]), "lo": clip(option["low"]), "hi": clip(option["high"])}


def surveys(process: Process) -> list[dict]:
    """Each survey with answers: its base, weighting, and per question shares with 95 % intervals."""
    found = []
    for survey in Survey.objects.filter(process=process).order_by("pk"):
        data = results.cached_results(survey, language=_language())
        if not data["n"]:
            continue
        questions = []
        for q in data["questions"]:
            entry = {"label": q["label"], "name": q["name"]}
            if "frequencies" in q:
                freq = q["frequencies"]
                options = [{**o, "margin": None if o["suppressed"] or o["low"] is None else (o["high"] - o["low"]) / 2,
                            "bar": _bar(o)} for o in freq["options"]]
                entry["frequencies"] = {**freq, "options": options}
            elif "mean" in q:
                entry.update({"mean": q["mean"], "nps": q.get("nps")})
            else:
                continue
            questions.append(entry)
        found.append({"survey": survey, "title": survey.title(_language()), "data": data, "questions": questions,
                      "hexagon": data.get("hexagon", [])})
    return found


def themes(process: Process) -> dict | None:
    """The theme analysis a report shows: the latest finished run, published ones first. Quotes come from
    contributions and anonymous open survey answers (transcript paragraphs stay in the team's tools); a
    theme whose representative quotes are all transcript paragraphs shows its strongest such texts."""
    # The run's pickled state and JSON summary can weigh megabytes: the report needs neither.
    run = (process.theme_runs.filter(status=ThemeRun.Status.DONE).defer("state", "result")
           .order_by("-published", "-created", "-pk").first())
    if run is None:
        return None
    rows = []
    for t in run.themes.all():
        quotes = [q for q, u in zip(t.quotes, t.quote_ids, strict=False) if _quotable(u)]
        if not quotes:
            units = [u for u in ThemeAssignment.objects.filter(theme=t).order_by("-strength", "unit")
                     .values_list("unit", flat=True)[:20] if _quotable(u)][:QUOTES_PER_THEME]
            texts = unit_texts(units)
            quotes = [texts[u]["text"] for u in units if u in texts]
        quotes = [_words(q, QUOTE_WORDS) for q in quotes if str(q).strip()]
        rows.append({"theme": t, "quotes": quotes[:QUOTES_PER_THEME], "small": t.size < THEME_SMALL_CELL})
    # The run's result stays deferred: the number of themes is that of its rows.
    description = describe_run(run.parameters, k=len(rows), texts=run.answers or None, sources=run_sources(run))
    return {"run": run, "rows": rows, "small_cell": THEME_SMALL_CELL, "description": description}


QUOTES_PER_THEME = 2


def _quotable(unit) -> bool:
    """Contributions (``c…``) and anonymous open survey answers (``a…``) may be quoted in a report."""
    return str(unit)[:1] in ("c", "a")


def _words(text: str, count: int) -> str:
    words = re.sub(r"\s+", " ", str(text)).strip().split(" ")
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def fieldwork(process: Process) -> dict:
    """Sessions held (never the named participants), by kind and participant category."""
    sessions = list(Session.objects.filter(process=process).select_related("place")
                    .prefetch_related("participant_groups").order_by("date", "pk"))
    by_kind = Counter(s.get_kind_display() for s in sessions)
    totals: dict[str, int] = {}
    for g in ParticipantGroup.objects.filter(session__process=process):
        totals[g.get_category_display()] = totals.get(g.get_category_display(), 0) + g.count
    return {
        "sessions": sessions, "by_kind": sorted(by_kind.items()), "categories": sorted(totals.items()),
        "participants": sum(totals.values()),
        "excerpts": Excerpt.objects.filter(process=process).count(),
        "contributions": Contribution.objects.filter(process=process).count(),
        "simulated": any(s.simulated for s in sessions),
    }


SWOT_LABELS = {"S": gettext_lazy("Forces"), "W": gettext_lazy("Faiblesses"), "O": gettext_lazy("Opportunités"),
               "T": gettext_lazy("Menaces")}


def swot(process: Process, zone: Territory | None = None) -> list[dict]:
    """Accepted SWOT items by quadrant (the public SWOT board), with how many pieces of evidence back each."""
    items = SwotItem.objects.filter(process=process, status=SwotItem.Status.ACCEPTED).select_related("axis", "subterritory")
    if zone is not None:
        items = items.filter(subterritory=zone)
    board = {kind: [] for kind, _label in SwotItem.Kind.choices}
    for item in items:
        board[item.kind].append({"item": item, "evidence": item.linked_evidence().filter(public=True).count()})
    return [{"kind": kind, "label": SWOT_LABELS[kind], "items": board[kind]} for kind, _label in SwotItem.Kind.choices]


def filieres(process: Process) -> list[dict]:
    """Each filière as on its public page: NAF definition, official figures (or why not), public links."""
    data, problem = services.sector_data(process)
    return [{"filiere": f, "naf": services.naf_rows(f.naf_codes), "figures": services.indicators(f, data, problem),
             **services.linked(f, team=False)} for f in Filiere.objects.filter(process=process)]


def methods(process: Process, *, surveys_shown: list[dict] | None = None, theme_run=None, compass=None) -> dict:
    """The methods appendix: every source with its vintage and licence, imported files, the methods."""
    catalogue = current_catalogue()
    by_source: dict[tuple[str, str], list[str]] = {}
    for entry in catalogue.values():
        by_source.setdefault((entry.source, entry.vintage), []).append(entry.label.get(_language()))
    statistics = [{"source": source, "vintage": vintage, "licence": licence_of(source), "indicators": labels}
                  for (source, vintage), labels in sorted(by_source.items())]
    documents = []
    if DOCS_METHODS.is_dir():
        for path in sorted(DOCS_METHODS.glob("*.md")):
            first = path.read_text(encoding="utf-8").splitlines()[:1]
            title = first[0].lstrip("# ").strip() if first else path.stem
            documents.append({"path": f"docs/methods/{path.name}", "title": title})
    return {"geography": list(SOURCES.values()), "statistics": statistics,
            "batches": list(ImportBatch.objects.order_by("created", "pk")), "documents": documents,
            "surveys": surveys_shown or [], "theme_run": theme_run, "compass": compass}


# --------------------------------------------------------------------------- the three reports


def perception(process: Process) -> tuple[dict | None, str]:
    """Perception vs reality as on the team's page (atout.strategy.perception), or why it is absent."""
    try:
        return comparison.perception_table(process), ""
    except ValueError as exc:  # no mapping, or the survey it names is gone: the report says so
        return None, str(exc)


def diagnostic(process: Process, progress: Progress = _noop) -> dict:
    progress(2, _("Portrait du territoire"))
    context = {"process": process, "territory": process.territory, "generated": timezone.now(),
               "portrait": portrait(process)}
    progress(8, _("Indicateurs"))
    context["indicators"] = indicator_tables(process)
    progress(14, _("Cartes"))
    context["maps"] = indicator_maps(process)
    progress(24, _("Comparaison"))
    context["benchmark"] = benchmark(process)
    progress(30, _("Boussole et intervalles de rang"))
    context["compass"] = compass_section(process)
    progress(45, _("Forces et faiblesses"))
    context["findings"], context["findings_problems"] = findings_for_places(
        [process.territory, *process.subterritories.order_by("code")])
    progress(60, _("Enquêtes"))
    context["surveys"] = surveys(process)
    progress(68, _("Thèmes et terrain"))
    context["themes"] = themes(process)
    context["fieldwork"] = fieldwork(process)
    context["swot"] = swot(process)
    context["filieres"] = filieres(process)
    progress(72, _("Perception et réalité"))
    context["perception"], context["perception_problem"] = perception(process)
    progress(75, _("Annexe méthodologique"))
    context["methods"] = methods(process, surveys_shown=context["surveys"],
                                 theme_run=context["themes"]["run"] if context["themes"] else None,
                                 compass=context["compass"].get("result"))
    return context


class SubjectError(ValueError):
    """The sub-territory asked for a fact sheet is not one of the process's."""


def factsheet_subject(process: Process, reference: str) -> Territory:
    """The EPCI or sub-territory ``reference`` (a code, or ``epci:…`` / ``zone:…``) of ``process``."""
    try:
        territory = Territory.objects.resolve(reference)
    except Territory.DoesNotExist as exc:
        raise SubjectError(_("Territoire inconnu : %(code)s") % {"code": reference}) from exc
    if territory.level == Level.ZONE and process.subterritories.filter(pk=territory.pk).exists():
        return territory
    if territory.level == Level.EPCI and (process.territory.epcis().filter(pk=territory.pk).exists()
                                          or process.subterritories.filter(pk=territory.pk).exists()):
        return territory
    raise SubjectError(_("%(name)s n'est ni un EPCI ni un sous-territoire de la démarche « %(process)s ».")
                       % {"name": territory, "process": process.title})


def factsheet(process: Process, territory: Territory, progress: Progress = _noop) -> dict:
    """Two pages on one EPCI or sub-territory: location, key figures against the whole territory,
    strengths and weaknesses against its peers, and what the process did there."""
    progress(5, _("Chiffres clés"))
    catalogue = current_catalogue()
    codes = [c for c in FACTSHEET_FIGURES if c in catalogue]
    whole = process.territory
    table = analysis.figures([territory, whole], codes, catalogue=catalogue)
    labels = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    figures = [{"indicator": labels[c], "own": table[territory.pk, c], "whole": table[whole.pk, c]} for c in codes]
    progress(25, _("Carte"))
    location = _thin_map(zone_map(whole, [territory]), MAP_STEP) if geography_loaded() else None
    progress(40, _("Forces et faiblesses"))
    sections, problems = findings_for_places([territory])
    progress(60, _("Démarche"))
    plan, _rows = action_services.plan_of(process)
    rollup = action_services.engine.roll_up(plan, action_services.today())
    communes = territory.communes()
    responses = Response.objects.filter(survey__process=process, status=Response.Status.SUBMITTED)
    zone_field = {"zone": territory} if territory.level == Level.ZONE else {"epci": territory}
    return {
        "process": process, "territory": territory, "whole": whole, "generated": timezone.now(),
        "figures": figures, "map": location, "communes": communes.count(),
        "population": territory.computed_population(), "findings": sections[0] if sections else None,
        "findings_problem": problems[0][1] if problems else "",
        "progress": rollup.subterritories.get(territory.code),
        "responses": responses.filter(**zone_field).count(),
        "sessions": Session.objects.filter(process=process, place__in=communes).count(),
        "swot": swot(process, zone=territory) if territory.level == Level.ZONE else [],
    }


def monitoring(process: Process, progress: Progress = _noop) -> dict:
    """The team dashboard of the action plan, on paper: progress, budget by axis, KPIs, timeline, late actions."""
    progress(5, _("Avancement"))
    plan, rows = action_services.plan_of(process)
    today = action_services.today()
    rollup = action_services.engine.roll_up(plan, today)
    axes, totals = action_services.budget_by_axis(process, plan, rollup)
    progress(30, _("Indicateurs de suivi"))
    kpis = []
    for status in action_services.kpi_statuses(process):
        kpi = status["kpi"]
        points = [(m.year, m.value) for m in status["measurements"]]
        kpis.append({**status, "chart": kpi_chart(kpi.trajectory, points, width=360, height=190),
                     "rows": [{"year": m.year, "value": m.value, "expected": kpi.trajectory.expected(m.year),
                               "source": m.source} for m in status["measurements"]]})
    progress(55, _("Calendrier"))
    order = []

    def walk(action_id):
        order.append(action_id)
        for child in plan.children[action_id]:
            walk(child)

    for root in plan.roots:
        walk(root)
    timeline_rows = [{"code": a, "title": rows[a].title, "depth": plan.depth(a), "start": rows[a].start,
                      "end": rows[a].end, "progress": rollup.actions[a], "late": a in rollup.late,
                      "status": rows[a].get_status_display(), "url": ""} for a in order]
    zones = [{"zone": z, "progress": rollup.subterritories.get(z.code)} for z in process.subterritories.order_by("name")]
    timeline = gantt(timeline_rows, today, width=760, row_height=18)
    return {
        "process": process, "territory": process.territory, "generated": timezone.now(), "today": today,
        "axes": axes, "totals": totals, "kpis": kpis, "timeline": timeline,
        "timeline_height_mm": f"{180 * timeline['height'] / timeline['width']:.1f}",
        "timeline_rows": timeline_rows, "late": [rows[a] for a in rollup.late],
        "off_track": [k for k in kpis if k["off_track"]], "zones": zones,
        "example": any(a.example for a in rows.values()), "actions": len(rows),
    }
