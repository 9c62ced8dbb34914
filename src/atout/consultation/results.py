"""Survey results computed with SQL sums, then turned into estimates by the engine.

Every figure is built from ``COUNT``, ``SUM(w)``, ``SUM(w²)``, ``SUM(w·x)``… over the indexed
answer table (so 100,000 responses stay fast), and converted into shares with Wilson intervals,
means with t intervals, NPS and crosstab tests by :mod:`atout.engine.surveystats` — the same
formulas as on per-respondent arrays. Weighted when the survey has weights (responses without a
weight are then left out and counted); cells of fewer than ``k`` respondents are suppressed.
"""

from __future__ import annotations

import numpy as np
from django.db import connection
from django.db.models import Case, Count, F, FloatField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from atout.engine import surveystats
from atout.engine.formats.xlsform import Form, Question

from .models import Answer, Response, Survey
from .structure import form_from_dict, text

K = surveystats.DEFAULT_K
SEGMENTS = {  # segment key → (Response field, label)
    "zone": ("zone__name", "Sous-territoire"),
    "age_band": ("age_band", "Tranche d'âge"),
    "sex": ("sex", "Sexe"),
    "profile_status": ("profile_status", "Statut"),
}
HEXAGON_PREFIX = "hex_"
CHOICE_TYPES = ("select_one", "likert")


def is_weighted(survey: Survey) -> bool:
    return Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED, weight__isnull=False).exists()


def _answers(survey: Survey, weighted: bool):
    qs = Answer.objects.filter(survey=survey)
    return qs.filter(response__weight__isnull=False) if weighted else qs


def _w(weighted: bool, prefix: str = "response__"):
    return F(f"{prefix}weight") if weighted else Value(1.0, output_field=FloatField())


def _sums(weighted: bool, prefix: str = "response__") -> dict:
    w = _w(weighted, prefix)
    return {"n": Count("id"), "sw": Coalesce(Sum(w), 0.0), "sw2": Coalesce(Sum(w * w), 0.0)}


def _proportion_dict(p: surveystats.Proportion, code: str, label: str) -> dict:
    return {"code": code, "label": label, "count": p.count, "share": p.estimate, "low": p.low, "high": p.high,
            "suppressed": p.suppressed}


def _mean_dict(m: surveystats.Mean) -> dict:
    return {"mean": m.estimate, "low": m.low, "high": m.high, "std": m.std, "n": m.n,
            "n_effective": m.n_effective, "suppressed": m.suppressed}


def frequencies(survey: Survey, question: Question, weighted: bool, language: str = "fr", k: int = K,
                per_choice: dict | None = None) -> dict:
    """Shares per option (of respondents who answered) with 95 % Wilson intervals.

    ``per_choice`` (choice → its sums) may be given when computed for many questions at once."""
    if per_choice is None:
        qs = _answers(survey, weighted).filter(question=question.name)
        per_choice = {row["choice"]: row for row in qs.values("choice").annotate(**_sums(weighted))}
    if question.type == "select_multiple" or question.type == "rank":
        base = _respondent_base(survey, question.name, weighted)
    else:
        base = {"n": sum(r["n"] for r in per_choice.values()), "sw": sum(r["sw"] for r in per_choice.values()),
                "sw2": sum(r["sw2"] for r in per_choice.values())}
    options = [(c.name, text(c.labels, language)) for c in question.choices]
    if question.or_other:
        options.append(("other", "Autre"))
    known = {code for code, _label in options}
    options += [(code, code) for code in sorted(per_choice) if code not in known]
    rows = []
    for code, label in options:
        row = per_choice.get(code, {"n": 0, "sw": 0.0})
        p = surveystats.proportion_from_totals(row["n"], row["sw"], base["n"], base["sw"], base["sw2"], k=k)
        rows.append(_proportion_dict(p, code, label))
    n_eff = base["sw"] ** 2 / base["sw2"] if base["sw2"] else 0.0
    return {"n": base["n"], "n_effective": n_eff, "suppressed": base["n"] < k, "options": rows}


