"""Barometers: a survey repeated in waves, each wave's figures, the change between two waves, trends.

Between the stored waves and :mod:`atout.engine.barometer` (estimates, Newcombe / Welch intervals on
Kish effective bases, trends) and :mod:`atout.engine.banks.notoriety` (the notoriety and image
question bank, its audiences and its standard measures). Used by ``atout barometer``, the API and
the team's barometer page.

A wave's respondents are the submitted responses stamped with it; while a wave is open, the
submitted responses not yet stamped count as its own (they are stamped when it closes). Weights are
the responses' stored weights when every respondent of the wave has one (each wave is weighted on
its own), else the wave is read unweighted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from types import SimpleNamespace

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from atout.core.contracts import provider
from atout.engine import barometer as engine
from atout.engine.banks import notoriety
from atout.engine.formats.xlsform import Form
from atout.territories.models import Level, Territory

from . import services
from .models import Answer, Response, Survey, Wave
from .structure import text

#: Question types read as a mean when the question bank has no measure for them.
_MEAN_TYPES = ("likert", "score", "integer", "decimal")
_CHOICE_TYPES = ("select_one", "likert", "commune")
_MULTIPLE_TYPES = ("select_multiple", "rank")


class BarometerError(ValueError):
    """A barometer request that cannot be done: the message names the survey, wave or option."""


# ---------------------------------------------------------------------------------------------
# Creating a barometer and its waves


def departement_records(region_of_territory: str | None = None) -> list[SimpleNamespace]:
    """Every département of the stored geography as ``code, name, region`` records (for the
    France-wide residence question)."""
    rows = Territory.objects.filter(level=Level.DEPARTEMENT).select_related("parent").order_by("code")
    records = [SimpleNamespace(code=t.code, name=t.name, region=t.parent.code if t.parent_id else region_of_territory)
               for t in rows]
    return [r for r in records if r.region in notoriety.REGIONS]


def names_for(process, *, the_fr: str = "", in_fr: str = "", the_en: str = "", aliases=(), region: str = "") -> notoriety.TerritoryNames:
    """How the bank's questions name the process's territory (a département or a region)."""
    territory = process.territory
    if territory.level == Level.DEPARTEMENT:
        departements = (territory.code,)
        region = region or (territory.parent.code if territory.parent_id else "")
    elif territory.level == Level.REGION:
        departements = tuple(territory.children_at(Level.DEPARTEMENT).values_list("code", flat=True))
        region = region or territory.code
    else:
        raise BarometerError(f"the territory of process '{process.slug}' is a {territory.get_level_display()}: "
                             "the notoriety bank is written for a département or a region")
    if region not in notoriety.REGIONS:
        raise BarometerError(f"the region of {territory.name} is unknown: give its INSEE code (--region)")
    try:
        return notoriety.TerritoryNames(
            name=territory.name, the_fr=the_fr or territory.name, in_fr=in_fr or f"dans {the_fr or territory.name}",
            the_en=the_en or territory.name, departements=departements, region=region,
            aliases=tuple(aliases) or (territory.name,))
    except ValueError as exc:
        raise BarometerError(str(exc)) from None


def create_barometer(process, slug: str, names: notoriety.TerritoryNames, *, title: str = "") -> Survey:
    """A new survey of ``process`` made of the notoriety and image bank, published as a draft."""
    if Survey.objects.filter(process=process, slug=slug).exists():
        raise BarometerError(f"process '{process.slug}' already has a survey '{slug}'")
    departements = departement_records(names.region)
    if not any(d.code in names.departements for d in departements):
        # Without the official geography, at least the territory's own département(s).
        departements += [SimpleNamespace(code=c, name=process.territory.name, region=names.region)
                         for c in names.departements]
    try:
        form = notoriety.notoriety_form(names, departements, form_id=slug,
                                        title={notoriety.FR: title or f"Baromètre d'image — {names.name}"})
    except ValueError as exc:
        raise BarometerError(str(exc)) from None
    with transaction.atomic():
        survey = services.import_form(form, process, slug=slug, status=Survey.Status.DRAFT)
        survey.barometer = asdict(names)
        survey.save(update_fields=["barometer"])
    return survey


def territory_names(survey: Survey) -> notoriety.TerritoryNames | None:
    if not survey.barometer:
        return None
    data = dict(survey.barometer)
    data["departements"] = tuple(data.get("departements", ()))
    data["aliases"] = tuple(data.get("aliases", ()))
    return notoriety.TerritoryNames(**data)


def add_wave(survey: Survey, *, slug: str, label: str, year: int, start: dt.date | None = None,
             end: dt.date | None = None, simulated: bool = False) -> Wave:
    if survey.waves.filter(slug=slug).exists():
        raise BarometerError(f"survey '{survey.slug}' already has a wave '{slug}'")
    if start and end and end < start:
        raise BarometerError(f"wave '{slug}': fieldwork ends ({end}) before it starts ({start})")
    return Wave.objects.create(survey=survey, slug=slug, label=label, year=year, fieldwork_start=start,
                               fieldwork_end=end, simulated=simulated)


def find_wave(survey: Survey, slug: str) -> Wave:
    wave = survey.waves.filter(slug=slug).first()
    if wave is None:
        known = ", ".join(survey.waves.values_list("slug", flat=True)) or "none"
        raise BarometerError(f"survey '{survey.slug}' has no wave '{slug}' (waves: {known})")
    return wave


def open_wave(wave: Wave) -> Wave:
    """Open a planned wave: the survey opens and takes responses for it."""
    survey = wave.survey
    if wave.status != Wave.Status.PLANNED:
        raise BarometerError(f"wave '{wave.slug}' is {wave.get_status_display().lower()}: only a planned wave opens")
    other = survey.waves.filter(status=Wave.Status.OPEN).first()
    if other is not None:
        raise BarometerError(f"wave '{other.slug}' of survey '{survey.slug}' is still open: close it first")
    if survey.current_version_id is None:
        raise BarometerError(f"survey '{survey.slug}' has no published questionnaire")
    with transaction.atomic():
        wave.status = Wave.Status.OPEN
        wave.fieldwork_start = wave.fieldwork_start or timezone.localdate()
        wave.save(update_fields=["status", "fieldwork_start"])
        survey.status = Survey.Status.OPEN
        survey.save(update_fields=["status"])
    return wave


def close_wave(wave: Wave) -> dict:
    """Close an open wave: the survey closes, the submitted responses collected meanwhile are stamped
    with the wave, and the KPIs fed by the survey are brought up to date.

    Output: ``{"wave", "responses", "kpis"}`` (``kpis``: the refresh report of
    :func:`atout.actions.kpis.refresh_kpis`, asked for by name: the plan sits above the surveys;
    ``{"kpis": []}`` without it)."""
    if wave.status != Wave.Status.OPEN:
        raise BarometerError(f"wave '{wave.slug}' is {wave.get_status_display().lower()}: only an open wave closes")
    survey = wave.survey
    with transaction.atomic():
        stamped = Response.objects.filter(survey=survey, wave__isnull=True, status=Response.Status.SUBMITTED).update(wave=wave)
        wave.status = Wave.Status.CLOSED
        wave.closed_at = timezone.now()
        wave.fieldwork_end = wave.fieldwork_end or timezone.localdate()
        wave.save(update_fields=["status", "closed_at", "fieldwork_end"])
        survey.status = Survey.Status.CLOSED
        survey.save(update_fields=["status"])
        refresh_kpis = provider("kpis.refresh")
        report = refresh_kpis(survey.process, survey=survey) if refresh_kpis else {"kpis": []}
    return {"wave": wave.slug, "responses": wave_responses(wave).count(), "stamped": stamped, "kpis": report["kpis"]}


def wave_rows(survey: Survey) -> list[dict]:
    """The survey's waves in order, with their number of respondents."""
    return [{"slug": w.slug, "label": w.label, "year": w.year, "status": w.status,
             "status_label": w.get_status_display(), "fieldwork_start": w.fieldwork_start,
             "fieldwork_end": w.fieldwork_end, "simulated": w.simulated, "responses": wave_responses(w).count()}
            for w in survey.waves.all()]


