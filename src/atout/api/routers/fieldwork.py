"""Fieldwork, for the people doing it (facilitators and team; 404 for anyone else): the document corpus
(list, search, text and coded excerpts) and the agreement between two human coders. Documents are
imported in the pages or with ``atout documents import``."""

from django.http import Http404
from ninja import Field, Query, Router, Schema

from atout.fieldwork import agreement as coder_agreement
from atout.fieldwork import documents as corpus
from atout.fieldwork.models import Document
from atout.processes.roles import has_role

from ..core import (
    OPTIONAL_AUTH,
    OPTIONAL_SECURITY,
    READ_ERRORS,
    ApiError,
    Id,
    Text,
    invalid,
    user_of,
    visible_process,
)

router = Router(tags=["fieldwork"], auth=OPTIONAL_AUTH)
TEAM_ERRORS = READ_ERRORS


def _fieldwork_process(request, slug: str):
    """The process, for a caller who does fieldwork on it (facilitator or team)."""
    process = visible_process(request, slug)
    user = user_of(request)
    if user is None or not has_role(user, process, "facilitator"):
        # Like a draft, the fieldwork of a process is invisible outside the people doing it.
        raise Http404(f"No fieldwork of {process.slug!r} for this caller.")
    return process


class DocumentOut(Schema):
    id: int
    title: str
    author: str
    year: int | None
    type: str = Field(description="scot, plui, sraddet, tourism, press or other")
    format: str = Field(description="pdf, docx or odt")
    pages: int | None
    characters: int
    excerpts: int = Field(description="coded excerpts")
    simulated: bool
    snippets: list[str] = Field(default_factory=list, description="paragraphs holding the searched words")


class ExcerptOut(Schema):
    id: int
    start: int
    end: int
    text: str
    codes: list[str]


class DocumentDetailOut(DocumentOut):
    text: str
    note: str
    coded_excerpts: list[ExcerptOut]


def _document(d: Document, snippets=()) -> dict:
    return {"id": d.pk, "title": d.title, "author": d.author, "year": d.year, "type": d.type, "format": d.kind,
            "pages": d.pages, "characters": len(d.text), "excerpts": d.excerpts.count(), "simulated": d.simulated,
            "snippets": list(snippets)}


class SearchIn(Schema):
    q: str = Field("", max_length=200, pattern=r"^[^\x00]*$", description="words to find (accents and case ignored)")


@router.get("/processes/{slug}/documents", response={200: list[DocumentOut], **TEAM_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Document corpus")
def documents(request, slug: Text, filters: Query[SearchIn]):
    """The process's documents; with ``q``, those holding every word, with matching paragraphs."""
    process = _fieldwork_process(request, slug)
    return [_document(d, snippets) for d, snippets in corpus.search(process, filters.q)]


@router.get("/processes/{slug}/documents/{document}", response={200: DocumentDetailOut, **TEAM_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="A document's text and coded excerpts")
def document(request, slug: Text, document: Id):
    process = _fieldwork_process(request, slug)
    found = Document.objects.filter(process=process, pk=document).first()
    if found is None:
        raise ApiError(404, f"No document {document} in {process.slug!r}.")
    excerpts = [{"id": e.pk, "start": e.start, "end": e.end, "text": e.text,
                 "codes": sorted({c.code.name for c in e.codings.all()})}
                for e in found.excerpts.prefetch_related("codings__code").order_by("start", "pk")]
    return {**_document(found), "text": found.text, "note": found.note, "coded_excerpts": excerpts}


class CodersIn(Schema):
    a: str = Field("", max_length=150, description="user name of coder A (default: the most active coder)")
    b: str = Field("", max_length=150, description="user name of coder B (default: the next most active)")


class CodeAgreementOut(Schema):
    code: str
    units: int
    coder_a: int
    coder_b: int
    both: int
    observed: float | None
    kappa: float | None
    alpha: float | None
    kappa_reading: str
    alpha_reading: str


class DisagreementOut(Schema):
    unit: str
    text: str
    paragraph: int
    code: str
    coder_a: bool
    coder_b: bool
    arbitration: bool | None = Field(description="the team's decision: the code applies (true) or not; null: pending")


class AgreementOut(Schema):
    coder_a: str
    coder_b: str
    texts: list[str]
    units: int
    kappa: float | None
    alpha: float | None
    observed: float | None
    kappa_reading: str
    alpha_reading: str
    codes: list[CodeAgreementOut]
    disagreements: list[DisagreementOut]


@router.get("/processes/{slug}/coding/agreement", response={200: AgreementOut, **TEAM_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Agreement between two coders")
def agreement(request, slug: Text, coders: Query[CodersIn]):
    """Cohen's kappa and Krippendorff's alpha per code on the paragraphs both coders coded, and the
    disagreements with the team's arbitration. Coders appear by pseudonym (Codeur A, Codeur B)."""
    process = _fieldwork_process(request, slug)
    people = [u for u, _n in coder_agreement.coders(process)]
    by_name = {u.username: u for u in people}
    chosen = []
    for field, name in (("a", coders.a), ("b", coders.b)):
        if name and name not in by_name:
            raise invalid(field, f"{name!r} coded no transcript or document of this process")
        chosen.append(by_name.get(name))
    first = chosen[0] or next((u for u in people if u != chosen[1]), None)
    second = chosen[1] or next((u for u in people if u != first), None)
    if first is None or second is None or first == second:
        raise ApiError(400, "Two different people must have coded transcripts or documents of this process.")
    data = coder_agreement.as_json(process, first, second)
    for row in data["codes"]:
        if row["observed"] != row["observed"]:  # NaN: no unit compared
            row["observed"] = None
    return data