def _respondent_base(survey: Survey, question: str, weighted: bool) -> dict:
    responses = Response.objects.filter(survey=survey, answers__question=question).distinct()
    if weighted:
        responses = responses.filter(weight__isnull=False)
    ids = responses.values("id")
    base = Response.objects.filter(id__in=ids).aggregate(**_sums(weighted, prefix=""))
    return base


def mean(survey: Survey, question: Question, weighted: bool, k: int = K) -> dict:
    w = _w(weighted)
    totals = _answers(survey, weighted).filter(question=question.name, number__isnull=False).aggregate(
        **_sums(weighted), swx=Coalesce(Sum(w * F("number")), 0.0), swx2=Coalesce(Sum(w * F("number") * F("number")), 0.0),
    )
    m = surveystats.mean_from_totals(totals["n"], totals["sw"], totals["sw2"], totals["swx"], totals["swx2"], k=k)
    return _mean_dict(m)


def nps(survey: Survey, question: Question, weighted: bool, k: int = K) -> dict:
    """Net promoter score of a 0–10 question, in points, with its interval."""
    w = _w(weighted)
    zero = Value(0.0, output_field=FloatField())
    totals = _answers(survey, weighted).filter(question=question.name, number__isnull=False).aggregate(
        **_sums(weighted),
        promoters=Coalesce(Sum(Case(When(number__gte=9, then=w), default=zero, output_field=FloatField())), 0.0),
        detractors=Coalesce(Sum(Case(When(number__lte=6, then=w), default=zero, output_field=FloatField())), 0.0),
    )
    s = surveystats.net_promoter_from_totals(totals["promoters"], totals["detractors"], totals["n"], totals["sw"], totals["sw2"], k=k)
    return {"score": s.score, "low": s.low, "high": s.high, "promoters": s.promoters, "passives": s.passives,
            "detractors": s.detractors, "n": s.n, "n_effective": s.n_effective, "suppressed": s.suppressed}


def _crosstab_rows(survey: Survey, names: list[str], segment: str, weighted: bool) -> dict[str, list[dict]]:
    """Sums per (question, choice, segment value) for several questions in one query."""
    segment_field = f"response__{SEGMENTS[segment][0]}"
    qs = _answers(survey, weighted).filter(question__in=names).exclude(**{f"{segment_field}__isnull": True}).exclude(
        **{segment_field: ""})
    found: dict[str, list[dict]] = {}
    for row in qs.values("question", "choice", segment_field).annotate(**_sums(weighted)):
        found.setdefault(row["question"], []).append(row)
    return found


def crosstab(survey: Survey, question: Question, segment: str, weighted: bool, language: str = "fr", k: int = K,
             rows: list[dict] | None = None) -> dict:
    """A single-choice question by a segment: column shares, chi-square test, marked cells.

    ``rows`` (from :func:`_crosstab_rows`) may be given when computed for many questions at once."""
    segment_field = f"response__{SEGMENTS[segment][0]}"
    if rows is None:
        rows = _crosstab_rows(survey, [question.name], segment, weighted).get(question.name, [])
    row_codes = [c.name for c in question.choices] + sorted({r["choice"] for r in rows} - {c.name for c in question.choices})
    col_codes = sorted({r[segment_field] for r in rows})
    counts = np.zeros((len(row_codes), len(col_codes)), dtype=np.int64)
    weighted_table = np.zeros(counts.shape)
    r_index = {c: i for i, c in enumerate(row_codes)}
    c_index = {c: j for j, c in enumerate(col_codes)}
    sw = sw2 = 0.0
    for r in rows:
        counts[r_index[r["choice"]], c_index[r[segment_field]]] = r["n"]
        weighted_table[r_index[r["choice"]], c_index[r[segment_field]]] = r["sw"]
        sw += r["sw"]
        sw2 += r["sw2"]
    n = int(counts.sum())
    deff = (n * sw2 / sw**2) if weighted and sw > 0 else 1.0
    labels = {c.name: text(c.labels, language) for c in question.choices}
    if not row_codes or not col_codes:
        return {"segment": segment, "rows": [], "columns": [], "cells": [], "chi2": None, "dof": 0, "p_value": None,
                "deff": deff, "n": n}
    table = surveystats.crosstab_from_table(counts, weighted_table, row_codes, col_codes, deff=deff, k=k)
    cells = []
    for code in row_codes:
        cells.append([{
            "share": _clean(table.column_share.loc[code, col]),
            "mark": str(table.marks.loc[code, col]),
            "suppressed": bool(table.suppressed.loc[code, col]),
            "n": None if table.suppressed.loc[code, col] else int(table.counts.loc[code, col]),
        } for col in col_codes])
    return {
        "segment": segment, "rows": [{"code": c, "label": labels.get(c, c)} for c in row_codes],
        "columns": col_codes, "cells": cells, "chi2": _clean(table.chi2), "dof": table.dof,
        "p_value": _clean(table.p_value), "deff": deff, "n": n,
    }


