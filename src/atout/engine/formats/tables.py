"""Readers of indicator tables supplied by a team: long CSV and wide CSV/XLSX.

Both return the same *long table*: a DataFrame with columns ``code`` (territory code, text),
``indicator`` (text), ``year`` (nullable integer) and ``value`` (float, NaN for a missing value).

Readers are all-or-nothing: every problem found (unknown territory code, duplicate, non-numeric cell)
is collected and raised as one :class:`FormatError` naming file, line and column, and nothing is returned.

The low-level helpers here (text decoding, delimited parsing, numeric cells) are shared with the INSEE
reader in :mod:`atout.engine.formats.insee`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import FormatError, require_columns

LONG_COLUMNS = ["code", "indicator", "year", "value"]

#: Cell contents that mean "no value" — INSEE's statistical secrecy (``s``), "not available" (``nd``),
#: and the usual spreadsheet spellings. They stay missing: a secret value is never a zero.
MISSING_TOKENS = frozenset({"", "s", "nd", "na", "n/a", "nr", "-", "."})

# A plain decimal number, with a dot or a comma as decimal mark and an optional exponent. Words such as
# "nan" or "inf", that Python's float() would accept, are deliberately not numbers in a data file.
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_YEAR_SUFFIX = re.compile(r"^(?P<name>.+?)_(?P<year>(?:19|20)\d\d)$")


def decode_text(raw: bytes) -> str:
    """Bytes of a text file → str: UTF-8 (with or without BOM), else Latin-1, which never fails.

    INSEE and spreadsheet exports are UTF-8 or Windows-1252/Latin-1; a wrong guess shows up as odd
    accents in labels, never as wrong numbers, because numbers are ASCII.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def sniff_delimiter(header: str, candidates: str = ";,\t") -> str:
    """The delimiter of a delimited text file, guessed from its header line (the most frequent one)."""
    counts = {c: header.count(c) for c in candidates}
    best = max(counts, key=counts.get)
    return best if counts[best] else candidates[0]


def read_rows(path: str | Path, text: str, delimiter: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Parse delimited text → (header, [(line number, cells)]); ragged rows are errors.

    Line numbers are 1-based physical lines of the file, header included, as a spreadsheet shows them.
    Blank lines are skipped. Raises FormatError listing every ragged row.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise FormatError("the file is empty: no header line", path=path, line=1)
        header = [h.strip() for h in header]
        rows: list[tuple[int, list[str]]] = []
        problems: list[FormatError] = []
        for cells in reader:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) != len(header):
                problems.append(
                    FormatError(f"{len(cells)} fields where the header has {len(header)}", path=path,
                                line=reader.line_num)
                )
                continue
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise FormatError(f"not a readable delimited text file ({exc})", path=path, line=reader.line_num) from exc
    if problems:
        raise FormatError.collect(problems, path=path)
    check_header(path, header)
    return header, rows


def check_header(path: str | Path, header: list[str], sheet: str | None = None) -> None:
    """Empty or duplicated column names make cells ambiguous: refuse them, naming the column."""
    problems = []
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(FormatError("empty column name", path=path, line=1, column=position, sheet=sheet))
        elif name in seen:
            problems.append(FormatError(f"column name repeated (also column {seen[name]})", path=path, line=1,
                                        column=name, sheet=sheet))
        else:
            seen[name] = position
    if problems:
        raise FormatError.collect(problems, path=path)


def parse_numbers(
    cells: pd.Series, *, path: str | Path, column: str, lines: np.ndarray, problems: list[FormatError],
    decimal_comma: bool = True, sheet: str | None = None,
) -> np.ndarray:
    """Text cells → float array; missing tokens → NaN; anything else non-numeric → a problem.

    ``lines`` gives each cell's line number, for error messages. Vectorised: one regex pass per column.
    """
    text = cells.astype(str).str.strip()
    missing = text.str.lower().isin(MISSING_TOKENS)
    numeric = text.str.match(_NUMBER)
    if not decimal_comma:
        numeric &= ~text.str.contains(",", regex=False)
    bad = ~(missing | numeric)
    for position in np.flatnonzero(bad.to_numpy()):
        problems.append(FormatError(f"{text.iloc[position]!r} is not a number", path=path,
                                    line=int(lines[position]), column=column, sheet=sheet))
    values = np.full(len(text), np.nan)
    ok = (numeric & ~missing).to_numpy()
    if ok.any():
        values[ok] = text[ok].str.replace(",", ".", regex=False).astype(float).to_numpy()
    return values


