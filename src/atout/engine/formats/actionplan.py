"""Read and write an action plan as a spreadsheet (XLSX or CSV), one action per row.

Columns (header row first; order free; names exact, lower case):

========================  ===========================================================================
``id``                    the action's identifier in the plan (text, unique) — required
``parent_id``             the ``id`` of its parent action, empty for a top-level action
``title``                 required
``axis``                  a strategic axis of the process by code or name, in any case and with or
                          without accents (``attractivite``, ``Attractivité``, ``ATTRACTIVITE``,
                          ``Attractiveness``), may be empty
``objective``             an objective of the strategy by code or title (any case or accents), may be
                          empty; with ``create_objectives``, an unknown one is a new objective of the
                          row's axis (:attr:`ActionPlanFile.new_objectives`)
``lead``                  lead organisation (and service), free text
``start``, ``end``        ISO dates ``YYYY-MM-DD`` (real date cells are accepted in XLSX); end ≥ start
``status``                ``planned``, ``in_progress``, ``done``, ``late`` or ``abandoned`` — required
``progress``              0–100 (a trailing ``%`` is accepted) or empty (the status default applies)
``weight``                > 0, empty means 1
``budget_planned``,       euros ≥ 0 or empty; spaces, ``€`` and a decimal comma are accepted
``budget_committed``,
``budget_spent``
``subterritories``        codes separated by ``|``: zones of the process (``vercors-royans``), SIRENs of
                          EPCIs (``200068781``) and INSEE codes of communes (``26362``) of its
                          territory (:class:`Subterritories`); ``zone:``, ``epci:``, ``com:`` prefixes
                          are accepted
========================  ===========================================================================

``id``, ``title`` and ``status`` columns are required; other listed columns may be left out. Extra
columns (``description``, notes…) are kept as text in :attr:`ActionRow.extra`. CSV: UTF-8 (with or
without BOM), separator ``,`` or ``;``. XLSX: the sheet named ``actions`` if there is one, else the first.

Reading is all-or-nothing: every problem (unknown parent, cycle, bad date, end before start, unknown
status, progress out of range, duplicate id, unknown axis, objective or sub-territory code, an EPCI or
a commune outside the territory, a new objective without an axis) is collected and raised as one
:class:`FormatError` naming the file, line (the spreadsheet row, header = 1) and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Iterable, Mapping
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
#: the longest title of an objective (the strategy's objective model)
OBJECTIVE_TITLE_MAX = 300


@dataclass(frozen=True)
class ActionRow:
    """An :class:`Action` with the spreadsheet line it came from and its extra columns."""

    action: Action
    line: int
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NewObjective:
    """An objective a plan names that the strategy does not have yet: created under ``axis``.

    ``code`` is made from the text (lower case, no accents, dashes); ``title`` is the text as written;
    ``line`` the first row naming it."""

    code: str
    title: str
    axis: str
    line: int


@dataclass
class ActionPlanFile:
    """A read action plan: the checked :class:`Plan`, its rows in file order, and the objectives it
    creates (with ``create_objectives``)."""

    plan: Plan
    rows: list[ActionRow]
    new_objectives: list[NewObjective] = field(default_factory=list)


def fold(text: str) -> str:
    """Text compared the way people mean it: no accents, any case, spaces, dashes and underscores alike.

    ``"ATTRACTIVITÉ"``, ``"Attractivité"`` and ``"attractivite"`` fold to ``"attractivite"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[-_'’\s]+", " ", plain).split())


def slug(text: str, max_length: int = 60) -> str:
    """A code made from a text: ASCII lower case, words joined by dashes (``"Santé rurale"`` →
    ``"sante-rurale"``), at most ``max_length`` characters; empty when the text has no letter or digit."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:max_length].strip("-")


_SIREN = re.compile(r"^\d{9}$")
_COMMUNE = re.compile(r"^(?:\d{2}|2[AB])\d{3}$", re.IGNORECASE)
_PREFIXES = {"zone": "zone", "epci": "epci", "com": "commune"}


@dataclass(frozen=True)
class Subterritories:
    """What a ``subterritories`` cell may name, all resolved against the process's territory.

    ``zones``: codes of the process's sub-territories (custom zones, and EPCIs when the process reads
    by EPCI); ``epcis``: SIRENs of the EPCIs with communes in the territory; ``communes``: INSEE codes
    of its communes; ``territory``: its name, for messages; ``describe``: the name of a known EPCI or
    commune *outside* the territory (or None), so a message can say which place was meant.
    """

    zones: Collection[str] = ()
    epcis: Collection[str] = ()
    communes: Collection[str] = ()
    territory: str = ""
    describe: Callable[[str], str | None] | None = None

    def resolve(self, code: str) -> str:
        """The stored code of what ``code`` names (a zone, an EPCI SIREN or a commune INSEE code).

        Raises ValueError with a message saying what is wrong with it."""
        prefix, _sep, rest = code.partition(":")
        kind = _PREFIXES.get(prefix.strip().lower()) if rest else None
        bare = rest.strip() if kind else code
        where = f" of {self.territory}" if self.territory else ""
        if kind in (None, "zone") and bare in self.zones:
            return bare
        if kind == "zone":
            raise ValueError(f"unknown zone {bare!r}: the process's zones are {self._zone_list()}")
        if kind in (None, "epci") and _SIREN.match(bare):
            if bare in self.epcis or bare in self.zones:
                return bare
            raise ValueError(self._outside("EPCI", bare))
        if kind in (None, "commune") and _COMMUNE.match(bare):
            bare = bare.upper()
            if bare in self.communes:
                return bare
            raise ValueError(self._outside("commune", bare))
        if kind:
            shape = "a SIREN of 9 digits" if kind == "epci" else "an INSEE code of 5 characters"
            raise ValueError(f"{code!r} is not {shape}")
        raise ValueError(f"unknown sub-territory code {code!r}: expected a zone code ({self._zone_list()}), "
                         f"the SIREN of an EPCI or the INSEE code of a commune{where}, separated by '|'")

    def _zone_list(self) -> str:
        return ", ".join(sorted(self.zones)) or "none"

    def _outside(self, kind: str, code: str) -> str:
        place = self.territory or "the process's territory"
        if self.describe is None:
            return f"{kind} {code} is not in {place}"
        name = self.describe(code)
        if name is None:
            return f"no {kind} has the code {code}"
        return f"{kind} {code} ({name}) is outside {place}"


class _Axes:
    """Axis cells by code or name (French or English), folded; ``known`` is codes or code → names."""

    def __init__(self, known: Collection[str] | Mapping[str, Iterable[str]]):
        names = known if isinstance(known, Mapping) else {code: () for code in known}
        self.codes = list(names)
        self.by_key: dict[str, set[str]] = {}
        for code, labels in names.items():
            for text in (code, *labels):
                if text:
                    self.by_key.setdefault(fold(str(text)), set()).add(code)
        self.labels = {code: [str(t) for t in labels if t] for code, labels in names.items()}

    def resolve(self, text: str) -> str:
        found = self.by_key.get(fold(text), set())
        if len(found) == 1:
            return next(iter(found))
        if found:
            raise ValueError(f"axis {text!r} is ambiguous: it names {', '.join(sorted(found))}")
        shown = ", ".join(f"{c} ({self.labels[c][0]})" if self.labels.get(c) else c for c in self.codes)
        raise ValueError(f"unknown axis {text!r}: expected one of {shown} (code or name, any case)")


class _Objectives:
    """Objective cells by code or title, folded; ``known`` is codes or code → title."""

    def __init__(self, known: Collection[str] | Mapping[str, str]):
        titles = known if isinstance(known, Mapping) else {code: "" for code in known}
        self.codes = set(titles)
        self.by_key: dict[str, set[str]] = {}
        for code, title in titles.items():
            for text in (code, title):
                if text:
                    self.by_key.setdefault(fold(str(text)), set()).add(code)

    def find(self, text: str) -> str | None:
        """The existing objective ``text`` names (code, title, or a code made from it), else None.

        Raises ValueError when the text is the title of several objectives."""
        if text in self.codes:
            return text
        found = self.by_key.get(fold(text), set())
        if len(found) > 1:
            raise ValueError(f"objective {text!r} is ambiguous: it names {', '.join(sorted(found))}; give its code")
        if found:
            return next(iter(found))
        made = slug(text)
        return made if made in self.codes else None


def read_action_plan(
    path: str | Path,
    *,
    data: bytes | None = None,
    known_axes: Collection[str] | None = None,
    known_objectives: Collection[str] | None = None,
    known_subterritories: Collection[str] | Subterritories | None = None,
    create_objectives: bool = False,
) -> ActionPlanFile:
    """Read an action plan from ``path`` (``.xlsx`` or ``.csv``; ``data`` replaces reading the file).

    ``known_*``: what a cell may name; ``None`` accepts anything as written. ``known_axes``: codes, or
    code → names (an axis is then also found by name); ``known_objectives``: codes, or code → title;
    ``known_subterritories``: zone codes, or a :class:`Subterritories` (zones, EPCIs and communes of the
    territory). ``create_objectives``: an objective the strategy does not have becomes a
    :class:`NewObjective` of the row's axis instead of an error. Raises :class:`FormatError`.
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
                      known_subterritories=known_subterritories, create_objectives=create_objectives)


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
    known_subterritories: Collection[str] | Subterritories | None = None,
    create_objectives: bool = False,
) -> ActionPlanFile:
    """(line number, cells) pairs, header first → :class:`ActionPlanFile`, or :class:`FormatError`.

    ``known_*`` and ``create_objectives``: as for :func:`read_action_plan`."""
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
    axes = _Axes(known_axes) if known_axes is not None else None
    objectives = _Objectives(known_objectives) if known_objectives is not None else None
    zones = (known_subterritories if isinstance(known_subterritories, Subterritories) or known_subterritories is None
             else Subterritories(zones=known_subterritories))
    new_objectives: dict[str, NewObjective] = {}

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
        axis_known = True
        if axis and axes is not None:
            try:
                axis = axes.resolve(axis)
            except ValueError as exc:
                problem(str(exc), line, "axis")
                axis_known = False
        objective = _text(cell("objective")) or None
        if objective and objectives is not None:
            objective = _objective(objective, axis if axis_known else None, line, objectives, new_objectives,
                                   create_objectives, problem, axis_known)
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
        if zones is not None:
            resolved = []
            for code in codes:
                try:
                    resolved.append(zones.resolve(code))
                except ValueError as exc:
                    problem(str(exc), line, "subterritories")
            codes = tuple(resolved)
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
    return ActionPlanFile(build_plan(r.action for r in rows), rows, list(new_objectives.values()))