def _clean(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(value) else value


def hexagon(survey: Survey, form: Form, weighted: bool, segment: str | None = None, k: int = K) -> list[dict]:
    """Place-brand scores: items named ``hex_<dimension>_…`` averaged per respondent and dimension,
    then (weighted) means per segment with their intervals."""
    by_dimension: dict[str, list[str]] = {}
    for q in form.questions():
        parts = q.name.split("_")
        if q.name.startswith(HEXAGON_PREFIX) and len(parts) >= 3 and parts[1] in surveystats.ANHOLT_DIMENSIONS:
            by_dimension.setdefault(parts[1], []).append(q.name)
    results = []
    segment_column = {"zone": "t.name", "age_band": "r.age_band", "sex": "r.sex", "profile_status": "r.profile_status"}
    for dimension in surveystats.ANHOLT_DIMENSIONS:
        items = by_dimension.get(dimension)
        if not items:
            continue
        for label, totals in _dimension_totals(survey, items, weighted, segment_column.get(segment)).items():
            m = surveystats.mean_from_totals(*totals, k=k)
            results.append({"dimension": dimension, "segment": label, **_mean_dict(m)})
    return results


def _dimension_totals(survey: Survey, items: list[str], weighted: bool, segment_sql: str | None) -> dict:
    answer_table, response_table = Answer._meta.db_table, Response._meta.db_table
    territory_table = Response._meta.get_field("zone").related_model._meta.db_table
    weight = "r.weight" if weighted else "1.0"
    group = segment_sql or "'all'"
    placeholders = ", ".join(["%s"] * len(items))
    sql = f"""
        SELECT {group} AS segment, COUNT(*), SUM({weight}), SUM({weight} * {weight}),
               SUM({weight} * s.score), SUM({weight} * s.score * s.score)
        FROM (SELECT response_id, AVG(number) AS score FROM {answer_table}
              WHERE survey_id = %s AND question IN ({placeholders}) AND number IS NOT NULL
              GROUP BY response_id) s
        JOIN {response_table} r ON r.id = s.response_id
        LEFT JOIN {territory_table} t ON t.id = r.zone_id
        WHERE {"r.weight IS NOT NULL" if weighted else "1 = 1"}
        {f"GROUP BY {segment_sql}" if segment_sql else ""}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [survey.pk, *items])
        found = cursor.fetchall()
    # Without a segment, an aggregate over no row still returns one row of NULL sums: skip it.
    return {str(row[0]) if row[0] not in (None, "") else "—": tuple(float(v) if i else int(v) for i, v in enumerate(row[1:]))
            for row in found if row[1]}


def survey_results(survey: Survey, *, language: str = "fr", segments: list[str] | None = None, k: int = K) -> dict:
    """Every table of a survey: per question frequencies or means (and NPS for 0–10 scores),
    crosstabs by the given segments for single choices, and the place-brand hexagon."""
    if survey.current_version is None:
        return {"survey": survey.slug, "n": 0, "weighted": False, "questions": [], "hexagon": []}
    form = form_from_dict(survey.current_version.structure)
    weighted = is_weighted(survey)
    submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    counts = submitted.aggregate(n=Count("id"), weighted_n=Count("id", filter=Q(weight__isnull=False)),
                                 simulated=Count("id", filter=Q(simulated=True)))
    questions = []
    # One pass over the answers for every choice question, and one per segment for the crosstabs.
    choice_names = [q.name for q in form.questions() if q.type in CHOICE_TYPES + ("select_multiple", "rank")]
    per_question: dict[str, dict] = {}
    for row in _answers(survey, weighted).filter(question__in=choice_names).values("question", "choice").annotate(
            **_sums(weighted)):
        per_question.setdefault(row["question"], {})[row["choice"]] = row
    single_names = [q.name for q in form.questions() if q.type in CHOICE_TYPES]
    crossed = {s: _crosstab_rows(survey, single_names, s, weighted) for s in segments or []}
    for q in form.questions():
        if q.type in ("note", "commune"):
            continue
        entry = {"name": q.name, "type": q.type, "label": text(q.labels, language)}
        if q.type in CHOICE_TYPES + ("select_multiple", "rank"):
            entry["frequencies"] = frequencies(survey, q, weighted, language, k, per_question.get(q.name, {}))
            if q.type in CHOICE_TYPES and segments:
                entry["crosstabs"] = [crosstab(survey, q, s, weighted, language, k, crossed[s].get(q.name, []))
                                      for s in segments]
        elif q.type in ("score", "integer", "decimal"):
            entry["mean"] = mean(survey, q, weighted, k)
            if q.type == "score" and q.bounds and tuple(q.bounds) == (0, 10):
                entry["nps"] = nps(survey, q, weighted, k)
        else:
            entry["answered"] = _answers(survey, weighted).filter(question=q.name).count()
        questions.append(entry)
    deff = None
    if weighted:
        w = submitted.filter(weight__isnull=False).aggregate(sw=Sum("weight"), sw2=Sum(F("weight") * F("weight")), n=Count("id"))
        deff = w["n"] * w["sw2"] / w["sw"] ** 2 if w["sw"] else None
    return {
        "survey": survey.slug, "version": survey.current_version.number, "n": counts["n"], "weighted": weighted,
        "weighted_n": counts["weighted_n"], "deff": deff, "effective_n": (counts["weighted_n"] / deff) if deff else None,
        "simulated": counts["simulated"], "k": k, "questions": questions,
        "hexagon": hexagon(survey, form, weighted, None, k),
    }


def state_stamp(survey: Survey) -> str:
    """What the results depend on: submitted responses (count, last id, last submission), their
    weights, the published version and the last purge. One aggregate over an indexed column."""
    from django.db.models import Max

    facts = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED).aggregate(
        n=Count("id"), last=Max("id"), when=Max("submitted_at"), w=Sum("weight"), wmax=Max("weight"),
        w2=Sum(F("weight") * F("weight")),
    )
    return "|".join(str(v) for v in (survey.current_version_id, survey.purged_at, *facts.values()))[:200]


def cached_results(survey: Survey, *, language: str = "fr", segments: list[str] | None = None) -> dict:
    """:func:`survey_results`, computed once per state of the responses and kept in the database
    (shared by every application process)."""
    from atout.commands import to_jsonable

    from .models import ResultsSnapshot

    key = f"{language}:{','.join(segments or [])}"
    stamp = state_stamp(survey)
    found = ResultsSnapshot.objects.filter(survey=survey, key=key, stamp=stamp).values_list("data", flat=True).first()
    if found is not None:
        return found
    data = to_jsonable(survey_results(survey, language=language, segments=segments))
    ResultsSnapshot.objects.update_or_create(survey=survey, key=key, defaults={"stamp": stamp, "data": data})
    return data
