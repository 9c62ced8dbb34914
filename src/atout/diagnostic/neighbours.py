"""The département beside its bordering départements and France, indicator by indicator.

Neighbours are computed from the contours imported with the geography (``engine.geometry.bordering``),
values are those published for départements and France (PTOD), so the comparison is like for like.
"""

from __future__ import annotations

import json
import math

from atout.engine.barchart import bar_chart
from atout.engine.formats.ptod import FRANCE_CODE
from atout.engine.geometry import bordering
from atout.territories.models import Level, Territory

from . import analysis
from .catalogue_store import current_catalogue
from .models import Indicator

#: Indicators shown by default: the portrait's key figures that départements and France publish.
DEFAULT_CODES = ["population_growth", "migratory_balance_rate", "share_75_plus", "unemployment_rate",
                 "median_income", "poverty_rate", "second_home_share", "vacancy_rate"]


def neighbours_of(territory: Territory) -> list[Territory]:
    """The départements bordering ``territory`` (a département with a contour), by code."""
    contours = dict(Territory.objects.filter(level=Level.DEPARTEMENT).exclude(contour="")
                    .values_list("code", "contour"))
    if territory.code not in contours:
        return []
    codes = bordering({code: json.loads(text) for code, text in contours.items()}, territory.code)
    return list(Territory.objects.filter(level=Level.DEPARTEMENT, code__in=codes).order_by("code"))


def _value(table, code: str, indicator: str) -> float | None:
    if code not in table.index or indicator not in table.columns:
        return None
    value = table.loc[code, indicator]
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def comparison(territory: Territory, codes: list[str] | None = None) -> dict:
    """Bar charts and tables: ``territory``, its neighbours and France on each indicator with a
    published value for ``territory``.

    Output: ``{"neighbours": [Territory], "charts": [{"indicator", "chart", "rows"}]}`` where rows are
    ``{"name", "value", "highlight"}`` in the chart's order (territory, neighbours by name, France).
    Empty charts when the territory is not a département or nothing is published.
    """
    if territory.level != Level.DEPARTEMENT:
        return {"neighbours": [], "charts": []}
    catalogue = current_catalogue()
    wanted = [c for c in (codes or DEFAULT_CODES) if c in catalogue and catalogue[c].ptod]
    neighbours = sorted(neighbours_of(territory), key=lambda t: t.name)
    table = analysis.published_values(catalogue, wanted)
    labels = {i.code: i for i in Indicator.objects.filter(code__in=wanted)}
    charts = []
    for code in wanted:
        if table.empty or _value(table, territory.code, code) is None:
            continue
        rows = [{"name": territory.name, "value": _value(table, territory.code, code), "highlight": True}]
        rows += [{"name": n.name, "value": _value(table, n.code, code), "highlight": False} for n in neighbours]
        rows.append({"name": "France", "value": _value(table, FRANCE_CODE, code), "highlight": False})
        chart = bar_chart([(r["name"], r["value"], r["highlight"]) for r in rows])
        charts.append({"indicator": labels[code], "chart": chart, "rows": rows})
    return {"neighbours": neighbours, "charts": charts}