def check_codes(
    codes: pd.Series, lines: np.ndarray, *, path: str | Path, column: str, problems: list[FormatError],
    known_codes: Collection[str] | None = None, unique: bool = True, sheet: str | None = None,
) -> None:
    """Territory codes: not empty, known (when ``known_codes`` is given), and unique when ``unique``."""
    codes = codes.reset_index(drop=True)
    for position in np.flatnonzero((codes == "").to_numpy()):
        problems.append(FormatError("empty territory code", path=path, line=int(lines[position]), column=column,
                                    sheet=sheet))
    if known_codes is not None:
        unknown = ~codes.isin(set(known_codes)) & (codes != "")
        for position in np.flatnonzero(unknown.to_numpy()):
            problems.append(FormatError(f"unknown territory code {codes.iloc[position]!r}", path=path,
                                        line=int(lines[position]), column=column, sheet=sheet))
    if unique:
        duplicated = codes.duplicated(keep="first") & (codes != "")
        first_line = dict(zip(codes[~codes.duplicated()], lines[~codes.duplicated().to_numpy()], strict=True))
        for position in np.flatnonzero(duplicated.to_numpy()):
            code = codes.iloc[position]
            problems.append(FormatError(f"duplicate territory code {code!r} (first on line {first_line[code]})",
                                        path=path, line=int(lines[position]), column=column, sheet=sheet))


def split_indicator_year(column: str) -> tuple[str, int | None]:
    """A wide-table column name → (indicator, year): ``unemployment_rate_2022`` → ("unemployment_rate", 2022)."""
    match = _YEAR_SUFFIX.match(column)
    if match:
        return match.group("name"), int(match.group("year"))
    return column, None


def empty_long() -> pd.DataFrame:
    return pd.DataFrame({"code": pd.Series(dtype=str), "indicator": pd.Series(dtype=str),
                         "year": pd.Series(dtype="Int64"), "value": pd.Series(dtype=float)})


# --------------------------------------------------------------------------------------------- long CSV

def read_long(
    path: str | Path, *, known_codes: Collection[str] | None = None,
    known_indicators: Collection[str] | None = None, data: bytes | None = None,
) -> pd.DataFrame:
    """Read a long CSV ``code,indicator,year,value`` (``,`` or ``;``; decimal comma allowed with ``;``).

    ``year`` may be empty (a value without a date). Duplicates of (code, indicator, year) are errors.
    ``data`` lets a caller pass the file's bytes (an upload) while ``path`` still names it in messages.
    Returns the long table (see module docstring).
    """
    text = decode_text(data if data is not None else Path(path).read_bytes())
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    header, rows = read_rows(path, text, delimiter)
    lowered = [h.lower() for h in header]
    require_columns(lowered, LONG_COLUMNS, path=path, needs=f"(a long table needs {', '.join(LONG_COLUMNS)})")
    if not rows:
        return empty_long()
    index = {c: lowered.index(c) for c in LONG_COLUMNS}
    lines = np.array([line for line, _ in rows])
    frame = pd.DataFrame([cells for _, cells in rows], columns=header, dtype=str)
    problems: list[FormatError] = []
    names = {c: header[index[c]] for c in LONG_COLUMNS}
    codes = frame[names["code"]].str.strip()
    indicators = frame[names["indicator"]].str.strip()
    check_codes(codes, lines, path=path, column=names["code"], problems=problems, known_codes=known_codes,
                unique=False)
    for position in np.flatnonzero((indicators == "").to_numpy()):
        problems.append(FormatError("empty indicator code", path=path, line=int(lines[position]),
                                    column=names["indicator"]))
    if known_indicators is not None:
        for position in np.flatnonzero((~indicators.isin(set(known_indicators)) & (indicators != "")).to_numpy()):
            problems.append(FormatError(f"unknown indicator {indicators.iloc[position]!r}", path=path,
                                        line=int(lines[position]), column=names["indicator"]))
    years = _parse_years(frame[names["year"]], lines, path=path, column=names["year"], problems=problems)
    values = parse_numbers(frame[names["value"]], path=path, column=names["value"], lines=lines,
                           problems=problems, decimal_comma=delimiter != ",")
    result = pd.DataFrame({"code": codes.to_numpy(), "indicator": indicators.to_numpy(), "year": years,
                           "value": values})
    key = result[["code", "indicator", "year"]].astype(str)
    duplicated = key.duplicated(keep="first").to_numpy()
    for position in np.flatnonzero(duplicated):
        row = result.iloc[position]
        problems.append(FormatError(f"duplicate value for territory {row.code!r}, indicator {row.indicator!r}, "
                                    f"year {row.year}", path=path, line=int(lines[position])))
    if problems:
        raise FormatError.collect(problems, path=path)
    return result


