"""The one-page summary of a process's diagnostic for elected officials (web page and PDF).

What is on it, each piece public and traced to its source: a few key figures, the strengths and
weaknesses the statistics show against the other départements (or sibling territories), what residents
said (the published theme analysis), the strategy's axes and how the territory compares with its
bordering départements.
"""

from __future__ import annotations

from django.utils.translation import get_language

from atout.core.contracts import provider
from atout.engine.formats.errors import FormatError

from . import analysis, neighbours
from .catalogue_store import current_catalogue
from .models import Indicator

#: Key figures of the summary, in order (a subset of the portrait's).
KEY_FIGURES = ["population", "population_growth", "migratory_balance_rate", "share_75_plus", "unemployment_rate",
               "median_income", "poverty_rate", "second_home_share"]
#: How many strengths, weaknesses and themes fit on one page.
TOP = 3
#: Indicators charted against the neighbours on the summary.
NEIGHBOUR_CODES = ["population_growth", "unemployment_rate", "median_income"]
QUOTE_WORDS = 30


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def key_figures(process) -> list[dict]:
    territory = process.territory
    catalogue = current_catalogue()
    codes = [c for c in KEY_FIGURES if c in catalogue]
    table = analysis.figures([territory], codes, catalogue=catalogue)
    labels = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    return [{"indicator": labels[c], "figure": table[territory.pk, c]} for c in codes
            if table[territory.pk, c].value is not None]


def strengths_and_weaknesses(process) -> dict:
    """The ``TOP`` strengths and weaknesses of the territory (the findings page's, best ranked first)."""
    try:
        result = analysis.findings_for(process.territory, "departements")
    except (ValueError, FormatError):
        return {"strengths": [], "weaknesses": [], "basis": ""}
    language = _language()

    def top(kind: str) -> list[dict]:
        items = [f for f in result["findings"] if f["kind"] == kind]
        # For a strength the best rank first; for a weakness the worst first.
        items.sort(key=lambda f: (f["rank"] or 0) / max(f["of"] or 1, 1), reverse=kind == "weakness")
        return [{"statement": f["statement"][language], "source": f["source"]} for f in items[:TOP]]

    return {"strengths": top("strength"), "weaknesses": top("weakness"), "basis": result["basis"]}


def residents(process) -> dict | None:
    """The published theme analysis's largest themes, each with one quote from a contribution: asked for
    by name from fieldwork, which sits above diagnostic (``atout.core.contracts.provider``)."""
    in_brief = provider("summary.residents")
    return in_brief(process, top=TOP + 1, quote_words=QUOTE_WORDS) if in_brief else None


def summary(process) -> dict:
    """Everything the one-page summary shows (see the module docstring)."""
    return {
        "process": process, "territory": process.territory, "figures": key_figures(process),
        "findings": strengths_and_weaknesses(process), "residents": residents(process),
        "axes": list(process.axes.all()), "phase": process.current_phase(),
        "neighbours": neighbours.comparison(process.territory, NEIGHBOUR_CODES),
    }
