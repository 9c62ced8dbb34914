"""XLSForm import and export: ``.xlsx`` questionnaires (ODK/Kobo standard) ⇄ a neutral :class:`Form`.

Reading is pyxform's: :func:`pyxform.xls2json_backends.get_xlsform` reads the sheets and
:func:`pyxform.xls2json.workbook_to_json` validates the form and resolves labels, translations,
choices and groups. On top of it, this module checks what atout supports (question types, columns,
appearances, sheets, and the expression language of :mod:`atout.engine.expressions`) and maps
pyxform's JSON onto plain dataclasses. Every problem is collected and reported at once, by sheet,
row and column, in a single :class:`FormatError`; nothing is returned unless the whole form is good.

atout's question types and their XLSForm spelling:

==================  ==============================================================
``select_one``      ``select_one LIST``
``likert``          ``select_one LIST`` with appearance ``likert``
``select_multiple`` ``select_multiple LIST`` (``or_other`` allowed)
``rank``            ``rank LIST``
``score``           ``range`` with parameters ``start=0 end=10 step=1`` (integer start/end, step 1)
``commune``         ``select_one_from_file communes.csv`` (the process territory's communes)
``integer``, ``decimal``, ``text`` (``multiline`` appearance for long text), ``date``, ``note``
groups             ``begin_group`` / ``end_group``; a matrix is a group with appearance
                   ``table-list`` (or ``field-list``) whose questions are single choices of one list
==================  ==============================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atout.engine import expressions
from atout.engine.formats.errors import FormatError

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
COMMUNE_FILE = "communes.csv"
DEFAULT_LANGUAGE = "default"  # pyxform's name for labels without a ``::language`` suffix

# Survey-sheet columns atout reads; translatable ones may carry ``::language``.
TRANSLATABLE_SURVEY_COLUMNS = ("label", "hint", "constraint_message", "required_message")
PLAIN_SURVEY_COLUMNS = ("type", "name", "required", "relevant", "constraint", "appearance", "choice_filter", "parameters")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language")
MEDIA_COLUMNS = ("image", "big-image", "audio", "video", "media")
SUPPORTED_APPEARANCES = {
    "minimal", "likert", "horizontal", "horizontal-compact", "columns", "columns-pack", "quick",
    "multiline", "field-list", "table-list", "list-nolabel", "label", "no-calendar", "month-year",
    "year", "numbers", "autocomplete",
}
REQUIRED_TRUE = {"yes", "true", "true()", "1"}
REQUIRED_FALSE = {"no", "false", "false()", "0"}
GROUP_TYPES = {"begin_group": "begin", "begin group": "begin", "end_group": "end", "end group": "end"}
SELECT_TYPES = {
    "select_one": "select_one", "select one": "select_one",
    "select_multiple": "select_multiple", "select all that apply": "select_multiple",
    "rank": "rank",
}
PLAIN_TYPES = {"integer": "integer", "int": "integer", "decimal": "decimal", "text": "text",
               "string": "text", "date": "date", "note": "note"}
CHOICE_TYPES = ("select_one", "likert", "select_multiple", "rank")
# pyxform rewrites table-list groups with generated items; they are not part of the author's form.
GENERATED_NAME_PREFIXES = ("generated_table_list_label_", "reserved_name_for_field_list_labels_")
_PYXFORM_ROW = re.compile(r"\[row : (\d+)\]")


# ---------------------------------------------------------------------------------------------
# Neutral structure


@dataclass
class Choice:
    """One answer option: its ``name`` (stored code), labels per language and extra columns
    (used by ``choice_filter`` expressions)."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class Question:
    """A question. ``type`` is one of atout's types (see module doc); ``labels``, ``hints``,
    ``constraint_message`` and ``required_message`` map a language to text; ``bounds`` is
    ``(minimum, maximum)`` for a score, or what a numeric question's constraint states (either may
    be None); ``choices`` are the options of ``list_name`` (without the "other" of ``or_other``)."""

    name: str
    type: str
    labels: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    required: bool = False
    required_message: dict[str, str] = field(default_factory=dict)
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: dict[str, str] = field(default_factory=dict)
    appearance: str | None = None
    list_name: str | None = None
    choices: list[Choice] = field(default_factory=list)
    or_other: bool = False
    choice_filter: str | None = None
    bounds: tuple[float | None, float | None] | None = None

    @property
    def long_text(self) -> bool:
        """A text question shown as a multi-line box."""
        return self.type == "text" and "multiline" in (self.appearance or "").split()


