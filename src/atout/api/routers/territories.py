"""Territories (official geography and custom zones), the indicator catalogue, observations and figures."""


from django.db.models import Q
from django.http import Http404
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from atout.diagnostic.analysis import figures
from atout.diagnostic.catalogue_store import current_catalogue
from atout.diagnostic.models import Indicator, Observation
from atout.territories.models import Level, Territory

from ..core import OPTIONAL_AUTH, OPTIONAL_SECURITY, READ_ERRORS, Pagination, Text, Year, invalid

router = Router(tags=["territories and indicators"], auth=OPTIONAL_AUTH)


class TerritoryOut(Schema):
    key: str = Field(description="reference accepted anywhere a territory is expected, e.g. dep:26")
    level: str
    code: str
    name: str
    parent: str | None = Field(None, description="key of the parent (commune → département → région)")
    population: int | None = Field(None, description="municipal population (INSEE), summed over the communes")

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.key if obj.parent_id else None

    @staticmethod
    def resolve_population(obj) -> int | None:
        # Stored for communes; summed over the communes for any larger territory.
        return obj.population if obj.level == Level.COMMUNE else obj.computed_population()


class TerritoryDetailOut(TerritoryOut):
    communes: int
    parents: list[str] = Field(description="keys of the territories containing this one")

    @staticmethod
    def resolve_communes(obj) -> int:
        return obj.communes().count()

    @staticmethod
    def resolve_parents(obj) -> list[str]:
        return [p.key for p in obj.parents()]


class TerritoryFilters(Schema):
    level: Level | None = Field(None, description="only territories of this level")
    parent: Text | None = Field(None, description="key of a containing territory (dep:26, epci:200068781…)")
    q: Text | None = Field(None, description="part of the name, or the start of the code")


def resolve(reference: str, field: str | None = None) -> Territory:
    """The territory a key names; a 404 for a path, a 422 naming the field for a query parameter."""
    try:
        return Territory.objects.resolve(reference)
    except Territory.DoesNotExist:
        if field:
            raise invalid(field, f"no territory {reference!r}") from None
        raise Http404(f"No territory {reference!r}.") from None


@router.get("/territories", response={200: list[TerritoryOut], **READ_ERRORS}, openapi_extra=OPTIONAL_SECURITY,
            summary="List territories")
@paginate(Pagination)
def territories(request, filters: Query[TerritoryFilters]):
    """Territories by level, inside a parent territory, or matching a name; ordered by level and code."""
    found = Territory.objects.all()
    if filters.parent:
        parent = resolve(filters.parent, "parent")
        found = parent.children_at(filters.level) if filters.level else Territory.objects.filter(parent=parent)
    elif filters.level:
        found = found.filter(level=filters.level)
    if filters.q:
        found = found.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    return found.select_related("parent").order_by("level", "code")


@router.get("/territories/{key}", response={200: TerritoryDetailOut, **READ_ERRORS}, openapi_extra=OPTIONAL_SECURITY,
            summary="One territory")
def territory(request, key: Text):
    return resolve(key)


# ------------------------------------------------------------------------------------- indicators

def _english() -> bool:
    return (get_language() or "fr").startswith("en")


class IndicatorOut(Schema):
    code: str
    label: str = Field(description="in the request's language (Accept-Language: fr or en)")
    label_fr: str
    label_en: str
    definition: str
    theme: str
    unit: str
    source: str
    vintage: str
    polarity: int = Field(description="1: higher is better, -1: lower is better, 0: neutral")
    kind: str
    domain: str
    dimension: str
    axis: str
    audiences: list[str]

    @staticmethod
    def resolve_label(obj) -> str:
        return obj.label_en if _english() else obj.label_fr

    @staticmethod
    def resolve_definition(obj) -> str:
        return obj.definition_en if _english() else obj.definition_fr


class IndicatorFilters(Schema):
    theme: Text | None = None
    axis: Text | None = Field(None, description="attractivite, proximite or inventivite")
    q: Text | None = Field(None, description="part of the code or of the label")


@router.get("/indicators", response={200: list[IndicatorOut], **READ_ERRORS}, openapi_extra=OPTIONAL_SECURITY,
            summary="List the indicator catalogue")