# ---------------------------------------------------------------------------------------------
# A wave's answers, as the engine reads them


def wave_responses(wave: Wave):
    responses = Response.objects.filter(survey_id=wave.survey_id, status=Response.Status.SUBMITTED)
    if wave.status == Wave.Status.OPEN:
        return responses.filter(Q(wave=wave) | Q(wave__isnull=True))
    return responses.filter(wave=wave)


def _form(survey: Survey) -> Form:
    if survey.current_version_id is None:
        raise BarometerError(f"survey '{survey.slug}' has no published questionnaire")
    return services.current_form(survey)


#: Responses whose answers are read in one query (well under SQLite's limit of 32,766 parameters).
ANSWERS_CHUNK = 5000


def _answers_of(response_ids: list[int], questions: list[str]):
    """(response id, question, choice, number, text) of the answers of ``response_ids`` (in ascending
    order), ordered by response and position.

    By the responses' ids, not by a subquery on the wave: a wave closed or simulated a moment ago has
    an id PostgreSQL's statistics have not seen yet, and for the subquery it then planned one index
    scan of the survey's every answer per response: 8.5 s for a wave of 1,200 responses instead of
    0.02 s, each time a barometer's KPIs were refreshed."""
    for start in range(0, len(response_ids), ANSWERS_CHUNK):
        chunk = response_ids[start:start + ANSWERS_CHUNK]
        yield from (Answer.objects.filter(response_id__in=chunk, question__in=questions)
                    .order_by("response_id", "position").values_list("response_id", "question", "choice", "number", "text"))


