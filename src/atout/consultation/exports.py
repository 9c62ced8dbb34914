"""Response exports with stable columns, streamed; and imports of LimeSurvey / Kobo CSV exports.

Columns never depend on who answered what: the response's facts, the profile, then for each
question of the survey (every version, current order first) its code column and, for choices, a
``<name>_label`` column (conditional questions not asked are simply empty). Rows are read from
two ordered queries through server-side cursors and pivoted one response at a time, so memory
stays flat whatever the number of responses. No cell can start a spreadsheet formula: text that
begins with ``= + - @`` (other than a plain number) gets a leading apostrophe
(:mod:`atout.engine.formats.cells`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone

from atout.engine.formats.cells import TRIGGER_SET, safe_cell, safe_row
from atout.engine.formats.errors import FormatError
from atout.engine.formats.xlsform import Form, Question

from . import answering
from .models import Answer, Response, Survey
from .services import answer_rows, profile_columns
from .structure import form_from_dict, text

FIXED_COLUMNS = ["receipt", "submitted_at", "version", "simulated", "source", "weight", "age_band", "sex",
                 "commune_code", "commune", "epci", "zone", "profile_status"]
LABELLED_TYPES = ("select_one", "likert", "select_multiple", "rank", "commune")


def export_questions(survey: Survey) -> list[Question]:
    """Questions of every version, current version's order first, then those only in older ones."""
    found: dict[str, Question] = {}
    versions = list(survey.versions.order_by("-number"))
    current = survey.current_version
    ordered = ([current] if current else []) + [v for v in versions if current is None or v.pk != current.pk]
    for version in ordered:
        for q in form_from_dict(version.structure).questions():
            if q.type != "note" and q.name not in found:
                found[q.name] = q
    return list(found.values())


def columns(questions: list[Question]) -> list[str]:
    names = list(FIXED_COLUMNS)
    for q in questions:
        names.append(q.name)
        if q.type in LABELLED_TYPES:
            names.append(f"{q.name}_label")
        if q.or_other:
            names.append(f"{q.name}_other")
    return names


def rows(survey: Survey, language: str = "fr") -> Iterator[list]:
    """The header, then one list of texts per submitted response, in response order (streamed).

    Two queries ordered by response id are read side by side — the responses, and every answer
    row of their answers — through server-side cursors (:func:`_batches`), and each response's
    answers are placed in its line as they come. Every cell is made safe where it is produced
    (:func:`_safe`): labels once, fixed columns and answer values per row."""
    questions = export_questions(survey)
    header = columns(questions)
    yield safe_row(header)
    index = {name: i for i, name in enumerate(header)}
    communes = {}
    if any(q.type == "commune" for q in questions):
        communes = {code: _safe(name) for code, name in survey.process.territory.communes().values_list("code", "name")}
    # answer row's question → (its column, the (safe) labels of its codes, or None without a label column)
    slots: dict[str, tuple[int, dict | None]] = {}
    for q in questions:
        names = None
        if q.type in LABELLED_TYPES:
            names = communes if q.type == "commune" else {c.name: _safe(text(c.labels, language)) for c in q.choices}
        slots[q.name] = (index[q.name], names)
        if q.or_other:
            slots[f"{q.name}_other"] = (index[f"{q.name}_other"], None)
    blanks = [""] * (len(header) - len(FIXED_COLUMNS))
    answer_table, response_table, version_table = (Answer._meta.db_table, Response._meta.db_table,
                                                   Response._meta.get_field("version").related_model._meta.db_table)
    territory_table = Response._meta.get_field("zone").related_model._meta.db_table
    submitted = [survey.pk, Response.Status.SUBMITTED]
    # Both ordered by response id; the (survey, status) index gives the responses in id order and
    # the (response, question) index their answers, so neither query sorts the whole table.
    responses = _batches(f"""
        SELECT r.id, r.receipt, r.submitted_at, v.number, r.simulated, r.source, r.weight, r.age_band, r.sex,
               c.code, c.name, e.name, z.name, r.profile_status
        FROM {response_table} r JOIN {version_table} v ON v.id = r.version_id
        LEFT JOIN {territory_table} c ON c.id = r.commune_id LEFT JOIN {territory_table} e ON e.id = r.epci_id
        LEFT JOIN {territory_table} z ON z.id = r.zone_id
        WHERE r.survey_id = %s AND r.status = %s ORDER BY r.id""", submitted)
    answers = _batches(f"""
        SELECT a.response_id, a.question, a.choice, a.number, a.text, a.date
        FROM {response_table} r JOIN {answer_table} a ON a.response_id = r.id
        WHERE r.survey_id = %s AND r.status = %s ORDER BY r.id, a.question, a.position""", submitted)
    batch, i = next(answers, []), 0
    size = len(batch)
    for chunk in responses:
        for (response_id, receipt, submitted_at, version, simulated, source, weight, age_band, sex, commune_code,
             commune, epci, zone, status) in chunk:
            line = [receipt or "", _timestamp(submitted_at), str(version), "1" if simulated else "0", _safe(source),
                    "" if weight is None else repr(weight), age_band, sex, commune_code or "", _safe(commune or ""),
                    _safe(epci or ""), _safe(zone or ""), status, *blanks]
            while True:
                if i == size:
                    batch, i = next(answers, []), 0
                    size = len(batch)
                    if not size:
                        break
                row = batch[i]
                if row[0] != response_id:
                    if row[0] < response_id:  # cannot happen (same responses, same order); skipped if it did
                        i += 1
                        continue
                    break
                i += 1
                slot = slots.get(row[1])
                if slot is None:
                    continue
                choice, number, text_value, date = row[2], row[3], row[4], row[5]
                if choice:
                    value = choice
                elif number is not None:
                    value = _number_text(number)
                elif text_value:
                    value = text_value
                else:
                    value = date.isoformat() if hasattr(date, "isoformat") else (date or "")
                if value[:1] in TRIGGER_SET:
                    value = safe_cell(value)
                column, names = slot
                if line[column] == "":
                    line[column] = value
                    if names is not None:
                        line[column + 1] = names.get(value, value)
                else:  # several values of one question (multiple choice, ranking), in their order
                    line[column] += " " + value
                    if names is not None:
                        line[column + 1] += " | " + names.get(value, value)
            yield line


