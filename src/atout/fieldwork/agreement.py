"""Agreement between two human coders, arbitration of their disagreements, and the REFI-QDA project
export (``.qdpx``).

Two coders code the same transcripts and documents, each on their own (every passage one codes is an
excerpt carrying their codings). The *units* compared are the paragraphs of each text both coded
(:func:`atout.engine.agreement.paragraph_units`): a paragraph carries a code for a coder when one of
their coded passages overlaps it. Cohen's kappa and Krippendorff's alpha per code and pooled come
from :func:`atout.engine.agreement.coder_agreement`; every disagreement is listed with the paragraph
and what each coder decided, and the team records the decision as an :class:`Arbitration`.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from atout.engine import agreement as engine
from atout.engine.formats import refiqda

from .coding import code_tree, codebook_for
from .models import Arbitration, Code, Coding, Document, Session

#: Where a unit comes from: ``s<pk>`` a session transcript, ``d<pk>`` a document.
SOURCE_PREFIXES = {"s": Session, "d": Document}


def readings(kappa_code: str, alpha_code: str) -> tuple[str, str]:
    """The Landis & Koch and Krippendorff readings in the page's language."""
    from django.utils.translation import get_language

    english = (get_language() or "fr").startswith("en")
    kappa = {code: (en if english else fr) for _bound, code, fr, en in engine.KAPPA_BANDS}
    kappa["undefined"] = "undefined" if english else "non calculable"
    alpha = {code: pair[1 if english else 0] for code, pair in engine.ALPHA_READINGS.items()}
    return kappa.get(kappa_code, kappa_code), alpha.get(alpha_code, alpha_code)


def _source_key(excerpt_session, excerpt_document) -> str | None:
    if excerpt_session is not None:
        return f"s{excerpt_session}"
    if excerpt_document is not None:
        return f"d{excerpt_document}"
    return None


