"""Readers for COINr's input tables (``iData``, ``iMeta``) and for composite pipeline configurations.

COINr (the JRC's R package for composite indicators) describes an index with two tables:

- ``iMeta``: one row per code, columns ``Level, iCode, iName, Direction, Weight, Unit, Target,
  Denominator, Parent, Type``; Type is Indicator, Aggregate, Group, Denominator or Other;
- ``iData``: one row per unit, columns ``uCode`` (required), ``uName``, ``Time`` and one column per
  code of iMeta of type Indicator, Group, Denominator or Other.

Readers are all-or-nothing: every problem (duplicate or unknown codes, unknown parents, non-numeric
cells…) is collected and raised as one :class:`FormatError` naming the file, line and column.
Empty cells and ``NA`` are missing values.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from atout.engine.composite import STEP_ORDER, STEP_PARAMETERS, CompositeData, IndexTree
from atout.engine.formats.errors import FormatError, require_columns

META_REQUIRED = ("iCode", "Level", "Parent", "Type", "Direction", "Weight")
META_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
MISSING = {"", "NA", "NaN", "nan", "N/A"}
UNIT_COLUMNS = ("uCode", "uName", "Time")


@dataclass
class CoinrMeta:
    """The parsed iMeta: the index tree and the codes of group, denominator and other columns."""

    tree: IndexTree
    table: pd.DataFrame
    groups: list[str]
    denominators: list[str]
    others: list[str]


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (line number, row) pairs of a comma-separated file; lines are 1-based, header = 1."""
    try:
        handle = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FormatError(f"cannot open file: {exc.strerror}", path=path) from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise FormatError("the file is empty", path=path) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FormatError(f"not a readable CSV file: {exc}", path=path, line=1) from None
        header = [h.strip() for h in header]
        rows = []
        try:
            line = reader.line_num
            for record in reader:
                start = line + 1
                line = reader.line_num
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) != len(header):
                    raise FormatError(f"{len(record)} fields where the header has {len(header)}", path=path,
                                      line=start)
                rows.append((start, {h: cell.strip() for h, cell in zip(header, record, strict=True)}))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FormatError(f"not a readable CSV file: {exc}", path=path, line=reader.line_num) from None
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise FormatError(f"duplicate column(s) {duplicates}", path=path, line=1)
    return header, rows


def _number(text: str, problems: list[FormatError], path: Path, line: int, column: str) -> float:
    if text in MISSING:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        problems.append(FormatError(f"not a number: {text!r}", path=path, line=line, column=column))
        return math.nan
    if math.isinf(value):
        problems.append(FormatError(f"infinite value {text!r}", path=path, line=line, column=column))
    return value


