"""Theme runs: the themes engine on a process's contributions and transcript paragraphs, stored with
the parameters that produced it, edited by people (rename, merge, split, move, promote to a code),
and compared with human coding (Cohen's kappa, via the engine's :func:`agreement`).

A run is a background task (django-tasks): inline with the immediate backend (tests, CLI), in a
worker with the database backend; its progress (0–100) is stored on the :class:`ThemeRun`.
"""

from __future__ import annotations

import pickle
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks import task

from atout.consultation.models import Answer, Survey, SurveyVersion
from atout.consultation.structure import form_from_dict, question_map
from atout.consultation.structure import text as in_language
from atout.core.tasks import on_task_failure
from atout.engine import theme_labels
from atout.engine import themes as engine

from .coding import codebook_for
from .models import Code, Coding, Contribution, ContributionImport, Session, Theme, ThemeAssignment, ThemeRun
from .transcripts import paragraphs, speaker_of

#: Segment values with fewer analysed texts than this are not shown, and counts below it neither.
SMALL_CELL = 10
#: Contribution metadata kept as a segment when it has between 2 and this many distinct values.
MAX_SEGMENT_VALUES = 30
#: Readable names of the segments a run is split by (other keys are CSV column names, shown as is).
SEGMENT_LABELS = {
    "source": gettext_lazy("source"), "subterritory": gettext_lazy("sous-territoire"),
    "alignment": gettext_lazy("position dans le débat (Decidim)"), "depth": gettext_lazy("profondeur de la réponse"),
    "category": gettext_lazy("catégorie"), "moderated": gettext_lazy("modération (pol.is)"),
}
_UNIT = re.compile(r"^(?:c(?P<contribution>\d+)|s(?P<session>\d+)p(?P<paragraph>\d+)|a(?P<answer>\d+))$")


@dataclass
class Unit:
    """One analysed text: ``id`` is ``c<contribution pk>`` or ``s<session pk>p<paragraph index>``."""

    id: str
    text: str
    segments: dict[str, str] = field(default_factory=dict)


def transcript_units(session: Session, zone_names: dict[int, str]) -> list[Unit]:
    """A session's paragraphs, the speaker label at their start removed (it is not content)."""
    zone = session.subterritory()
    units = []
    for index, (_start, _end, text) in enumerate(paragraphs(session.transcript)):
        speaker = speaker_of(text)
        if speaker:
            text = re.sub(r"^\s*(\[[^\]]*\]|[^:\n]{1,40}\s:)\s*", "", text, count=1)
        units.append(Unit(f"s{session.pk}p{index}", text, {
            "source": str(session.get_kind_display()), "subterritory": zone.name if zone else "—",
        }))
    return units


def corpus_units(process, *, batches=None, transcripts: bool = True) -> list[Unit]:
    """Texts of a process to analyse: contributions (of the given import batches, or all) and,
    when ``transcripts``, the paragraphs of its session transcripts."""
    from django.utils.translation import gettext as _

    contributions = Contribution.objects.filter(process=process).select_related("batch").order_by("pk")
    if batches is not None:
        contributions = contributions.filter(batch_id__in=list(batches))
    alignment_names = {1: _("pour"), 0: _("neutre"), -1: _("contre")}
    rows = list(contributions)
    extra_keys = _segment_keys(rows)
    units = []
    for c in rows:
        segments = {"source": f"{c.get_platform_display()} — {c.batch}", "subterritory": c.segments.get("subterritory", "—")}
        if c.alignment is not None:
            segments["alignment"] = str(alignment_names[c.alignment])
        for key in extra_keys:
            segments[key] = str(c.segments.get(key, ""))
        units.append(Unit(f"c{c.pk}", c.text if c.text.strip() else c.title, segments))
    if transcripts:
        for session in Session.objects.filter(process=process).exclude(transcript="").order_by("date", "pk"):
            units.extend(transcript_units(session, {}))
    keys = sorted({k for u in units for k in u.segments})
    for u in units:
        for key in keys:
            u.segments.setdefault(key, "—")
    return units


