"""Strengths and weaknesses of a territory, each stating its comparison base and evidence.

The rule (docs/methods/diagnostic.md), applied to each indicator with a value, from a benchmark table:

* **strength** — the indicator has a polarity (+1 or −1), the territory is in the best quartile of its
  peer set (rank ≤ ⌈N/4⌉), and it does at least as well as France when France's value is known;
* **weakness** — polarity ≠ 0, worst quartile (rank > N − ⌈N/4⌉), and worse than France when known;
* **neutral** — everything else, including every indicator of polarity 0 (a share of second homes is
  neither good nor bad), which is still described ("plus âgée que la France…").

Counts are left out: they measure size, not performance. Levels and trends (``aspect``) are judged the
same way. Every finding says which peers, which value, which France value and which rank among N.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import pandas as pd

from .benchmark import DEFAULT_STRUCTURE, all_peers, benchmark, nearest_peers, region_peers
from .catalogue import Catalogue, Indicator, Text
from .formats.ptod import FRANCE_CODE, PtodValues

FINDING_KEYS = ("indicator", "label", "kind", "aspect", "value", "peer_value", "france_value", "rank", "of",
                "basis", "source")

#: How the peer median is named in statements, by peer-set name.
PEER_NAMES = {
    "departements": Text("le département médian", "the median département"),
    "region": Text("le département médian de la région", "the median département of the region"),
    "neighbours": Text("le département médian parmi les plus proches", "the median of the most similar départements"),
}


def classify(rank: int, of: int, polarity: int, gap_to_france: float | None) -> str:
    """strength / weakness / neutral by the quartile-and-France rule (see module docstring)."""
    if polarity == 0 or of < 4:
        return "neutral"
    quartile = math.ceil(of / 4)
    gap = None if gap_to_france is None or math.isnan(gap_to_france) else gap_to_france * polarity
    if rank <= quartile and (gap is None or gap >= 0):
        return "strength"
    if rank > of - quartile and (gap is None or gap < 0):
        return "weakness"
    return "neutral"


def number(value: float, language: str) -> str:
    """A value for a sentence: 3 significant decimals at most, French decimal comma and thin spaces."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n.d." if language == "fr" else "n/a"
    digits = 0 if abs(value) >= 1000 else 1 if abs(value) >= 10 else 2
    text = f"{value:,.{digits}f}"
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def _compare(indicator: Indicator, value: float, other: float, language: str) -> str:
    if other is None or math.isnan(other):
        return ""
    if math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-12):
        return "au même niveau que" if language == "fr" else "level with"
    words = indicator.higher if value > other else indicator.lower
    return f"{words.get(language)} {'que' if language == 'fr' else 'than'}"


def statement(indicator: Indicator, row: Mapping, peer_name: Text, language: str) -> str:
    """One careful sentence: value, against France and the median peer, rank among N (1 = best/highest)."""
    unit = f" {indicator.unit}" if indicator.unit else ""
    value = row["value"]
    parts = [f"{indicator.label.get(language)} : {number(value, language)}{unit}" if language == "fr"
             else f"{indicator.label.get(language)}: {number(value, language)}{unit}"]
    comparisons = []
    france = row.get("france_value")
    if france is not None and not math.isnan(france):
        comparisons.append(f"{_compare(indicator, value, france, language)} "
                           f"{'la France' if language == 'fr' else 'France'} ({number(france, language)})")
    peer = row.get("peer_value")
    if peer is not None and not math.isnan(peer):
        comparisons.append(f"{_compare(indicator, value, peer, language)} {peer_name.get(language)} "
                           f"({number(peer, language)})")
    if comparisons:
        parts.append(", ".join(comparisons))
    if indicator.polarity == 0:
        order = "du plus élevé" if language == "fr" else "from the highest"
    else:
        order = "du meilleur" if language == "fr" else "from the best"
    rank, of = row["rank"], row["of"]
    parts.append(f"{rank}e sur {of} ({order})" if language == "fr" else f"rank {rank} of {of} ({order})")
    return " — ".join(parts)