def _wave_table(wave: Wave, form: Form) -> tuple[list[int], pd.DataFrame, list[float | None]]:
    """Response ids, their answers (one column per question) and stored weights, in id order."""
    questions = {q.name: q for q in form.questions() if q.type != "note"}
    responses = list(wave_responses(wave).order_by("pk").values_list("pk", "weight"))
    ids = [pk for pk, _w in responses]
    # Cells gathered in plain dicts and the frame built once: setting ~90,000 cells one by one through
    # pandas took 0.8 s per wave (the barometer page reads four).
    cells: dict[str, dict[int, object]] = {name: {} for name in questions}
    multiple: dict[tuple[int, str], list[str]] = {}
    for response_id, name, choice, number, answer_text in _answers_of(ids, list(questions)):
        kind = questions[name].type
        if kind in _MULTIPLE_TYPES:
            multiple.setdefault((response_id, name), []).append(choice)
        elif kind in _CHOICE_TYPES:
            cells[name][response_id] = choice
        elif number is not None:
            cells[name][response_id] = number
        else:
            cells[name][response_id] = answer_text or None
    for (response_id, name), codes in multiple.items():
        cells[name][response_id] = " ".join(codes)
    answers = pd.DataFrame({name: pd.Series([column.get(pk) for pk in ids], dtype=object)
                            for name, column in cells.items()}, columns=list(questions))
    names = territory_names(wave.survey)
    if names is not None and "notoriete_spontanee" in answers.columns:
        answers = notoriety.with_unaided_awareness(answers, names)
    return ids, answers, [w for _pk, w in responses]


def _members(survey: Survey, answers: pd.DataFrame, audience: str) -> np.ndarray:
    names = territory_names(survey)
    if names is None:
        raise BarometerError(f"survey '{survey.slug}' is not a notoriety barometer: it has no audiences")
    if audience not in notoriety.AUDIENCES:
        raise BarometerError(f"unknown audience '{audience}' (audiences: {', '.join(notoriety.AUDIENCES)})")
    return notoriety.audience_members(answers, audience, names)


