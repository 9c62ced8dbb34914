"""Stakeholder directory files (CSV or XLSX): organisations and contact persons, one row each.

A row names an organisation, a person, or a person within an organisation. Columns (header names
are case-insensitive; French aliases in brackets are accepted):

- ``organisation`` [organisme]: organisation name
- ``kind`` [type]: company, association, institution, school, sports_club, health, media
- ``sector`` [secteur]: a sector code or name (checked against the configured list by the app)
- ``commune``: INSEE commune code (5 characters, ``2A``/``2B`` allowed)
- ``first_name`` [prenom], ``last_name`` [nom], ``email`` [courriel], ``phone`` [telephone]
- ``category`` [categorie]: elected, citizen, business, expert, athlete, association, health, young, other
- ``consent_purpose`` [finalite], ``consent_date`` [date_consentement], ``consent_source``
  [source_consentement], ``consent_text_version`` [version_texte]: a person is kept only with
  a recorded consent, so these four are required on every row naming a person.

:func:`read_stakeholders` is all-or-nothing: it returns every row or raises one :class:`FormatError`
listing every problem with its line and column. :func:`duplicate_suggestions` proposes pairs of
records that are probably the same person or organisation.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .errors import FormatError

ORGANISATION_KINDS = ("company", "association", "institution", "school", "sports_club", "health", "media")
CATEGORIES = ("elected", "citizen", "business", "expert", "athlete", "association", "health", "young", "other")

#: Canonical column → accepted header spellings (already normalised: lower case, no accents).
COLUMNS = {
    "organisation": ("organisation", "organisme", "organization"),
    "kind": ("kind", "type"),
    "sector": ("sector", "secteur"),
    "commune": ("commune", "code_commune", "insee"),
    "first_name": ("first_name", "prenom"),
    "last_name": ("last_name", "nom"),
    "email": ("email", "courriel", "e-mail", "mail"),
    "phone": ("phone", "telephone"),
    "category": ("category", "categorie"),
    "consent_purpose": ("consent_purpose", "finalite"),
    "consent_date": ("consent_date", "date_consentement"),
    "consent_source": ("consent_source", "source_consentement"),
    "consent_text_version": ("consent_text_version", "version_texte"),
}
CONSENT_COLUMNS = ("consent_purpose", "consent_date", "consent_source", "consent_text_version")

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COMMUNE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
#: Two names in the same commune at least this similar (difflib ratio, 0–1) are suggested as duplicates.
NAME_SIMILARITY = 0.85


@dataclass(frozen=True)
class StakeholderRow:
    """One valid row; ``line`` is its line in the file (the header is line 1)."""

    line: int
    organisation: str = ""
    kind: str = ""
    sector: str = ""
    commune: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    category: str = ""
    consent_purpose: str = ""
    consent_date: dt.date | None = None
    consent_source: str = ""
    consent_text_version: str = ""

    @property
    def is_person(self) -> bool:
        return bool(self.first_name or self.last_name)


def normalise(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: how names and headers are compared."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("_", " ").split()).replace(" ", "_")


def read_stakeholders(path: str | Path) -> list[StakeholderRow]:
    """Read a CSV (``,`` or ``;``, UTF-8) or XLSX stakeholder file.

    Returns the rows in file order. Raises :class:`FormatError` naming the file, and for each
    problem its line and column, when any row is invalid: nothing is returned in part.
    """
    path = Path(path)
    if not path.exists():
        raise FormatError("file not found", path=path)
    header, rows, sheet = _read_table(path)
    mapping = _map_header(header, path, sheet)
    problems: list[FormatError] = []
    result = []
    for line, values in rows:
        if not any(str(v).strip() for v in values):
            continue  # blank lines are common at the end of spreadsheets
        record = {name: _cell(values, index) for name, index in mapping.items()}
        row, row_problems = _validate(record, line, path, sheet)
        problems.extend(row_problems)
        if row is not None:
            result.append(row)
    if problems:
        raise FormatError.collect(problems, path=path)
    if not result:
        raise FormatError("no data rows", path=path, sheet=sheet)
    return result


def _read_table(path: Path) -> tuple[list[str], list[tuple[int, list]], str | None]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if path.suffix.lower() not in (".csv", ".txt"):
        raise FormatError(f"unsupported file type {path.suffix!r}: use .csv or .xlsx", path=path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FormatError("not UTF-8 text (save the file as CSV UTF-8)", path=path, line=line) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    # newline="": the csv module reads line ends itself, so a carriage return inside a cell is data.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        rows = [(reader.line_num, values) for values in reader]
    except StopIteration:
        raise FormatError("empty file", path=path) from None
    except csv.Error as exc:
        raise FormatError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from exc
    return header, rows, None


def _read_xlsx(path: Path) -> tuple[list[str], list[tuple[int, list]], str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken file
        raise FormatError(f"not a readable XLSX workbook ({exc})", path=path) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = ["" if v is None else str(v) for v in next(rows)]
    except StopIteration:
        raise FormatError("empty sheet", path=path, sheet=sheet.title) from None
    data = [(i, ["" if v is None else v for v in values]) for i, values in enumerate(rows, start=2)]
    book.close()
    return header, data, sheet.title


def _map_header(header: list[str], path: Path, sheet: str | None) -> dict[str, int]:
    aliases = {alias: name for name, spellings in COLUMNS.items() for alias in spellings}
    mapping: dict[str, int] = {}
    problems = []
    for index, title in enumerate(header):
        key = normalise(title)
        if not key:
            continue
        name = aliases.get(key)
        if name is None:
            problems.append(FormatError(f"unknown column {title!r}", path=path, sheet=sheet, line=1, column=title))
        elif name in mapping:
            problems.append(FormatError(f"column {name!r} appears twice", path=path, sheet=sheet, line=1, column=title))
        else:
            mapping[name] = index
    if "organisation" not in mapping and "last_name" not in mapping:
        problems.append(FormatError("needs an 'organisation' or a 'last_name' column", path=path, sheet=sheet, line=1))
    if problems:
        raise FormatError.collect(problems, path=path)
    return mapping


def _cell(values: list, index: int):
    value = values[index] if index < len(values) else ""
    return value.strip() if isinstance(value, str) else value


def _validate(record: dict, line: int, path: Path, sheet: str | None) -> tuple[StakeholderRow | None, list[FormatError]]:
    problems = []

    def problem(column: str, message: str) -> None:
        problems.append(FormatError(message, path=path, sheet=sheet, line=line, column=column))

    text = {k: ("" if v is None or isinstance(v, dt.date) else str(v).strip()) for k, v in record.items()}
    if not text.get("organisation") and not text.get("first_name") and not text.get("last_name"):
        problem("organisation", "a row names an organisation or a person")
    kind = text.get("kind", "").lower()
    if kind and kind not in ORGANISATION_KINDS:
        problem("kind", f"unknown kind {kind!r} (expected one of {', '.join(ORGANISATION_KINDS)})")
    if text.get("organisation") and not kind:
        problem("kind", "an organisation needs a kind")
    commune = text.get("commune", "").upper()
    if commune and commune.isdigit() and len(commune) == 4:
        commune = "0" + commune  # spreadsheets drop the leading zero of codes like 01001
    if commune and not COMMUNE_RE.match(commune):
        problem("commune", f"{commune!r} is not an INSEE commune code (5 characters)")
    email = text.get("email", "").lower()
    if email and not EMAIL_RE.match(email):
        problem("email", f"{email!r} is not an e-mail address")
    category = text.get("category", "").lower()
    if category and category not in CATEGORIES:
        problem("category", f"unknown category {category!r} (expected one of {', '.join(CATEGORIES)})")
    is_person = bool(text.get("first_name") or text.get("last_name"))
    consent_date = None
    if is_person:
        if not category:
            problem("category", "a person needs a category")
        for column in CONSENT_COLUMNS:
            if not text.get(column) and not isinstance(record.get(column), dt.date):
                problem(column, "a person is kept only with a recorded consent: this field is required")
        consent_date = _date(record.get("consent_date"), problem)
    if problems:
        return None, problems
    return StakeholderRow(
        line=line, organisation=text.get("organisation", ""), kind=kind, sector=text.get("sector", ""),
        commune=commune, first_name=text.get("first_name", ""), last_name=text.get("last_name", ""),
        email=email, phone=text.get("phone", ""), category=category,
        consent_purpose=text.get("consent_purpose", ""), consent_date=consent_date,
        consent_source=text.get("consent_source", ""), consent_text_version=text.get("consent_text_version", ""),
    ), []


def _date(value, problem) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    problem("consent_date", f"{text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")
    return None


# --- deduplication ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """What deduplication compares: an id of the caller's choosing, a display name, e-mail, commune."""

    id: object
    name: str
    email: str = ""
    commune: str = ""


