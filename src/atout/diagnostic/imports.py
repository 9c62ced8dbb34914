"""Importing indicator files into the database: INSEE, PTOD, long and wide tables.

One entry point, :func:`import_file`, shared by the CLI (``atout indicators import``) and the team's
import page. It is all-or-nothing: the engine readers refuse a file with any problem (unknown territory
code, duplicate, non-numeric cell — each named with line and column) and the writing happens in one
transaction. A value given again for the same territory, series (or indicator) and year replaces the
previous one: the latest import wins, and each observation keeps the batch it came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from django.db import connection, transaction

from atout.engine.formats.errors import FormatError
from atout.engine.formats.insee import read_insee
from atout.engine.formats.ptod import FRANCE_CODE, read_ptod_dictionary, read_ptod_values
from atout.engine.formats.tables import read_long, read_wide
from atout.territories.models import Level, Territory

from .catalogue_store import current_catalogue
from .models import ImportBatch, Indicator, Observation, Series

FORMATS = ("insee", "long", "wide", "ptod")
#: Bare codes are tried at these levels in this order (as ``Territory.objects.resolve`` does); PTOD
#: codes are départements first, because some département codes are also region codes (84, 93…).
_ORDER = [Level.COMMUNE, Level.EPCI, Level.DEPARTEMENT, Level.ZONE, Level.REGION, Level.COUNTRY]
_ORDER_PTOD = [Level.DEPARTEMENT, Level.COUNTRY]
_PREFIXES = {"commune": "com", "epci": "epci", "departement": "dep", "zone": "zone", "region": "reg", "country": "fr"}
BATCH_SIZE = 5000

Progress = Callable[[int, int], None]


def territory_index(order=None) -> dict[str, int]:
    """Every reference a file may use for a territory → its primary key.

    Prefixed keys (``dep:26``, ``epci:200040715``) always; bare codes at the first level of ``order``
    that has them. France is also ``00FR`` (PTOD's code) and ``FR``.
    """
    order = order or _ORDER
    rank = {level: i for i, level in enumerate(order)}
    index: dict[str, int] = {}
    best: dict[str, int] = {}
    for pk, level, code in Territory.objects.values_list("pk", "level", "code"):
        index[f"{_PREFIXES[level]}:{code}"] = pk
        if level in rank and rank[level] < best.get(code, len(order)):
            best[code] = rank[level]
            index[code] = pk
        if level == Level.COUNTRY:
            index[FRANCE_CODE] = pk
    return index


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_file(
    name: str | Path, fmt: str, *, data: bytes | None = None, dictionary: str | Path | None = None,
    source: str = "", user=None, progress: Progress | None = None,
) -> dict:
    """Import one file → a summary ``{"batch", "file", "format", "sha256", "rows", "territories",
    "series", "indicators", "observations", "missing", "replaced"}``.

    ``name``: the file path (or, with ``data``, the uploaded file's name); ``fmt``: insee, long, wide or
    ptod; ``dictionary``: for PTOD, the dictionary file giving the series labels; ``source``: how to cite
    the file (default: from the format and file name). Raises FormatError (nothing written) on any problem.
    """
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}", path=name)
    raw = data if data is not None else Path(name).read_bytes()
    progress = progress or (lambda done, total: None)
    references = territory_index(_ORDER_PTOD if fmt == "ptod" else None)
    catalogue = current_catalogue()
    labels: dict[str, str] = {}
    vintage = ""
    notes: list[str] = []
    if fmt == "insee":
        former = former_communes()
        table = read_insee(name, known_codes=references.keys() | former.keys(), data=raw)
        long = _drop_former_communes(table.data, former, name, raw, notes).rename(columns={"series": "key"})
        vintage = table.vintage or ""
        source = source or f"INSEE, {Path(str(name)).stem}" + (f" ({vintage})" if vintage else "")
    elif fmt == "ptod":
        values = read_ptod_values(name, known_codes=references.keys(), data=raw)
        long = values.data.rename(columns={"indicator": "key"})
        source = source or "PTOD, observatoire territorial (INSEE, URSSAF, DVF)"
        if dictionary is not None:
            from atout.engine.formats.ptod import indicator_base

            entries = read_ptod_dictionary(dictionary)
            labels = {key: entries[indicator_base(key)].medium for key in long["key"].unique()
                      if indicator_base(key) in entries}
    else:
        reader = read_long if fmt == "long" else read_wide
        long = reader(name, known_codes=references.keys(), data=raw).rename(columns={"indicator": "key"})
        source = source or Path(str(name)).name
    long = long.assign(territory=long["code"].map(references))
    result = _write(long, fmt=fmt, name=str(name), digest=sha256(raw), source=source, vintage=vintage,
                    labels=labels, catalogue_codes=set(catalogue), user=user, progress=progress)
    return {**result, "notes": notes}


def former_communes() -> dict[str, str]:
    """Codes of communes merged away (COG change table) → the current commune that absorbed them.

    Empty when the change table is not available (then a former code is simply an unknown code).
    """
    from atout.engine.formats.cog import read_movements, successor_codes
    from atout.engine.sources import SourceUnavailable, locate

    try:
        path = locate("geo/mouvements-communes.csv", download=False)
    except (SourceUnavailable, OSError, KeyError):
        return {}
    current = set(Territory.objects.filter(level=Level.COMMUNE).values_list("code", flat=True))
    return successor_codes(read_movements(path), current, since=dt.date(1943, 1, 1), until=dt.date.today())


def _drop_former_communes(long: pd.DataFrame, former: dict[str, str], name, raw: bytes,
                          notes: list[str]) -> pd.DataFrame:
    """Rows of communes merged away: skipped with a note when they carry no value (INSEE keeps such
    empty rows, e.g. Véronne, merged into Saillans in 2025), refused when they do — their values
    belong to another geography and adding them to the successor would count them twice."""
    rows = long[long["code"].isin(former.keys())]
    if rows.empty:
        return long
    lines = {code: number for number, code in _first_cells(raw)}
    problems = []
    for code, part in rows.groupby("code", sort=False):
        if part["value"].notna().any():
            problems.append(FormatError(f"former commune {code!r} (merged into {former[code]}) has values: convert the "
                                        "file to the current geography", path=name, line=lines.get(code),
                                        column="CODGEO"))
        else:
            notes.append(f"line {lines.get(code)}: former commune {code} (merged into {former[code]}) has no value; "
                         "row skipped")
    if problems:
        raise FormatError.collect(problems, path=name)
    return long[~long["code"].isin(former.keys())]


def _first_cells(raw: bytes):
    """(line number, first cell) of each line of a delimited text file, for messages."""
    from atout.engine.formats.tables import decode_text

    for number, line in enumerate(decode_text(raw).splitlines(), start=1):
        yield number, line.split(";", 1)[0].split(",", 1)[0].strip()


@transaction.atomic
def _write(long: pd.DataFrame, *, fmt, name, digest, source, vintage, labels, catalogue_codes, user,
           progress: Progress) -> dict:
    """Write a read table (columns ``territory`` pk, ``key``, ``year``, ``value``) in one transaction."""
    batch = ImportBatch.objects.create(file_name=Path(name).name, format=fmt, sha256=digest, source=source[:300],
                                       vintage=vintage, created_by=user)
    # Team tables may give catalogue indicators directly; everything else is a raw series.
    is_indicator = long["key"].isin(catalogue_codes) if fmt in ("long", "wide") else pd.Series(False, index=long.index)
    indicators = dict(Indicator.objects.filter(code__in=long.loc[is_indicator, "key"].unique())
                      .values_list("code", "pk"))
    series = _series(long.loc[~is_indicator], source=source, vintage=vintage, labels=labels)
    replaced = _delete_previous(long, is_indicator, series, indicators)
    total = len(long)
    indicator_ids = long["key"].map(indicators).where(is_indicator)
    series_ids = long["key"].map(series).where(~is_indicator)
    rows = [
        (int(territory), None if direct else int(series_id), int(indicator_id) if direct else None,
         None if pd.isna(year) else int(year), None if value != value else float(value), source[:300], batch.pk)
        for territory, series_id, indicator_id, direct, year, value in zip(
            long["territory"].to_numpy(), series_ids.to_numpy(dtype=object), indicator_ids.to_numpy(dtype=object),
            is_indicator.to_numpy(), long["year"].to_numpy(dtype=object), long["value"].to_numpy(dtype=float),
            strict=True)
    ]
    _insert(rows, progress)
    counts = {
        "rows": int(long["code"].nunique()), "territories": int(long["territory"].nunique()),
        "series": int(long.loc[~is_indicator, "key"].nunique()), "indicators": len(indicators),
        "observations": total, "missing": int(long["value"].isna().sum()), "replaced": replaced,
    }
    batch.counts = counts
    batch.save(update_fields=["counts"])
    return {"batch": batch.pk, "file": batch.file_name, "format": fmt, "sha256": digest, "source": source, **counts}


def _insert(rows: list[tuple], progress: Progress) -> None:
    """Insert observation rows with one prepared statement per chunk.

    Tens of thousands of rows per file: plain ``executemany`` is several times faster than building as
    many model instances for ``bulk_create``, on SQLite and PostgreSQL alike.
    """
    table = connection.ops.quote_name(Observation._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(Observation._meta.get_field(name).column) for name in
                        ("territory", "series", "indicator", "year", "value", "source", "batch"))
    statement = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(statement, rows[start:start + BATCH_SIZE])
            progress(min(start + BATCH_SIZE, len(rows)), len(rows))
    progress(len(rows), len(rows))


def _series(long: pd.DataFrame, *, source: str, vintage: str, labels: dict[str, str]) -> dict[str, int]:
    """Series code → pk, creating the new ones; a re-imported series takes the new source and vintage."""
    years = long.groupby("key", sort=False)["year"].max()
    codes = list(years.index)
    existing = {s.code: s for s in Series.objects.filter(code__in=codes)}
    new, changed = [], []
    for code in codes:
        year = years[code]
        fields = {"source": source[:300], "vintage": vintage, "year": None if pd.isna(year) else int(year),
                  "label": labels.get(code, "")[:300]}
        if code in existing:
            row = existing[code]
            for key, value in fields.items():
                if key != "label" or value:
                    setattr(row, key, value)
            changed.append(row)
        else:
            new.append(Series(code=code, **fields))
    Series.objects.bulk_create(new)
    if changed:
        Series.objects.bulk_update(changed, ["source", "vintage", "year", "label"])
    return dict(Series.objects.filter(code__in=codes).values_list("code", "pk"))


def _delete_previous(long, is_indicator, series: dict[str, int], indicators: dict[str, int]) -> int:
    """Delete the stored observations this import replaces (same territory, series/indicator, year)."""
    deleted = 0
    for (key, year, direct), part in long.groupby([long["key"], long["year"].fillna(-1).astype(int), is_indicator],
                                                  sort=False):
        target = {"indicator_id": indicators[key]} if direct else {"series_id": series[key]}
        year_filter = {"year__isnull": True} if year == -1 else {"year": int(year)}
        territories = part["territory"].astype(int).unique().tolist()
        for start in range(0, len(territories), 900):  # SQLite limits the parameters of one query
            deleted += Observation.objects.filter(**target, **year_filter,
                                                  territory_id__in=territories[start:start + 900]).delete()[0]
    return deleted