def read_imeta(path: str | Path) -> CoinrMeta:
    """Read and check a COINr ``iMeta`` CSV; returns the index tree and the other column codes.

    Checks: required columns, one row per code, known Type, numeric Level/Direction/Weight/Target,
    Direction ±1, parents that exist at the next level up, one index at the top, denominators declared
    with Type Denominator, aggregates that have children.
    """
    path = Path(path)
    header, rows = _rows(path)
    require_columns(header, META_REQUIRED, path=path)
    problems: list[FormatError] = []
    seen: dict[str, int] = {}
    records = []
    for line, row in rows:
        code = row["iCode"]
        if not code:
            problems.append(FormatError("empty code", path=path, line=line, column="iCode"))
            continue
        if code in seen:
            problems.append(FormatError(f"duplicate code {code!r} (first on line {seen[code]})", path=path,
                                        line=line, column="iCode"))
            continue
        seen[code] = line
        kind = row["Type"]
        if kind not in META_TYPES:
            problems.append(FormatError(f"unknown Type {kind!r}; expected one of {META_TYPES}", path=path,
                                        line=line, column="Type"))
            continue
        record = {"line": line, "code": code, "type": kind, "name": row.get("iName", "") or code,
                  "parent": row["Parent"] if row["Parent"] not in MISSING else None,
                  "denominator": row.get("Denominator", "") if row.get("Denominator", "") not in MISSING else None}
        for column in ("Level", "Direction", "Weight", "Target"):
            record[column.lower()] = _number(row.get(column, ""), problems, path, line, column)
        records.append(record)
    indexed = [r for r in records if r["type"] in ("Indicator", "Aggregate")]
    by_code = {r["code"]: r for r in indexed}
    denominators = [r["code"] for r in records if r["type"] == "Denominator"]
    for r in indexed:
        line = r["line"]
        if math.isnan(r["level"]) or r["level"] != int(r["level"]) or r["level"] < 1:
            problems.append(FormatError("Level must be a whole number ≥ 1", path=path, line=line, column="Level"))
            continue
        if r["type"] == "Indicator" and r["level"] != 1:
            problems.append(FormatError("an indicator must be at Level 1", path=path, line=line, column="Level"))
        if r["type"] == "Aggregate" and r["level"] == 1:
            problems.append(FormatError("an aggregate cannot be at Level 1", path=path, line=line, column="Level"))
        if r["type"] == "Indicator" and r["direction"] not in (1.0, -1.0):
            problems.append(FormatError("Direction must be 1 or -1", path=path, line=line, column="Direction"))
        if math.isnan(r["weight"]) or r["weight"] < 0:
            problems.append(FormatError("Weight must be a number ≥ 0", path=path, line=line, column="Weight"))
        parent = r["parent"]
        if parent is not None:
            if parent not in by_code:
                problems.append(FormatError(f"unknown parent code {parent!r}", path=path, line=line,
                                            column="Parent"))
            elif not math.isnan(by_code[parent]["level"]) and by_code[parent]["level"] != r["level"] + 1:
                problems.append(FormatError(
                    f"parent {parent!r} is at Level {by_code[parent]['level']:g}, not {r['level'] + 1:g}",
                    path=path, line=line, column="Parent"))
        if r["denominator"] is not None and r["denominator"] not in denominators:
            problems.append(FormatError(f"denominator {r['denominator']!r} is not declared with Type Denominator",
                                        path=path, line=line, column="Denominator"))
    tops = [r for r in indexed if r["parent"] is None]
    if indexed and len(tops) != 1:
        problems.append(FormatError(f"exactly one code must have no Parent (the index); found "
                                    f"{[r['code'] for r in tops]}", path=path, column="Parent"))
    parents = {r["parent"] for r in indexed}
    for r in indexed:
        if r["type"] == "Aggregate" and r["code"] not in parents:
            problems.append(FormatError(f"aggregate {r['code']!r} has no children", path=path, line=r["line"],
                                        column="iCode"))
    if not any(r["type"] == "Indicator" for r in indexed):
        problems.append(FormatError("no row of Type Indicator", path=path))
    if problems:
        raise FormatError.collect(problems, path=path)
    tree = IndexTree(
        level={r["code"]: int(r["level"]) for r in indexed},
        parent={r["code"]: r["parent"] for r in indexed},
        weight={r["code"]: float(r["weight"]) for r in indexed},
        direction={r["code"]: int(r["direction"]) for r in indexed if r["type"] == "Indicator"},
        target={r["code"]: r["target"] for r in indexed if not math.isnan(r["target"])},
        denominator={r["code"]: r["denominator"] for r in indexed if r["denominator"]},
        name={r["code"]: r["name"] for r in indexed},
    )
    table = pd.DataFrame(records).drop(columns="line").set_index("code")
    return CoinrMeta(tree, table, [r["code"] for r in records if r["type"] == "Group"], denominators,
                     [r["code"] for r in records if r["type"] == "Other"])


def read_idata(path: str | Path, meta: CoinrMeta) -> CompositeData:
    """Read and check a COINr ``iData`` CSV against its iMeta; returns the composite's input data.

    Checks: a ``uCode`` column with unique, non-empty codes; a column for every indicator and
    denominator of iMeta; no column unknown to iMeta; numbers in indicator and denominator columns.
    """
    path = Path(path)
    header, rows = _rows(path)
    problems: list[FormatError] = []
    tree = meta.tree
    numeric = tree.indicators + meta.denominators
    known = set(UNIT_COLUMNS) | set(tree.level) | set(meta.groups) | set(meta.denominators) | set(meta.others)
    if "uCode" not in header:
        problems.append(FormatError("missing column 'uCode'", path=path, line=1))
    for code in numeric:
        if code not in header:
            problems.append(FormatError(f"missing column {code!r} declared in iMeta", path=path, line=1))
    for column in header:
        if column not in known:
            problems.append(FormatError(f"column {column!r} is not declared in iMeta", path=path, line=1,
                                        column=column))
    aggregates_given = [c for c in header if c in tree.level and tree.level[c] > 1]
    if aggregates_given:
        problems.append(FormatError(f"aggregate column(s) {aggregates_given} cannot hold data", path=path, line=1))
    if problems:
        raise FormatError.collect(problems, path=path)
    seen: dict[str, int] = {}
    units, numbers, groups, names = [], [], [], []
    for line, row in rows:
        code = row["uCode"]
        if not code:
            problems.append(FormatError("empty unit code", path=path, line=line, column="uCode"))
            continue
        if code in seen:
            problems.append(FormatError(f"duplicate unit code {code!r} (first on line {seen[code]})", path=path,
                                        line=line, column="uCode"))
            continue
        seen[code] = line
        units.append(code)
        numbers.append([_number(row[c], problems, path, line, c) for c in numeric])
        groups.append([row[g] if g in row and row[g] not in MISSING else None for g in meta.groups])
        names.append(row.get("uName") or code)
    if not units and not problems:
        problems.append(FormatError("no unit rows", path=path))
    if problems:
        raise FormatError.collect(problems, path=path)
    table = pd.DataFrame(numbers, index=pd.Index(units, name="uCode"), columns=numeric, dtype=float)
    return CompositeData(
        values=table[tree.indicators],
        tree=tree,
        groups=pd.DataFrame(groups, index=table.index, columns=meta.groups, dtype=object),
        denominators=table[meta.denominators],
        names=pd.Series(names, index=table.index, name="uName"),
    )