@paginate(Pagination)
def indicators(request, filters: Query[IndicatorFilters]):
    found = Indicator.objects.all()
    if filters.theme:
        found = found.filter(theme=filters.theme)
    if filters.axis:
        found = found.filter(axis=filters.axis)
    if filters.q:
        found = found.filter(Q(code__icontains=filters.q) | Q(label_fr__icontains=filters.q)
                             | Q(label_en__icontains=filters.q))
    return found.order_by("order", "code")


@router.get("/indicators/{code}", response={200: IndicatorOut, **READ_ERRORS}, openapi_extra=OPTIONAL_SECURITY,
            summary="One indicator of the catalogue")
def indicator(request, code: Text):
    found = Indicator.objects.filter(code=code).first()
    if found is None:
        raise Http404(f"No indicator {code!r} in the catalogue.")
    return found


class ObservationOut(Schema):
    territory: str = Field(description="territory key")
    indicator: str | None = Field(None, description="catalogue indicator, for values imported as such")
    series: str | None = Field(None, description="raw series code (e.g. P22_POP), for raw values")
    year: int | None
    value: float | None = Field(description="null when the producer gives none (statistical secrecy)")
    source: str
    batch: int = Field(description="the import that brought the value")

    @staticmethod
    def resolve_territory(obj) -> str:
        return obj.territory.key

    @staticmethod
    def resolve_indicator(obj) -> str | None:
        return obj.indicator.code if obj.indicator_id else None

    @staticmethod
    def resolve_series(obj) -> str | None:
        return obj.series.code if obj.series_id else None

    @staticmethod
    def resolve_batch(obj) -> int:
        return obj.batch_id


class ObservationFilters(Schema):
    indicator: Text | None = Field(None, description="catalogue indicator code")
    series: Text | None = Field(None, description="raw series code")
    territory: Text | None = Field(None, description="territory key (values stored for that territory itself)")
    year: Year | None = None


@router.get("/observations", response={200: list[ObservationOut], **READ_ERRORS}, openapi_extra=OPTIONAL_SECURITY,
            summary="Stored observations")
@paginate(Pagination)
def observations(request, filters: Query[ObservationFilters]):
    """The values as imported (communes' raw series, indicators imported for a territory).
    Aggregates are not stored: ask ``/territories/{key}/values`` for any territory's figure."""
    found = Observation.objects.all()
    if filters.indicator:
        found = found.filter(indicator__code=filters.indicator)
    if filters.series:
        found = found.filter(series__code=filters.series)
    if filters.territory:
        found = found.filter(territory=resolve(filters.territory, "territory"))
    if filters.year is not None:
        found = found.filter(year=filters.year)
    return found.select_related("territory", "indicator", "series").order_by("pk")


class ValueOut(Schema):
    indicator: str
    value: float | None
    unit: str
    year: int | None
    origin: str = Field(description="imported, observed, aggregated, published, partial aggregate or missing")
    coverage: float = Field(description="share of member communes with data (1: complete)")
    population_coverage: float | None
    members: int | None
    partial: bool
    source: str


class ValuesOut(Schema):
    territory: str
    values: list[ValueOut]


class ValueFilters(Schema):
    indicator: list[Text] = Field(..., min_length=1, max_length=50, description="catalogue codes (repeat the parameter)")
    year: Year | None = Field(None, description="only values of that year")


@router.get("/territories/{key}/values", response={200: ValuesOut, **READ_ERRORS}, openapi_extra=OPTIONAL_SECURITY,
            summary="Indicator figures for a territory")
def values(request, key: Text, filters: Query[ValueFilters]):
    """Figures computed on demand, as on the portrait page: the imported value, else the aggregate of
    the communes (counts summed, ratios recomputed), else the published one; each says where it comes from."""
    found = resolve(key)
    catalogue = current_catalogue()
    codes = list(dict.fromkeys(filters.indicator))
    unknown = [c for c in codes if c not in catalogue]
    if unknown:
        raise invalid("indicator", f"not in the catalogue: {', '.join(unknown)}")
    table = figures([found], codes, year=filters.year, catalogue=catalogue)
    return {"territory": found.key,
            "values": [{"indicator": code, **table[found.pk, code].as_dict()} for code in codes]}
