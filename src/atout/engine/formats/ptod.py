"""Readers of the PTOD territorial observatory's files: département indicator values and their dictionary.

Values file: a JSON list of records, one per territory: ``code`` (département code, ``00FR`` for
France), ``libelle``, ``regdep`` (``"ARA/26-Drô"``: region abbreviation / département), ``n_communes``,
``dens3`` (density class), then one key per indicator-period, e.g. ``soc_txchom_1564_22`` (unemployment
rate 2022) or ``dm_pop_vtcam_1622`` (population growth 2016–2022). Values are numbers or null.

Dictionary file: ``{"indicateurs": {"soc_txchom_1564": {"short", "medium", "long", "unit", "polarity",
"source", "periodes", "definition", …}}, "periodes": {…}, …}``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import FormatError

FRANCE_CODE = "00FR"

#: Record keys that describe the territory, not an indicator.
META_KEYS = ("code", "libelle", "regdep", "n_communes", "dens3")

# soc_txchom_1564_22 → (soc_txchom_1564, "22"); dm_pop_vtcam_1622 → (dm_pop_vtcam, "1622"); P22_POP → census.
_SUFFIX = re.compile(r"^(?P<base>.+)_(?P<period>\d{2}|\d{4})$")
_CENSUS = re.compile(r"^P(?P<yy>\d\d)_")


def indicator_year(column: str) -> int | None:
    """Year of a PTOD indicator column: the (end of the) period in its suffix; ``P22_POP`` → 2022."""
    if match := _CENSUS.match(column):
        return 2000 + int(match.group("yy"))
    if match := _SUFFIX.match(column):
        return 2000 + int(match.group("period")[-2:])
    return None


def indicator_base(column: str) -> str:
    """Dictionary key of a PTOD column: ``dm_pop_vtcam_1622`` → ``dm_pop_vtcam``."""
    match = _SUFFIX.match(column)
    return match.group("base") if match else column


@dataclass(frozen=True)
class PtodValues:
    """The PTOD values file.

    ``data``: long table ``code, indicator, year, value`` (indicator = the PTOD column, e.g.
    ``soc_txchom_1564_22``; value NaN for null). ``territories``: one row per territory, indexed by
    code, with ``label``, ``region`` (abbreviation, e.g. "ARA"; empty for France) and ``n_communes``.
    """

    data: pd.DataFrame
    territories: pd.DataFrame
    path: str

    def wide(self) -> pd.DataFrame:
        """Territories × PTOD columns (float)."""
        table = self.data.pivot(index="code", columns="indicator", values="value")
        table = table.reindex(index=self.territories.index, columns=list(dict.fromkeys(self.data["indicator"])))
        table.columns.name = None
        return table


@dataclass(frozen=True)
class PtodIndicator:
    """One entry of the PTOD dictionary: labels, unit, polarity (+1, −1, 0), source, periods."""

    code: str
    short: str
    medium: str
    long: str
    unit: str
    polarity: int
    source: str
    periods: tuple[str, ...]
    definition: str
    formula: str
    theme: str


def _load_json(path: str | Path, data: bytes | None):
    raw = data if data is not None else Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text (byte {exc.start})", path=path) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from exc
    except RecursionError as exc:
        raise FormatError("JSON nested too deeply", path=path) from exc


def read_ptod_values(
    path: str | Path, *, known_codes: Collection[str] | None = None, data: bytes | None = None,
) -> PtodValues:
    """Read the PTOD département values file (all-or-nothing).

    Problems are named by record (1-based position in the list) and field: a record that is not an
    object, a missing or duplicate ``code``, a code outside ``known_codes`` (France, ``00FR``, is always
    allowed), a value that is not a number or null.
    """
    records = _load_json(path, data)
    if not isinstance(records, list):
        raise FormatError("expected a JSON list of territory records", path=path)
    problems: list[FormatError] = []
    seen: dict[str, int] = {}
    territories = []
    rows_code, rows_indicator, rows_value = [], [], []
    known = set(known_codes) | {FRANCE_CODE} if known_codes is not None else None
    for number, record in enumerate(records, start=1):
        where = f"record {number}"
        if not isinstance(record, dict):
            problems.append(FormatError(f"{where} is not an object", path=path))
            continue
        code = record.get("code")
        if not isinstance(code, str) or not code.strip():
            problems.append(FormatError(f"{where} has no territory code", path=path, column="code"))
            continue
        code = code.strip()
        where = f"record {number} (code {code!r})"
        if code in seen:
            problems.append(FormatError(f"{where}: duplicate territory code (first in record {seen[code]})",
                                        path=path, column="code"))
            continue
        seen[code] = number
        if known is not None and code not in known:
            problems.append(FormatError(f"{where}: unknown territory code", path=path, column="code"))
        regdep = record.get("regdep") or ""
        territories.append({"code": code, "label": str(record.get("libelle") or ""),
                            "region": str(regdep).split("/", 1)[0] if "/" in str(regdep) else "",
                            "n_communes": record.get("n_communes")})
        for key, value in record.items():
            if key in META_KEYS:
                continue
            if value is None:
                number_value = math.nan
            elif isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(FormatError(f"{where}: {value!r} is not a number", path=path, column=key))
                continue
            else:
                number_value = float(value)
            rows_code.append(code)
            rows_indicator.append(key)
            rows_value.append(number_value)
    if problems:
        raise FormatError.collect(problems, path=path)
    long = pd.DataFrame({
        "code": pd.Series(rows_code, dtype=object),
        "indicator": pd.Series(rows_indicator, dtype=object),
        "year": pd.array([indicator_year(i) for i in rows_indicator], dtype="Int64"),
        "value": np.array(rows_value, dtype=float),
    })
    frame = pd.DataFrame(territories, columns=["code", "label", "region", "n_communes"]).set_index("code")
    return PtodValues(data=long, territories=frame, path=str(path))


def read_ptod_dictionary(path: str | Path, *, data: bytes | None = None) -> dict[str, PtodIndicator]:
    """Read the PTOD dictionary → {base code: PtodIndicator}. Keys starting with ``&`` are comments.

    An entry must be an object with a label (``short``, ``medium``, ``long`` or ``label``); polarity, when given,
    must be −1, 0 or 1. Problems are named by entry code and field.
    """
    document = _load_json(path, data)
    if not isinstance(document, dict) or not isinstance(document.get("indicateurs"), dict):
        raise FormatError("expected an object with an 'indicateurs' object", path=path)
    problems: list[FormatError] = []
    result: dict[str, PtodIndicator] = {}
    for code, entry in document["indicateurs"].items():
        if code.startswith("&"):
            continue
        if not isinstance(entry, dict):
            problems.append(FormatError(f"indicator {code!r} is not an object", path=path))
            continue
        # Most entries label themselves with short/medium/long; a few only with "label".
        labels = [entry.get(k) or entry.get("label") for k in ("short", "medium", "long")]
        if not any(isinstance(label, str) and label.strip() for label in labels):
            problems.append(FormatError(f"indicator {code!r} has no label", path=path, column="short"))
            continue
        polarity = entry.get("polarity", 0)
        if isinstance(polarity, bool) or polarity not in (-1, 0, 1):
            problems.append(FormatError(f"indicator {code!r}: polarity {polarity!r} is not -1, 0 or 1", path=path,
                                        column="polarity"))
            continue
        periods = entry.get("periodes") or []
        short, medium, long = (str(label or "") for label in labels)
        result[code] = PtodIndicator(
            code=code, short=short or medium or long, medium=medium or short or long, long=long or medium or short,
            unit=str(entry.get("unit") or ""), polarity=int(polarity), source=str(entry.get("source") or ""),
            periods=tuple(str(p) for p in periods) if isinstance(periods, list) else (),
            definition=str(entry.get("definition") or entry.get("description") or ""), formula=str(entry.get("formula") or ""),
            theme=str(entry.get("theme") or ""),
        )
    if problems:
        raise FormatError.collect(problems, path=path)
    return result
