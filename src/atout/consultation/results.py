"""Survey results computed from SQL sums, then turned into estimates by the engine.

Every figure is built from ``COUNT``, ``SUM(w)``, ``SUM(w²)``, ``SUM(w·x)``… over the answer
rows, and converted into shares with Wilson intervals, means with t intervals, NPS and crosstab
tests by :mod:`atout.engine.surveystats` — the same formulas as on per-respondent arrays.
Weighted when the survey has weights (responses without a weight are then left out and counted);
cells of fewer than ``k`` respondents are suppressed.

:func:`survey_results` (the results page, the CLI) reads the sums from :func:`aggregates`, which
stores them per survey and adds only the responses submitted since the last view (see the
section "Aggregates kept up to date" below); :func:`direct_results` computes the same tables
table by table from the answer rows, and is the reference the tests compare them with.
"""

from __future__ import annotations

import numpy as np
from django.db import connection
from django.db.models import Case, Count, F, FloatField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from atout.engine import surveystats
from atout.engine.formats.xlsform import Form, Question
from atout.engine.weighting import design_effect

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
                per_choice: dict | None = None, base: dict | None = None) -> dict:
    """Shares per option (of respondents who answered) with 95 % Wilson intervals.

    ``per_choice`` (choice → its sums) and, for a multiple choice or a ranking, ``base`` (the sums
    of its respondents) may be given when computed for many questions at once."""
    if per_choice is None:
        qs = _answers(survey, weighted).filter(question=question.name)
        per_choice = {row["choice"]: row for row in qs.values("choice").annotate(**_sums(weighted))}
    if question.type == "select_multiple" or question.type == "rank":
        base = base if base is not None else _respondent_base(survey, question.name, weighted)
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
    return _nps_dict(s)


def _nps_dict(s: surveystats.NetPromoterScore) -> dict:
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
    deff = (design_effect(n, sw, sw2) or 1.0) if weighted else 1.0
    labels = {c.name: text(c.labels, language) for c in question.choices}
    if not row_codes or not col_codes:
        return {"segment": segment, "rows": [], "columns": [], "cells": [], "chi2": None, "dof": 0, "p_value": None,
                "deff": deff, "n": n}
    table = surveystats.crosstab_from_table(counts, weighted_table, row_codes, col_codes, deff=deff, k=k)
    shares, marks = table.column_share.to_numpy(), table.marks.to_numpy()
    small, found = table.suppressed.to_numpy(), table.counts.to_numpy()
    cells = [[{
        "share": _clean(shares[i, j]), "mark": str(marks[i, j]), "suppressed": bool(small[i, j]),
        "n": None if small[i, j] else int(found[i, j]),
    } for j in range(len(col_codes))] for i in range(len(row_codes))]
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


def survey_results(survey: Survey, *, language: str = "fr", segments: list[str] | None = None, k: int = K,
                   rebuild: bool = False) -> dict:
    """Every table of a survey: per question frequencies or means (and NPS for 0–10 scores),
    crosstabs by the given segments for single choices, and the place-brand hexagon.

    Computed from the stored sums (:func:`aggregates`, brought up to date first; ``rebuild``
    recomputes them from every answer row)."""
    if survey.current_version is None:
        return {"survey": survey.slug, "n": 0, "weighted": False, "questions": [], "hexagon": []}
    form = form_from_dict(survey.current_version.structure)
    totals = aggregates(survey, rebuild=rebuild)
    return _tables_from(survey, form, totals, language=language, segments=list(segments or []), k=k)


def direct_results(survey: Survey, *, language: str = "fr", segments: list[str] | None = None, k: int = K) -> dict:
    """:func:`survey_results` computed straight from the answer rows, table by table (no stored
    sums): the reference the stored sums are checked against; seconds at 100,000 responses."""
    if survey.current_version is None:
        return {"survey": survey.slug, "n": 0, "weighted": False, "questions": [], "hexagon": []}
    form = form_from_dict(survey.current_version.structure)
    weighted = is_weighted(survey)
    submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    counts = submitted.aggregate(n=Count("id"), weighted_n=Count("id", filter=Q(weight__isnull=False)),
                                 simulated=Count("id", filter=Q(simulated=True)))
    questions = []
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
        deff = design_effect(w["n"], w["sw"], w["sw2"])
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
    _store(survey, key, stamp, data)
    return data