def _parse_years(cells: pd.Series, lines: np.ndarray, *, path, column, problems) -> pd.Series:
    text = cells.astype(str).str.strip()
    ok = text.str.fullmatch(r"\d{4}") | (text == "")
    for position in np.flatnonzero((~ok).to_numpy()):
        problems.append(FormatError(f"{text.iloc[position]!r} is not a year (four digits)", path=path,
                                    line=int(lines[position]), column=column))
    return pd.to_numeric(text.where(ok & (text != "")), errors="coerce").astype("Int64").reset_index(drop=True)


# --------------------------------------------------------------------------------------------- wide tables

def read_wide(
    path: str | Path, *, code_column: str = "code", sheet: str | None = None,
    known_codes: Collection[str] | None = None, data: bytes | None = None,
) -> pd.DataFrame:
    """Read a wide CSV or XLSX table: one row per territory, one column per indicator or ``indicator_YYYY``.

    ``code_column`` names the territory-code column (text; leading zeros are kept). For XLSX files
    ``sheet`` picks the sheet (default: the first). Every other column is an indicator; a trailing
    ``_YYYY`` sets the year. Returns the long table; missing cells are NaN rows of it.
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        header, rows, sheet_name = _xlsx_rows(path, sheet, data)
    else:
        text = decode_text(data if data is not None else Path(path).read_bytes())
        delimiter = sniff_delimiter(text.split("\n", 1)[0])
        header, rows = read_rows(path, text, delimiter)
        sheet_name = None
    if code_column not in header:
        raise FormatError(f"no territory-code column {code_column!r} (columns: {', '.join(header[:12])})",
                          path=path, line=1, sheet=sheet_name)
    indicator_columns = [c for c in header if c != code_column]
    if not indicator_columns:
        raise FormatError("no indicator column besides the territory code", path=path, line=1, sheet=sheet_name)
    if not rows:
        return empty_long()
    lines = np.array([line for line, _ in rows])
    frame = pd.DataFrame([cells for _, cells in rows], columns=header, dtype=object)
    problems: list[FormatError] = []
    codes = frame[code_column].map(_code_text)
    check_codes(codes, lines, path=path, column=code_column, problems=problems, known_codes=known_codes,
                sheet=sheet_name)
    pieces = []
    for column in indicator_columns:
        values = parse_numbers(frame[column].map(_cell_text), path=path, column=column, lines=lines,
                               problems=problems, decimal_comma=True, sheet=sheet_name)
        indicator, year = split_indicator_year(column)
        pieces.append(pd.DataFrame({"code": codes.to_numpy(), "indicator": indicator,
                                    "year": pd.array([year] * len(codes), dtype="Int64"), "value": values}))
    if problems:
        raise FormatError.collect(problems, path=path)
    result = pd.concat(pieces, ignore_index=True)
    # Two columns may name the same indicator-year ("x_2022" and "x_2022 " trimmed, or "x" twice via years).
    dup = result.duplicated(["code", "indicator", "year"])
    if dup.any():
        first = result[dup].iloc[0]
        raise FormatError(f"two columns give indicator {first.indicator!r} for year {first.year}",
                          path=path, line=1, sheet=sheet_name)
    return result


def _code_text(value) -> str:
    """Territory code cell → text. Spreadsheets turn '01001' into the number 1001: codes must be text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)  # True/False are not numbers; parse_numbers will say so
    if isinstance(value, int | float):
        return repr(float(value)) if np.isfinite(value) else str(value)
    return str(value)


def _xlsx_rows(path, sheet: str | None, data: bytes | None) -> tuple[list[str], list[tuple[int, list]], str]:
    """XLSX → (header, [(Excel row number, cells)], sheet name), read with openpyxl in read-only mode."""
    import openpyxl  # imported here: only XLSX files need it

    source = io.BytesIO(data) if data is not None else Path(path)
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types (zip, XML, key errors) for a bad file
        raise FormatError(f"not a readable XLSX workbook ({exc.__class__.__name__}: {exc})", path=path) from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise FormatError(f"no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})", path=path)
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        iterator: Iterable = worksheet.iter_rows(values_only=True)
        header_cells = next(iter(iterator), None)
        if header_cells is None:
            raise FormatError("the sheet is empty: no header row", path=path, sheet=worksheet.title, line=1)
        width = len(header_cells)
        while width and header_cells[width - 1] in (None, ""):
            width -= 1  # trailing empty header cells are formatting, not columns
        header = ["" if h is None else str(h).strip() for h in header_cells[:width]]
        check_header(path, header, sheet=worksheet.title)
        rows = []
        for number, cells in enumerate(iterator, start=2):
            if any(c not in (None, "") for c in cells[width:]):
                raise FormatError("cells beyond the last named column", path=path, sheet=worksheet.title,
                                  line=number)
            cells = list(cells[:width]) + [None] * max(0, width - len(cells))
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            rows.append((number, cells))
        return header, rows, worksheet.title
    finally:
        workbook.close()
