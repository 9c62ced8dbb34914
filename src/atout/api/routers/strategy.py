"""The strategy deliverables: the SWOT board (as its page shows it) and the positioning with its versions."""

import datetime as dt

from ninja import Field, Router, Schema

from atout.strategy import board as swot_board
from atout.strategy import positioning as brand
from atout.strategy.models import Positioning

from ..core import OPTIONAL_AUTH, OPTIONAL_SECURITY, READ_ERRORS, Text, is_team, visible_process

router = Router(tags=["strategy"], auth=OPTIONAL_AUTH)


class SwotEvidenceOut(Schema):
    id: int
    kind: str
    title: str
    sentence: str = Field(description="the evidence in one sentence: figure, n, margin, source and vintage")
    url: str = Field(description="its page")
    source_url: str = Field(description="the indicator, survey results, theme or conversation it comes from, when "
                                        "the caller may open it; empty otherwise")


class SwotItemOut(Schema):
    id: int
    title: str
    status: str = Field(description="accepted; for the team also proposed")
    whole_territory: bool
    subterritories: list[str] = Field(description="codes of the sub-territories where it stands out")
    places: list[str] = Field(description="names of the places it holds for")
    axis: str | None
    evidence: list[SwotEvidenceOut]


class SwotQuadrantOut(Schema):
    kind: str = Field(description="S (strengths), W (weaknesses), O (opportunities), T (threats)")
    label: str
    items: list[SwotItemOut]


@router.get("/processes/{slug}/swot", response={200: list[SwotQuadrantOut], **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="The SWOT board")
def swot(request, slug: Text):
    """The four quadrants as the board shows them: retained items with their public evidence; a team token
    also sees the proposals and the private evidence."""
    process = visible_process(request, slug)
    columns = swot_board.board(process, team=is_team(request, process))
    return [{"kind": c["kind"], "label": str(c["label"]), "items": [{
        "id": row["item"].pk, "title": row["item"].title, "status": row["item"].status,
        "whole_territory": row["item"].whole_territory,
        "subterritories": sorted(t.code for t in row["item"].subterritories.all()), "places": row["places"],
        "axis": row["item"].axis.code if row["item"].axis else None,
        "evidence": [{"id": e["evidence"].pk, "kind": e["evidence"].kind, "title": e["evidence"].title,
                      "sentence": e["line"], "url": e["url"], "source_url": e["source_url"]} for e in row["evidence"]],
    } for row in c["items"]]} for c in columns]


class PositioningVersionOut(Schema):
    number: int
    ambition: str
    values: str
    promise: str
    audiences: str
    key_messages: str
    note: str
    author: str | None
    created: dt.datetime


class PositioningOut(Schema):
    ambition: str
    values: str
    promise: str
    audiences: str
    key_messages: str
    versions: list[PositioningVersionOut] | None = Field(
        description="every saved version, newest first (team tokens only; null otherwise)")


@router.get("/processes/{slug}/positioning", response={200: PositioningOut, **READ_ERRORS},
            openapi_extra=OPTIONAL_SECURITY, summary="The positioning (brand platform)")
def positioning(request, slug: Text):
    """The brand platform in force (empty texts when none is written); a team token also gets its versions."""
    process = visible_process(request, slug)
    found = brand.current(process)
    versions = None
    if is_team(request, process) and Positioning.objects.filter(process=process).exists():
        versions = [{**row["version"].content(), "number": row["version"].number, "note": row["version"].note,
                     "author": row["version"].created_by.get_username() if row["version"].created_by else None,
                     "created": row["version"].created} for row in brand.history(process)]
    elif is_team(request, process):
        versions = []
    return {**found, "versions": versions}
