"""Figures for any territory, computed on demand by the engine from the stored observations.

Where a value comes from, in order of preference (each result says which, with its source):

1. a value imported for the territory itself for a catalogue indicator (long or wide table);
   for a commune, its own raw series ("observed");
2. the aggregate of its communes' raw series (counts summed, ratios recomputed — ``geography.aggregate``)
   when every member commune has the data;
3. the value published for a département or France by PTOD (``ptod`` code of the indicator);
4. the partial aggregate of its communes, flagged with its coverage.

Nothing here is stored: aggregates are recomputed from the raw observations, so they cannot be stale.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, replace

import pandas as pd
from django.db.models import Q

from atout.engine import geography
from atout.engine.benchmark import benchmark, nearest_peers
from atout.engine.catalogue import Catalogue, Indicator, Text
from atout.engine.findings import departement_findings, territory_findings
from atout.engine.formats.ptod import FRANCE_CODE, PtodValues
from atout.territories.models import Level, Membership, Territory

from .catalogue_store import current_catalogue
from .models import ImportBatch, Observation, Series

POPULATION_SERIES = "P22_POP"
PEER_SETS = ("departements", "region", "similar")
#: Structural indicators describing what a sub-territory *is* (size, age, economy, tourism), used to
#: find similar EPCIs or zones, in the spirit of the département structure of ``engine.benchmark``.
SUB_STRUCTURE = ("population", "share_75_plus", "share_establishments_agriculture",
                 "share_establishments_industry", "second_home_share", "density")


@dataclass
class Value:
    """One figure: value (None when missing), its coverage and where it comes from."""

    value: float | None
    unit: str | None  # None for a raw series: its producer gives no unit
    coverage: float
    source: str
    origin: str  # "imported", "observed" (a commune's own), "aggregated", "published", "partial aggregate", "missing"
    year: int | None = None
    population_coverage: float | None = None
    members: int | None = None

    def as_dict(self) -> dict:
        return {"value": self.value, "unit": self.unit, "coverage": self.coverage, "source": self.source,
                "origin": self.origin, "year": self.year, "population_coverage": self.population_coverage,
                "members": self.members, "partial": self.coverage < 1}


def vintage_year(vintage: str) -> int | None:
    """The (last) year of a vintage text: "2022" → 2022, "2016-2022" → 2022."""
    years = re.findall(r"(?:19|20)\d\d", vintage or "")
    return int(years[-1]) if years else None


# ------------------------------------------------------------------------------------------- raw data

def commune_frame(series: list[str], communes: list[int] | None = None) -> pd.DataFrame:
    """Communes × raw series (float, NaN = missing), indexed by commune code.

    ``communes``: restrict to these commune primary keys (default: every commune with data). When a
    series has several years for a commune, the latest year is kept.
    """
    rows = Observation.objects.filter(series__code__in=series, territory__level=Level.COMMUNE)
    if communes is not None and len(communes) < 5000:
        rows = rows.filter(territory_id__in=communes)
    data = pd.DataFrame(list(rows.values_list("territory__code", "series__code", "year", "value")),
                        columns=["code", "series", "year", "value"])
    if data.empty:
        return pd.DataFrame(columns=series, dtype=float)
    data = data.sort_values("year", na_position="first").drop_duplicates(["code", "series"], keep="last")
    frame = data.pivot(index="code", columns="series", values="value").astype(float)
    frame.columns.name = None
    return frame


def membership_of(territories: list[Territory]) -> pd.DataFrame:
    """Membership table ``member`` (commune code) → ``group`` (territory key) for any territories."""
    pairs = []
    by_level: dict[str, list[Territory]] = {}
    for territory in territories:
        by_level.setdefault(territory.level, []).append(territory)
    for level, group in by_level.items():
        keys = {t.pk: t.key for t in group}
        if level == Level.COMMUNE:
            pairs += [(t.code, t.key) for t in group]
        elif level == Level.DEPARTEMENT:
            rows = Territory.objects.filter(level=Level.COMMUNE, parent_id__in=keys).values_list("code", "parent_id")
            pairs += [(code, keys[parent]) for code, parent in rows]
        elif level == Level.REGION:
            rows = Territory.objects.filter(level=Level.COMMUNE, parent__parent_id__in=keys).values_list(
                "code", "parent__parent_id")
            pairs += [(code, keys[parent]) for code, parent in rows]
        elif level == Level.COUNTRY:
            codes = Territory.objects.filter(level=Level.COMMUNE).values_list("code", flat=True)
            pairs += [(code, t.key) for t in group for code in codes]
        else:
            rows = Membership.objects.filter(group_id__in=keys).values_list("commune__code", "group_id")
            pairs += [(code, keys[group_id]) for code, group_id in rows]
    return pd.DataFrame(pairs, columns=["member", "group"])


def published_values(catalogue: Catalogue, codes: list[str] | None = None) -> pd.DataFrame:
    """Départements (and France as ``00FR``) × catalogue indicators, from imported PTOD series."""
    chosen = [catalogue[c] for c in (codes or list(catalogue)) if catalogue[c].ptod]
    if not chosen:
        return pd.DataFrame()
    rows = Observation.objects.filter(series__code__in=[i.ptod for i in chosen],
                                      territory__level__in=[Level.DEPARTEMENT, Level.COUNTRY])
    data = pd.DataFrame(list(rows.values_list("territory__level", "territory__code", "series__code", "value")),
                        columns=["level", "code", "series", "value"])
    if data.empty:
        return pd.DataFrame()
    data.loc[data["level"] == Level.COUNTRY, "code"] = FRANCE_CODE
    wide = data.pivot_table(index="code", columns="series", values="value", aggfunc="last", dropna=False)
    return pd.DataFrame({i.code: wide[i.ptod] if i.ptod in wide else math.nan for i in chosen}, index=wide.index)


def ptod_table() -> PtodValues | None:
    """The imported PTOD data as the engine's PtodValues (region = the département's region code)."""
    rows = Observation.objects.filter(batch__format=ImportBatch.Format.PTOD,
                                      territory__level__in=[Level.DEPARTEMENT, Level.COUNTRY])
    data = pd.DataFrame(list(rows.values_list("territory__level", "territory__code", "series__code", "year",
                                              "value")), columns=["level", "code", "indicator", "year", "value"])
    if data.empty:
        return None
    data.loc[data["level"] == Level.COUNTRY, "code"] = FRANCE_CODE
    data = data.drop(columns="level").drop_duplicates(["code", "indicator"], keep="last")
    data["year"] = data["year"].astype("Int64")
    data["value"] = data["value"].astype(float)
    codes = list(dict.fromkeys(data["code"]))
    places = {t.code: t for t in Territory.objects.filter(level=Level.DEPARTEMENT, code__in=codes)
              .select_related("parent")}
    territories = pd.DataFrame({
        "label": [places[c].name if c in places else "France" for c in codes],
        "region": [places[c].parent.code if c in places and places[c].parent else "" for c in codes],
        "n_communes": [None] * len(codes),
    }, index=pd.Index(codes, name="code"))
    return PtodValues(data=data.reset_index(drop=True), territories=territories, path="database")


# ------------------------------------------------------------------------------------------- values

def values_for(territories: list[Territory], indicator: str, *, year: int | None = None,
               catalogue: Catalogue | None = None) -> dict[int, Value]:
    """One indicator for many territories → {territory pk: Value}, by the order of preference above."""
    table = figures(territories, [indicator], year=year, catalogue=catalogue)
    return {pk: value for (pk, _code), value in table.items()}


def figures(territories: list[Territory], indicators: list[str], *, year: int | None = None,
            catalogue: Catalogue | None = None) -> dict[tuple[int, str], Value]:
    """Many indicators for many territories → {(territory pk, indicator): Value}.

    One query for the imported values, one for the communes' raw series and one aggregation for all.
    ``year``: only values of that year (computed values have the year of the indicator's vintage).
    """
    catalogue = catalogue or current_catalogue()
    result: dict[tuple[int, str], Value] = {}
    entries = {code: catalogue[code] for code in indicators}
    sources = {code: f"{e.source} ({e.vintage})" for code, e in entries.items()}
    # 1. Values imported for the territories themselves.
    direct = Observation.objects.filter(indicator__code__in=indicators, territory__in=territories)
    if year is not None:
        direct = direct.filter(year=year)
    for pk, code, obs_year, value, obs_source in direct.order_by("year").values_list(
            "territory_id", "indicator__code", "year", "value", "source"):
        result[pk, code] = Value(value, entries[code].unit, 1.0 if value is not None else 0.0,
                                 obs_source or sources[code], "imported", obs_year)
    years = {code: vintage_year(e.vintage) for code, e in entries.items()}
    computable = [code for code in indicators if year is None or years[code] is None or years[code] == year]
    remaining = [t for t in territories if any((t.pk, code) not in result for code in computable)]
    if not remaining or not computable:
        return _fill_missing(result, territories, entries, sources)
    # 2. and 4. Aggregates of the communes' raw series.
    aggregates: dict[tuple[str, str], dict] = {}
    membership = membership_of(remaining)
    if not membership.empty:
        series = list(dict.fromkeys([s for code in computable for s in catalogue.series_of(code)] + [POPULATION_SERIES]))
        frame = commune_frame(series)
        table = geography.aggregate(frame, membership, catalogue, computable,
                                    population=POPULATION_SERIES if POPULATION_SERIES in frame else None)
        levels = [code for code in computable if entries[code].kind == "level"]
        own = geography.compute(frame, catalogue, levels) if levels and not frame.empty else None
        for row in table.to_dict("records"):
            if own is not None and row["indicator"] in levels and row["group"].startswith("com:"):
                # A commune's own published level (a median) is its value; it is only never *aggregated*.
                value = own[row["indicator"]].get(row["group"][4:], math.nan)
                row.update(value=value, coverage=0.0 if pd.isna(value) else 1.0,
                           members_with_data=0 if pd.isna(value) else 1)
            aggregates[row["group"], row["indicator"]] = row
    # 3. Published values for départements and France.
    published = published_values(catalogue, [c for c in computable if entries[c].ptod])
    for territory in remaining:
        code_published = FRANCE_CODE if territory.level == Level.COUNTRY else territory.code
        for code in computable:
            if (territory.pk, code) in result:
                continue
            entry = entries[code]
            row = aggregates.get((territory.key, code))
            if row is not None and row["members_with_data"] > 0 and row["coverage"] >= 1:
                origin = "observed" if territory.level == Level.COMMUNE else "aggregated"
                result[territory.pk, code] = _aggregated(row, entry.unit, sources[code], origin, years[code])
                continue
            if (territory.level in (Level.DEPARTEMENT, Level.COUNTRY) and code in published.columns
                    and code_published in published.index and not pd.isna(published.loc[code_published, code])):
                result[territory.pk, code] = Value(
                    float(published.loc[code_published, code]), entry.unit, 1.0,
                    f"{entry.source} ; PTOD, valeur publiée ({entry.ptod})", "published", years[code])
                continue
            if row is not None and row["members_with_data"] > 0:
                result[territory.pk, code] = _aggregated(row, entry.unit, sources[code], "partial aggregate",
                                                         years[code])
    return _fill_missing(result, territories, entries, sources)


def _aggregated(row, unit: str, source: str, origin: str, year: int | None) -> Value:
    pop = row["population_coverage"]
    return Value(None if pd.isna(row["value"]) else float(row["value"]), unit, float(row["coverage"]), source, origin,
                 year, None if pd.isna(pop) else float(pop), int(row["members"]))


def _fill_missing(result, territories, entries, sources) -> dict[tuple[int, str], Value]:
    for territory in territories:
        for code, entry in entries.items():
            result.setdefault((territory.pk, code), Value(None, entry.unit, 0.0, sources[code], "missing"))
    return result


def value_of(territory: Territory, indicator: str, *, year: int | None = None) -> Value:
    """One indicator for one territory (see the module docstring for where it comes from)."""
    return values_for([territory], indicator, year=year)[territory.pk]


# ------------------------------------------------------------------------------------------- raw series

def find_series(name: str) -> Series | None:
    """The imported raw series named ``name`` (``P22_POP``): exact code first, then ignoring case."""
    name = name.strip()
    exact = Series.objects.filter(code=name).first()
    if exact is not None:
        return exact
    found = list(Series.objects.filter(code__iexact=name)[:2])
    return found[0] if len(found) == 1 else None


def close_names(name: str, catalogue: Catalogue, *, n: int = 5) -> list[str]:
    """Catalogue codes and raw series names close to ``name`` (ignoring case), closest first."""
    names = [*catalogue, *Series.objects.values_list("code", flat=True)]
    by_folded = {}
    for known in names:
        by_folded.setdefault(known.casefold(), known)
    matches = difflib.get_close_matches(name.strip().casefold(), list(by_folded), n=n, cutoff=0.6)
    return [by_folded[m] for m in matches]


def additive_template(series: str, catalogue: Catalogue) -> Indicator | None:
    """A catalogue ``count`` indicator using ``series`` as an input, or None.

    Counts add up over communes; medians, rates and shares do not. The catalogue says which series
    are counts (the inputs of its ``count`` indicators); any other raw series is never summed.
    """
    return next((i for i in catalogue.values() if i.kind == "count" and series in i.inputs), None)


@dataclass
class SeriesValue:
    """A raw series for one territory: a :class:`Value` (unit unknown: None) and how it may be aggregated."""

    series: Series
    value: Value
    additive: bool

    def as_dict(self) -> dict:
        return {**self.value.as_dict(), "series": self.series.code, "label": self.series.label or None,
                "aggregation": "sum" if self.additive else "none"}


def series_value(territory: Territory, series: Series, *, year: int | None = None,
                 catalogue: Catalogue | None = None) -> SeriesValue:
    """One imported raw series for one territory.

    The territory's own observation first (a commune's own value: "observed"; a value imported for the
    territory itself, such as a PTOD series of a département: "imported"); otherwise, for a series the
    catalogue counts (:func:`additive_template`), the sum over the territory's communes with the
    coverage of the catalogue's aggregates ("aggregated", or "partial aggregate" when some communes
    lack it); otherwise missing. ``year``: only observations of that year (default: the latest).
    """
    catalogue = catalogue or current_catalogue()
    source = series.source  # the last import's; values say the source of the observations they use
    own = Observation.objects.filter(series=series, territory=territory)
    if year is not None:
        own = own.filter(year=year)
    observation = own.order_by("-year", "-pk").first()
    template = additive_template(series.code, catalogue)
    if observation is not None:
        origin = "observed" if territory.level == Level.COMMUNE else "imported"
        value = Value(observation.value, None, 1.0 if observation.value is not None else 0.0,
                      observation.source or source, origin, observation.year)
        return SeriesValue(series, value, template is not None)
    if template is None or territory.level == Level.COMMUNE:
        return SeriesValue(series, Value(None, None, 0.0, source, "missing", year), template is not None)
    wanted = Q(series=series) if year is None else Q(series=series, year=year)
    if series.code != POPULATION_SERIES:  # the population weighs the coverage, whatever its year
        wanted |= Q(series__code=POPULATION_SERIES)
    rows = Observation.objects.filter(wanted, territory__level=Level.COMMUNE)
    data = pd.DataFrame(list(rows.values_list("territory__code", "series__code", "year", "value", "source")),
                        columns=["code", "series", "year", "value", "source"])
    used_year = year
    if not data.empty:
        data = data.sort_values("year", na_position="first").drop_duplicates(["code", "series"], keep="last")
        own_rows = data[data["series"] == series.code]
        years = own_rows["year"].dropna()
        used_year = year if year is not None else (int(years.max()) if len(years) else None)
        sources = [text for text in dict.fromkeys(own_rows["source"]) if text]
        source = " ; ".join(sources) or source
        frame = data.pivot(index="code", columns="series", values="value").astype(float)
        frame.columns.name = None
    else:
        frame = pd.DataFrame(columns=[series.code], dtype=float)
    if series.code not in frame:
        frame[series.code] = math.nan
    code = f"series:{series.code}"
    single = Catalogue([replace(template, code=code, inputs=(series.code,), weights=())])
    membership = membership_of([territory])
    if membership.empty:
        return SeriesValue(series, Value(None, None, 0.0, source, "missing", used_year), True)
    table = geography.aggregate(frame, membership, single, [code],
                                population=POPULATION_SERIES if POPULATION_SERIES in frame else None)
    row = table.to_dict("records")[0]
    if row["members_with_data"] == 0:
        return SeriesValue(series, Value(None, None, 0.0, source, "missing", used_year), True)
    origin = "aggregated" if row["coverage"] >= 1 else "partial aggregate"
    return SeriesValue(series, _aggregated(row, None, source, origin, used_year), True)


def values_table(territories: list[Territory], indicators: list[str], catalogue: Catalogue) -> pd.DataFrame:
    """Territory keys × indicators of values (NaN when missing), for benchmarks and findings."""
    table = figures(territories, indicators, catalogue=catalogue)
    rows = [[table[t.pk, code].value if table[t.pk, code].value is not None else math.nan for code in indicators]
            for t in territories]
    return pd.DataFrame(rows, index=[t.key for t in territories], columns=indicators, dtype=float)


# ------------------------------------------------------------------------------------------- peers

PEER_NAMES = {
    Level.EPCI: Text("l'EPCI médian", "the median EPCI"),
    Level.ZONE: Text("le sous-territoire médian", "the median sub-territory"),
    Level.COMMUNE: Text("la commune médiane", "the median commune"),
    Level.REGION: Text("la région médiane", "the median region"),
}


def sibling_territories(territory: Territory, peers: str) -> list[Territory]:
    """The territories a sub-territory is compared with: same level, same département (``departements``,
    ``similar``) or same region (``region``). Zones are compared with the other sub-territories of the
    processes they belong to, else with the zones sharing their département."""
    if territory.level == Level.ZONE:
        zones = Territory.objects.filter(processes_as_part__subterritories=territory).distinct()
        if zones.count() > 1:
            return list(zones.order_by("code"))
    area_level = Level.REGION if peers == "region" else Level.DEPARTEMENT
    areas = territory.children_at(area_level) if territory.level != Level.COMMUNE else (
        [territory.parent] if area_level == Level.DEPARTEMENT else [territory.parent.parent])
    found: dict[int, Territory] = {}
    for area in areas:
        for sibling in area.children_at(territory.level):
            found[sibling.pk] = sibling
    found[territory.pk] = territory
    return sorted(found.values(), key=lambda t: t.code)


def findings_for(territory: Territory, peers: str = "departements", *, k: int = 10,
                 tables: dict | None = None) -> dict:
    """Strengths and weaknesses of any territory → ``{"territory", "peers", "basis", "findings"}``.

    A département is compared with the départements (PTOD values); an EPCI, a zone or a commune with its
    siblings (:func:`sibling_territories`), on values aggregated from communes, with France's published
    values where known. ``peers``: departements, region or similar (``k`` nearest on structure).
    Raises ValueError when the data needed is missing. ``tables``: a dict kept by the caller across
    calls on the same data, so that sub-territories compared with the same siblings share one table of
    values (the findings page of five zones computed it five times).
    """
    if peers not in PEER_SETS:
        raise ValueError(f"unknown peer set {peers!r}: {', '.join(PEER_SETS)}")
    catalogue = current_catalogue()
    if territory.level == Level.DEPARTEMENT:
        ptod = ptod_table()
        if ptod is None:
            raise ValueError("no PTOD département values imported (atout indicators import FILE --format ptod)")
        result = departement_findings(ptod, catalogue, territory.code,
                                      peers="neighbours" if peers == "similar" else peers, k=k)
        return {**result, "territory": territory.key, "peers": peers}
    siblings = sibling_territories(territory, peers)
    codes = [c for c, i in catalogue.items() if i.kind != "count"]
    tables = {} if tables is None else tables
    key = (tuple(t.pk for t in siblings), tuple(codes))
    if key not in tables:
        tables[key] = values_table(siblings, codes, catalogue).dropna(axis=1, how="all")
    values = tables[key]
    if territory.key not in values.index or values.loc[territory.key].isna().all():
        raise ValueError(f"no indicator value for {territory.key}: import its communes' data first")
    names = {Level.EPCI: ("EPCI", "EPCI"), Level.ZONE: ("sous-territoires", "sub-territories"),
             Level.COMMUNE: ("communes", "communes"), Level.REGION: ("régions", "regions")}
    plural = names.get(territory.level, ("territoires", "territories"))[0]
    peer_keys = [t.key for t in siblings]
    basis = f"{len(peer_keys)} {plural}"
    if peers == "similar":
        structure = values.reindex(columns=[c for c in SUB_STRUCTURE if c in values.columns])
        if "population" in structure:
            structure = structure.rename(columns={"population": "P22_POP"})
        near = nearest_peers(structure, territory.key, min(k, len(peer_keys) - 1), log_columns=("P22_POP",))
        peer_keys = [territory.key, *near.index]
        basis = f"{territory.key} et ses {len(near)} {plural} les plus proches ({', '.join(near.index)})"
    published = published_values(catalogue)
    france = published.loc[FRANCE_CODE] if FRANCE_CODE in published.index else None
    result = territory_findings(values, catalogue, territory.key, peer_keys, basis=basis,
                                peer_name=PEER_NAMES.get(territory.level, PEER_NAMES[Level.ZONE]), france=france)
    return {**result, "peers": peers}


def departement_benchmark(territory: Territory, peers: str = "departements", *, k: int = 10) -> tuple[pd.DataFrame, str]:
    """Benchmark table of a département against the départements (PTOD values) → (table, basis)."""
    from atout.engine.benchmark import all_peers, region_peers
    from atout.engine.findings import ptod_values

    catalogue = current_catalogue()
    ptod = ptod_table()
    if ptod is None:
        raise ValueError("no PTOD département values imported")
    values = ptod_values(ptod, catalogue)
    departements = all_peers(values.index, exclude=[FRANCE_CODE])
    if peers == "region":
        regions = ptod.territories["region"].drop(FRANCE_CODE, errors="ignore").to_dict()
        peer_codes = region_peers(territory.code, regions)
        basis = f"{len(peer_codes)} départements de la région"
    elif peers == "similar":
        from atout.engine.benchmark import DEFAULT_STRUCTURE

        structure = ptod.wide().loc[departements, [c for c in DEFAULT_STRUCTURE if c in ptod.wide().columns]]
        peer_codes = [territory.code, *nearest_peers(structure, territory.code, k).index]
        basis = f"{territory.code} et ses {k} départements les plus proches ({', '.join(peer_codes[1:])})"
    else:
        peer_codes = departements
        basis = f"{len(peer_codes)} départements"
    polarity = {code: catalogue[code].polarity for code in values.columns}
    france = values.loc[FRANCE_CODE] if FRANCE_CODE in values.index else None
    return benchmark(values, territory.code, peer_codes, polarity, france=france), basis


#: The few figures a resident sees first on a process's public home.
HOME_FIGURES = ["population", "population_growth", "unemployment_rate", "median_income"]


def source_in_words(source: str) -> str:
    """A figure's source as a reader says it: the first producer and its survey, without the catalogue's
    codes and file names kept in parentheses and after ";" (``INSEE, Filosofi 2021 (comparateur 2025,
    MED21); PTOD rev_med_21 …`` → ``INSEE, Filosofi 2021``)."""
    first = source.split(";")[0]
    while "(" in first and ")" in first[first.index("("):]:
        start = first.index("(")
        first = first[:start] + first[first.index(")", start) + 1:]
    return " ".join(first.split()).strip(" ,")


def process_key_figures(process) -> list[dict]:
    """The key figures of a process's territory (its public home)."""
    return key_figures(process.territory)


def key_figures(territory: Territory, codes: list[str] | None = None) -> list[dict]:
    """The process's headline figures for ``territory``: ``[{"indicator", "value", "source", "year"}]``,
    missing ones left out; ``source`` in words (see :func:`source_in_words`)."""
    from .models import Indicator as StoredIndicator  # the catalogue's labels, translated

    catalogue = current_catalogue()
    codes = [c for c in (codes or HOME_FIGURES) if c in catalogue]
    table = figures([territory], codes, catalogue=catalogue)
    labels = {i.code: i for i in StoredIndicator.objects.filter(code__in=codes)}
    rows = []
    for code in codes:
        value = table[territory.pk, code]
        if value.value is None or code not in labels:
            continue
        rows.append({"indicator": labels[code], "value": value.value, "unit": value.unit,
                     "source": source_in_words(value.source), "year": value.year})
    return rows