# ---------------------------------------------------------------------------------------------
# Aggregates kept up to date: the results page at 100,000 responses reads sums, not answer rows.
#
# One pass over the answer rows gives, per (question, choice, numeric or not) and per profile cell
# (zone, age band, sex, status), the sums every table needs — unweighted and weighted side by side.
# They are stored per survey (a :class:`ResultsSnapshot` with the key ``aggregates``) together with
# what they cover: the submitted responses with ``submitted_at`` up to a time ``through`` and the
# "facts" of that set (count, Σid, number weighted, Σw, Σw², Σid·w). On each read the facts of the
# covered set are computed again (one aggregate over the response index): unchanged, only the
# responses submitted since are aggregated and added; changed (a deletion, new weights, a late
# commit), everything is recomputed. The sums shown are therefore always those of the responses in
# the database at the time of the view — never a stale snapshot.

AGGREGATES_KEY = "aggregates"
AGGREGATES_FORMAT = 1
#: Sums per (question, choice, numeric?): rows, weighted rows, Σw, Σw², Σx, Σx², Σwx, Σwx²,
#: promoters (x ≥ 9) and detractors (x ≤ 6) counted and weighted, then the same four as the first
#: for the rows at position 1 (one per respondent of a multiple choice or ranking question).
CELL_SUMS = ("n", "nw", "sw", "sw2", "sx", "sx2", "swx", "swx2", "p", "d", "wp", "wd", "rn", "rnw", "rsw", "rsw2")
#: Sums per segment cell: rows, weighted rows, Σw, Σw².
SEGMENT_SUMS = ("n", "nw", "sw", "sw2")
#: Sums per hexagon dimension over respondents' mean item score s: n, weighted n, Σw, Σw², Σs, Σs², Σws, Σws².
DIMENSION_SUMS = ("n", "nw", "sw", "sw2", "sx", "sx2", "swx", "swx2")
#: Beyond this share of new responses, a full pass is cheaper than adding them by id.
DELTA_LIMIT = 20_000


def _tables() -> tuple[str, str, str]:
    territory = Response._meta.get_field("zone").related_model._meta.db_table
    return Answer._meta.db_table, Response._meta.db_table, territory


def _cover_sql(delta_ids: list[int] | None) -> tuple[str, list]:
    """SQL condition on ``r`` (and its parameters): the covered responses, or the given ids."""
    if delta_ids is not None:
        return f"r.id IN ({', '.join(['%s'] * len(delta_ids))})", list(delta_ids)
    return "r.survey_id = %s AND r.status = %s AND r.submitted_at <= %s", []


def _add(target: list, values) -> None:
    for i, v in enumerate(values):
        if v:
            target[i] += float(v)


