"""Benchmark: aggregation of every commune of France to départements, 30 indicators (counts and ratios).

Data: ``ATOUT_DATA_DIR/indicators/communes-france-rp2021.csv`` (INSEE comparateur 2024: population 2021
and 2015, households, births and deaths 2022, population / active / unemployed aged 15–64, area), the
rows of type COM, one per commune (the file repeats a commune per postal code). Its few columns are turned into 30 labelled indicators — 14 counts (some signed
sums, e.g. natural balance = births − deaths), 15 ratios and 1 growth rate — defined below as catalogue
entries, then aggregated with :func:`atout.engine.geography.aggregate` (ratios from summed parts,
coverage per group). Times are medians of 5 runs of the aggregation alone (the CSV is read once).

Run: ``ATOUT_DATA_DIR=../shared/data .venv/bin/python bench/aggregation_bench.py``
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from atout.engine.catalogue import Catalogue, Indicator, Text
from atout.engine.formats.insee import read_insee
from atout.engine.geography import aggregate

RUNS = 5
SOURCE = "INSEE, comparateur de territoires 2024 (communes-france-rp2021.csv)"

# code: (label, kind, spec). count spec: {series: weight}; ratio: (numerator, denominator, scale);
# rate_of_change: (from, to, years).
INDICATORS = {
    "population": ("Population 2021", "count", {"population_2021": 1}),
    "population_2015": ("Population 2015", "count", {"population_2015": 1}),
    "area": ("Area (km²)", "count", {"superficie_km2": 1}),
    "households": ("Households 2021", "count", {"menages_2021": 1}),
    "births": ("Births 2022", "count", {"naissances_2022": 1}),
    "deaths": ("Deaths 2022", "count", {"deces_2022": 1}),
    "pop_15_64": ("Population aged 15-64", "count", {"pop_15_64_totale_2021": 1}),
    "unemployed": ("Unemployed aged 15-64", "count", {"pop_15_64_chomage_2021": 1}),
    "active": ("Labour force aged 15-64", "count", {"pop_15_64_active_2021": 1}),
    "natural_balance": ("Births minus deaths 2022", "count", {"naissances_2022": 1, "deces_2022": -1}),
    "population_change": ("Population change 2015-2021", "count", {"population_2021": 1, "population_2015": -1}),
    "employed": ("Employed aged 15-64", "count", {"pop_15_64_active_2021": 1, "pop_15_64_chomage_2021": -1}),
    "inactive": ("Inactive aged 15-64", "count", {"pop_15_64_totale_2021": 1, "pop_15_64_active_2021": -1}),
    "outside_working_age": ("Population under 15 or over 64", "count",
                            {"population_2021": 1, "pop_15_64_totale_2021": -1}),
    "density": ("Population density (per km²)", "ratio", ("population", "area", 1)),
    "unemployment_rate": ("Unemployment rate 15-64 (%)", "ratio", ("unemployed", "active", 100)),
    "activity_rate": ("Activity rate 15-64 (%)", "ratio", ("active", "pop_15_64", 100)),
    "employment_rate": ("Employment rate 15-64 (%)", "ratio", ("employed", "pop_15_64", 100)),
    "inactivity_rate": ("Inactivity rate 15-64 (%)", "ratio", ("inactive", "pop_15_64", 100)),
    "birth_rate": ("Births per 1,000 residents", "ratio", ("births", "population", 1000)),
    "death_rate": ("Deaths per 1,000 residents", "ratio", ("deaths", "population", 1000)),
    "natural_balance_rate": ("Natural balance per 1,000 residents", "ratio", ("natural_balance", "population", 1000)),
    "household_size": ("Residents per household", "ratio", ("population", "households", 1)),
    "share_15_64": ("Share aged 15-64 (%)", "ratio", ("pop_15_64", "population", 100)),
    "dependency_ratio": ("Under 15 and over 64 per 100 aged 15-64", "ratio", ("outside_working_age", "pop_15_64", 100)),
    "household_density": ("Households per km²", "ratio", ("households", "area", 1)),
    "unemployed_per_1000": ("Unemployed per 1,000 residents", "ratio", ("unemployed", "population", 1000)),
    "active_per_household": ("Labour force per household", "ratio", ("active", "households", 1)),
    "change_per_1000": ("Population change 2015-2021 per 1,000 residents of 2015", "ratio",
                        ("population_change", "population_2015", 1000)),
    "population_growth": ("Average annual population growth 2015-2021 (%/year)", "rate_of_change",
                          ("population_2015", "population", 6)),
}


def bench_catalogue() -> Catalogue:
    """The 30 indicators above as catalogue entries (same dataclasses as the shipped catalogue)."""
    common = dict(theme="bench", long_label=Text("-", "-"), definition=Text("-", "-"), unit="", source=SOURCE,
                  vintage="2021", polarity=0, domain="resident_well_being", dimension="demography",
                  audiences=("residents",), axis="attractivite")
    entries = []
    for code, (label, kind, spec) in INDICATORS.items():
        if kind == "count":
            extra = dict(inputs=tuple(spec), weights=tuple(float(w) for w in spec.values()))
        elif kind == "ratio":
            extra = dict(numerator=spec[0], denominator=spec[1], scale=float(spec[2]))
        else:
            extra = dict(from_=spec[0], to=spec[1], years=float(spec[2]), aspect="trend")
        entries.append(Indicator(code=code, label=Text(label, label), kind=kind, **common, **extra))
    return Catalogue(entries)


def bench_insee_reader(frame: pd.DataFrame) -> float:
    """Median time of read_insee on the national frame written as INSEE publishes (';', decimal commas, 's')."""
    text = frame.astype(object).where(frame.notna(), "s").map(lambda v: str(v).replace(".", ","))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "communes_2021.csv"
        text.rename_axis("CODGEO").to_csv(path, sep=";")
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            table = read_insee(path)
            times.append(time.perf_counter() - start)
        assert len(table.codes) == len(frame)
    return statistics.median(times)


def main() -> None:
    data_dir = Path(os.environ.get("ATOUT_DATA_DIR", "../shared/data"))
    started = time.perf_counter()
    table = pd.read_csv(data_dir / "indicators" / "communes-france-rp2021.csv",
                        dtype={"insee_com": str, "insee_dep": str})
    # One row per postal code: a commune with several postal codes repeats its figures; keep one row.
    table = table[table.commune_type == "COM"].drop_duplicates("insee_com")
    read_seconds = time.perf_counter() - started
    catalogue = bench_catalogue()
    series = sorted({s for code in catalogue for s in catalogue.series_of(code)})
    frame = table.set_index("insee_com")[series].astype(float)
    membership = pd.DataFrame({"member": table.insee_com, "group": table.insee_dep})
    codes = list(catalogue)
    assert len(codes) == 30

    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = aggregate(frame, membership, catalogue, codes, population="population_2021")
        times.append(time.perf_counter() - start)
    reader_seconds = bench_insee_reader(frame)
    population = result[result.indicator == "population"]
    unemployment = result[(result.indicator == "unemployment_rate") & (result.group == "26")].iloc[0]
    partial = result[result.partial].indicator.unique()

    print("aggregation_bench — communes of France → départements")
    print(f"  machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs (shared with other engineers' work while measured), python "
          f"{platform.python_version()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"  data: {len(frame):,} communes, {membership.group.nunique()} départements, {len(codes)} indicators "
          f"({sum(catalogue[c].kind == 'count' for c in codes)} counts, "
          f"{sum(catalogue[c].kind == 'ratio' for c in codes)} ratios, 1 growth rate)")
    print(f"  read CSV (pandas, once): {read_seconds:.2f} s")
    print(f"  aggregate, median of {RUNS} runs: {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f})")
    print(f"  read_insee on the same communes written in INSEE format ({len(series)} series, decimal commas, "
          f"'s' cells), median of {RUNS} runs: {reader_seconds:.2f} s")
    print(f"  check: France population {population.value.sum():,.0f} = sum of communes "
          f"{frame.population_2021.sum():,.0f}; Drôme unemployment {unemployment.value:.2f} %")
    print(f"  partial aggregates (missing area in some communes): {', '.join(partial) or 'none'}")


if __name__ == "__main__":
    main()