@dataclass(frozen=True)
class Suggestion:
    """Two records that are probably the same; ``reason`` is ``"email"`` or ``"name"``; ``score`` 0–1."""

    first: object
    second: object
    reason: str
    score: float


def duplicate_suggestions(records: list[Record], *, threshold: float = NAME_SIMILARITY) -> list[Suggestion]:
    """Pairs of records sharing an e-mail address, or with close names in the same commune.

    Names are compared with :class:`difflib.SequenceMatcher` after removing accents and case
    (``"Eric Durand"`` ~ ``"Éric Durant"``). Comparisons are made only within a commune, so the cost
    is the sum of the squared commune sizes, not the square of the directory. Returns suggestions
    sorted by decreasing score, each pair once (an e-mail match wins over a name match).
    """
    found: dict[tuple, Suggestion] = {}
    by_email: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.email:
            by_email[record.email.strip().lower()].append(record)
    for group in by_email.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                found[(a.id, b.id)] = Suggestion(a.id, b.id, "email", 1.0)
    by_commune: dict[str, list[tuple[Record, str]]] = defaultdict(list)
    for record in records:
        if record.commune and record.name.strip():
            by_commune[record.commune].append((record, normalise(record.name)))
    for group in by_commune.values():
        for i, (a, name_a) in enumerate(group):
            # seq2 is the one SequenceMatcher indexes: keep it fixed for the inner loop.
            matcher = difflib.SequenceMatcher(None, "", name_a)
            for b, name_b in group[i + 1:]:
                if (a.id, b.id) in found:
                    continue
                matcher.set_seq1(name_b)
                # quick_ratio is an upper bound: skip the exact ratio when it cannot reach the threshold.
                if matcher.quick_ratio() < threshold:
                    continue
                score = matcher.ratio()
                if score >= threshold:
                    found[(a.id, b.id)] = Suggestion(a.id, b.id, "name", round(score, 3))
    return sorted(found.values(), key=lambda s: (-s.score, str(s.first), str(s.second)))
