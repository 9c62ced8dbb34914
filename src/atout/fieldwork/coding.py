"""Coding: make excerpts, apply codes, and count them — frequencies by session type, speaker
category and sub-territory, and the code co-occurrence matrix.

Counts are of *excerpts* (an excerpt coded twice with the same code by two people counts once).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

from django.db import transaction

from .models import Code, Codebook, Coding, Contribution, Excerpt, Session
from .transcripts import segments


class CodingError(ValueError):
    """A coding request that cannot be honoured (bad range, code of another process…)."""


def codebook_for(process) -> Codebook:
    codebook, _created = Codebook.objects.get_or_create(process=process, defaults={"name": f"Grille — {process.title}"})
    return codebook


def code_tree(codebook: Codebook) -> list[tuple[int, Code]]:
    """(depth, code) in tree order, parents before their children."""
    codes = list(codebook.codes.select_related("axis").order_by("order", "name"))
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)
    out: list[tuple[int, Code]] = []

    def visit(parent_id, depth):
        for code in children.get(parent_id, []):
            out.append((depth, code))
            visit(code.pk, depth + 1)

    visit(None, 0)
    return out


def _check_codes(process, codes) -> list[Code]:
    codes = list(codes)
    if not codes:
        raise CodingError("choose at least one code")
    foreign = [c for c in codes if c.codebook.process_id != process.pk]
    if foreign:
        raise CodingError(f"code {foreign[0].name!r} belongs to another process")
    return codes


@transaction.atomic
def code_transcript_range(session: Session, start: int, end: int, codes, *, user=None,
                          speaker_category: str = "") -> Excerpt:
    """An excerpt of ``session.transcript[start:end]`` (character offsets, end excluded) with codes."""
    if not 0 <= start < end <= len(session.transcript):
        raise CodingError(f"range {start}–{end} is outside the transcript (0–{len(session.transcript)})")
    codes = _check_codes(session.process, codes)
    text = session.transcript[start:end].strip()
    if not text:
        raise CodingError("the selected range holds no text")
    # A passage someone already selected is the same excerpt: a second coder's codings join it, so the
    # frequency tables count the passage once (the agreement compares the coders' codings).
    excerpt = Excerpt.objects.filter(session=session, start=start, end=end).order_by("pk").first()
    if excerpt is None:
        excerpt = Excerpt.objects.create(
            process=session.process, session=session, start=start, end=end, text=text,
            speaker_category=speaker_category, subterritory=session.subterritory(), created_by=user,
        )
    _apply(excerpt, codes, user)
    return excerpt


def code_segments(session: Session, numbers, codes, *, user=None, speaker_category: str = "") -> Excerpt:
    """An excerpt spanning the chosen numbered segments (first to last, inclusive)."""
    numbers = sorted({int(n) for n in numbers})
    if not numbers:
        raise CodingError("select at least one passage")
    by_number = {s.number: s for s in segments(session.transcript)}
    unknown = [n for n in numbers if n not in by_number]
    if unknown:
        raise CodingError(f"no passage numbered {unknown[0]}")
    return code_transcript_range(session, by_number[numbers[0]].start, by_number[numbers[-1]].end, codes,
                                 user=user, speaker_category=speaker_category)


@transaction.atomic
def code_contribution(contribution: Contribution, codes, *, user=None, speaker_category: str = "") -> Excerpt:
    """The whole contribution as one excerpt (reused if it exists), with codes added."""
    codes = _check_codes(contribution.process, codes)
    excerpt, _created = Excerpt.objects.get_or_create(
        process=contribution.process, contribution=contribution,
        defaults={"text": contribution.text, "speaker_category": speaker_category, "created_by": user},
    )
    _apply(excerpt, codes, user)
    return excerpt


#: A survey respondent's profile status → the speaker category of an excerpt.
PROFILE_TO_SPEAKER = {"resident": "citizen", "student": "young", "visitor": "other"}


@transaction.atomic
def code_answer(answer, codes, *, user=None) -> Excerpt:
    """An open survey answer (``consultation.Answer``) as one excerpt with codes; the speaker
    category comes from the respondent's profile status, the sub-territory from their zone."""
    from .models import ParticipantCategory

    process = answer.survey.process
    codes = _check_codes(process, codes)
    response = answer.response
    status = PROFILE_TO_SPEAKER.get(response.profile_status, response.profile_status)
    excerpt, _created = Excerpt.objects.get_or_create(
        process=process, answer=answer,
        defaults={"text": answer.text, "subterritory_id": response.zone_id, "created_by": user,
                  "speaker_category": status if status in ParticipantCategory.values else ""},
    )
    _apply(excerpt, codes, user)
    return excerpt


