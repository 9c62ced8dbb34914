"""The attractiveness compass: a département's composite scores by OECD attractiveness domain, against
France and the median département, with a Monte Carlo rank interval for the overall index.

Built with the composite engine (``engine.composite``, ``engine.uncertainty``) on PTOD's published
département values of the catalogue indicators that have a direction (polarity ±1):

* indicators → OECD domains (equal weights) → index (equal weights across domains);
* missing values imputed by the median département; each indicator normalised to the PTOD form
  50 + 15 × z (z = polarity-signed z-score across the 96 départements), so 50 is the average département
  and 65 one standard deviation better; domains and index are arithmetic means;
* France's position is computed with the same means and standard deviations of the départements;
* the rank interval (5–95 %) comes from ``runs`` Monte Carlo draws of the assumptions: weights ±25 % at
  every level, z-score or percentile-rank normalisation, median or mean imputation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from atout.engine.catalogue import DOMAINS, Catalogue
from atout.engine.composite import CompositeData, IndexTree, Pipeline, Step
from atout.engine.findings import ptod_values
from atout.engine.formats.ptod import FRANCE_CODE, PtodValues
from atout.engine.uncertainty import CompositeUncertainty, UncertaintySpec

INDEX = "index"
MEAN, SD = 50.0, 15.0


@dataclass
class CompassResult:
    territory: str
    domains: list[str]  # domain codes, in catalogue order
    indicators: dict[str, list[str]]  # domain → indicator codes
    scores: dict[str, float]  # domain (and "index") → the territory's score
    france: dict[str, float]
    median: dict[str, float]
    ranks: dict[str, int]  # domain (and "index") → rank among ``of`` (1 = best)
    of: int
    interval: dict[str, float]  # nominal, median, q05, q95 rank of the index
    runs: int
    weights: dict[str, float]  # domain → its weight in the index (summing to 1)


def index_tree(catalogue: Catalogue, available: list[str]) -> tuple[IndexTree, dict[str, list[str]]]:
    """Indicators with a direction and a published value → their OECD domain → the index."""
    by_domain: dict[str, list[str]] = {}
    for code in available:
        entry = catalogue[code]
        if entry.polarity != 0 and entry.kind != "count":
            by_domain.setdefault(entry.domain, []).append(code)
    domains = [d for d in DOMAINS if d in by_domain]
    level = {INDEX: 3, **dict.fromkeys(domains, 2)}
    parent: dict[str, str | None] = {INDEX: None, **dict.fromkeys(domains, INDEX)}
    for domain in domains:
        for code in by_domain[domain]:
            level[code], parent[code] = 1, domain
    direction = {code: catalogue[code].polarity for d in domains for code in by_domain[d]}
    return (IndexTree(level=level, parent=parent, weight=dict.fromkeys(level, 1.0), direction=direction),
            {d: by_domain[d] for d in domains})


def compass(ptod: PtodValues, catalogue: Catalogue, territory: str, *, runs: int = 300,
            seed: int = 0, weights: dict[str, float] | None = None) -> CompassResult:
    """The compass of département ``territory`` (see the module docstring). Raises ValueError when the
    territory is not among PTOD's départements.

    ``weights`` ({domain: weight}) replaces the equal weights of the domains in the index (e.g. the
    stakeholders' priorities, ``strategy.services.composite_weights``); domains the compass has no indicator
    for are dropped and the others rescaled to sum to 1; a domain it does not name gets weight 0."""
    values = ptod_values(ptod, catalogue).dropna(axis=1, how="all")
    units = values.drop(index=FRANCE_CODE, errors="ignore")
    if territory not in units.index:
        raise ValueError(f"département {territory!r} has no PTOD values")
    tree, by_domain = index_tree(catalogue, list(values.columns))
    if weights:
        total = sum(max(weights.get(d, 0.0), 0.0) for d in by_domain)
        if total <= 0:
            raise ValueError("the weights give no positive weight to any domain of the compass")
        domain_weights = {d: max(weights.get(d, 0.0), 0.0) / total for d in by_domain}
        weight_step = Step("weight", {"method": "given", "weights": domain_weights})
    else:
        domain_weights = {d: 1 / len(by_domain) for d in by_domain}
        weight_step = Step("weight", {"method": "equal"})
    data = CompositeData(values=units, tree=tree)
    pipeline = Pipeline(data, [
        Step("impute", {"method": "median"}),
        Step("normalise", {"method": "zscore", "mean": MEAN, "sd": SD}),
        weight_step,
        Step("aggregate", {"method": "arithmetic"}),
    ])
    spec = UncertaintySpec(weights_noise={"*": 0.25},
                           normalisation=({"method": "zscore"}, {"method": "percentile_rank"}),
                           imputation=({"method": "median"}, {"method": "mean"}))
    analysis = CompositeUncertainty(pipeline, spec, random_state=seed)
    result = analysis.nominal
    scores, ranks = result.scores, result.ranks
    interval = analysis.monte_carlo(runs).loc[territory]
    codes = [*by_domain, INDEX]
    return CompassResult(
        territory=territory, domains=list(by_domain), indicators=by_domain,
        scores={c: float(scores.loc[territory, c]) for c in codes},
        france=_france(values, units, tree, by_domain, domain_weights),
        median={c: float(scores[c].median()) for c in codes},
        ranks={c: int(ranks.loc[territory, c]) for c in codes}, of=len(units),
        interval={k: float(v) for k, v in interval.items()}, runs=runs, weights=domain_weights,
    )


def _france(values: pd.DataFrame, units: pd.DataFrame, tree: IndexTree, by_domain: dict[str, list[str]],
            weights: dict[str, float]) -> dict:
    """France's scores on the départements' scale (their means and standard deviations)."""
    if FRANCE_CODE not in values.index:
        return {}
    z = {}
    for code in tree.indicators:
        spread = units[code].std()
        value = values.loc[FRANCE_CODE, code]
        if spread and not math.isnan(value):
            z[code] = tree.direction[code] * (value - units[code].mean()) / spread
    domains = {d: MEAN + SD * float(np.mean([z[c] for c in codes if c in z]))
               for d, codes in by_domain.items() if any(c in z for c in codes)}
    if domains:
        domains[INDEX] = float(np.average(list(domains.values()), weights=[weights[d] for d in domains]))
    return domains


#: The radar's radial scale: scores cluster around 50, so the axis runs from 30 (centre) to 70 (edge);
#: the rings are labelled so that the truncated scale is visible.
RADAR_LOW, RADAR_HIGH = 30.0, 70.0


def radar_points(scores: dict[str, float], domains: list[str], *, centre: float = 160, radius: float = 120,
                 low: float = RADAR_LOW, high: float = RADAR_HIGH) -> str:
    """SVG polygon points of ``scores`` (clipped to [low, high]) on one axis per domain, clockwise from the top."""
    points = []
    for i, domain in enumerate(domains):
        angle = -math.pi / 2 + 2 * math.pi * i / len(domains)
        share = (min(max(scores.get(domain, low), low), high) - low) / (high - low)
        points.append(f"{centre + radius * share * math.cos(angle):.1f},{centre + radius * share * math.sin(angle):.1f}")
    return " ".join(points)
