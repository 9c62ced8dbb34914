"""Barometer waves of a survey: the waves, two waves compared, each measure across the waves."""

from typing import Any, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from atout.consultation import barometer
from atout.consultation.models import Survey, Wave
from atout.consultation.services import is_public_result

from ..core import OPTIONAL_AUTH, OPTIONAL_SECURITY, READ_ERRORS, Text, is_team, visible_process

router = Router(tags=["barometers"], auth=OPTIONAL_AUTH)

Audience = Literal["resident", "non_resident", "talent", "company", "visitor"]


def _survey(request, slug: str, survey: str) -> Survey:
    """The survey, when its results are public (closed) or the caller is on the process's team."""
    found = visible_process(request, slug)
    item = Survey.objects.select_related("current_version").filter(process=found, slug=survey).first()
    if item is None or not (is_public_result(item) or is_team(request, found)):
        raise Http404(f"No survey {survey!r} with public results in {slug!r}.")
    return item


class WaveOut(Schema):
    slug: str
    label: str
    year: int = Field(description="the year the wave measures")
    status: str = Field(description="planned, open or closed")
    fieldwork_start: str | None
    fieldwork_end: str | None
    simulated: bool = Field(description="simulated answers (demonstration)")
    responses: int = Field(description="submitted responses of the wave")


class WavesOut(Schema):
    survey: str
    waves: list[WaveOut]


@router.get("/processes/{slug}/surveys/{survey}/waves", response={200: WavesOut, **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Waves of a barometer survey")
def waves(request, slug: Text, survey: Text):
    """The survey's waves in year order, as ``atout barometer waves --json``."""
    item = _survey(request, slug, survey)
    rows = [{**w, "fieldwork_start": w["fieldwork_start"] and w["fieldwork_start"].isoformat(),
             "fieldwork_end": w["fieldwork_end"] and w["fieldwork_end"].isoformat()} for w in barometer.wave_rows(item)]
    return {"survey": item.slug, "waves": rows}


class CompareFilters(Schema):
    first: str | None = Field(None, description="slug of the first wave (default: the last closed wave but one)")
    second: str | None = Field(None, description="slug of the second wave (default: the last closed wave)")
    audience: Audience | None = Field(None, description="only this audience's respondents (notoriety barometers)")


class CompareOut(Schema):
    survey: str
    audience: str
    first_wave: str
    second_wave: str
    first_label: str
    second_label: str
    simulated: bool
    measures: list[dict[str, Any]] = Field(
        description="per measure: the two estimates (estimate, low, high, n, n_effective, deff), the difference "
                    "(second − first; shares 0–1, means in the answers' unit, NPS in points), its 95 % interval "
                    "(low, high), p_value, q_value (Benjamini–Hochberg) and reading")


@router.get("/processes/{slug}/surveys/{survey}/waves/compare", response={200: CompareOut, **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Two waves of a barometer compared")
def compare(request, slug: Text, survey: Text, filters: Query[CompareFilters]):
    """As ``atout barometer compare --json``: per measure the two estimates, the change, its interval and p-value."""
    item = _survey(request, slug, survey)
    first, second = filters.first, filters.second
    if not (first and second):
        closed = list(item.waves.filter(status=Wave.Status.CLOSED).values_list("slug", flat=True))
        if len(closed) < 2:
            raise Http404(f"Survey {survey!r} has fewer than two closed waves: name the waves to compare.")
        first, second = closed[-2], closed[-1]
    try:
        return barometer.compare(item, first, second, audience=filters.audience)
    except barometer.BarometerError as exc:
        raise Http404(str(exc)) from None


class TrendFilters(Schema):
    audience: Audience | None = Field(None, description="only this audience's respondents (notoriety barometers)")


class TrendOut(Schema):
    survey: str
    audience: str
    waves: list[str]
    simulated: bool
    measures: list[dict[str, Any]] = Field(description="per measure: its points (one per closed wave) and the slope per year")


@router.get("/processes/{slug}/surveys/{survey}/waves/trend", response={200: TrendOut, **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Each measure across the closed waves")
def trend(request, slug: Text, survey: Text, filters: Query[TrendFilters]):
    """As ``atout barometer trend --json``."""
    item = _survey(request, slug, survey)
    try:
        return barometer.trend(item, audience=filters.audience)
    except barometer.BarometerError as exc:
        raise Http404(str(exc)) from None