def _objective(text: str, axis: str | None, line: int, objectives: _Objectives, new: dict[str, NewObjective],
               create: bool, problem, axis_known: bool) -> str | None:
    """The code of the objective a cell names; a new one is recorded (or refused) on its first row."""
    try:
        existing = objectives.find(text)
    except ValueError as exc:
        problem(str(exc), line, "objective")
        return None
    if existing is not None:
        return existing
    code = slug(text)
    if not create:
        problem(f"unknown objective {text!r}: create it on the strategy page first, or give the code of an "
                f"existing objective", line, "objective")
        return None
    if not code:
        problem(f"objective {text!r} has no letter or digit to make a code from", line, "objective")
        return None
    if len(text) > OBJECTIVE_TITLE_MAX:
        problem(f"new objective {text[:40]!r}… is longer than {OBJECTIVE_TITLE_MAX} characters", line, "objective")
        return None
    earlier = new.get(code)
    if earlier is not None:
        if axis and axis != earlier.axis:
            problem(f"new objective {text!r} is created under axis {earlier.axis!r} (line {earlier.line}); "
                    f"this row gives axis {axis!r}", line, "objective")
        return code
    if not axis:
        if axis_known:  # an unknown axis is reported on its own column
            problem(f"new objective {text!r} needs an axis on its row to be created under it (or create it on "
                    f"the strategy page first)", line, "objective")
        return None
    new[code] = NewObjective(code=code, title=text, axis=axis, line=line)
    return code


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