def _segment_keys(contributions) -> list[str]:
    values: dict[str, set] = defaultdict(set)
    for c in contributions:
        for key, value in c.segments.items():
            if key not in ("subterritory", "thread", "agrees", "disagrees", "theme") and len(values[key]) <= MAX_SEGMENT_VALUES:
                values[key].add(value)
    return sorted(k for k, v in values.items() if 2 <= len(v) <= MAX_SEGMENT_VALUES)


# --------------------------------------------------------------------------- running


def start_run(process, *, k: int | None = None, seed: int = 0, batches=None, transcripts: bool = True,
              label: str = "", user=None) -> ThemeRun:
    """Create a run and enqueue it; with the immediate backend it is finished on return."""
    parameters = {"k": k, "seed": seed, "batches": sorted(batches) if batches is not None else None,
                  "transcripts": transcripts}
    run = ThemeRun.objects.create(process=process, label=label, parameters=parameters, created_by=user)
    run_themes.enqueue(run.pk)
    run.refresh_from_db()
    return run


@task()
def run_themes(run_id: int) -> None:
    """The background task: analyse, store, or record the failure on the run."""
    try:
        execute(ThemeRun.objects.get(pk=run_id))
    except Exception as exc:
        # A run must never stay "running" forever on its page: record any crash, then let the
        # task backend log it too.
        ThemeRun.objects.filter(pk=run_id).update(status=ThemeRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}",
                                                  finished=timezone.now())
        raise


@on_task_failure("atout.fieldwork.themeruns.run_themes")
def run_lost(run_id: int, *, message: str) -> None:
    """The worker died during the run too many times: the run's page says it failed, and why."""
    ThemeRun.objects.filter(pk=run_id).exclude(status=ThemeRun.Status.DONE).update(
        status=ThemeRun.Status.FAILED, error=message, finished=timezone.now())


def execute(run: ThemeRun) -> ThemeRun:
    p = run.parameters
    ThemeRun.objects.filter(pk=run.pk).update(status=ThemeRun.Status.RUNNING, progress=0)
    units = corpus_units(run.process, batches=p.get("batches"), transcripts=p.get("transcripts", True))
    last = [0]

    def progress(done: int, total: int | None = None) -> None:
        value = int(100 * done / max(total or 100, 1))
        if value >= last[0] + 5:  # one write per 5 %: the page polls it, the database need not churn
            last[0] = value
            ThemeRun.objects.filter(pk=run.pk).update(progress=min(value, 99))

    try:
        if len(units) < 4:
            raise ValueError(f"{len(units)} text(s) to analyse: at least 4 are needed")
        result = engine.discover_themes([u.text for u in units], [u.id for u in units], k=p.get("k"),
                                        seed=p.get("seed", 0), progress=progress)
    except ValueError as exc:
        ThemeRun.objects.filter(pk=run.pk).update(status=ThemeRun.Status.FAILED, error=str(exc), finished=timezone.now())
        run.refresh_from_db()
        return run
    segments = {key: [u.segments[key] for u in units] for key in (units[0].segments if units else {})}
    run.answers = len(units)
    store(run, result, segments=segments)
    return run


# --------------------------------------------------------------------------- storing


def load(run: ThemeRun) -> engine.ThemeResult:
    """The engine's result of a run (written by this server only, in :func:`store`)."""
    if not run.state:
        raise ValueError("this run has no result")
    return pickle.loads(zlib.decompress(bytes(run.state)))  # noqa: S301 - our own data, never uploaded


