"""Read and write an action plan as a spreadsheet (XLSX or CSV), one action per row.

Columns (header row first; order free; names exact, lower case):

========================  ===========================================================================
``id``                    the action's identifier in the plan (text, unique) — required
``parent_id``             the ``id`` of its parent action, empty for a top-level action
``title``                 required
``axis``                  code of a strategic axis of the process (e.g. ``attractivite``), may be empty
``objective``             code of an objective of the strategy, may be empty
``lead``                  lead organisation (and service), free text
``start``, ``end``        ISO dates ``YYYY-MM-DD`` (real date cells are accepted in XLSX); end ≥ start
``status``                ``planned``, ``in_progress``, ``done``, ``late`` or ``abandoned`` — required
``progress``              0–100 (a trailing ``%`` is accepted) or empty (the status default applies)
``weight``                > 0, empty means 1
``budget_planned``,       euros ≥ 0 or empty; spaces, ``€`` and a decimal comma are accepted
``budget_committed``,
``budget_spent``
``subterritories``        sub-territory codes separated by ``|`` (e.g. ``vercors-royans|diois-vallee-drome``)
========================  ===========================================================================

``id``, ``title`` and ``status`` columns are required; other listed columns may be left out. Extra
columns (``description``, notes…) are kept as text in :attr:`ActionRow.extra`. CSV: UTF-8 (with or
without BOM), separator ``,`` or ``;``. XLSX: the sheet named ``actions`` if there is one, else the first.

Reading is all-or-nothing: every problem (unknown parent, cycle, bad date, end before start, unknown
status, progress out of range, duplicate id, unknown axis, objective or sub-territory code) is
collected and raised as one :class:`FormatError` naming the file, line (the spreadsheet row, header =
1) and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from atout.engine.actionplan import STATUSES, Action, Plan, build_plan, find_cycle
from atout.engine.formats.cells import safe_row, unsafe_cell
from atout.engine.formats.errors import FormatError

COLUMNS = ("id", "parent_id", "title", "axis", "objective", "lead", "start", "end", "status", "progress",
           "weight", "budget_planned", "budget_committed", "budget_spent", "subterritories")
REQUIRED = ("id", "title", "status")
BUDGETS = ("budget_planned", "budget_committed", "budget_spent")
SEPARATOR = "|"
SHEET = "actions"


@dataclass(frozen=True)
class ActionRow:
    """An :class:`Action` with the spreadsheet line it came from and its extra columns."""

    action: Action
    line: int
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionPlanFile:
    """A read action plan: the checked :class:`Plan` and its rows in file order."""

    plan: Plan
    rows: list[ActionRow]


def read_action_plan(
    path: str | Path,
    *,
    data: bytes | None = None,
    known_axes: Collection[str] | None = None,
    known_objectives: Collection[str] | None = None,
    known_subterritories: Collection[str] | None = None,
) -> ActionPlanFile:
    """Read an action plan from ``path`` (``.xlsx`` or ``.csv``; ``data`` replaces reading the file).

    ``known_*``: the codes a cell may use; ``None`` accepts any code. Raises :class:`FormatError`.
    """
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FormatError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        sheet, table = _xlsx_rows(path, data)
    elif suffix == ".csv":
        sheet, table = None, _csv_rows(path, data)
    else:
        raise FormatError("expected a .xlsx or .csv file", path=path)
    return parse_rows(table, path=path, sheet=sheet, known_axes=known_axes, known_objectives=known_objectives,
                      known_subterritories=known_subterritories)


def _csv_rows(path: Path, data: bytes) -> list[tuple[int, list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text (byte {exc.start}); save the file as CSV UTF-8", path=path) from exc
    if "\x00" in text:
        raise FormatError("not a text file (contains NUL characters)", path=path)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        start = 1
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FormatError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from exc
    return rows


def _xlsx_rows(path: Path, data: bytes) -> tuple[str, list[tuple[int, list]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, AttributeError, IndexError) as exc:
        raise FormatError("not a readable .xlsx workbook", path=path) from exc
    except Exception as exc:  # openpyxl raises many kinds on corrupt archives; all mean the same to a user
        raise FormatError(f"not a readable .xlsx workbook ({type(exc).__name__})", path=path) from exc
    try:
        names = workbook.sheetnames
        if not names:
            raise FormatError("the workbook has no sheet", path=path)
        name = SHEET if SHEET in names else names[0]
        rows = [(number, list(values)) for number, values in
                enumerate(workbook[name].iter_rows(values_only=True), start=1)]
    except FormatError:
        raise
    except Exception as exc:
        raise FormatError(f"not a readable .xlsx workbook ({type(exc).__name__})", path=path) from exc
    finally:
        workbook.close()
    return name, rows


def _text(value) -> str:
    """A cell as stripped text; whole floats from spreadsheets lose their ``.0`` (an id typed 12 → "12")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unsafe_cell(str(value).strip())  # '=… written by write_action_plan reads back as =…