def read_coinr(idata: str | Path, imeta: str | Path) -> CompositeData:
    """Read a COINr ``iData``/``iMeta`` pair (CSV) into :class:`CompositeData`."""
    return read_idata(idata, read_imeta(imeta))


# --------------------------------------------------------------------------------------------------
# Pipeline configuration (YAML)
# --------------------------------------------------------------------------------------------------

CONFIG_KEYS = ("data", "steps", "uncertainty")
UNCERTAINTY_KEYS = ("weights_noise", "weight_sets", "normalisation", "aggregation", "imputation", "treatment")


@dataclass
class PipelineConfig:
    """A parsed configuration: the data files, the steps ``[(name, params)]`` and the uncertainty spec."""

    idata: Path
    imeta: Path
    steps: list[tuple[str, dict[str, Any]]]
    uncertainty: dict[str, Any]


def read_pipeline_config(path: str | Path) -> PipelineConfig:
    """Read a pipeline configuration (YAML, documented in docs/methods/composite.md).

    ``data.idata`` and ``data.imeta`` are file paths; ``$VARIABLES`` are expanded (e.g.
    ``$ATOUT_DATA_DIR``) and relative paths are read from the configuration's folder. ``steps`` is a
    list of one-key mappings ``{step name: {parameters}}`` in pipeline order.
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FormatError(f"cannot open file: {exc.strerror}", path=path) from exc
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FormatError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                          line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None) from None
    lines = _key_lines(text)
    if not isinstance(document, dict):
        raise FormatError("the configuration must be a mapping with 'data' and 'steps'", path=path, line=1)
    problems: list[FormatError] = []
    for key in document:
        if key not in CONFIG_KEYS:
            problems.append(FormatError(f"unknown key {key!r}; expected {CONFIG_KEYS}", path=path,
                                        line=lines.get(key), column=key))
    data = document.get("data")
    files: dict[str, Path] = {}
    if not isinstance(data, dict):
        problems.append(FormatError("'data' must give 'idata' and 'imeta' files", path=path, line=lines.get("data"),
                                    column="data"))
    else:
        for key in ("idata", "imeta"):
            if not isinstance(data.get(key), str):
                problems.append(FormatError(f"'data.{key}' must be a file path", path=path,
                                            line=lines.get(key), column=key))
                continue
            file = Path(os.path.expandvars(os.path.expanduser(data[key])))
            files[key] = file if file.is_absolute() else path.parent / file
    steps: list[tuple[str, dict[str, Any]]] = []
    raw_steps = document.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append(FormatError("'steps' must be a non-empty list", path=path, line=lines.get("steps"),
                                    column="steps"))
    else:
        for item in raw_steps:
            if not isinstance(item, dict) or len(item) != 1:
                problems.append(FormatError(f"each step must be one 'name: {{parameters}}' mapping, got {item!r}",
                                            path=path, line=lines.get("steps"), column="steps"))
                continue
            (name, params), = item.items()
            if name not in STEP_ORDER:
                problems.append(FormatError(f"unknown step {name!r}; expected one of {STEP_ORDER}", path=path,
                                            line=lines.get(name), column=name))
            elif params is not None and not isinstance(params, dict):
                problems.append(FormatError(f"parameters of step {name!r} must be a mapping", path=path,
                                            line=lines.get(name), column=name))
            else:
                for key in sorted(set(params or {}) - STEP_PARAMETERS[name]):
                    problems.append(FormatError(
                        f"step {name!r} has no parameter {key!r}; expected {sorted(STEP_PARAMETERS[name])}",
                        path=path, line=lines.get(key, lines.get(name)), column=key))
                steps.append((name, dict(params or {})))
    uncertainty = document.get("uncertainty") or {}
    if not isinstance(uncertainty, dict):
        problems.append(FormatError("'uncertainty' must be a mapping", path=path, line=lines.get("uncertainty"),
                                    column="uncertainty"))
        uncertainty = {}
    for key in uncertainty:
        if key not in UNCERTAINTY_KEYS:
            problems.append(FormatError(f"unknown uncertainty key {key!r}; expected {UNCERTAINTY_KEYS}",
                                        path=path, line=lines.get(key), column=key))
    if problems:
        raise FormatError.collect(problems, path=path)
    return PipelineConfig(files["idata"], files["imeta"], steps, uncertainty)


def _key_lines(text: str) -> dict[str, int]:
    """First line (1-based) where each mapping key appears, to point errors at the right place."""
    import yaml

    lines: dict[str, int] = {}
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return lines

    def walk(n):
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                if isinstance(key, yaml.ScalarNode):
                    lines.setdefault(str(key.value), key.start_mark.line + 1)
                walk(value)
        elif isinstance(n, yaml.SequenceNode):
            for item in n.value:
                walk(item)

    walk(node)
    return lines
