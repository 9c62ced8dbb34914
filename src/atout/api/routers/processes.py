"""Processes and what they make public: survey results, themes, opinion groups, evidence."""


import datetime as dt
from typing import Any, Literal

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from atout.consultation.models import Response, Survey
from atout.consultation.quotas import fill_rates
from atout.consultation.results import cached_results
from atout.fieldwork.models import ThemeRun
from atout.fieldwork.themeruns import SMALL_CELL
from atout.opinion.models import Conversation, Statement
from atout.processes.models import Process
from atout.strategy.models import Evidence

from ..core import (
    OPTIONAL_AUTH,
    OPTIONAL_SECURITY,
    READ_ERRORS,
    Pagination,
    Text,
    is_team,
    user_of,
    visible_process,
)

router = Router(tags=["processes"], auth=OPTIONAL_AUTH)


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


# -------------------------------------------------------------------------------------- processes

class PhaseOut(Schema):
    kind: str
    start: dt.date
    end: dt.date


class AxisOut(Schema):
    code: str
    name_fr: str
    name_en: str


class ProcessOut(Schema):
    slug: str
    title: str
    territory: str = Field(description="territory key")
    status: str = Field(description="draft (visible to its team only), active or closed")
    is_demo: bool = Field(description="holds simulated data")
    description: str

    @staticmethod
    def resolve_territory(obj) -> str:
        return obj.territory.key


class ProcessDetailOut(ProcessOut):
    phases: list[PhaseOut]
    axes: list[AxisOut]
    subterritories: list[str]

    @staticmethod
    def resolve_phases(obj):
        return list(obj.phases.all())

    @staticmethod
    def resolve_axes(obj):
        return list(obj.axes.all())

    @staticmethod
    def resolve_subterritories(obj):
        return [t.key for t in obj.subterritories.order_by("level", "code")]


@router.get("/processes", response={200: list[ProcessOut], **READ_ERRORS}, openapi_extra=OPTIONAL_SECURITY,
            summary="List processes")
@paginate(Pagination)
def processes(request):
    """Every process but drafts; a token of a team member (or an administrator) also lists its drafts."""
    found = Process.objects.select_related("territory")
    user = user_of(request)
    if user is None:
        found = found.exclude(status=Process.Status.DRAFT)
    elif not user.is_superuser:
        found = found.filter(~Q(status=Process.Status.DRAFT) | Q(roles__user=user, roles__role="team")).distinct()
    return found.order_by("title", "slug")


@router.get("/processes/{slug}", response={200: ProcessDetailOut, **READ_ERRORS}, openapi_extra=OPTIONAL_SECURITY,
            summary="One process")
def process(request, slug: Text):
    return visible_process(request, slug)


# ---------------------------------------------------------------------------------------- surveys

def results_public(survey: Survey) -> bool:
    """A survey's results are public once it is closed with a published questionnaire; before, only its team sees them."""
    return survey.status == Survey.Status.CLOSED and survey.current_version_id is not None


class SurveyOut(Schema):
    slug: str
    title: str
    status: str = Field(description="draft, open or closed")
    results_public: bool = Field(description="closed surveys publish their results")
    responses: int | None = Field(description="submitted responses, when the caller may see the results")


@router.get("/processes/{slug}/surveys", response={200: list[SurveyOut], **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Surveys of a process")
def surveys(request, slug: Text):
    """Published surveys (open or closed); the team also sees drafts and every count."""
    found = visible_process(request, slug)
    team = is_team(request, found)
    rows = Survey.objects.filter(process=found).annotate(
        n=Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED)))
    if not team:
        rows = rows.exclude(status=Survey.Status.DRAFT).exclude(current_version__isnull=True)
    language = _language()
    return [{"slug": s.slug, "title": s.title(language), "status": s.status, "results_public": results_public(s),
             "responses": s.n if team or results_public(s) else None} for s in rows.order_by("slug")]


class ResultsFilters(Schema):
    segment: Literal["zone", "age_band", "sex", "profile_status"] | None = Field(
        None, description="crosstab single-choice questions by this segment")