@dataclass
class Group:
    """A group of items (a page when its appearance is ``field-list``; a matrix when
    :attr:`is_matrix`)."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    relevant: str | None = None
    appearance: str | None = None
    children: list[Question | Group] = field(default_factory=list)

    @property
    def is_matrix(self) -> bool:
        """Rows × scale: a table-list/field-list group of single-choice questions sharing a list."""
        appearances = set((self.appearance or "").split())
        if not appearances & {"table-list", "field-list"} or not self.children:
            return False
        if not all(isinstance(c, Question) and c.type in ("select_one", "likert") for c in self.children):
            return False
        return len({c.list_name for c in self.children}) == 1 and (
            "table-list" in appearances or len(self.children) >= 2
        )


@dataclass
class Form:
    """A questionnaire: settings, the languages of its labels (default first) and its items."""

    title: str
    id: str
    version: str | None
    default_language: str
    languages: list[str]
    items: list[Question | Group]

    def questions(self) -> list[Question]:
        """Every question, depth first, in form order."""
        found: list[Question] = []

        def visit(items):
            for item in items:
                if isinstance(item, Group):
                    visit(item.children)
                else:
                    found.append(item)

        visit(self.items)
        return found

    def groups(self) -> list[Group]:
        """Every group, depth first, in form order."""
        found: list[Group] = []

        def visit(items):
            for item in items:
                if isinstance(item, Group):
                    found.append(item)
                    visit(item.children)

        visit(self.items)
        return found


# ---------------------------------------------------------------------------------------------
# Reading


def read_xlsform(path: str | Path) -> Form:
    """Read an XLSForm ``.xlsx`` file.

    Input: the path. Output: the :class:`Form`. Raises :class:`FormatError` listing every
    problem (sheet, row — as numbered in the spreadsheet — and column) when the file cannot be read,
    is not a valid XLSForm, or uses a feature atout does not support.
    """
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    path = Path(path)
    if not path.is_file():
        raise FormatError("no such file", path=path)
    try:
        workbook = get_xlsform(str(path))
    except (PyXFormError, ValueError, OSError) as exc:
        raise FormatError(f"not a readable XLSForm workbook: {exc}", path=path) from None
    problems = _check_workbook(workbook, path)
    if problems:
        raise FormatError.collect(problems, path=path)
    warnings: list[str] = []
    try:
        form_json = workbook_to_json(workbook, form_name=_form_name(path), warnings=warnings)
    except PyXFormError as exc:
        raise _pyxform_error(exc, path) from None
    return _to_form(form_json, workbook, path)


def _form_name(path: Path) -> str:
    # pyxform wants an XML name for the form; the file's stem may not be one.
    name = re.sub(r"[^A-Za-z0-9_]", "_", path.stem) or "form"
    return name if re.match(r"[A-Za-z_]", name) else "_" + name


def _pyxform_error(exc: Exception, path: Path) -> FormatError:
    message = str(exc).strip()
    match = _PYXFORM_ROW.search(message)
    line = int(match.group(1)) if match else None
    message = _PYXFORM_ROW.sub("", message).strip()
    return FormatError(f"invalid XLSForm: {message}", path=path, sheet=SURVEY if line else None, line=line)


# Row numbers: pyxform keeps empty rows, so list index i is spreadsheet row i + 2 (row 1 = header).
def _row_number(index: int) -> int:
    return index + 2


def _headers(rows_header) -> list[str]:
    return list(rows_header[0].keys()) if rows_header else []


def _check_workbook(workbook, path: Path) -> list[FormatError]:
    problems: list[FormatError] = []
    for sheet in workbook.sheet_names or []:
        if sheet.lower() not in (SURVEY, CHOICES, SETTINGS):
            problems.append(FormatError(
                "unsupported sheet (atout reads only 'survey', 'choices' and 'settings')", path=path, sheet=sheet,
            ))
    if not workbook.survey:
        problems.append(FormatError("no 'survey' sheet, or it has no rows", path=path, sheet=SURVEY))
        return problems
    problems += _check_columns(_headers(workbook.survey_header), SURVEY, path, _survey_column_ok)
    problems += _check_columns(_headers(workbook.choices_header), CHOICES, path, _choice_column_ok)
    problems += _check_columns(_headers(workbook.settings_header), SETTINGS, path, lambda c: c in SETTINGS_COLUMNS)
    choice_columns = {c for c in _headers(workbook.choices_header) if _is_choice_property(c)}
    names = _question_names(workbook.survey, path, problems)
    for index, row in enumerate(workbook.survey):
        if row:
            problems += _check_survey_row(row, _row_number(index), names, choice_columns, path)
    return problems


def _base_column(column: str) -> tuple[str, str | None]:
    base, _, language = column.partition("::")
    return base.strip(), (language.strip() or None) if _ else None


def _survey_column_ok(column: str) -> bool:
    base, language = _base_column(column)
    if language is not None:
        return base in TRANSLATABLE_SURVEY_COLUMNS
    return base in TRANSLATABLE_SURVEY_COLUMNS or base in PLAIN_SURVEY_COLUMNS


def _choice_column_ok(column: str) -> bool:
    base, language = _base_column(column)
    if base in ("list_name", "name", "label"):
        return language is None or base == "label"
    return _is_choice_property(column)


def _is_choice_property(column: str) -> bool:
    base, language = _base_column(column)
    if base in ("list_name", "name", "label") or base in MEDIA_COLUMNS or language is not None:
        return False
    # A choice property is referenced by bare name in a choice_filter: it must be a plain name.
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", base) is not None


def _check_columns(headers: list[str], sheet: str, path: Path, ok) -> list[FormatError]:
    return [
        FormatError("unsupported column", path=path, sheet=sheet, line=1, column=column)
        for column in headers
        if not ok(column)
    ]


def _question_names(rows, path: Path, problems: list[FormatError]) -> set[str]:
    """Names of questions and groups; ${name} references need them unique across the form."""
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        name = row.get("name")
        if not name:
            continue
        if name in seen:
            problems.append(FormatError(
                f"name '{name}' already used at row {seen[name]}; names must be unique in the form",
                path=path, sheet=SURVEY, line=_row_number(index), column="name",
            ))
        else:
            seen[name] = _row_number(index)
    return set(seen)


def _classify_type(type_text: str) -> tuple[str | None, str | None, bool, str | None]:
    """(atout type or None if unsupported, list name or file, or_other, reason when unsupported)."""
    text = " ".join(type_text.split())
    lowered = text.lower()
    if lowered in GROUP_TYPES:
        return "group_" + GROUP_TYPES[lowered], None, False, None
    if lowered in PLAIN_TYPES:
        return PLAIN_TYPES[lowered], None, False, None
    if lowered == "range":
        return "score", None, False, None
    words = text.split(" ")
    head = words[0].lower()
    if head in ("select_one_from_file", "select_multiple_from_file"):
        if head == "select_one_from_file" and len(words) == 2 and words[1] == COMMUNE_FILE:
            return "commune", COMMUNE_FILE, False, None
        return None, None, False, f"only 'select_one_from_file {COMMUNE_FILE}' (commune) is supported"
    for spelling, kind in SELECT_TYPES.items():
        if lowered.startswith(spelling + " "):
            rest = text[len(spelling) + 1 :].split()
            or_other = len(rest) == 2 and rest[1] == "or_other"
            if len(rest) == 1 or (or_other and kind == "select_multiple") or (or_other and kind == "select_one"):
                return kind, rest[0], or_other, None
            return None, None, False, "expected a list name, optionally followed by 'or_other'"
    return None, None, False, None


def _check_survey_row(row: dict, line: int, names: set[str], choice_columns: set[str], path: Path) -> list[FormatError]:
    problems: list[FormatError] = []

    def problem(message: str, column: str) -> None:
        problems.append(FormatError(message, path=path, sheet=SURVEY, line=line, column=column))

    type_text = row.get("type", "")
    kind, _, _, reason = _classify_type(type_text) if type_text else (None, None, False, None)
    if not type_text:
        problem("a row with content needs a type", "type")
        return problems
    if kind is None:
        problem(f"unsupported question type '{type_text}'" + (f": {reason}" if reason else ""), "type")
        return problems
    if kind == "group_end":
        return problems
    if not row.get("name"):
        problem("missing name", "name")
    parameters = row.get("parameters")
    if kind == "score":
        reason = _score_parameters_problem(parameters)
        if reason:
            problem(reason, "parameters")
    elif parameters:
        problem("parameters are supported only for 'range' (score) questions", "parameters")
    appearance_text = row.get("appearance") or ""
    if "(" in appearance_text:
        problem(f"unsupported appearance '{appearance_text}': functions such as search() are not supported", "appearance")
    else:
        for appearance in appearance_text.split():
            if appearance not in SUPPORTED_APPEARANCES:
                problem(f"unsupported appearance '{appearance}'", "appearance")
    required = str(row.get("required", "")).strip().lower()
    if required and required not in REQUIRED_TRUE | REQUIRED_FALSE:
        problem(f"required must be yes or no (conditional 'required' is not supported), got {row['required']!r}", "required")
    for column in ("relevant", "constraint", "choice_filter"):
        if row.get(column):
            problems += _check_expression(row[column], column, kind, line, names, choice_columns, path)
    if row.get("choice_filter") and kind not in CHOICE_TYPES:
        problem("choice_filter needs a question with a choice list", "choice_filter")
    if row.get("constraint") and kind.startswith("group_"):
        problem("a group cannot have a constraint", "constraint")
    return problems


def _score_parameters_problem(parameters: str | None) -> str | None:
    values = dict(part.split("=", 1) for part in (parameters or "").replace(";", " ").split() if "=" in part)
    try:
        start, end, step = (float(values.get(key, default)) for key, default in (("start", "x"), ("end", "x"), ("step", "1")))
    except ValueError:
        return "a score (range) needs integer 'start=' and 'end=' parameters, e.g. start=0 end=10 step=1"
    if step != 1 or not start.is_integer() or not end.is_integer() or start >= end:
        return "a score (range) needs integer start < end and step=1, e.g. start=0 end=10 step=1"
    return None


def _check_expression(text, column, kind, line, names, choice_columns, path) -> list[FormatError]:
    def problem(message: str) -> FormatError:
        return FormatError(message, path=path, sheet=SURVEY, line=line, column=column)

    try:
        tree = expressions.parse(text)
    except expressions.ExpressionError as exc:
        return [problem(f"invalid expression {text!r}: {exc}")]
    problems = [problem(f"reference to unknown question ${{{name}}}") for name in expressions.references(tree) if name not in names]
    bare = expressions.choice_columns(tree)
    if column == "choice_filter":
        problems += [problem(f"choice_filter uses '{b}', which is not a column of the choices sheet") for b in bare if b not in choice_columns]
    elif bare:
        problems.append(problem(f"bare name '{bare[0]}': refer to a question as ${{{bare[0]}}}"))
    if column == "relevant" and expressions.uses_current(tree):
        problems.append(problem("'.' (the current value) is only meaningful in a constraint"))
    return problems


# ---------------------------------------------------------------------------------------------
# pyxform JSON → neutral structure


def _to_form(form_json: dict, workbook, path: Path) -> Form:
    settings = (workbook.settings or [{}])[0]
    default_language = settings.get("default_language") or DEFAULT_LANGUAGE
    rows_by_name = {row["name"]: row for row in workbook.survey if row.get("name")}
    choice_headers = _headers(workbook.choices_header)
    properties = [c for c in choice_headers if _is_choice_property(c)]
    context = _Context(default_language, rows_by_name, properties, _raw_choices(workbook))
    items = context.items(form_json.get("children", []))
    return Form(
        # Without a settings sheet, the file name stands for the title and the id.
        title=str(settings.get("form_title") or path.stem),
        id=str(settings.get("form_id") or _form_name(path)),
        version=str(settings["version"]) if settings.get("version") else None,
        default_language=default_language,
        languages=_languages(workbook, default_language),
        items=items,
    )


def _languages(workbook, default_language: str) -> list[str]:
    found: dict[str, None] = {}
    for column in _headers(workbook.survey_header) + _headers(workbook.choices_header):
        base, language = _base_column(column)
        if base in TRANSLATABLE_SURVEY_COLUMNS:
            found.setdefault(language or default_language, None)
    languages = list(found)
    if default_language in languages:  # default first, the others in column order
        languages.remove(default_language)
        languages.insert(0, default_language)
    return languages


def _raw_choices(workbook) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {}
    for row in workbook.choices or []:
        if row.get("list_name"):
            lists.setdefault(row["list_name"], []).append(row)
    return lists


class _Context:
    def __init__(self, default_language, rows_by_name, properties, raw_choices):
        self.default_language = default_language
        self.rows_by_name = rows_by_name
        self.properties = properties
        self.raw_choices = raw_choices

    def texts(self, value: Any) -> dict[str, str]:
        """pyxform gives a plain string for untranslated text, a language → text dict otherwise."""
        if not value:
            return {}
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items() if v not in (None, "")}
        return {self.default_language: str(value)}

    def items(self, children: list[dict]) -> list[Question | Group]:
        items: list[Question | Group] = []
        for child in children:
            name = child.get("name", "")
            if name.startswith(GENERATED_NAME_PREFIXES) or name not in self.rows_by_name:
                # pyxform's additions: table-list headers, or_other's text question, the meta group
                continue
            if child.get("type") == "group":
                items.append(self.group(child))
            else:
                items.append(self.question(child))
        return items

    def group(self, node: dict) -> Group:
        row = self.rows_by_name[node["name"]]
        labels = self.texts(node.get("label"))
        if not labels:
            # table-list: pyxform moves the group's label to a generated note
            generated = [c for c in node.get("children", []) if c.get("name", "").startswith(GENERATED_NAME_PREFIXES[0])]
            labels = self.texts(generated[0].get("label")) if generated else {}
        return Group(
            name=node["name"],
            labels=labels,
            relevant=row.get("relevant") or None,
            appearance=row.get("appearance") or None,
            children=self.items(node.get("children", [])),
        )

    def question(self, node: dict) -> Question:
        row = self.rows_by_name[node["name"]]
        kind, list_name, or_other, _ = _classify_type(row["type"])
        bind = node.get("bind", {})
        appearance = row.get("appearance") or None
        if kind == "select_one" and "likert" in (appearance or "").split():
            kind = "likert"
        question = Question(
            name=node["name"],
            type=kind,
            labels=self.texts(node.get("label")),
            hints=self.texts(node.get("hint")),
            required=str(bind.get("required", "")).strip().lower() in REQUIRED_TRUE,
            required_message=self.texts(bind.get("jr:requiredMsg")),
            relevant=row.get("relevant") or None,
            constraint=row.get("constraint") or None,
            constraint_message=self.texts(bind.get("jr:constraintMsg")),
            appearance=appearance,
            list_name=list_name if kind in CHOICE_TYPES or kind == "commune" else None,
            or_other=or_other,
            choice_filter=row.get("choice_filter") or None,
        )
        if kind in CHOICE_TYPES:
            question.choices = self.choices(node.get("choices", []), list_name, or_other)
        question.bounds = _bounds(kind, row)
        return question

    def choices(self, nodes: list[dict], list_name: str, or_other: bool) -> list[Choice]:
        raw = {r.get("name"): r for r in self.raw_choices.get(list_name, [])}
        result = []
        for node in nodes:
            name = str(node["name"])
            if or_other and name == "other" and "other" not in raw:
                continue  # added by pyxform for or_other
            row = raw.get(name, {})
            props = {p: str(row[p]) for p in self.properties if row.get(p) not in (None, "")}
            result.append(Choice(name=name, labels=self.texts(node.get("label")), properties=props))
        return result


def _bounds(kind: str, row: dict) -> tuple[float | None, float | None] | None:
    if kind == "score":
        values = dict(p.split("=", 1) for p in row.get("parameters", "").replace(";", " ").split() if "=" in p)
        return (float(values["start"]), float(values["end"]))
    if kind in ("integer", "decimal") and row.get("constraint"):
        low, high = expressions.numeric_bounds(row["constraint"])
        if low is not None or high is not None:
            return (low, high)
    return None


# ---------------------------------------------------------------------------------------------
# Writing


def write_xlsform(form: Form, path: str | Path) -> Path:
    """Write ``form`` as an XLSForm ``.xlsx`` (sheets ``survey``, ``choices``, ``settings``).

    Reading the written file with :func:`read_xlsform` gives back an equal :class:`Form`.
    Output: the path written.

    Formula injection: every cell is written as a *string* cell (:func:`_append`), never as a
    formula, so a label such as ``=HYPERLINK(…)`` is shown as text by a spreadsheet program and
    nothing runs. No apostrophe is added (unlike the response exports): an XLSForm is read by ODK,
    Kobo and pyxform, which take the cell text literally, so an apostrophe would change labels and
    expressions (``relevant``, ``constraint``) in those tools.
    """
    from openpyxl import Workbook

    path = Path(path)
    workbook = Workbook()
    survey = workbook.active
    survey.title = SURVEY
    languages = form.languages or [form.default_language]
    columns = _survey_columns(form, languages)
    _append(survey, [header for header, _ in columns])
    for row in _survey_rows(form.items):
        _append(survey, [_cell(row, key) for _, key in columns])
    choices_sheet = workbook.create_sheet(CHOICES)
    lists = _choice_lists(form.questions())
    properties = list(dict.fromkeys(p for choices in lists.values() for c in choices for p in c.properties))
    _append(choices_sheet, ["list_name", "name"] + [_language_column("label", lang) for lang in languages] + properties)
    for list_name, choices in lists.items():
        for choice in choices:
            _append(choices_sheet,
                [list_name, choice.name] + [choice.labels.get(lang) for lang in languages] + [choice.properties.get(p) for p in properties]
            )
    settings = workbook.create_sheet(SETTINGS)
    header = ["form_title", "form_id", "version"]
    values = [form.title, form.id, form.version]
    if form.default_language != DEFAULT_LANGUAGE:
        header.append("default_language")
        values.append(form.default_language)
    _append(settings, header)
    _append(settings, values)
    workbook.save(path)
    return path


def _append(sheet, values: list) -> None:
    """``sheet.append(values)``, text starting with ``=`` kept as text (openpyxl would store a formula)."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def _language_column(base: str, language: str) -> str:
    return base if language == DEFAULT_LANGUAGE else f"{base}::{language}"


