"""Filières (excellence sectors): their NAF definition, the official figures the offline files allow, their links."""

from django.http import Http404
from ninja import Field, Router, Schema

from atout.sectors import services
from atout.sectors.models import Filiere

from ..core import OPTIONAL_AUTH, OPTIONAL_SECURITY, READ_ERRORS, Text, is_team, visible_process

router = Router(tags=["filières"], auth=OPTIONAL_AUTH)


class NafOut(Schema):
    code: str = Field(description="NAF rev.2 code: section, division, group, class or sub-class")
    level: str = Field(description="section, division, groupe, classe or sous-classe")
    label: str


class FiliereOut(Schema):
    slug: str
    name: str
    naf: list[NafOut]
    own_figures: bool = Field(description="whether the offline files give figures of the filière itself "
                                          "(its codes cover whole broad sectors)")
    jobs_2022: float | None = Field(description="census jobs at the place of work in 2022 (own figures only)")
    establishments: float | None = Field(description="active establishments at the end of 2024 (own figures only)")
    missing: list[str] = Field(description="why figures are absent: finer_than_broad_sectors, no_territory_data")
    example: bool


@router.get("/processes/{slug}/filieres", response={200: list[FiliereOut], **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="Filières of a process")
def filieres(request, slug: Text):
    """Every filière with its NAF codes and its own headline figures when the offline files allow them."""
    process = visible_process(request, slug)
    data, problem = services.sector_data(process)
    rows = []
    for filiere in Filiere.objects.filter(process=process):
        figures = services.indicators(filiere, data, problem)
        own = figures["filiere"] or {}
        rows.append({"slug": filiere.slug, "name": filiere.name, "naf": services.naf_rows(filiere.naf_codes),
                     "own_figures": figures["own_figures"], "jobs_2022": (own.get("jobs") or {}).get(2022),
                     "establishments": own.get("establishments"), "missing": figures["missing"],
                     "example": filiere.example})
    return rows


@router.get("/processes/{slug}/filieres/{filiere}", response={200: dict, **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="One filière")
def filiere(request, slug: Text, filiere: Text):
    """A filière in full — the ``atout sectors show --json`` shape: NAF codes and labels, figures per broad
    sector (jobs by census year, annual growth, share of jobs vs France, location quotient, establishments),
    reasons for absent figures, sources, and its actors, SWOT items (accepted ones unless the token is the
    team's), objectives, actions and KPIs."""
    process = visible_process(request, slug)
    item = Filiere.objects.filter(process=process, slug=filiere).first()
    if item is None:
        raise Http404(f"No filière {filiere!r}.")
    return services.jsonable(item, team=is_team(request, process))