@transaction.atomic
def store(run: ThemeRun, result: engine.ThemeResult, *, segments: dict[str, list[str]] | None = None) -> ThemeRun:
    """Save a result on its run: JSON summary, spread, Theme and ThemeAssignment rows.

    Codes given to themes survive edits for the theme numbers that still exist.
    """
    kept_codes = dict(run.themes.exclude(code=None).values_list("number", "code_id"))
    summary = result.as_dict()
    summary["history"] = result.history
    if segments is None:
        segments = run.result.get("segments", {})
    summary["segments"] = segments
    summary["spread"] = engine.spread(result, segments).to_dict(orient="records") if segments else []
    run.result = summary
    run.state = zlib.compress(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    run.status, run.progress, run.error, run.finished = ThemeRun.Status.DONE, 100, "", timezone.now()
    run.answers = len(result.answer_ids)
    run.save()
    run.themes.all().delete()
    themes = Theme.objects.bulk_create([
        Theme(run=run, number=t.id, label=display_label(t.label, t.terms), terms=t.terms, size=t.size, quotes=t.quotes,
              quote_ids=t.quote_ids, tonality=t.tonality.get("dominant", ""), origin=t.origin,
              code_id=kept_codes.get(t.id))
        for t in result.themes
    ])
    by_number = {t.number: t for t in themes}
    assignments = []
    numbers = [t.id for t in result.themes]
    for i, unit in enumerate(result.answer_ids):
        row = result.strength[i]
        ranked = sorted((j for j in range(len(numbers)) if row[j] > 0), key=lambda j: -row[j])
        match = _UNIT.match(unit)
        for rank, j in enumerate(ranked):
            assignments.append(ThemeAssignment(
                theme=by_number[numbers[j]], unit=unit, strength=float(row[j]), rank=rank,
                contribution_id=int(match["contribution"]) if match and match["contribution"] else None,
                session_id=int(match["session"]) if match and match["session"] else None,
                paragraph=int(match["paragraph"]) if match and match["paragraph"] else None,
            ))
    ThemeAssignment.objects.bulk_create(assignments, batch_size=1000)
    return run


def display_label(label: str, terms: list[str]) -> str:
    """The label shown to people: the engine's keyword list becomes a short French phrase; a label
    a person wrote (rename, merge) is kept as written."""
    if theme_labels.is_keyword_list(label, terms):
        return theme_labels.readable_label(terms, label)[:200] or label[:200]
    return label[:200]


# --------------------------------------------------------------------------- human in the loop


def rename(run: ThemeRun, number: int, label: str) -> ThemeRun:
    return store(run, engine.rename_theme(load(run), number, label))


def merge(run: ThemeRun, numbers: list[int], label: str | None = None) -> ThemeRun:
    return store(run, engine.merge_themes(load(run), numbers, label or None))


def split(run: ThemeRun, number: int, parts: int = 2) -> ThemeRun:
    return store(run, engine.split_theme(load(run), number, k=parts))


def move(run: ThemeRun, units: list[str], to_theme: int | None, from_theme: int | None = None) -> ThemeRun:
    return store(run, engine.move_answers(load(run), units, to_theme, from_theme))


@transaction.atomic
def promote(run: ThemeRun, number: int, *, parent: Code | None = None, name: str = "") -> Code:
    """Make a theme a code of the process's codebook (an existing code of that name is reused)."""
    theme = run.themes.get(number=number)
    codebook = codebook_for(run.process)
    name = (name or theme.label)[:120]
    definition = f"Thème {theme.number} de l'analyse « {run} » : {', '.join(theme.terms[:8])}."
    code, _created = Code.objects.get_or_create(codebook=codebook, name=name,
                                                defaults={"definition": definition, "parent": parent})
    theme.code = code
    theme.save(update_fields=["code"])
    return code


def human_coding(run: ThemeRun) -> dict[str, set[int]]:
    """Analysed text id → codes people applied to it. A contribution carries the codes of its
    excerpts; a transcript paragraph those of the excerpts overlapping it."""
    units = set(run.result.get("answers", {}))
    out: dict[str, set[int]] = defaultdict(set)
    codings = (Coding.objects.filter(excerpt__process=run.process)
               .values_list("code_id", "excerpt__contribution_id", "excerpt__session_id", "excerpt__start", "excerpt__end"))
    spans: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for code_id, contribution_id, session_id, start, end in codings:
        if contribution_id is not None and f"c{contribution_id}" in units:
            out[f"c{contribution_id}"].add(code_id)
        elif session_id is not None:
            spans[session_id].append((start, end, code_id))
    for session in Session.objects.filter(pk__in=list(spans)):
        for index, (p_start, p_end, _text) in enumerate(paragraphs(session.transcript)):
            unit = f"s{session.pk}p{index}"
            if unit not in units:
                continue
            for start, end, code_id in spans[session.pk]:
                if start < p_end and end > p_start:
                    out[unit].add(code_id)
    return dict(out)


def agreement(run: ThemeRun) -> dict | None:
    """Cohen's kappa between the run's themes promoted to codes and the human coding of the same
    texts, per code and overall (None while no theme is promoted or no analysed text is coded)."""
    promoted = dict(run.themes.exclude(code=None).values_list("number", "code_id"))
    human = human_coding(run)
    if not promoted or not human:
        return None
    code_ids = sorted(set(promoted.values()))
    automatic = {unit: [promoted[n] for n in numbers if n in promoted] for unit, numbers in run.result["answers"].items()}
    human = {unit: sorted(c for c in codes if c in code_ids) for unit, codes in human.items()}
    result = engine.agreement(automatic, human, codes=code_ids)
    names = dict(Code.objects.filter(pk__in=code_ids).values_list("pk", "name"))
    result["per_code"] = [
        {"code": c, "name": names.get(c, str(c)), "kappa": k, "reading": engine.kappa_reading(k)}
        for c, k in result["per_code"].items()
    ]
    result["reading"] = engine.kappa_reading(result["overall"])
    return result


# --------------------------------------------------------------------------- reading


def spread_table(run: ThemeRun, segment: str) -> dict:
    """Theme × segment value counts with small cells suppressed.

    Values with fewer than SMALL_CELL analysed texts are dropped; a count below SMALL_CELL is shown
    as None (the template writes "< 10"). Returns ``{"values": [(value, answers)], "rows":
    [{"number", "label", "cells": [count or None]}], "hidden": n values dropped}``.
    """
    records = [r for r in run.result.get("spread", []) if r["segment"] == segment]
    answers = {r["value"]: r["answers"] for r in records}
    shown = sorted(v for v, n in answers.items() if n >= SMALL_CELL)
    rows: dict[int, dict] = {}
    for r in records:
        row = rows.setdefault(r["theme"], {"number": r["theme"], "label": r["label"], "cells": {}})
        if r["value"] in shown:
            row["cells"][r["value"]] = r["count"] if r["count"] >= SMALL_CELL or r["count"] == 0 else None
    ordered = [{**row, "cells": [row["cells"].get(v) for v in shown]} for _n, row in sorted(rows.items())]
    return {"values": [(v, answers[v]) for v in shown], "rows": ordered, "hidden": len(answers) - len(shown)}


def unit_texts(units: list[str]) -> dict[str, dict]:
    """Text and origin of analysed units, for drill-down pages."""
    out: dict[str, dict] = {}
    contribution_ids = [int(m["contribution"]) for u in units if (m := _UNIT.match(u)) and m["contribution"]]
    for c in Contribution.objects.filter(pk__in=contribution_ids).select_related("batch"):
        out[f"c{c.pk}"] = {"text": c.text or c.title, "origin": f"{c.get_platform_display()} {c.external_id}",
                           "public": True, "contribution": c}
    sessions: dict[int, list[int]] = defaultdict(list)
    for u in units:
        m = _UNIT.match(u)
        if m and m["session"]:
            sessions[int(m["session"])].append(int(m["paragraph"]))
    for session in Session.objects.filter(pk__in=list(sessions)):
        parts = paragraphs(session.transcript)
        for index in sessions[session.pk]:
            if index < len(parts):
                out[f"s{session.pk}p{index}"] = {"text": parts[index][2], "origin": f"{session.title} §{index + 1}",
                                                 "public": False, "session": session}
    answer_ids = [int(m["answer"]) for u in units if (m := _UNIT.match(u)) and m["answer"]]
    out.update(answer_texts(answer_ids))
    return out


def question_wordings(version_ids) -> dict[tuple[int, str], str]:
    """``(questionnaire version pk, question name) → the question's French wording``, each version's
    structure read once (a structure is a large JSON document: decoding it per answer took seconds)."""
    wording: dict[tuple[int, str], str] = {}
    for version in SurveyVersion.objects.filter(pk__in=set(version_ids)).only("pk", "structure"):
        for name, question in question_map(form_from_dict(version.structure or {})).items():
            wording[(version.pk, name)] = in_language(question.labels, "fr") or name
    return wording


def answer_texts(answer_ids: list[int]) -> dict[str, dict]:
    """Open survey answers analysed by a run (units ``a<pk>``): their text and, as origin, the
    questionnaire and the question's wording (never the respondent)."""
    rows = list(Answer.objects.filter(pk__in=answer_ids).select_related("response__survey")
                .defer("response__progress", "response__survey__draft", "response__survey__barometer"))
    wording = question_wordings(answer.response.version_id for answer in rows)
    out: dict[str, dict] = {}
    for answer in rows:
        question = wording.get((answer.response.version_id, answer.question)) or answer.question
        out[f"a{answer.pk}"] = {"text": answer.text, "origin": f"{answer.response.survey} — {question}",
                                "public": False, "answer": answer}
    return out


def run_sources(run: ThemeRun) -> list[str]:
    """Readable names of what a run analysed (import batches, questionnaire and questions)."""

    p = run.parameters
    if p.get("source") == "survey":
        survey = Survey.objects.filter(process=run.process, slug=p.get("survey", "")).select_related("current_version").first()
        if survey is None:
            return []
        wording = {}
        if survey.current_version:
            wording = {n: in_language(q.labels, "fr") for n, q in question_map(form_from_dict(survey.current_version.structure)).items()}
        questions = [f"« {wording.get(q) or q} »" for q in p.get("questions", [])]
        return [f"les réponses ouvertes du questionnaire « {survey} »" + (f" aux questions {', '.join(questions)}" if questions else "")]
    if p.get("batches"):
        names = [str(b) for b in ContributionImport.objects.filter(process=run.process, pk__in=p["batches"])]
        return [f"les contributions importées « {n} »" for n in names]
    return []


def describe(run: ThemeRun) -> str:
    """What a run analysed and how, in words (for the run's page and the report)."""
    return theme_labels.describe_run(run.parameters, k=run.result.get("k") if run.result else None,
                                     texts=run.answers or None, sources=run_sources(run))


def history_in_words(run: ThemeRun) -> list[str]:
    labels = dict(run.themes.values_list("number", "label"))
    return [theme_labels.describe_edit(entry, labels) for entry in run.result.get("history", [])]


def published_themes_in_brief(process, *, top: int, quote_words: int) -> dict | None:
    """The published theme analysis's ``top`` largest themes, each with the start of one quote from a
    contribution (the diagnostic's one-page summary); None when no analysis is published."""
    run = (process.theme_runs.filter(status=ThemeRun.Status.DONE, published=True).defer("state", "result")
           .order_by("-created", "-pk").first())
    if run is None:
        return None
    themes = []
    for theme in run.themes.order_by("-size", "number")[:top]:
        quotes = [q for q, u in zip(theme.quotes, theme.quote_ids, strict=False) if str(u).startswith("c")]
        words = quotes[0].split() if quotes else []
        quote = " ".join(words[:quote_words]) + (" …" if len(words) > quote_words else "")
        themes.append({"label": theme.label, "size": theme.size, "quote": quote})
    return {"run": run, "themes": themes, "texts": run.answers}