def wave_data(wave: Wave, form: Form | None = None, *, audience: str | None = None) -> engine.Wave:
    """One row per respondent of the wave (of one audience of the notoriety bank when given: residents,
    non-residents, talents, companies, visitors), one column per question of the survey (choice codes
    as text, numbers as numbers, multiple choices as space-separated codes, None when not answered),
    and the weights when every one of these respondents has one (else unweighted)."""
    form = form or _form(wave.survey)
    _ids, answers, weights = _wave_table(wave, form)
    if audience:
        keep = _members(wave.survey, answers, audience)
        answers = answers[keep].reset_index(drop=True)
        weights = [w for w, kept in zip(weights, keep, strict=True) if kept]
    weighted = bool(weights) and all(w is not None for w in weights)
    return engine.Wave(label=wave.label, answers=answers, weights=weights if weighted else None, position=float(wave.year))


def weight_wave(wave: Wave, margins: dict[str, dict[str, float]], *, audience: str | None = None, trim=None):
    """Rake one wave's respondents (of one audience when given) to their own margins (variable →
    category → target, variables among age_band, sex, zone) and store their weights; the survey's
    other respondents keep theirs. Output: the engine's RakingResult."""
    responses = wave_responses(wave)
    if audience:
        ids, answers, _weights = _wave_table(wave, _form(wave.survey))
        keep = _members(wave.survey, answers, audience)
        responses = responses.filter(pk__in=[pk for pk, kept in zip(ids, keep, strict=True) if kept])
    return services.apply_weights(wave.survey, margins, trim=trim, responses=responses)


def measures(form: Form) -> list[engine.Measure]:
    """The measures read in every wave: the bank's standard measures for the questions the survey
    has, then a mean for every other rating, score or number question."""
    names = [q.name for q in form.questions()]
    columns = set(names)
    if "notoriete_spontanee" in columns:
        columns.add(notoriety.UNAIDED_COLUMN)
    found = notoriety.barometer_measures(columns)
    covered = {c for m in found for c in m.columns}
    extra = [engine.Measure.mean(q.name) for q in form.questions()
             if q.type in _MEAN_TYPES and q.name not in covered and not q.name.startswith("profil_")]
    return found + extra


def measure_labels(form: Form, language: str = "fr") -> dict[str, str]:
    """A readable label per measure: the question's text, or the hexagon dimension's name."""
    questions = {q.name: q for q in form.questions()}
    labels = {}
    for measure in measures(form):
        if measure.name in questions:
            labels[measure.name] = text(questions[measure.name].labels, language) or measure.name
    labels.update({f"hexagon_{d}": label for d, label in HEXAGON_LABELS.items()})
    labels["notoriete_spontanee"] = "Notoriété spontanée (cite le territoire sans aide)"
    labels["notoriete_qualifiee"] = "Notoriété qualifiée (voit bien de quoi il s'agit)"
    labels["notoriete_assistee"] = "Notoriété assistée (connaît, au moins de nom)"
    return labels


#: The place-brand hexagon (Anholt) in French, as the results pages name its dimensions.
HEXAGON_LABELS = {
    "presence": "Image : présence (réputation)", "place": "Image : lieu (cadre, paysages)",
    "prerequisites": "Image : prérequis (logement, services)", "people": "Image : habitants (accueil)",
    "pulse": "Image : dynamisme (culture, vie)", "potential": "Image : potentiel (emploi, études)",
}


# ---------------------------------------------------------------------------------------------
# Comparing and following waves