def _pass(survey: Survey, layout: dict, *, through=None, ids: list[int] | None = None) -> dict:
    """Sums over the submitted responses up to ``through`` or, for a delta, over the responses ``ids``."""
    answer_table, response_table, territory_table = _tables()
    totals: dict = {"cells": {}, "segments": {s: {} for s in SEGMENTS}, "dimensions": {}}
    if ids is not None and not ids:
        return totals
    if ids is None:
        cover, params = _cover_sql(None)
        params = [survey.pk, Response.Status.SUBMITTED, through]
        batches = [(cover, params)]
    else:
        batches = [_cover_sql(ids[i:i + 900]) for i in range(0, len(ids), 900)]
    w, x = "r.weight", "a.number"
    sql = f"""
        SELECT a.question, a.choice, CASE WHEN {x} IS NULL THEN 0 ELSE 1 END,
               COALESCE(t.name, ''), r.age_band, r.sex, r.profile_status,
               COUNT(*), COUNT({w}), SUM({w}), SUM({w} * {w}),
               SUM({x}), SUM({x} * {x}), SUM({w} * {x}), SUM({w} * {x} * {x}),
               SUM(CASE WHEN {x} >= 9 THEN 1 ELSE 0 END), SUM(CASE WHEN {x} <= 6 THEN 1 ELSE 0 END),
               SUM(CASE WHEN {x} >= 9 THEN {w} END), SUM(CASE WHEN {x} <= 6 THEN {w} END),
               SUM(CASE WHEN a.position = 1 THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.position = 1 AND {w} IS NOT NULL THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.position = 1 THEN {w} END), SUM(CASE WHEN a.position = 1 THEN {w} * {w} END)
        FROM {response_table} r
        JOIN {answer_table} a ON a.response_id = r.id
        LEFT JOIN {territory_table} t ON t.id = r.zone_id
        WHERE {{cover}}
        GROUP BY a.question, a.choice, CASE WHEN {x} IS NULL THEN 0 ELSE 1 END,
                 COALESCE(t.name, ''), r.age_band, r.sex, r.profile_status
    """
    cells, segments = totals["cells"], totals["segments"]
    seg_names = list(SEGMENTS)
    with connection.cursor() as cursor:
        for cover, params in batches:
            cursor.execute(sql.replace("{cover}", cover), params)
            for row in cursor.fetchall():
                question, choice, numeric = row[0], row[1], int(row[2])
                sums = row[7:]
                _add(cells.setdefault(f"{question}\t{choice}\t{numeric}", [0.0] * len(CELL_SUMS)), sums)
                for name, value in zip(seg_names, row[3:7], strict=True):
                    if value:
                        cell = segments[name].setdefault(f"{question}\t{choice}", {})
                        _add(cell.setdefault(value, [0.0] * len(SEGMENT_SUMS)), sums[:4])
        for dimension, items in layout.get("hexagon", {}).items():
            dim_sql = f"""
                SELECT COUNT(*), COUNT({w}), SUM({w}), SUM({w} * {w}), SUM(s.score), SUM(s.score * s.score),
                       SUM({w} * s.score), SUM({w} * s.score * s.score)
                FROM (SELECT a.response_id, AVG(a.number) AS score
                      FROM {response_table} r JOIN {answer_table} a ON a.response_id = r.id
                      WHERE {{cover}} AND a.question IN ({", ".join(["%s"] * len(items))}) AND a.number IS NOT NULL
                      GROUP BY a.response_id) s
                JOIN {response_table} r ON r.id = s.response_id
            """
            for cover, params in batches:
                cursor.execute(dim_sql.replace("{cover}", cover), [*params, *items])
                found = cursor.fetchone()
                if found and found[0]:
                    _add(totals["dimensions"].setdefault(dimension, [0.0] * len(DIMENSION_SUMS)), found)
    return totals


def _merge(total: dict, delta: dict) -> None:
    for key, sums in delta["cells"].items():
        _add(total["cells"].setdefault(key, [0.0] * len(CELL_SUMS)), sums)
    for name, by_question in delta["segments"].items():
        target = total["segments"].setdefault(name, {})
        for key, by_value in by_question.items():
            for value, sums in by_value.items():
                _add(target.setdefault(key, {}).setdefault(value, [0.0] * len(SEGMENT_SUMS)), sums)
    for dimension, sums in delta["dimensions"].items():
        _add(total["dimensions"].setdefault(dimension, [0.0] * len(DIMENSION_SUMS)), sums)


def _layout(form: Form | None) -> dict:
    """What the stored sums depend on in the questionnaire: the place-brand items per dimension."""
    by_dimension: dict[str, list[str]] = {}
    for q in form.questions() if form else []:
        parts = q.name.split("_")
        if q.name.startswith(HEXAGON_PREFIX) and len(parts) >= 3 and parts[1] in surveystats.ANHOLT_DIMENSIONS:
            by_dimension.setdefault(parts[1], []).append(q.name)
    return {"hexagon": {d: sorted(items) for d, items in sorted(by_dimension.items())}}


def _facts(survey: Survey, *, through) -> list:
    """Fingerprint of the submitted responses up to ``through``: count, Σid, weighted count, simulated count, Σw, Σw², Σid·w."""
    qs = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED, submitted_at__lte=through)
    found = qs.aggregate(n=Count("id"), ids=Sum("id"), nw=Count("weight"), sim=Count("id", filter=Q(simulated=True)),
                         sw=Sum("weight"), sw2=Sum(F("weight") * F("weight")),
                         idw=Sum(F("id") * F("weight"), output_field=FloatField()))
    return [int(found["n"]), int(found["ids"] or 0), int(found["nw"]), int(found["sim"]), float(found["sw"] or 0.0),
            float(found["sw2"] or 0.0), float(found["idw"] or 0.0)]


NO_FACTS = [0, 0, 0, 0, 0.0, 0.0, 0.0]


def _same_facts(a: list, b: list) -> bool:
    return a[:4] == b[:4] and all(abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y)) for x, y in zip(a[4:], b[4:], strict=True))