def parse_rows(
    table: Iterable[tuple[int, list]],
    *,
    path: str | Path | None = None,
    sheet: str | None = None,
    known_axes: Collection[str] | None = None,
    known_objectives: Collection[str] | None = None,
    known_subterritories: Collection[str] | None = None,
) -> ActionPlanFile:
    """(line number, cells) pairs, header first → :class:`ActionPlanFile`, or :class:`FormatError`."""
    table = [(line, cells) for line, cells in table if any(_text(c) for c in cells)]
    if not table:
        raise FormatError("the file is empty: expected a header row with " + ", ".join(COLUMNS), path=path, sheet=sheet)
    header_line, header_cells = table[0]
    header = [_text(c).lower() for c in header_cells]
    problems: list[FormatError] = []

    def problem(message, line=None, column=None):
        problems.append(FormatError(message, path=path, line=line, column=column, sheet=sheet))

    seen_columns: dict[str, int] = {}
    for position, name in enumerate(header):
        if name and name in seen_columns:
            problem(f"column '{name}' appears twice", header_line, position + 1)
        seen_columns.setdefault(name, position)
    for name in REQUIRED:
        if name not in seen_columns:
            problem(f"missing column '{name}' (columns: {', '.join(COLUMNS)})", header_line)
    if problems:
        raise FormatError.collect(problems, path=path)
    extras = [(name, i) for name, i in seen_columns.items() if name and name not in COLUMNS]

    rows: list[ActionRow] = []
    first_line: dict[str, int] = {}
    links: list[tuple[str, str | None, int]] = []  # (id, parent id, line) of every row with a usable id
    for line, cells in table[1:]:
        def cell(name, cells=cells):
            position = seen_columns.get(name)
            return cells[position] if position is not None and position < len(cells) else None

        row_problems = len(problems)
        action_id = _text(cell("id"))
        if not action_id:
            problem("empty id", line, "id")
        elif action_id in first_line:
            problem(f"duplicate id {action_id!r} (first on line {first_line[action_id]})", line, "id")
        else:
            first_line[action_id] = line
            links.append((action_id, _text(cell("parent_id")) or None, line))
        title = _text(cell("title"))
        if not title:
            problem("empty title", line, "title")
        status = _text(cell("status")).lower()
        if status not in STATUSES:
            problem(f"unknown status {status!r}: expected one of {', '.join(STATUSES)}", line, "status")
        axis = _text(cell("axis")) or None
        if axis and known_axes is not None and axis not in known_axes:
            problem(f"unknown axis {axis!r}: expected one of {', '.join(sorted(known_axes))}", line, "axis")
        objective = _text(cell("objective")) or None
        if objective and known_objectives is not None and objective not in known_objectives:
            problem(f"unknown objective {objective!r}", line, "objective")
        start = _date(cell("start"), line, "start", problem)
        end = _date(cell("end"), line, "end", problem)
        if start and end and end < start:
            problem(f"end {end.isoformat()} is before start {start.isoformat()}", line, "end")
        progress = _number(cell("progress"), line, "progress", problem, percent=True)
        if progress is not None and not 0 <= progress <= 100:
            problem(f"progress {progress:g} out of range: expected 0 to 100 or empty", line, "progress")
        weight = _number(cell("weight"), line, "weight", problem)
        if weight is not None and not weight > 0:
            problem(f"weight {weight:g} must be greater than 0 (empty means 1)", line, "weight")
        budgets = {}
        for name in BUDGETS:
            budgets[name] = _number(cell(name), line, name, problem, money=True)
            if budgets[name] is not None and budgets[name] < 0:
                problem(f"negative amount {budgets[name]:g}", line, name)
        codes = tuple(c.strip() for c in _text(cell("subterritories")).split(SEPARATOR) if c.strip())
        for code in codes:
            if known_subterritories is not None and code not in known_subterritories:
                problem(f"unknown sub-territory code {code!r}: expected codes among "
                        f"{', '.join(sorted(known_subterritories))}, separated by '|'", line, "subterritories")
        if len(set(codes)) != len(codes):
            problem("a sub-territory code is repeated", line, "subterritories")
        if len(problems) > row_problems or not action_id:
            continue
        rows.append(ActionRow(
            Action(id=action_id, title=title, parent_id=_text(cell("parent_id")) or None, axis=axis,
                   objective=objective, lead=_text(cell("lead")), start=start, end=end, status=status,
                   progress=progress, weight=1.0 if weight is None else weight, subterritories=codes, **budgets),
            line, {name: _text(cells[i]) for name, i in extras if i < len(cells) and _text(cells[i])},
        ))

    _check_tree(links, first_line, problem)
    if problems:
        raise FormatError.collect(sorted(problems, key=lambda p: (p.line or 0)), path=path)
    return ActionPlanFile(build_plan(r.action for r in rows), rows)


