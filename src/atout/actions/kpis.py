"""KPIs from any measure: catalogue indicators, barometer waves, engagement figures, imported series.

:func:`refresh_kpis` writes each KPI's yearly measurements from its source (one per year, replaced
when recomputed):

- ``indicator``: the catalogue indicator's observations for the process's territory;
- ``survey``: the measure ``metric`` of each closed wave of the barometer (a proportion in %, a mean
  in its unit, an NPS in points), for the wave's year; a wave where the measure is suppressed (too
  few respondents) or not asked writes nothing;
- ``engagement``: a participation count of the process per calendar year (:data:`ENGAGEMENT_METRICS`);
- ``series``: values imported or typed in by the team, left as they are.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear

from atout.consultation import barometer
from atout.consultation.models import Response, Wave
from atout.diagnostic.models import Observation
from atout.opinion.models import Vote

from .models import Kpi, KpiSource, Measurement

#: Engagement figures a KPI can follow: code → French label.
ENGAGEMENT_METRICS = {
    "survey_responses": "Réponses aux questionnaires de la démarche",
    "opinion_votes": "Votes dans les conversations de la démarche",
}


def _survey_values(kpi: Kpi) -> tuple[list[tuple[int, float, str]], str]:

    if kpi.survey_id is None or not kpi.metric:
        return [], "no barometer or measure named"
    values = []
    form = barometer._form(kpi.survey)
    for wave in kpi.survey.waves.filter(status=Wave.Status.CLOSED):
        estimate = barometer.metric_estimate(wave, kpi.metric, audience=kpi.audience or None, form=form)
        value = barometer.display_value(estimate)
        if value is None:
            continue
        source = f"Baromètre « {kpi.survey.title_fr} », vague {wave.label} ({estimate.n} répondants)"
        if wave.simulated:
            source += " — données simulées"
        values.append((wave.year, round(value, 2), source))
    return values, ""


def _indicator_values(kpi: Kpi) -> tuple[list[tuple[int, float, str]], str]:

    if not kpi.indicator:
        return [], "no catalogue indicator named"
    by_year: dict[int, tuple[float, str]] = {}
    rows = (Observation.objects.filter(indicator__code=kpi.indicator, territory=kpi.process.territory,
                                       value__isnull=False, year__isnull=False).order_by("year", "pk")
            .values_list("year", "value", "source"))
    for year, value, source in rows:
        by_year[year] = (value, source)  # the latest import of a year wins
    return [(year, value, source[:300]) for year, (value, source) in sorted(by_year.items())], ""


def _engagement_values(kpi: Kpi) -> tuple[list[tuple[int, float, str]], str]:

    if kpi.metric == "survey_responses":
        rows = (Response.objects.filter(survey__process=kpi.process, status=Response.Status.SUBMITTED,
                                         submitted_at__isnull=False)
                .annotate(y=ExtractYear("submitted_at")).values("y").annotate(n=Count("pk")).values_list("y", "n"))
    elif kpi.metric == "opinion_votes":
        rows = (Vote.objects.filter(statement__conversation__process=kpi.process)
                .annotate(y=ExtractYear("created")).values("y").annotate(n=Count("pk")).values_list("y", "n"))
    else:
        return [], f"unknown engagement figure '{kpi.metric}' (figures: {', '.join(ENGAGEMENT_METRICS)})"
    label = ENGAGEMENT_METRICS[kpi.metric]
    return [(year, float(n), label) for year, n in sorted(r for r in rows if r[0] is not None)], ""


READERS = {KpiSource.INDICATOR: _indicator_values, KpiSource.SURVEY: _survey_values,
           KpiSource.ENGAGEMENT: _engagement_values}


def refresh_kpi(kpi: Kpi) -> dict:
    """Write the KPI's measurements from its source. Output: ``{"kpi", "label", "source", "metric",
    "written": [{"year", "value"}], "note"}``."""
    reader = READERS.get(kpi.source)
    written, note = [], ""
    if reader is None:
        note = "series typed in or imported: nothing to recompute"
    else:
        values, note = reader(kpi)
        with transaction.atomic():
            for year, value, source in values:
                Measurement.objects.update_or_create(kpi=kpi, year=year, defaults={"value": value, "source": source})
                written.append({"year": year, "value": value})
    return {"kpi": kpi.pk, "label": kpi.label, "source": kpi.source, "metric": kpi.metric or kpi.indicator,
            "written": written, "note": note}


def refresh_kpis(process, *, survey=None) -> dict:
    """Refresh every KPI of ``process`` (only those fed by ``survey`` when given)."""
    kpis = Kpi.objects.filter(process=process).select_related("survey", "process__territory").order_by("pk")
    if survey is not None:
        kpis = kpis.filter(source=KpiSource.SURVEY, survey=survey)
    return {"process": process.slug, "kpis": [refresh_kpi(k) for k in kpis]}
