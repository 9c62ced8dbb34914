"""Evidence records from the other parts of atout, SWOT proposals from findings, and evidence usage."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType

from atout.consultation.models import Answer, Response
from atout.consultation.results import is_weighted
from atout.consultation.structure import form_from_dict, text
from atout.fieldwork.models import ThemeAssignment, ThemeRun
from atout.fieldwork.themeruns import store
from atout.opinion.models import Participant
from atout.processes.models import Process

from .models import Evidence, EvidenceLink, SwotItem

#: Finding kind → SWOT category. Findings say what the statistics show: strengths and weaknesses.
#: Opportunities and threats come from the outside (trends, opinion, documents) and are added by the team.
FINDING_TO_SWOT = {"strength": SwotItem.Kind.STRENGTH, "weakness": SwotItem.Kind.WEAKNESS}


def finding_key(finding: dict, territory: str = "") -> str:
    return f"finding:{territory}:{finding['indicator']}" if territory else f"finding:{finding['indicator']}"


def evidence_from_finding(process: Process, finding: dict, *, territory: str = "") -> Evidence:
    """An indicator finding (see :func:`atout.engine.findings.findings`) as evidence; idempotent by key."""
    source, _sep, vintage = finding["source"].rpartition(" (")
    evidence, _created = Evidence.objects.update_or_create(
        process=process, key=finding_key(finding, territory),
        defaults={
            "kind": Evidence.Kind.FINDING, "title": finding["label"], "summary": finding["statement"]["fr"],
            "value": finding["value"], "unit": finding.get("unit", ""), "n": None, "margin": None,
            "source": (source or finding["source"])[:400], "vintage": vintage.rstrip(")")[:40],
            "public": True, "simulated": False,
        },
    )
    return evidence


def evidence_from_statement(process: Process, statement, *, simulated: bool) -> Evidence:
    """An opinion statement with its share of agreement (latest vote of each participant) as evidence.

    ``value`` is the % of agree among agree + disagree + pass; ``n`` the number of voters. ``simulated``
    says whether the votes are simulated (the demo).
    """
    latest: dict[int, int] = {}
    for participant, value in statement.votes.order_by("created", "pk").values_list("participant_id", "value"):
        latest[participant] = value
    counts = Counter(latest.values())
    n = sum(counts.values())
    share = 100.0 * counts.get(1, 0) / n if n else None
    conversation = statement.conversation
    summary = (f"{counts.get(1, 0)} d'accord, {counts.get(-1, 0)} pas d'accord, {counts.get(0, 0)} sans avis "
               f"sur {n} votant·es.")
    evidence, _created = Evidence.objects.update_or_create(
        process=process, key=f"opinion:{conversation.slug}:{statement.number}",
        defaults={
            "kind": Evidence.Kind.OPINION, "title": statement.text[:300], "summary": summary, "value": share,
            "unit": "% d'accord", "n": n, "margin": None,
            "source": f"Conversation « {conversation.question} »"[:400], "vintage": f"{statement.created:%Y}",
            "public": True, "simulated": simulated,
            "origin_type": ContentType.objects.get_for_model(statement), "origin_id": statement.pk,
        },
    )
    return evidence


def propose_from_findings(process: Process, findings: Iterable[dict], *, territory=None) -> list[SwotItem]:
    """Propose a SWOT item for each strength or weakness finding, with its evidence; idempotent.

    Items already proposed from the same finding are left as the team curated them (accepted,
    edited, merged or rejected). ``territory``: a sub-territory (None for the whole process territory).
    """
    axes = {a.code: a for a in process.axes.all()}
    from atout.engine.catalogue import load_catalogue

    catalogue = load_catalogue()
    items = []
    for finding in findings:
        kind = FINDING_TO_SWOT.get(finding["kind"])
        if kind is None:
            continue
        evidence = evidence_from_finding(process, finding, territory=territory.code if territory else "")
        indicator = catalogue.get(finding["indicator"])
        item, created = SwotItem.objects.get_or_create(
            process=process, subterritory=territory, proposed_from=evidence.key,
            defaults={"kind": kind, "title": finding["label"], "description": finding["statement"]["fr"],
                      "axis": axes.get(indicator.axis) if indicator else None,
                      "domain": indicator.domain if indicator else ""},
        )
        item.link_evidence(evidence)
        items.append(item)
    return items


# ----------------------------------------------------------------------- proposals from surveys and themes

#: Minimum share of a run's texts (and minimum number of texts) for a theme to be proposed.
THEME_MIN_SHARE = 0.05
THEME_MIN_SIZE = 3
#: A place-brand item is proposed when the 95 % interval of its mean score lies beyond the scale's midpoint
#: by at least this many points (half a step of a 1–5 scale): a mean of 3.3 with 80 % "neither" is no strength.
SCALE_MARGIN = 0.5
#: Share of a theme's texts that must answer one open question for the theme to take its SWOT category.
QUESTION_MAJORITY = 2 / 3
TONALITY_TO_SWOT = {"positive": SwotItem.Kind.STRENGTH, "negative": SwotItem.Kind.WEAKNESS}


def _classify(process, classes: dict, *keys: str) -> dict:
    """Axis and OECD domain for the first key of ``classes`` found (``{"axis", "domain"}``, may be empty)."""
    axes = {a.code: a for a in process.axes.all()}
    for key in keys:
        if key and key in classes:
            found = classes[key]
            return {"axis": axes.get(found.get("axis", "")), "domain": found.get("domain", "")}
    return {"axis": None, "domain": ""}


def _propose(process, evidence: Evidence, *, kind: str, title: str, description: str, territory=None,
             axis=None, domain: str = "") -> SwotItem:
    """A proposed SWOT item for ``evidence`` (idempotent by its key; a curated item is left as it is)."""
    item, _created = SwotItem.objects.get_or_create(
        process=process, subterritory=territory, proposed_from=evidence.key,
        defaults={"kind": kind, "title": title[:300], "description": description, "axis": axis, "domain": domain},
    )
    item.link_evidence(evidence)
    return item


def _survey_evidence(process, survey, key: str, *, title: str, summary: str, value: float, unit: str, n: int,
                     margin: float, simulated: bool, digits: int = 1) -> Evidence:
    evidence, _created = Evidence.objects.update_or_create(
        process=process, key=key,
        defaults={"kind": Evidence.Kind.SURVEY, "title": title[:300], "summary": summary, "value": round(value, digits),
                  "unit": unit, "n": n, "margin": round(margin, digits), "source": f"Enquête « {survey.title_fr} »"[:400],
                  "vintage": f"{survey.created:%Y}", "public": True, "simulated": simulated,
                  "origin_type": ContentType.objects.get_for_model(survey), "origin_id": survey.pk},
    )
    return evidence


def _fmt(x: float, digits: int = 0) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def propose_from_survey(process: Process, survey, *, mapping=None, k: int | None = None) -> list[SwotItem]:
    """Propose strengths and weaknesses from a survey's results, each with a survey-result evidence (n and
    margin of error); idempotent, curated items are left as the team made them.

    * Options of the multiple choice questions named in the mapping's ``swot_questions`` (e.g. ``atouts``
      → S, ``faiblesses`` → W): proposed when the lower bound of their share's 95 % Wilson interval is
      above the mean share of the question's options (clearly more cited than an average option).
    * Place-brand items (``hex_…``, numeric answer codes): a strength when the 95 % interval of the mean
      score lies above the scale's midpoint + ``SCALE_MARGIN``, a weakness when it lies below midpoint − margin.
    * Per sub-territory (respondents of the zone, at least ``k``): the same rule, and the zone's interval
      entirely above (strength) / beyond (weakness) the other zones' — what is specific to the zone.

    ``mapping`` (default: the process's perception mapping) also gives axis and OECD domain through its
    items and ``classes``.
    """
    from atout.engine import perception as engine
    from atout.engine.surveystats import DEFAULT_K

    from . import perception

    k = k or DEFAULT_K
    if survey.current_version is None:
        return []
    if mapping is None:
        try:
            mapping = perception.mapping_of(process)
        except Exception:  # a broken mapping must not stop proposals; its page reports the problem
            mapping = None
    classes = dict(getattr(mapping, "classes", {}) or {})
    for item in getattr(mapping, "items", []):
        classes.setdefault(item.question, {"axis": item.axis, "domain": item.domain})
    swot_questions = getattr(mapping, "swot_questions", {}) or {}
    form = form_from_dict(survey.current_version.structure)
    weighted = is_weighted(survey)
    zones = {z.code: z for z in process.subterritories.filter(level="zone")}
    simulated = survey.responses.filter(simulated=True).exists()
    items: list[SwotItem] = []
    for question in form.questions():
        if question.name in swot_questions and question.type == "select_multiple":
            kind = swot_questions[question.name]
            label = text(question.labels, "fr")
            options = [(c.name, text(c.labels, "fr")) for c in question.choices]
            per_option = {code: perception.agreement_cells(survey, question.name, [code], "sex", weighted)
                          for code, _label in options}
            for scope in [""] + list(zones):
                def cells(code, scope=scope, exclude=False, per_option=per_option):
                    return _scope_cells(per_option[code], scope, exclude)

                shares = {code: perception._pool(cells(code), k=k) for code, _l in options}
                shown = [s.share for s in shares.values() if not s.suppressed]
                if not shown:
                    continue
                average = sum(s.share for s in shares.values() if not s.suppressed) / len(options)
                for code, option_label in options:
                    s = shares[code]
                    if s.suppressed or s.low <= average:
                        continue
                    if scope and engine.perception_gap(s, perception._pool(cells(code, exclude=True), k=k)) != "above":
                        continue
                    where = zones[scope].name if scope else process.territory.name
                    summary = (f"Cité par {_fmt(100 * s.share)} % des répondants{' de ' + where if scope else ''} "
                               f"(IC 95 % {_fmt(100 * s.low)}–{_fmt(100 * s.high)} %, n = {s.n}) à la question « {label} » ; "
                               f"une option moyenne l'est par {_fmt(100 * average)} %.")
                    evidence = _survey_evidence(
                        process, survey, f"survey:{survey.slug}:{question.name}:{code}:{scope or 'all'}",
                        title=f"{option_label} — « {label} »" + (f" ({where})" if scope else ""), summary=summary,
                        value=100 * s.share, unit="% des répondants", n=s.n, margin=100 * s.margin, simulated=simulated)
                    cls = _classify(process, classes, f"{question.name}:{code}", question.name)
                    items.append(_propose(process, evidence, kind=kind, title=option_label, description=summary,
                                          territory=zones[scope] if scope else None, **cls))
        elif question.name.startswith("hex_") and question.type in ("select_one", "likert"):
            items += _propose_scale(process, survey, question, zones, classes, weighted, simulated, k)
    return items


def _scope_cells(found: list[tuple], scope: str, exclude: bool) -> list[tuple]:
    """Cells of :func:`perception.agreement_cells` for the whole territory (``scope`` empty), one zone, or
    (``exclude``) every other zone."""
    if not scope:
        return found
    if exclude:
        return [c for c in found if c[0] and c[0] != scope]
    return [c for c in found if c[0] == scope]


def _propose_scale(process, survey, question, zones, classes, weighted, simulated, k) -> list[SwotItem]:
    """Place-brand item: mean score vs the scale's midpoint, overall and per zone (see propose_from_survey)."""
    from django.db.models import F, FloatField, Sum, Value
    from django.db.models.functions import Coalesce

    from atout.engine.surveystats import mean_from_totals

    try:
        scale = sorted(float(c.name) for c in question.choices)
    except ValueError:
        return []
    if len(scale) < 3:
        return []
    midpoint = (scale[0] + scale[-1]) / 2
    label = text(question.labels, "fr")
    w = F("response__weight") if weighted else Value(1.0, output_field=FloatField())
    qs = Answer.objects.filter(survey=survey, question=question.name, number__isnull=False,
                               response__status=Response.Status.SUBMITTED)
    if weighted:
        qs = qs.filter(response__weight__isnull=False)
    rows = {r["response__zone__code"] or "": r for r in qs.values("response__zone__code").annotate(
        n=Sum(Value(1)), sw=Coalesce(Sum(w), 0.0), sw2=Coalesce(Sum(w * w), 0.0),
        swx=Coalesce(Sum(w * F("number")), 0.0), swx2=Coalesce(Sum(w * F("number") * F("number")), 0.0))}

    def mean_of(keys):
        found = [rows[key] for key in keys if key in rows]
        totals = [sum(r[f] for r in found) for f in ("n", "sw", "sw2", "swx", "swx2")]
        return mean_from_totals(int(totals[0]), *totals[1:], k=k)

    overall = mean_of(list(rows))
    items = []
    for scope in [""] + list(zones):
        m = overall if not scope else mean_of([scope])
        if m.suppressed or m.low is None:
            continue
        kind = "S" if m.low > midpoint + SCALE_MARGIN else "W" if m.high < midpoint - SCALE_MARGIN else None
        if kind is None:
            continue
        if scope:
            others = mean_of([key for key in rows if key and key != scope])
            if others.suppressed or not ((kind == "S" and m.low > others.high) or (kind == "W" and m.high < others.low)):
                continue
        where = zones[scope].name if scope else process.territory.name
        summary = (f"Score moyen {_fmt(m.estimate, 2)} sur {_fmt(scale[0])}–{_fmt(scale[-1])} "
                   f"(IC 95 % {_fmt(m.low, 2)}–{_fmt(m.high, 2)}, n = {m.n}){' ' + where if scope else ''} : "
                   f"{'au-dessus' if kind == 'S' else 'en dessous'} du point milieu ({_fmt(midpoint)}) "
                   f"de plus de {_fmt(SCALE_MARGIN, 1)} point.")
        evidence = _survey_evidence(
            process, survey, f"survey:{survey.slug}:{question.name}:{scope or 'all'}",
            title=f"« {label} »" + (f" ({where})" if scope else ""), summary=summary, value=m.estimate,
            unit=f"score moyen ({_fmt(scale[0])}–{_fmt(scale[-1])})", n=m.n, margin=(m.high - m.low) / 2,
            simulated=simulated, digits=3)
        items.append(_propose(process, evidence, kind=kind, title=label, description=summary,
                              territory=zones[scope] if scope else None,
                              **_classify(process, classes, question.name)))
    return items


def propose_from_themes(process: Process, run, *, mapping=None, min_share: float = THEME_MIN_SHARE,
                        min_size: int = THEME_MIN_SIZE) -> list[SwotItem]:
    """Propose a SWOT item for each prominent theme of a finished theme run, with the theme as evidence.

    Prominent: carried by at least ``min_share`` of the run's texts and ``min_size`` texts. Category, in
    order: the SWOT category of the codebook code the team attached to the theme; for a run on survey
    open answers (:func:`survey_theme_run`), the category of the open question that at least
    ``QUESTION_MAJORITY`` of its texts answer (mapping ``open_questions``: "what attracts" → strength,
    "what holds back" → weakness); else its tonality (positive → strength, negative → weakness; mixed or
    neutral themes are not proposed). Axis: the code's; OECD domain: from the mapping's ``classes`` (key
    ``code:<code name>``). Idempotent.
    """
    from . import perception

    if run.status != ThemeRun.Status.DONE:
        return []
    if mapping is None:
        try:
            mapping = perception.mapping_of(process)
        except Exception:
            mapping = None
    classes = dict(getattr(mapping, "classes", {}) or {})
    open_questions = dict(getattr(mapping, "open_questions", {}) or {})
    by_question = _theme_questions(run) if open_questions else {}
    simulated = (ThemeAssignment.objects.filter(theme__run=run, session__simulated=True).exists()
                 or bool(run.parameters.get("simulated")))
    threshold = max(min_size, min_share * (run.answers or 0))
    items = []
    for theme in run.themes.select_related("code", "code__axis").order_by("-size", "number"):
        if theme.size < threshold:
            continue
        code = theme.code
        kind = code.swot if code is not None and code.swot else None
        counts = by_question.get(theme.number, {})
        if not kind and counts:
            question, count = max(counts.items(), key=lambda qc: qc[1])
            if question in open_questions and count >= QUESTION_MAJORITY * sum(counts.values()):
                kind = open_questions[question]
        kind = kind or TONALITY_TO_SWOT.get(theme.tonality)
        if not kind:
            continue
        quotes = [q for q in (theme.quotes or []) if q][:3]
        summary = (f"Thème porté par {theme.size} textes sur {run.answers} ({_fmt(100 * theme.size / run.answers)} %), "
                   f"tonalité {theme.get_tonality_display() or 'non établie'} ; termes : {', '.join(theme.terms[:6])}."
                   + "".join(f" « {q[:240]} »" for q in quotes))
        evidence, _created = Evidence.objects.update_or_create(
            process=process, key=f"theme:{run.pk}:{theme.number}",
            defaults={"kind": Evidence.Kind.THEME, "title": theme.label[:300], "summary": summary,
                      "value": round(100 * theme.size / run.answers, 1) if run.answers else None,
                      "unit": "% des textes", "n": theme.size, "margin": None,
                      "source": f"Analyse thématique « {run} »"[:400], "vintage": f"{run.created:%Y}",
                      "public": run.published, "simulated": simulated,
                      "origin_type": ContentType.objects.get_for_model(theme), "origin_id": theme.pk},
        )
        cls = _classify(process, classes, f"code:{code.name}" if code else "")
        if code is not None and code.axis_id:
            cls["axis"] = code.axis
        items.append(_propose(process, evidence, kind=kind, title=theme.label, description=summary, **cls))
    return items


def _theme_questions(run) -> dict[int, dict[str, int]]:
    """Theme number → {survey question: texts} for a run on survey answers (units ``a<answer pk>``)."""
    units = list(ThemeAssignment.objects.filter(theme__run=run, unit__startswith="a").values_list("theme__number", "unit"))
    if not units:
        return {}
    question_of = dict(Answer.objects.filter(pk__in=[int(u[1:]) for _n, u in units if u[1:].isdigit()])
                       .values_list("pk", "question"))
    found: dict[int, dict[str, int]] = {}
    for number, unit in units:
        question = question_of.get(int(unit[1:])) if unit[1:].isdigit() else None
        if question:
            found.setdefault(number, {}).setdefault(question, 0)
            found[number][question] += 1
    return found


def survey_theme_run(process: Process, survey, questions: list[str], *, label: str, seed: int = 0):
    """Themes of a survey's open answers (submitted responses, the given text questions) stored as a
    :class:`~atout.fieldwork.models.ThemeRun` of the process (units ``a<answer pk>``, segments: question
    and sub-territory), so they can be curated on the fieldwork pages and proposed as SWOT items."""
    from django.utils import timezone

    from atout.engine.themes import discover_themes

    rows = list(Answer.objects.filter(survey=survey, question__in=questions, response__status=Response.Status.SUBMITTED)
                .exclude(text="").order_by("pk").values_list("pk", "question", "text", "response__zone__name"))
    simulated = survey.responses.filter(simulated=True).exists()
    run = ThemeRun.objects.create(process=process, label=label, status=ThemeRun.Status.RUNNING, parameters={
        "source": "survey", "survey": survey.slug, "questions": list(questions), "seed": seed, "k": None,
        "batches": [], "transcripts": False, "simulated": simulated})
    if len(rows) < 4:
        run.status, run.error, run.finished = ThemeRun.Status.FAILED, f"{len(rows)} text(s): at least 4 are needed", timezone.now()
        run.save()
        return run
    result = discover_themes([r[2] for r in rows], [f"a{r[0]}" for r in rows], seed=seed)
    run.answers = len(rows)
    return store(run, result, segments={"question": [r[1] for r in rows], "subterritory": [r[3] or "—" for r in rows]})


def usages(evidence: Evidence) -> list[dict]:
    """Where ``evidence`` is used: ``[{"object", "kind" (verbose name), "url", "note"}]``."""
    result = []
    for link in EvidenceLink.objects.filter(evidence=evidence).select_related("target_type"):
        target = link.target
        if target is None:
            continue
        url = getattr(target, "get_absolute_url", lambda: "")()
        result.append({"object": target, "kind": link.target_type.model_class()._meta.verbose_name, "url": url,
                       "note": link.note})
    for milestone in evidence.milestones.select_related("action"):
        result.append({"object": milestone, "kind": milestone._meta.verbose_name,
                       "url": milestone.action.get_absolute_url(), "note": ""})
    return result


def merge(item: SwotItem, into: SwotItem) -> None:
    """Merge ``item`` into ``into``: its evidence moves over, it is marked merged (kept for the record)."""
    for evidence in item.linked_evidence():
        into.link_evidence(evidence)
    item.status = SwotItem.Status.MERGED
    item.merged_into = into
    if into.status == SwotItem.Status.PROPOSED:
        into.status = SwotItem.Status.ACCEPTED
        into.save(update_fields=["status"])


#: Segments with fewer respondents are not shown (k-anonymity, as for opinion groups).
SMALL_CELL = 10


def record_allocation(process: Process, user, points: dict, segment: str = "", *, simulated: bool = False) -> None:
    """Replace ``user``'s allocation in ``process`` by ``points`` ({orientation: points})."""
    from django.db import transaction

    from .models import Allocation

    with transaction.atomic():
        Allocation.objects.filter(process=process, user=user).delete()
        Allocation.objects.bulk_create(
            Allocation(process=process, orientation=o, user=user, points=p, segment=segment, simulated=simulated)
            for o, p in points.items())


def record_ranking(process: Process, user, ranks: dict, segment: str = "", *, simulated: bool = False) -> None:
    """Replace ``user``'s ranking in ``process`` by ``ranks`` ({orientation: rank, 1 = first}).

    Raises ValueError when the ranks are not a permutation of 1..n over all the process's orientations.
    """
    from django.db import transaction

    from .models import Orientation, Ranking

    expected = set(Orientation.objects.filter(process=process).values_list("pk", flat=True))
    problem = ranking_problem([ranks.get(o) for o in ranks], len(expected))
    if {o.pk for o in ranks} != expected:
        problem = "the ranking must cover every orientation of the process, once"
    if problem:
        raise ValueError(problem)
    with transaction.atomic():
        Ranking.objects.filter(process=process, user=user).delete()
        Ranking.objects.bulk_create(
            Ranking(process=process, orientation=o, user=user, rank=r, segment=segment, simulated=simulated)
            for o, r in ranks.items())


def ranking_problem(ranks: list, n: int) -> str:
    """Why ``ranks`` is not a permutation of 1..n ("" when it is): missing, out of range or repeated ranks."""
    if len(ranks) != n or any(r is None for r in ranks):
        return f"give a rank to each of the {n} orientations"
    outside = sorted({r for r in ranks if not 1 <= r <= n})
    if outside:
        return f"ranks go from 1 to {n}: {', '.join(map(str, outside))} is out of range"
    repeated = sorted(r for r, c in Counter(ranks).items() if c > 1)
    if repeated:
        missing = sorted(set(range(1, n + 1)) - set(ranks))
        return (f"rank {', '.join(map(str, repeated))} given more than once"
                f" (missing: {', '.join(map(str, missing))})")
    return ""


def _responses(model, process: Process, field: str) -> tuple[dict, dict, bool]:
    """{user: {orientation id: value}}, {user: segment} and whether any response is simulated."""
    by_user: dict[int, dict[int, int]] = {}
    segment_of: dict[int, str] = {}
    simulated = False
    for user, orientation, value, segment, sim in model.objects.filter(process=process).values_list(
            "user_id", "orientation_id", field, "segment", "simulated"):
        by_user.setdefault(user, {})[orientation] = value
        segment_of[user] = segment
        simulated = simulated or sim
    return by_user, segment_of, simulated


def _normalise(values: list) -> list:
    total = sum(v for v in values if v is not None)
    return [v / total if total and v is not None else None for v in values]


def _segments(everyone: list, segment_of: dict) -> list[tuple[str, str, list]]:
    """(code, label, users) of each declared segment with at least one respondent, in the Status order."""
    out = []
    for code, label in Participant.Status.choices:
        users = [u for u in everyone if segment_of[u] == code]
        if users:
            out.append((code, str(label), users))
    return out


def _balanced(orientations: list, segments: list, score) -> dict:
    """Segment-balanced reading: the mean over segments (≥ SMALL_CELL respondents) of each segment's mean
    ``score(users)`` per orientation, so that every such segment weighs the same whatever its size.
    Respondents without a declared segment, and those of smaller segments, are left out of this reading."""
    kept = [(label, users) for _code, label, users in segments if len(users) >= SMALL_CELL]
    if not kept:
        return {"segments": [], "respondents": 0, "rows": []}
    per_segment = [score(users) for _label, users in kept]
    means = [sum(m[i] for m in per_segment) / len(kept) for i in range(len(orientations))]
    return {"segments": [{"label": label, "n": len(users)} for label, users in kept],
            "respondents": sum(len(users) for _label, users in kept),
            "rows": [{"orientation": o, "mean": m, "share": s}
                     for o, m, s in zip(orientations, means, _normalise(means), strict=True)]}


def allocation_results(process: Process) -> dict:
    """Mean points per orientation (unweighted: every respondent counts once), by segment too.

    Returns ``{"respondents": n, "rows": [{"orientation", "mean", "share"}], "segments": [{"label", "n",
    "means": [mean or None per orientation]}], "balanced": {...}, "simulated": bool}``; ``share`` (0–1, summing
    to 1) is the weight the orientation would get in a composite index. Segments under SMALL_CELL respondents
    are hidden. ``balanced`` is the segment-balanced reading (:func:`_balanced`).
    """
    from .models import Allocation, Orientation

    orientations = list(Orientation.objects.filter(process=process).select_related("axis"))
    by_user, segment_of, simulated = _responses(Allocation, process, "points")

    def means(users):
        if not users:
            return [None] * len(orientations)
        return [sum(by_user[u].get(o.pk, 0) for u in users) / len(users) for o in orientations]

    everyone = list(by_user)
    overall = means(everyone)
    rows = [{"orientation": o, "mean": m, "share": s}
            for o, m, s in zip(orientations, overall, _normalise(overall), strict=True)]
    segments = []
    for _code, label, users in _segments(everyone, segment_of):
        segments.append({"label": label, "n": len(users),
                         "means": means(users) if len(users) >= SMALL_CELL else [None] * len(orientations)})
    return {"respondents": len(everyone), "rows": rows, "segments": segments,
            "balanced": _balanced(orientations, _segments(everyone, segment_of), means), "simulated": simulated}


def ranking_results(process: Process) -> dict:
    """Rankings of the orientations: mean Borda score (n − rank: n−1 points for a first place, 0 for the last),
    share of first places, and the Borda scores normalised to shares summing to 1 — overall (every
    respondent counts once), by segment (under SMALL_CELL respondents hidden) and segment-balanced.

    Returns ``{"respondents", "rows": [{"orientation", "borda", "first_places", "share"}], "segments":
    [{"label", "n", "borda": [...], "first_places": [...]}], "balanced": {...}, "simulated"}``.
    """
    from .models import Orientation, Ranking

    orientations = list(Orientation.objects.filter(process=process).select_related("axis"))
    n = len(orientations)
    by_user, segment_of, simulated = _responses(Ranking, process, "rank")
    # A ranking made before an orientation was added lacks it: that orientation counts as ranked last.
    everyone = list(by_user)

    def borda(users):
        if not users:
            return [None] * n
        return [sum(n - by_user[u].get(o.pk, n) for u in users) / len(users) for o in orientations]

    def firsts(users):
        if not users:
            return [None] * n
        return [sum(1 for u in users if by_user[u].get(o.pk) == 1) / len(users) for o in orientations]

    overall, first = borda(everyone), firsts(everyone)
    rows = [{"orientation": o, "borda": b, "first_places": f, "share": s}
            for o, b, f, s in zip(orientations, overall, first, _normalise(overall), strict=True)]
    segments = []
    for _code, label, users in _segments(everyone, segment_of):
        shown = len(users) >= SMALL_CELL
        segments.append({"label": label, "n": len(users),
                         "borda": borda(users) if shown else [None] * n,
                         "first_places": firsts(users) if shown else [None] * n})
    return {"respondents": len(everyone), "rows": rows, "segments": segments,
            "balanced": _balanced(orientations, _segments(everyone, segment_of), borda), "simulated": simulated}


def prioritisation_mode(process: Process) -> str:
    """"points", "ranking" or "both" (points when the team has not chosen)."""
    from .models import PrioritisationSettings

    found = PrioritisationSettings.objects.filter(process=process).first()
    return found.mode if found else PrioritisationSettings.Mode.POINTS


def priority_shares(process: Process, *, reading: str = "everyone") -> dict[int, float]:
    """{orientation id: share} summing to 1, from the mode's results: the allocation shares (points), the
    normalised Borda scores (ranking), or, for both, the mean of the two when both have respondents (else
    the one that has). ``reading`` = "everyone" (every respondent counts once) or "balanced" (segment-
    balanced). Empty when nobody has answered."""
    mode = prioritisation_mode(process)
    readings = []
    for wanted, results in (("points", allocation_results), ("ranking", ranking_results)):
        if mode in (wanted, "both"):
            found = results(process)
            rows = found["balanced"]["rows"] if reading == "balanced" else found["rows"]
            if rows and all(r["share"] is not None for r in rows):
                readings.append({r["orientation"].pk: r["share"] for r in rows})
    if not readings:
        return {}
    return {o: sum(r[o] for r in readings) / len(readings) for o in readings[0]}


def pillar_weights(shares: dict[str, float], pillar_of: dict[str, str], pillars: list[str]) -> dict[str, float]:
    """Composite weights of ``pillars`` from orientation ``shares`` and each orientation's pillar.

    A pillar's raw weight is the sum of the shares of the orientations mapped to it. Orientations without
    a pillar (or with one outside ``pillars``) are left out. The mapped pillars share, in proportion to
    their raw weights, the part of the total they would have under equal weights (m / k for m mapped
    pillars out of k); pillars without an orientation keep their equal weight 1 / k — stakeholders said
    nothing about them, so their prioritisation neither raises nor removes them. Weights sum to 1.
    Empty when no orientation maps to a pillar or the mapped shares are all 0.
    """
    raw = dict.fromkeys(pillars, 0.0)
    mapped = set()
    for orientation, share in shares.items():
        pillar = pillar_of.get(orientation)
        if pillar in raw:
            raw[pillar] += share
            mapped.add(pillar)
    total = sum(raw[p] for p in mapped)
    if not mapped or total <= 0:
        return {}
    k = len(pillars)
    return {p: (len(mapped) / k) * raw[p] / total if p in mapped else 1 / k for p in pillars}


def composite_weights(process: Process, *, reading: str = "everyone") -> dict[str, float]:
    """The compass's domain (pillar) weights from the stakeholders' priorities (see :func:`pillar_weights`);
    empty when there are no priorities or no orientation has a pillar."""
    from atout.engine.catalogue import DOMAINS

    from .models import Orientation

    shares = priority_shares(process, reading=reading)
    pillar_of = dict(Orientation.objects.filter(process=process).exclude(domain="").values_list("pk", "domain"))
    return pillar_weights(shares, pillar_of, list(DOMAINS))