def _safe(value: str) -> str:
    return safe_cell(value) if value[:1] in TRIGGER_SET else value


def _batches(sql: str, params: list, size: int = 5000) -> Iterator[list[tuple]]:
    """Rows of ``sql`` in lists of ``size``, from a server-side cursor (PostgreSQL) or the SQLite
    cursor, so memory does not grow with the number of rows."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            batch = cursor.fetchmany(size)
            if not batch:
                return
            yield batch


def _timestamp(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite through a raw cursor: stored in UTC, given as the ORM would
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class _Echo:
    def write(self, value):
        return value


def csv_lines(survey: Survey, *, excel: bool = False, language: str = "fr") -> Iterator[str]:
    """CSV text line by line: UTF-8 with ',' or, for Excel, ';' with a byte-order mark."""
    writer = csv.writer(_Echo(), delimiter=";" if excel else ",", lineterminator="\r\n")
    if excel:
        yield "\ufeff"
    for line in rows(survey, language):
        yield writer.writerow(line)  # rows() gives text already


def write_csv(survey: Survey, path: Path, *, excel: bool = False) -> int:
    """Write the CSV export; output: the number of response rows."""
    count = -1
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for line in csv_lines(survey, excel=excel):
            handle.write(line)
            count += line != "\ufeff"
    return max(count, 0)


#: The size of an Excel sheet (Excel's specifications; openpyxl writes more, which Excel refuses to open).
XLSX_MAX_COLUMNS = 16_384
XLSX_MAX_ROWS = 1_048_576


class TooLargeForXlsx(Exception):
    """The export cannot fit one Excel sheet: ``columns`` and ``rows`` (header included) it would need."""

    def __init__(self, columns: int, rows: int):
        self.columns, self.rows = columns, rows
        super().__init__(f"{columns:,} columns and {rows:,} rows; an Excel sheet holds at most "
                         f"{XLSX_MAX_COLUMNS:,} columns and {XLSX_MAX_ROWS:,} rows")


def xlsx_overflow(survey: Survey) -> TooLargeForXlsx | None:
    """Why the survey's export cannot fit one Excel sheet (too many columns or rows), or None."""
    width = len(columns(export_questions(survey)))
    height = 1 + (survey.responses.filter(status=Response.Status.SUBMITTED).count() if width <= XLSX_MAX_COLUMNS else 0)
    if width > XLSX_MAX_COLUMNS or height > XLSX_MAX_ROWS:
        return TooLargeForXlsx(width, height)
    return None