def _apply(excerpt: Excerpt, codes, user) -> None:
    for code in codes:
        Coding.objects.get_or_create(excerpt=excerpt, code=code, coder=user)


# --------------------------------------------------------------------------- counts


def excerpt_codes(process) -> dict[int, set[int]]:
    """Excerpt id → ids of the codes applied to it (by anyone)."""
    out: dict[int, set[int]] = defaultdict(set)
    for excerpt_id, code_id in Coding.objects.filter(excerpt__process=process).values_list("excerpt_id", "code_id"):
        out[excerpt_id].add(code_id)
    return out


def frequencies(process, by: str) -> dict:
    """Coded excerpts per code and per value of ``by``.

    ``by`` is ``session_kind`` (contributions and survey answers count under their own source
    name), ``speaker`` (speaker category) or ``subterritory``. Returns ``{"columns": [(value,
    label)], "rows": [{"code", "counts": {value: n}, "total"}]}`` with codes in tree order.
    """
    labels = _value_labels(process, by)
    excerpts = {e.pk: e for e in Excerpt.objects.filter(process=process).select_related("session", "subterritory")}
    counts: dict[int, Counter] = defaultdict(Counter)
    for excerpt_id, code_ids in excerpt_codes(process).items():
        value = _value(excerpts[excerpt_id], by)
        labels.setdefault(value, value)
        for code_id in code_ids:
            counts[code_id][value] += 1
    used = sorted({v for c in counts.values() for v in c}, key=lambda v: str(labels.get(v, v)))
    rows = []
    for depth, code in code_tree(codebook_for(process)):
        row = counts.get(code.pk, Counter())
        rows.append({"code": code, "depth": depth, "counts": [row.get(v, 0) for v in used], "total": sum(row.values())})
    return {"columns": [(v, labels.get(v, v)) for v in used], "rows": rows}


def _value(excerpt: Excerpt, by: str) -> str:
    if by == "session_kind":
        return excerpt.session.kind if excerpt.session_id else excerpt.source_kind
    if by == "speaker":
        return excerpt.speaker_category or "unknown"
    if by == "subterritory":
        return excerpt.subterritory.code if excerpt.subterritory_id else "unknown"
    raise ValueError(f"unknown breakdown {by!r}")


def _value_labels(process, by: str) -> dict[str, str]:
    from django.utils.translation import gettext as _

    from .models import ParticipantCategory

    unknown = {"unknown": _("Non renseigné")}
    if by == "session_kind":
        return {**dict(Session.Kind.choices), "contribution": _("Contribution importée"), "answer": _("Réponse ouverte"),
                "document": _("Document")}
    if by == "speaker":
        return {**dict(ParticipantCategory.choices), **unknown}
    return {**{t.code: t.name for t in process.subterritories.all()}, **unknown}


def cooccurrence(process) -> dict:
    """How many excerpts carry each pair of codes. Returns ``{"codes": [Code], "matrix": [[n]], "rows": [(Code, [n])]}``;
    the diagonal holds each code's own number of excerpts. Only codes used at least once appear."""
    pairs: Counter = Counter()
    singles: Counter = Counter()
    for code_ids in excerpt_codes(process).values():
        singles.update(code_ids)
        for a, b in combinations(sorted(code_ids), 2):
            pairs[(a, b)] += 1
    codes = [code for _depth, code in code_tree(codebook_for(process)) if code.pk in singles]
    matrix = []
    for a in codes:
        row = []
        for b in codes:
            row.append(singles[a.pk] if a.pk == b.pk else pairs[tuple(sorted((a.pk, b.pk)))])
        matrix.append(row)
    return {"codes": codes, "matrix": matrix, "rows": list(zip(codes, matrix, strict=True))}


def excerpts_of(code: Code):
    """Excerpts carrying a code (or one of its descendants), for citing as evidence."""
    ids = {code.pk}
    frontier = [code.pk]
    while frontier:
        children = list(Code.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return (Excerpt.objects.filter(codings__code_id__in=ids).distinct()
            .select_related("session", "session__place", "subterritory", "contribution", "contribution__batch")
            .order_by("session__date", "session_id", "start", "pk"))
