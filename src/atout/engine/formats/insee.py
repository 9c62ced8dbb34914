"""Reader of INSEE territorial files: "base du comparateur de territoires", "dossier complet", and alike.

The format, as INSEE publishes it: ``;``-separated text, a ``CODGEO`` column of territory codes (text,
with leading zeros: ``01001``, ``2A004``), then one column per series named by INSEE (``P22_POP``,
``NAIS1621``, ``MED21``, ``BPE_2024_D307``…). Some columns use a decimal comma; census counts are
fractional (they are estimates from a sample); ``s`` marks statistical secrecy, ``nd`` "not available",
and an empty cell no value. All three stay **missing** — never zero.

The result is a long table keeping INSEE's own column names as series:
``code, series, year, value`` (year decoded from the name, see :func:`series_year`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import FormatError
from .tables import check_codes, decode_text, parse_numbers, read_rows, sniff_delimiter

CODE_COLUMN = "CODGEO"

# P22_POP, C22_MENPSEUL: census (P = main exploitation, C = complementary) of 2022.
_CENSUS = re.compile(r"^[PC](?P<yy>\d\d)_")
# NAIS1621, DECE1621: births / deaths over the period 2016–2021 (INSEE's period-coded stems).
_PERIOD = re.compile(r"^(?:NAIS|DECE)(?P<start>\d\d)(?P<end>\d\d)$")
# BPE_2024_D307, ELECTEURSLP2024: a four-digit year in the name.
_FULL_YEAR = re.compile(r"(?:^|_|[A-Z])(?P<year>(?:19|20)\d\d)(?:_|$)")
# MED21, ETTOT24, HT26, SNEMM_23: two trailing digits are the year.
_SHORT_YEAR = re.compile(r"(?P<yy>\d\d)$")
_VINTAGE = re.compile(r"(?:^|[^0-9])(?P<year>(?:19|20)\d\d)(?:[^0-9]|$)")


def series_year(series: str) -> int | None:
    """The year an INSEE series refers to, decoded from its name; None when the name carries none.

    ``P22_POP`` → 2022, ``NAIS1621`` → 2021 (end of the period 2016–2021), ``BPE_2024_D307`` → 2024,
    ``MED21`` → 2021, ``SUPERF`` → None.
    """
    name = series.strip().upper()
    if match := _CENSUS.match(name):
        return 2000 + int(match.group("yy"))
    if match := _PERIOD.match(name):
        return 2000 + int(match.group("end"))
    if match := _FULL_YEAR.search(name):
        return int(match.group("year"))
    if match := _SHORT_YEAR.search(name):
        return 2000 + int(match.group("yy"))
    return None


@dataclass(frozen=True)
class InseeTable:
    """What an INSEE file holds.

    ``data``: long table ``code`` (str), ``series`` (INSEE column name), ``year`` (Int64, may be <NA>),
    ``value`` (float, NaN where INSEE gives ``s``/``nd``/nothing).
    ``vintage``: the edition of the file (e.g. "2025" for ``base_cc_comparateur_2025``), or None.
    ``codes``: the territory codes in file order.
    """

    data: pd.DataFrame
    vintage: str | None
    path: str
    codes: list[str] = field(default_factory=list)

    def wide(self) -> pd.DataFrame:
        """Territories × series (float), the shape :mod:`atout.engine.geography` works on."""
        table = self.data.pivot(index="code", columns="series", values="value")
        table = table.reindex(index=self.codes, columns=list(dict.fromkeys(self.data["series"])))
        table.columns.name = None
        return table


def read_insee(
    path: str | Path, *, known_codes: Collection[str] | None = None, vintage: str | None = None,
    data: bytes | None = None,
) -> InseeTable:
    """Read an INSEE file (all-or-nothing).

    ``known_codes``: when given, a code outside it is an error (e.g. the COG communes of the year).
    ``vintage``: the file's edition; by default the first four-digit year in the file name.
    ``data``: the file's bytes when it comes from an upload (``path`` then only names it).
    Raises FormatError listing every problem (line and column) — unknown or duplicate codes,
    non-numeric cells, ragged rows, a missing ``CODGEO`` column.
    """
    text = decode_text(data if data is not None else Path(path).read_bytes())
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    header, rows = read_rows(path, text, delimiter)
    upper = [h.upper() for h in header]
    if CODE_COLUMN not in upper:
        raise FormatError(f"no {CODE_COLUMN} column: not an INSEE territorial file", path=path, line=1)
    code_position = upper.index(CODE_COLUMN)
    series = [h for i, h in enumerate(header) if i != code_position]
    if not series:
        raise FormatError(f"no data column besides {CODE_COLUMN}", path=path, line=1)

    lines = np.array([line for line, _ in rows], dtype=int)
    frame = pd.DataFrame([cells for _, cells in rows], columns=header, dtype=str)
    codes = frame[header[code_position]].str.strip() if rows else pd.Series([], dtype=str)
    problems: list[FormatError] = []
    check_codes(codes, lines, path=path, column=header[code_position], problems=problems, known_codes=known_codes)
    # A decimal comma is only unambiguous when the separator is not itself a comma.
    columns = {name: parse_numbers(frame[name], path=path, column=name, lines=lines, problems=problems,
                                   decimal_comma=delimiter != ",") for name in series}
    if problems:
        raise FormatError.collect(problems, path=path)

    n = len(codes)
    years = {name: series_year(name) for name in series}
    long = pd.DataFrame({
        "code": np.tile(codes.to_numpy(dtype=object), len(series)),
        "series": np.repeat(np.array(series, dtype=object), n),
        "year": pd.array(np.repeat([years[s] for s in series], n), dtype="Int64"),
        "value": np.concatenate([columns[s] for s in series]) if n else np.array([], dtype=float),
    })
    if vintage is None:
        match = _VINTAGE.search(Path(path).stem)
        vintage = match.group("year") if match else None
    return InseeTable(data=long, vintage=vintage, path=str(path), codes=codes.tolist())


def combine(tables: list[InseeTable], *, rtol: float = 1e-9, atol: float = 1e-6) -> pd.DataFrame:
    """Several INSEE tables → one territories × series frame (outer join on the codes).

    A series present in two files (``P16_POP`` is in both the comparateur and the dossier complet) must
    agree wherever both give a value; where only one gives it, that value is kept. Raises FormatError
    naming the series, the code and both files when they disagree.
    """
    combined: pd.DataFrame | None = None
    origin: dict[str, str] = {}
    for table in tables:
        wide = table.wide()
        if combined is None:
            combined, origin = wide, dict.fromkeys(wide.columns, table.path)
            continue
        index = combined.index.union(wide.index, sort=False)
        combined, wide = combined.reindex(index), wide.reindex(index)
        for series in wide.columns:
            if series not in combined:
                combined[series] = wide[series]
                origin[series] = table.path
                continue
            left, right = combined[series], wide[series]
            both = left.notna() & right.notna()
            clash = both & ~np.isclose(left, right, rtol=rtol, atol=atol)
            if clash.any():
                code = clash.idxmax()
                raise FormatError(f"series {series!r} differs for territory {code!r}: {left[code]} in "
                                  f"{Path(origin[series]).name}, {right[code]} here", path=table.path,
                                  column=series)
            combined[series] = left.fillna(right)
    return combined if combined is not None else pd.DataFrame()