def coders(process) -> list[tuple[object, int]]:
    """People who coded transcripts or documents of the process, with their number of codings,
    most active first."""
    counts = Counter(Coding.objects.filter(excerpt__process=process, coder__isnull=False)
                     .exclude(excerpt__session__isnull=True, excerpt__document__isnull=True)
                     .values_list("coder_id", flat=True))
    users = get_user_model().objects.in_bulk(list(counts))
    return [(users[pk], n) for pk, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _spans(process, coder) -> list[tuple[str, int, int, int]]:
    rows = (Coding.objects.filter(excerpt__process=process, coder=coder)
            .values_list("excerpt__session_id", "excerpt__document_id", "excerpt__start", "excerpt__end", "code_id"))
    return [(key, start, end, code) for session, document, start, end, code in rows
            if (key := _source_key(session, document)) is not None]


def source_texts(process, keys) -> dict[str, tuple[str, str]]:
    """Source key → (readable name, text)."""
    out = {}
    ids = defaultdict(list)
    for key in keys:
        ids[key[0]].append(int(key[1:]))
    for session in Session.objects.filter(process=process, pk__in=ids["s"]):
        out[f"s{session.pk}"] = (session.title, session.transcript)
    for document in Document.objects.filter(process=process, pk__in=ids["d"]):
        out[f"d{document.pk}"] = (document.title, document.text)
    return out


def compare(process, first, second, *, sources=None) -> dict:
    """Agreement of two coders on the texts both coded (or only those of ``sources``, keys ``s<pk>`` /
    ``d<pk>``), with the disagreements to arbitrate.

    Returns ``{"result": engine Agreement, "codes": [Code] (codebook order), "names": {code id: name},
    "units": {unit: {"source", "text", "number"}}, "sources": [names of texts both coded],
    "disagreements": [{unit, source, number, text, code, first, second, arbitration}]}``.
    """
    if first == second:
        raise ValueError("choose two different coders")
    spans = {1: _spans(process, first), 2: _spans(process, second)}
    if sources is not None:
        wanted = set(sources)
        spans = {side: [s for s in found if s[0] in wanted] for side, found in spans.items()}
    keys = {1: {s[0] for s in spans[1]}, 2: {s[0] for s in spans[2]}}
    texts = source_texts(process, keys[1] | keys[2])
    units_of = {key: engine.paragraph_units(key, texts[key][1]) for key in sorted(keys[1] | keys[2]) if key in texts}
    codings = {}
    for side in (1, 2):
        units = [u for key in sorted(keys[side]) for u in units_of.get(key, [])]
        codings[side] = engine.codes_by_unit(units, spans[side])
    codes = [code for _depth, code in code_tree(codebook_for(process))]
    result = engine.coder_agreement(codings[1], codings[2], codes=[c.pk for c in codes])
    unit_info = {}
    for key, units in units_of.items():
        for number, unit in enumerate(units, start=1):
            unit_info[unit.id] = {"source": texts[key][0], "number": number,
                                  "text": texts[key][1][unit.start:unit.end]}
    names = {c.pk: c.name for c in codes}
    decided = {(a.unit, a.code_id): a for a in Arbitration.objects.filter(process=process).select_related("decided_by")}
    disagreements = [{**unit_info[d.unit], "unit": d.unit, "code": d.code, "code_name": names.get(d.code, str(d.code)),
                      "first": d.first, "second": d.second, "arbitration": decided.get((d.unit, d.code))}
                     for d in result.disagreements]
    both = sorted(keys[1] & keys[2])
    rows = [{"name": names[c.code], "agreement": c, "readings": readings(c.kappa_reading, c.alpha_reading)}
            for c in result.codes]
    return {"result": result, "codes": codes, "names": names, "disagreements": disagreements, "rows": rows,
            "readings": readings(result.kappa_reading, result.alpha_reading),
            "sources": [texts[k][0] for k in both if k in texts],
            "only_one": [texts[k][0] for k in sorted(keys[1] ^ keys[2]) if k in texts]}


def as_json(process, first, second) -> dict:
    """:func:`compare` as plain data (coders by pseudonym, codes by name)."""
    found = compare(process, first, second)
    result, names = found["result"], found["names"]
    return {
        "process": process.slug, "coder_a": "Codeur A", "coder_b": "Codeur B", "texts": found["sources"],
        "units": len(result.units), "kappa": result.kappa, "alpha": result.alpha, "observed": result.observed,
        "kappa_reading": result.kappa_reading, "alpha_reading": result.alpha_reading,
        "codes": [{"code": names[c.code], "units": c.units, "coder_a": c.first, "coder_b": c.second, "both": c.both,
                   "observed": c.observed, "kappa": c.kappa, "alpha": c.alpha, "kappa_reading": c.kappa_reading,
                   "alpha_reading": c.alpha_reading} for c in result.codes],
        "disagreements": [{"unit": d["unit"], "text": d["source"], "paragraph": d["number"], "code": d["code_name"],
                           "coder_a": d["first"], "coder_b": d["second"],
                           "arbitration": None if d["arbitration"] is None else d["arbitration"].applies}
                          for d in found["disagreements"]],
    }


def _check_unit(process, unit: str) -> None:
    key, _sep, number = unit.partition(":")
    model = SOURCE_PREFIXES.get(key[:1])
    if model is None or not key[1:].isdigit() or not number.isdigit():
        raise ValueError(f"unknown unit {unit!r}")
    source = model.objects.filter(process=process, pk=int(key[1:])).first()
    if source is None:
        raise ValueError(f"unit {unit!r} is not in this process")
    text = source.transcript if isinstance(source, Session) else source.text
    if not 1 <= int(number) <= len(engine.paragraph_units(key, text)):
        raise ValueError(f"unit {unit!r}: no such paragraph")


@transaction.atomic
def arbitrate(process, unit: str, code: Code, applies: bool, *, user, first=None, second=None,
              note: str = "") -> Arbitration:
    """Record (or change) the decision on one disagreement: does ``code`` apply to ``unit``?"""
    if code.codebook.process_id != process.pk:
        raise ValueError("the code belongs to another process")
    _check_unit(process, unit)
    arbitration, _created = Arbitration.objects.update_or_create(
        process=process, unit=unit, code=code,
        defaults={"applies": applies, "decided_by": user, "first_coder": first, "second_coder": second,
                  "note": note[:300], "decided": timezone.now()},
    )
    return arbitration


# --------------------------------------------------------------------------- REFI-QDA project


def qdpx_project(process) -> refiqda.Project:
    """The process's codebook, transcripts and documents with every coded passage and its coder
    (coders by pseudonym: « Codeur 1 », « Codeur 2 »…, in order of first coding)."""
    tree = code_tree(codebook_for(process))
    nodes: dict[int, refiqda.Code] = {}
    roots: list[refiqda.Code] = []
    for _depth, code in tree:
        node = refiqda.Code(guid=str(code.guid), name=code.name, description=code.definition)
        nodes[code.pk] = node
        (nodes[code.parent_id].children if code.parent_id in nodes else roots).append(node)
    sets: dict[str, list[str]] = {}
    for _depth, code in tree:
        if code.swot:
            sets.setdefault(f"AFOM : {code.get_swot_display()}", []).append(str(code.guid))
        if code.axis_id:
            sets.setdefault(f"Axe : {code.axis.name_fr}", []).append(str(code.guid))
    codings = (Coding.objects.filter(excerpt__process=process)
               .exclude(excerpt__session__isnull=True, excerpt__document__isnull=True)
               .select_related("excerpt").order_by("created", "pk"))
    guids = {code.pk: str(code.guid) for _depth, code in tree}
    users: dict[int | None, refiqda.User] = {}
    selections: dict[tuple[int, int | None], refiqda.Selection] = {}
    by_source: dict[str, list[refiqda.Selection]] = defaultdict(list)
    for coding in codings:
        if coding.coder_id not in users:
            users[coding.coder_id] = refiqda.User(refiqda.stable_guid(process.slug, "coder", coding.coder_id),
                                                  f"Codeur {len(users) + 1}")
        excerpt = coding.excerpt
        key = (excerpt.pk, coding.coder_id)
        if key not in selections:
            selections[key] = refiqda.Selection(
                guid=refiqda.stable_guid(process.slug, "excerpt", excerpt.pk, coding.coder_id), start=excerpt.start,
                end=excerpt.end, codes=[], user=users[coding.coder_id].guid, created=coding.created)
            by_source[_source_key(excerpt.session_id, excerpt.document_id)].append(selections[key])
        guid = guids[coding.code_id]
        if guid not in selections[key].codes:
            selections[key].codes.append(guid)
    sources = []
    for session in Session.objects.filter(process=process).exclude(transcript="").order_by("date", "pk"):
        sources.append(refiqda.TextSource(refiqda.stable_guid(process.slug, "session", session.pk), session.title,
                                          session.transcript, _inside(session.transcript, by_source.get(f"s{session.pk}", [])),
                                          description=session.get_kind_display()))
    for document in Document.objects.filter(process=process).order_by("pk"):
        described = ", ".join(x for x in [document.get_type_display(), document.author, str(document.year or "")] if x)
        sources.append(refiqda.TextSource(refiqda.stable_guid(process.slug, "document", document.pk), document.title,
                                          document.text, _inside(document.text, by_source.get(f"d{document.pk}", [])),
                                          description=described))
    return refiqda.Project(
        name=str(process.title), codes=roots, sources=sources, users=list(users.values()),
        sets=[refiqda.CodeSet(refiqda.stable_guid(process.slug, "set", name), name, members)
              for name, members in sets.items()],
        created=timezone.now(),
    )


def _inside(text: str, selections: list) -> list:
    """The selections that still fall inside ``text``: a transcript replaced after it was coded leaves
    passages pointing past its end; the project keeps what is still true rather than failing."""
    return [s for s in selections if 0 <= (s.start or 0) < (s.end or 0) <= len(text)]


def qdpx(process) -> bytes:
    """The ``.qdpx`` archive of the process."""
    buffer = io.BytesIO()
    refiqda.write_qdpx(qdpx_project(process), buffer)
    return buffer.getvalue()