def _survey_columns(form: Form, languages: list[str]) -> list[tuple[str, tuple[str, str | None]]]:
    """(header, (field, language)) pairs; optional translatable columns only when some item uses them."""
    questions = form.questions()
    columns = [("type", ("type", None)), ("name", ("name", None))]
    columns += [(_language_column("label", lang), ("labels", lang)) for lang in languages]
    for base, attribute in (("hint", "hints"), ("constraint_message", "constraint_message"), ("required_message", "required_message")):
        used = [lang for lang in languages if any(getattr(q, attribute).get(lang) for q in questions)]
        columns += [(_language_column(base, lang), (attribute, lang)) for lang in used]
    columns += [(name, (name, None)) for name in ("required", "relevant", "constraint", "appearance", "choice_filter", "parameters")]
    return columns


def _survey_rows(items: list[Question | Group]) -> list[dict]:
    rows: list[dict] = []
    for item in items:
        if isinstance(item, Group):
            rows.append({"type": "begin_group", "name": item.name, "labels": item.labels,
                         "relevant": item.relevant, "appearance": item.appearance})
            rows += _survey_rows(item.children)
            rows.append({"type": "end_group"})
        else:
            rows.append(_question_row(item))
    return rows


def _question_row(question: Question) -> dict:
    row = {
        "type": _type_text(question),
        "name": question.name,
        "labels": question.labels,
        "hints": question.hints,
        "constraint_message": question.constraint_message,
        "required_message": question.required_message,
        "required": "yes" if question.required else None,
        "relevant": question.relevant,
        "constraint": question.constraint,
        "appearance": question.appearance,
        "choice_filter": question.choice_filter,
    }
    if question.type == "score":
        low, high = question.bounds
        row["parameters"] = f"start={_number_text(low)} end={_number_text(high)} step=1"
    return row


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _type_text(question: Question) -> str:
    if question.type in ("select_one", "likert"):
        return f"select_one {question.list_name}" + (" or_other" if question.or_other else "")
    if question.type == "select_multiple":
        return f"select_multiple {question.list_name}" + (" or_other" if question.or_other else "")
    if question.type == "rank":
        return f"rank {question.list_name}"
    if question.type == "commune":
        return f"select_one_from_file {COMMUNE_FILE}"
    if question.type == "score":
        return "range"
    return question.type


def _cell(row: dict, key: tuple[str, str | None]):
    attribute, language = key
    value = row.get(attribute)
    if language is not None:
        return (value or {}).get(language)
    return value


def _choice_lists(questions: list[Question]) -> dict[str, list[Choice]]:
    lists: dict[str, list[Choice]] = {}
    for question in questions:
        if question.type in CHOICE_TYPES and question.list_name not in lists:
            lists[question.list_name] = question.choices
    return lists