def aggregates(survey: Survey, *, rebuild: bool = False) -> dict:
    """The stored sums of ``survey``, brought up to date (see the section comment above).

    Output: ``{"cells", "segments", "dimensions", "through", "facts", "layout", "computed_at",
    "mode"}`` where ``mode`` says how this call got them: ``stored`` (nothing changed), ``added``
    (new responses added) or ``full`` (everything recomputed)."""
    from django.db.models import Max
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    from .models import ResultsSnapshot

    form = form_from_dict(survey.current_version.structure) if survey.current_version else None
    layout = _layout(form)
    stored = None if rebuild else ResultsSnapshot.objects.filter(survey=survey, key=AGGREGATES_KEY).values_list(
        "data", flat=True).first()
    submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    latest = submitted.aggregate(t=Max("submitted_at"))["t"]
    data = None
    if (stored and stored.get("format") == AGGREGATES_FORMAT and stored.get("layout") == layout
            and stored.get("purged_at") == str(survey.purged_at)):
        stored = _expanded(stored)
        through = parse_datetime(stored["through"]) if stored["through"] else None
        covered = _facts(survey, through=through) if through else NO_FACTS
        if _same_facts(covered, stored["facts"]):
            if latest is None or (through is not None and latest <= through):
                stored["mode"] = "stored"
                return stored
            new = list(submitted.filter(submitted_at__lte=latest).filter(
                **({"submitted_at__gt": through} if through else {})).values_list("id", "weight", "simulated")[:DELTA_LIMIT + 1])
            if len(new) <= DELTA_LIMIT:
                # The facts of exactly the responses whose answers are added.
                weights = [wt for _i, wt, _s in new if wt is not None]
                added = [len(new), sum(r[0] for r in new), len(weights), sum(1 for r in new if r[2]), sum(weights),
                         sum(wt * wt for wt in weights), sum(i * wt for i, wt, _s in new if wt is not None)]
                data = stored
                _merge(data, _pass(survey, layout, ids=[r[0] for r in new]))
                data["facts"] = [a + b for a, b in zip(data["facts"], added, strict=True)]
                data["through"] = latest.isoformat()
                data["mode"] = "added"
    if data is None:
        # Facts first, sums second: a response committed in between makes the stored facts differ
        # from the next check, so it triggers a recomputation instead of going unnoticed.
        facts = _facts(survey, through=latest) if latest else NO_FACTS
        data = _pass(survey, layout, through=latest) if latest else {
            "cells": {}, "segments": {s: {} for s in SEGMENTS}, "dimensions": {}}
        data.update({"format": AGGREGATES_FORMAT, "layout": layout, "purged_at": str(survey.purged_at),
                     "through": latest.isoformat() if latest else None, "facts": facts, "mode": "full"})
    data["computed_at"] = timezone.now().isoformat()
    _store(survey, AGGREGATES_KEY, str(data["through"]), _compact(data))
    return data


def _store(survey: Survey, key: str, stamp: str, data: dict) -> None:
    """Write a snapshot without reading the old one (``update_or_create`` would decode its JSON)."""
    from .models import ResultsSnapshot

    if not ResultsSnapshot.objects.filter(survey=survey, key=key).update(stamp=stamp, data=data):
        ResultsSnapshot.objects.create(survey=survey, key=key, stamp=stamp, data=data)


def _trim(sums: list) -> list:
    end = len(sums)
    while end and not sums[end - 1]:
        end -= 1
    return sums[:end]


def _padded(sums: list, size: int) -> list:
    return sums + [0.0] * (size - len(sums)) if len(sums) < size else sums


def _compact(data: dict) -> dict:
    """``data`` to store: lists of sums without their trailing zeros (most are zero when unweighted),
    which makes the stored document several times smaller and quicker to read."""
    return {**data, "cells": {k: _trim(v) for k, v in data["cells"].items()},
            "segments": {name: {k: {value: _trim(v) for value, v in by_value.items()} for k, by_value in found.items()}
                         for name, found in data["segments"].items()},
            "dimensions": {k: _trim(v) for k, v in data["dimensions"].items()}}


def _expanded(data: dict) -> dict:
    """Stored sums back to full-length lists (see :func:`_compact`)."""
    data["cells"] = {k: _padded(v, len(CELL_SUMS)) for k, v in data["cells"].items()}
    data["segments"] = {name: {k: {value: _padded(v, len(SEGMENT_SUMS)) for value, v in by_value.items()}
                               for k, by_value in found.items()} for name, found in data["segments"].items()}
    data["dimensions"] = {k: _padded(v, len(DIMENSION_SUMS)) for k, v in data["dimensions"].items()}
    return data