def write_xlsx(survey: Survey, target) -> int:
    """Write the XLSX export (openpyxl write-only mode, constant memory); ``target`` is a path or file.

    Raises :class:`TooLargeForXlsx` (nothing written) when the export cannot fit one sheet. Characters
    a workbook cannot hold (C0 controls, stored before answers were cleaned on input or brought by an
    import) are left out of the cells."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    overflow = xlsx_overflow(survey)
    if overflow is not None:
        raise overflow
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("reponses")
    count = -1
    for line in rows(survey):
        if ILLEGAL_CHARACTERS_RE.search("".join(line)):  # one search per row; cleaned cell by cell when needed
            line = [ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in line]
        sheet.append(line)
        count += 1
    workbook.save(target)
    return max(count, 0)


# ---------------------------------------------------------------------------------------------
# Imports of external responses


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    if not path.is_file():
        raise FormatError("no such file", path=path)
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = list(csv.reader(io.StringIO(content), delimiter=delimiter))
    if not reader or not any(h.strip() for h in reader[0]):
        raise FormatError("empty file, expected a header line", path=path, line=1)
    return [h.strip() for h in reader[0]], reader[1:]


def _column_map(header: list[str], form: Form, source: str) -> dict[str, tuple[str, str | None]]:
    """CSV column → (question name, option code for one-column-per-option multiple choices)."""
    questions = {q.name: q for q in form.questions()}
    found: dict[str, tuple[str, str | None]] = {}
    for column in header:
        name = column
        if source == "kobo":
            name = column.split("/")[-1]  # Kobo prefixes group paths: group/question
            if "/" in name:
                continue
        option = None
        if source == "limesurvey" and "[" in name and name.endswith("]"):
            name, option = name[:-1].split("[", 1)
        elif source == "kobo" and "/" in column and column.split("/")[-2] in questions and questions[column.split("/")[-2]].type == "select_multiple":
            name, option = column.split("/")[-2], column.split("/")[-1]
        if name in questions:
            found[column] = (name, option)
    return found


def import_responses(path: Path, survey: Survey, source: str) -> dict:
    """Import a LimeSurvey or Kobo CSV export as submitted responses (source ``import``).

    Columns named like the survey's questions are read (Kobo: ``group/question``, multiple choice
    space-separated or one ``question/option`` column of 0/1; LimeSurvey: ``question[option]`` with
    Y). Every row is checked like a web answer (choices, numbers, dates, constraints).
    All-or-nothing: one bad cell and nothing is imported; the error lists every rejected row.
    Output: ``{"imported": n, "columns": [...], "ignored_columns": [...]}``.
    """
    if source not in ("limesurvey", "kobo"):
        raise FormatError(f"unknown format {source!r}: expected limesurvey or kobo", path=path)
    header, records = _read_csv(path)
    form = form_from_dict(survey.current_version.structure)
    mapping = _column_map(header, form, source)
    if not mapping:
        raise FormatError("no column matches a question of the survey", path=path, line=1)
    questions = {q.name: q for q in form.questions()}
    communes = list(survey.process.territory.communes().values_list("code", "name"))
    problems: list[FormatError] = []
    parsed: list[tuple[dict, str]] = []
    id_column = next((c for c in ("_uuid", "id", "_id", "meta/instanceID") if c in header), None)
    for line, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(FormatError(f"{len(record)} fields, expected {len(header)}", path=path, line=line))
            continue
        data = QueryDict(mutable=True)
        for column, value in zip(header, record, strict=True):
            if column not in mapping or not value.strip():
                continue
            name, option = mapping[column]
            if option is not None:
                if value.strip().lower() in ("y", "1", "yes", "oui", "true"):
                    data.appendlist(name, option)
            elif questions[name].type == "select_multiple":
                for code in value.split():
                    data.appendlist(name, code)
            else:
                data[name] = value.strip()
        answers: dict = {}
        for name, question in questions.items():
            if name not in data:
                continue
            value, error, _raw = answering.parse_value(question, data, answers, communes)
            if error is None and not answering.is_empty(value) and question.constraint:
                from atout.engine import expressions

                if not expressions.evaluate_condition(question.constraint, answers, current=value):
                    error = "constraint not met"
            if error:
                column = next(c for c, (n, _o) in mapping.items() if n == name)
                problems.append(FormatError(f"{error} ({data.get(name)!r})", path=path, line=line, column=column))
            else:
                answers[name] = value
        parsed.append((answers, record[header.index(id_column)] if id_column else str(line)))
    if problems:
        raise FormatError.collect(problems, path=path)
    now = timezone.now()
    with transaction.atomic():
        for answers, external_id in parsed:
            response = Response.objects.create(
                survey=survey, version=survey.current_version, status=Response.Status.SUBMITTED, submitted_at=now,
                source=source, external_id=external_id[:100], **profile_columns(answers),
            )
            from .models import new_receipt

            response.receipt = new_receipt()
            response.save(update_fields=["receipt"])
            Answer.objects.bulk_create(answer_rows(survey, response, form, answers), batch_size=500)
    return {"imported": len(parsed), "columns": sorted(mapping), "ignored_columns": [c for c in header if c not in mapping],
            "imported_at": now.isoformat(), "date": dt.date.today().isoformat()}