class SurveyResultsOut(Schema):
    survey: str
    version: int | None = None
    n: int = Field(description="submitted responses")
    weighted: bool
    weighted_n: int | None = None
    deff: float | None = Field(None, description="design effect of the weights")
    effective_n: float | None = None
    simulated: int | None = Field(None, description="simulated responses among n")
    k: int | None = Field(None, description="cells of fewer respondents are suppressed")
    questions: list[dict[str, Any]] = Field(
        description="per question: frequencies (share, 95 % Wilson interval, suppressed) or mean, NPS, crosstabs")
    hexagon: list[dict[str, Any]] = Field(description="place-brand dimensions: mean and interval")
    computed_at: dt.datetime | None = Field(None, description="when these figures were computed")


@router.get("/processes/{slug}/surveys/{survey}/results", response={200: SurveyResultsOut, **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Results of a survey")
def survey_results(request, slug: Text, survey: Text, filters: Query[ResultsFilters]):
    """The figures of the results page: weighted when the survey has weights, with 95 % intervals; cells
    of fewer than k respondents are suppressed (null with ``suppressed: true``)."""
    found = visible_process(request, slug)
    item = Survey.objects.select_related("current_version").filter(process=found, slug=survey).first()
    if item is None or not (results_public(item) or is_team(request, found)):
        raise Http404(f"No survey {survey!r} with public results in {slug!r}.")
    return cached_results(item, language=_language(), segments=[filters.segment] if filters.segment else [])


class QuotaCellOut(Schema):
    id: int
    cell: dict[str, str] = Field(description="profile variable (age_band, sex, zone, epci, profile_status) → category")
    label: str
    target: int
    count: int = Field(description="submitted responses in the cell")
    fill_rate: float | None = Field(description="count / target (above 1 when over-filled); null for a zero target")
    remaining: int
    screened_out: int = Field(description="respondents refused because the cell was full")
    close_when_full: bool
    full: bool
    source: str = Field(description="manual or insee")
    population: float | None = Field(description="INSEE population (aged 15+) behind a generated target")


class QuotaTotalOut(Schema):
    target: int
    count: int
    fill_rate: float | None
    remaining: int
    screened_out: int
    submitted: int = Field(description="submitted responses of the survey, in a cell or not")


class SurveyQuotasOut(Schema):
    survey: str
    process: str
    cells: list[QuotaCellOut]
    total: QuotaTotalOut = Field(description="sums over the cells (a response in two cells counts twice)")
    simulated: int = Field(description="simulated responses among the submitted ones")


@router.get("/processes/{slug}/surveys/{survey}/quotas", response={200: SurveyQuotasOut, **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Quotas of a survey (team)")
def survey_quotas(request, slug: Text, survey: Text):
    """Live fill rates of the survey's quota cells, as ``atout survey quotas --json``. Back-office
    data: only a token of the process's team (read scope is enough) sees them; others get 404."""
    found = visible_process(request, slug)
    item = Survey.objects.filter(process=found, slug=survey).first()
    if item is None or not is_team(request, found):
        raise Http404(f"No survey {survey!r} with quotas visible to you in {slug!r}.")
    return {"survey": item.slug, "process": found.slug, **fill_rates(item)}


# ----------------------------------------------------------------------------------------- themes

class ThemeOut(Schema):
    number: int
    label: str
    terms: list[str]
    size: int | None = Field(description="texts carrying the theme; null when fewer than the small-cell threshold")
    tonality: str
    quotes: list[str] = Field(description="representative quotes (publicly: from imported public contributions only)")


class ThemeRunOut(Schema):
    id: int
    label: str
    created: dt.datetime
    texts: int = Field(description="texts analysed")
    published: bool
    small_cell: int
    themes: list[ThemeOut]


@router.get("/processes/{slug}/themes", response={200: list[ThemeRunOut], **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Themes of the contributions")
def themes(request, slug: Text):
    """Published theme analyses, as on the public themes page; the team sees every finished analysis
    with all its quotes and exact sizes."""
    found = visible_process(request, slug)
    team = is_team(request, found)
    runs = ThemeRun.objects.filter(process=found, status=ThemeRun.Status.DONE)
    if not team:
        runs = runs.filter(published=True)
    result = []
    for run in runs.prefetch_related("themes").order_by("-created", "-pk"):
        shown = []
        for t in run.themes.all():
            quotes = list(t.quotes) if team else [
                q for q, u in zip(t.quotes, t.quote_ids, strict=False) if str(u).startswith("c")][:3]
            size = t.size if team or t.size >= SMALL_CELL else None
            shown.append({"number": t.number, "label": t.label, "terms": [str(x) for x in t.terms], "size": size,
                          "tonality": t.tonality, "quotes": [str(q) for q in quotes]})
        result.append({"id": run.pk, "label": str(run), "created": run.created, "texts": run.answers,
                       "published": run.published, "small_cell": SMALL_CELL, "themes": shown})
    return result


# ---------------------------------------------------------------------------------------- opinion

class ConversationOut(Schema):
    slug: str
    question: str
    status: str
    statements: int = Field(description="accepted statements")
    participants: int
    analysed: bool = Field(description="whether opinion groups were computed")


@router.get("/processes/{slug}/conversations", response={200: list[ConversationOut], **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Opinion conversations of a process")
def conversations(request, slug: Text):
    found = visible_process(request, slug)
    rows = Conversation.objects.filter(process=found).annotate(
        n_statements=Count("statements", filter=Q(statements__status=Statement.Status.ACCEPTED), distinct=True),
        n_participants=Count("participants", distinct=True), n_analyses=Count("analyses", distinct=True))
    english = _language() == "en"
    return [{"slug": c.slug, "question": c.question_en if english and c.question_en else c.question,
             "status": c.status, "statements": c.n_statements, "participants": c.n_participants,
             "analysed": c.n_analyses > 0} for c in rows.order_by("slug")]


class OpinionResultsOut(Schema):
    conversation: str
    analysed: dt.datetime
    votes: int
    participants_total: int
    in_conversation: int = Field(description="participants with enough votes to be placed in a group")
    parameters: dict[str, Any]
    groups: list[dict[str, Any]] = Field(description="id, size and representative statements (with their text)")
    consensus: dict[str, list[dict[str, Any]]] = Field(description="agree / disagree consensus statements")


@router.get("/processes/{slug}/conversations/{conversation}/results", response={200: OpinionResultsOut, **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Opinion groups of a conversation")
def opinion_results(request, slug: Text, conversation: Text):
    """The latest analysis, as on the public opinion map: groups with their representative statements
    and the consensus statements (pol.is method). Individual participants are not listed."""
    found = visible_process(request, slug)
    conv = Conversation.objects.filter(process=found, slug=conversation).first()
    if conv is None:
        raise Http404(f"No conversation {conversation!r} in {slug!r}.")
    analysis = conv.latest_analysis()
    if analysis is None:
        raise Http404(f"The conversation {conversation!r} has not been analysed yet.")
    texts = dict(conv.statements.filter(status=Statement.Status.ACCEPTED).values_list("number", "text"))
    result = analysis.result

    def with_text(item: dict) -> dict:
        return {**item, "text": texts.get(item["statement"], "")}

    groups = [{"id": g["id"], "size": g["size"], "representative": [with_text(r) for r in g["representative"]]}
              for g in result.get("groups", [])]
    consensus = {side: [with_text(c) for c in result.get("consensus", {}).get(side, [])] for side in ("agree", "disagree")}
    return {"conversation": conv.slug, "analysed": analysis.created, "votes": analysis.votes_count,
            "participants_total": result.get("participants_total", 0), "in_conversation": result.get("in_conversation", 0),
            "parameters": analysis.parameters, "groups": groups, "consensus": consensus}


# --------------------------------------------------------------------------------------- evidence

class EvidenceOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    value: float | None
    unit: str
    n: int | None = Field(description="base of a survey figure, or number of votes")
    margin: float | None = Field(description="half-width of the 95 % interval, in the unit of the value")
    source: str
    vintage: str
    url: str
    public: bool
    simulated: bool


class EvidenceFilters(Schema):
    kind: Evidence.Kind | None = None


def visible_evidence(request, process: Process):
    found = Evidence.objects.filter(process=process)
    return found if is_team(request, process) else found.filter(public=True)


@router.get("/processes/{slug}/evidence", response={200: list[EvidenceOut], **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Evidence of a process")
@paginate(Pagination)
def evidence(request, slug: Text, filters: Query[EvidenceFilters]):
    """The evidence base (findings, survey figures, quotes, themes…); non-public items for the team only."""
    found = visible_evidence(request, visible_process(request, slug))
    if filters.kind:
        found = found.filter(kind=filters.kind)
    return found.order_by("kind", "title", "pk")