def _pick(sums, weighted: bool, n: int = 0, sw: int = 2, sw2: int = 3) -> dict:
    """Respondent count, Σw and Σw² of stored sums (unweighted: the count three times)."""
    if weighted:
        return {"n": int(sums[n + 1]), "sw": sums[sw], "sw2": sums[sw2]}
    return {"n": int(sums[n]), "sw": sums[n], "sw2": sums[n]}


def _tables_from(survey: Survey, form: Form, totals: dict, *, language: str, segments: list[str], k: int) -> dict:
    """Every table of :func:`survey_results` from stored sums."""
    facts = totals["facts"]
    weighted = facts[2] > 0
    by_question: dict[str, dict[str, list]] = {}
    for key, sums in totals["cells"].items():
        question, choice, numeric = key.split("\t")
        by_question.setdefault(question, {})[f"{choice}\t{numeric}"] = sums
    crossed: dict[str, dict[str, list[dict]]] = {}
    for segment in segments:
        field = f"response__{SEGMENTS[segment][0]}"
        for key, by_value in totals["segments"].get(segment, {}).items():
            question, choice = key.split("\t")
            for value, sums in by_value.items():
                picked = _pick(sums, weighted)
                if picked["n"]:
                    crossed.setdefault(segment, {}).setdefault(question, []).append({"choice": choice, field: value, **picked})
    questions = []
    for q in form.questions():
        if q.type in ("note", "commune"):
            continue
        entry = {"name": q.name, "type": q.type, "label": text(q.labels, language)}
        cells = by_question.get(q.name, {})
        if q.type in CHOICE_TYPES + ("select_multiple", "rank"):
            per_choice: dict[str, dict] = {}
            respondents = [0.0] * 4
            for key, sums in cells.items():
                choice = key.split("\t")[0]
                found = per_choice.setdefault(choice, {"n": 0, "sw": 0.0, "sw2": 0.0})
                for name, value in _pick(sums, weighted).items():
                    found[name] += value
                _add(respondents, sums[12:16])
            base = _pick(respondents, weighted) if q.type in ("select_multiple", "rank") else None
            per_choice = {c: r for c, r in per_choice.items() if r["n"]}
            entry["frequencies"] = frequencies(survey, q, weighted, language, k, per_choice, base=base)
            if q.type in CHOICE_TYPES and segments:
                entry["crosstabs"] = [crosstab(survey, q, s, weighted, language, k, crossed.get(s, {}).get(q.name, []))
                                      for s in segments]
        elif q.type in ("score", "integer", "decimal"):
            sums = [0.0] * len(CELL_SUMS)
            for key, found in cells.items():
                if key.endswith("\t1"):
                    _add(sums, found)
            moments = _pick(sums, weighted)
            swx, swx2 = (sums[6], sums[7]) if weighted else (sums[4], sums[5])
            m = surveystats.mean_from_totals(moments["n"], moments["sw"], moments["sw2"], swx, swx2, k=k)
            entry["mean"] = _mean_dict(m)
            if q.type == "score" and q.bounds and tuple(q.bounds) == (0, 10):
                promoters, detractors = (sums[10], sums[11]) if weighted else (sums[8], sums[9])
                s = surveystats.net_promoter_from_totals(promoters, detractors, moments["n"], moments["sw"],
                                                         moments["sw2"], k=k)
                entry["nps"] = _nps_dict(s)
        else:
            entry["answered"] = int(sum(found[1 if weighted else 0] for found in cells.values()))
        questions.append(entry)
    hexagon_rows = []
    for dimension in surveystats.ANHOLT_DIMENSIONS:
        sums = totals["dimensions"].get(dimension)
        if sums is None:
            continue
        moments = _pick(sums, weighted)
        swx, swx2 = (sums[6], sums[7]) if weighted else (sums[4], sums[5])
        m = surveystats.mean_from_totals(moments["n"], moments["sw"], moments["sw2"], swx, swx2, k=k)
        hexagon_rows.append({"dimension": dimension, "segment": "all", **_mean_dict(m)})
    deff = None
    if weighted:
        deff = design_effect(facts[2], facts[4], facts[5])
    return {
        "survey": survey.slug, "version": survey.current_version.number, "n": facts[0], "weighted": weighted,
        "weighted_n": facts[2], "deff": deff, "effective_n": (facts[2] / deff) if deff else None,
        "simulated": facts[3], "k": k, "questions": questions, "hexagon": hexagon_rows,
        "computed_at": totals.get("computed_at"),
    }