def _check_tree(links: list[tuple[str, str | None, int]], first_line: dict[str, int], problem) -> None:
    """Unknown parents and cycles, reported on the rows that carry them (even rows with other problems)."""
    parents = {action_id: parent for action_id, parent, _line in links}
    for action_id, parent, line in links:
        if parent is None:
            continue
        if parent == action_id:
            problem("an action cannot be its own parent", line, "parent_id")
        elif parent not in first_line:
            problem(f"unknown parent {parent!r}: no row has this id", line, "parent_id")
    reported: set[str] = set()
    for action_id, parent, line in links:
        if parent == action_id or action_id in reported:
            continue
        cycle = find_cycle(parents, action_id)
        if cycle and len(cycle) > 2:
            reported.update(cycle)
            problem(f"cycle in parent_id: {' → '.join(cycle)}", line, "parent_id")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value, line, column, problem) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    if _DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    problem(f"bad date {text!r}: expected YYYY-MM-DD", line, column)
    return None


def _number(value, line, column, problem, *, percent: bool = False, money: bool = False) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else _bad_number(value, line, column, problem)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _text(value).replace("\u202f", "").replace("\u00a0", "")
        if not text:
            return None
        if percent and text.endswith("%"):
            text = text[:-1].strip()
        if money:
            text = text.replace("€", "").replace(" ", "")
        text = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
        try:
            number = float(text)
        except ValueError:
            return _bad_number(value, line, column, problem)
    if math.isnan(number) or math.isinf(number):
        return _bad_number(value, line, column, problem)
    return number


def _bad_number(value, line, column, problem) -> None:
    problem(f"not a number: {_text(value)!r}", line, column)
    return None


# --- writing -------------------------------------------------------------------------------------


def action_cells(action: Action) -> list:
    """One action as the row of :data:`COLUMNS` (dates as ISO text, empty cells as ``None``)."""
    return [
        action.id, action.parent_id, action.title, action.axis, action.objective, action.lead or None,
        action.start.isoformat() if action.start else None, action.end.isoformat() if action.end else None,
        action.status, action.progress, action.weight, action.budget_planned, action.budget_committed,
        action.budget_spent, SEPARATOR.join(action.subterritories) or None,
    ]


def write_action_plan(actions: Iterable[Action], path: str | Path) -> Path:
    """Write ``actions`` to ``path`` (``.xlsx`` or ``.csv``, UTF-8, ``,``) in the reader's format.

    Text that a spreadsheet would take for a formula (``=…``, ``+…``, ``-…``, ``@…``) is written
    with a leading apostrophe (:func:`~atout.engine.formats.cells.safe_cell`); the reader removes it,
    so a plan exported then imported again is unchanged."""
    path = Path(path)
    rows = [list(COLUMNS)] + [safe_row(action_cells(a)) for a in actions]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow(["" if v is None else _csv_value(v) for v in row])
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = SHEET
        for row in rows:
            sheet.append(row)
        workbook.save(path)
    else:
        raise ValueError(f"{path.name}: expected a .xlsx or .csv file name")
    return path


def _csv_value(value) -> str:
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)