def compare(survey: Survey, first: str, second: str, *, audience: str | None = None) -> dict:
    """Every measure of two waves side by side with the change, its 95 % interval and p-value.

    Output: ``{"survey", "audience", "first_wave", "second_wave", "simulated", "measures": [{"measure",
    "label", "kind", "unit", "first": {"estimate", "low", "high", "n", "n_effective", "deff"},
    "second": {...}, "difference", "low", "high", "p_value", "q_value", "reading", "reading_fr",
    "note"}]}``. Proportions are shares 0–1 (0.05 = 5 points), means in the answers' unit, NPS in
    points."""
    waves = [find_wave(survey, first), find_wave(survey, second)]
    if waves[0].pk == waves[1].pk:
        raise BarometerError(f"compare two different waves (got '{first}' twice)")
    form = _form(survey)
    data = [wave_data(w, form, audience=audience) for w in waves]
    wanted = measures(form)
    labels = measure_labels(form)
    frame = engine.compare_waves(wanted, data[0], data[1]) if wanted else pd.DataFrame(columns=engine.COMPARISON_COLUMNS)
    rows = []
    for record in frame.to_dict("records"):
        row = {"measure": record["measure"], "label": labels.get(record["measure"], record["measure"]),
               "kind": record["kind"], "unit": UNITS[record["kind"]]}
        for prefix in ("first", "second"):
            row[prefix] = {key: _clean(record[f"{prefix}_{key}"]) for key in ("estimate", "low", "high", "n", "n_effective", "deff")}
        row.update({key: _clean(record[key]) for key in ("difference", "low", "high", "p_value", "q_value")})
        row.update({"reading": record["reading"], "reading_fr": record["reading_fr"], "note": record["note"]})
        rows.append(row)
    return {"survey": survey.slug, "audience": audience or "", "first_wave": waves[0].slug, "second_wave": waves[1].slug,
            "first_label": waves[0].label, "second_label": waves[1].label,
            "simulated": any(w.simulated for w in waves), "measures": rows}


UNITS = {"proportion": "share", "mean": "mean", "nps": "points"}


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def trend(survey: Survey, *, audience: str | None = None, include_open: bool = False) -> dict:
    """Each measure across the survey's closed waves (and the open one with ``include_open``), in
    year order, with the weighted least-squares slope per year once three waves are published.

    Output: ``{"survey", "audience", "waves": [slugs], "measures": [{"measure", "label", "kind",
    "points": [{"wave", "year", "estimate", "low", "high", "n", ...}], "slope", "low", "high",
    "p_value", "reading", "reading_fr", "note"}]}``."""
    statuses = [Wave.Status.CLOSED, Wave.Status.OPEN] if include_open else [Wave.Status.CLOSED]
    waves = list(survey.waves.filter(status__in=statuses))
    if not waves:
        raise BarometerError(f"survey '{survey.slug}' has no closed wave yet")
    form = _form(survey)
    wanted = measures(form)
    labels = measure_labels(form)
    data = [wave_data(w, form, audience=audience) for w in waves]
    rows = []
    for found in engine.trend_waves(wanted, data):
        result = found.as_dict()
        points = [{"wave": w.slug, "label": point["wave"], "year": w.year,
                   **{k: _clean(point[k]) for k in ("value", "low", "high", "n", "n_effective", "deff")},
                   "suppressed": point["suppressed"]}
                  for w, point in zip(waves, result["waves"], strict=True)]
        rows.append({"measure": found.measure, "label": labels.get(found.measure, found.measure), "kind": found.kind,
                     "unit": UNITS[found.kind], "points": points,
                     **{k: result[k] for k in ("slope", "low", "high", "p_value", "reading", "reading_fr", "note")}})
    return {"survey": survey.slug, "audience": audience or "", "waves": [w.slug for w in waves],
            "simulated": any(w.simulated for w in waves), "measures": rows}


def metric_estimate(wave: Wave, metric: str, *, audience: str | None = None, form: Form | None = None) -> engine.Estimate:
    """One measure of one wave (a KPI's value)."""
    form = form or _form(wave.survey)
    found = {m.name: m for m in measures(form)}
    if metric not in found:
        raise BarometerError(f"survey '{wave.survey.slug}' has no measure '{metric}' (measures: {', '.join(found)})")
    return engine.estimate(found[metric], wave_data(wave, form, audience=audience))


def display_value(estimate: engine.Estimate) -> float | None:
    """A KPI's value: a proportion in %, a mean in its unit, an NPS in points."""
    if not estimate.available:
        return None
    return 100 * estimate.value if estimate.kind == "proportion" else estimate.value


def metric_choices(survey: Survey) -> list[tuple[str, str]]:
    form = _form(survey)
    labels = measure_labels(form)
    return [(m.name, labels.get(m.name, m.name)) for m in measures(form)]