def findings(
    table: pd.DataFrame, catalogue: Catalogue, *, basis: str, peer_name: Text | None = None,
) -> list[dict]:
    """Benchmark table (see :func:`atout.engine.benchmark.benchmark`) → finding records.

    Each record has FINDING_KEYS — ``value``, ``peer_value`` (peer median), ``france_value``, ``rank``
    among ``of``, ``basis`` (the comparison base, e.g. "96 départements"), ``source`` — plus
    ``unit``, ``percentile``, ``polarity`` and ``statement`` ({"fr", "en"}). Counts and indicators
    without a value are skipped. Order: strengths, weaknesses, then neutral, each by indicator order.
    """
    peer_name = peer_name or PEER_NAMES["departements"]
    records = []
    for row in table.to_dict("records"):
        indicator = catalogue[row["indicator"]]
        if indicator.kind == "count" or pd.isna(row["value"]) or pd.isna(row["rank"]):
            continue
        data = {"value": float(row["value"]), "peer_value": _float(row["peer_median"]),
                "france_value": _float(row["france_value"]), "rank": int(row["rank"]), "of": int(row["of"])}
        kind = classify(data["rank"], data["of"], indicator.polarity,
                        _float(row["gap_to_france"]) if row["gap_to_france"] is not None else None)
        records.append({
            "indicator": indicator.code, "label": indicator.label.fr, "kind": kind, "aspect": indicator.aspect,
            **data, "basis": basis, "source": f"{indicator.source} ({indicator.vintage})",
            "unit": indicator.unit, "percentile": _float(row["percentile"]), "polarity": indicator.polarity,
            "statement": {lang: statement(indicator, data, peer_name, lang) for lang in ("fr", "en")},
        })
    order = {"strength": 0, "weakness": 1, "neutral": 2}
    return sorted(records, key=lambda r: order[r["kind"]])


def _float(value) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)


def ptod_values(ptod: PtodValues, catalogue: Catalogue, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """PTOD territories × catalogue indicators that have a published PTOD value (``ptod`` field)."""
    wide = ptod.wide()
    chosen = [catalogue[c] for c in codes] if codes is not None else catalogue.with_ptod()
    return pd.DataFrame({i.code: wide[i.ptod] if i.ptod in wide else float("nan") for i in chosen if i.ptod},
                        index=wide.index)


def departement_findings(
    ptod: PtodValues, catalogue: Catalogue, territory: str, *, peers: str = "departements", k: int = 10,
) -> dict:
    """Findings for a département against ``peers`` (``departements``, ``region`` or ``neighbours``).

    Values are PTOD's published département values for every catalogue indicator with a ``ptod`` code;
    France is PTOD's ``00FR`` row. ``neighbours`` uses the ``k`` nearest départements on
    DEFAULT_STRUCTURE. Returns ``{"territory", "peers", "basis", "findings": [...]}``.
    """
    values = ptod_values(ptod, catalogue)
    departements = all_peers(values.index, exclude=[FRANCE_CODE])
    if territory not in departements:
        raise ValueError(f"unknown département {territory!r}")
    if peers == "departements":
        peer_codes = departements
        basis = f"{len(peer_codes)} départements"
    elif peers == "region":
        regions = ptod.territories["region"].drop(FRANCE_CODE, errors="ignore").to_dict()
        peer_codes = region_peers(territory, regions)
        basis = f"{len(peer_codes)} départements de la région {regions[territory]}"
    elif peers == "neighbours":
        structure = ptod.wide().loc[departements, list(DEFAULT_STRUCTURE)]
        peer_codes = [territory, *nearest_peers(structure, territory, k).index]
        basis = f"{territory} et ses {k} départements les plus proches ({', '.join(peer_codes[1:])})"
    else:
        raise ValueError(f"unknown peer set {peers!r}: departements, region or neighbours")
    france = values.loc[FRANCE_CODE] if FRANCE_CODE in values.index else None
    result = territory_findings(values, catalogue, territory, peer_codes, basis=basis, peer_name=PEER_NAMES[peers],
                                france=france)
    return {**result, "peers": peers}


def territory_findings(
    values: pd.DataFrame, catalogue: Catalogue, territory: str, peers: list[str], *, basis: str,
    peer_name: Text, france: pd.Series | None = None,
) -> dict:
    """Findings for any territory — an EPCI, a custom zone — against any peer set.

    ``values``: territories × catalogue indicators (e.g. :func:`atout.engine.geography.values_table` of
    aggregates); ``france``: indicator → France's value where known (e.g. PTOD's ``00FR`` row for the
    indicators it publishes). Returns ``{"territory", "basis", "findings": [...]}``.
    """
    polarity = {code: catalogue[code].polarity for code in values.columns}
    table = benchmark(values, territory, peers, polarity, france=france)
    return {"territory": territory, "basis": basis,
            "findings": findings(table, catalogue, basis=basis, peer_name=peer_name)}
