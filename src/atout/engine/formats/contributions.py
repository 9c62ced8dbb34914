"""Generic readers of open-text contributions: any CSV or JSON file with a text column.

Both return :class:`~atout.engine.formats.decidim.Contribution` records (kind ``answer``) so the
themes engine sees one shape whatever the source. A CSV may use ``,``, ``;`` or tab (sniffed from
the header line); a JSON file is a list of objects, or an object holding such a list under
``answers``, ``contributions``, ``items`` or ``data``. Readers are all-or-nothing: missing
columns, empty or duplicate ids are reported together with their line (CSV) or item index (JSON).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .decidim import Contribution, clean_text
from .errors import FormatError

_JSON_LIST_KEYS = ("answers", "contributions", "items", "data")


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ``;``, ``,`` and tab in a header line (``,`` on a tie or none)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_contributions_csv(
    path: str | Path,
    text_column: str,
    id_column: str | None = None,
    segment_columns: tuple[str, ...] | list[str] = (),
) -> list[Contribution]:
    """Contributions of a CSV file: ``text_column`` holds the text, ``id_column`` the id.

    Without ``id_column`` the id is the 1-based row number. ``segment_columns`` are kept as
    strings in ``Contribution.segments`` (e.g. age band, commune, sub-territory).
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            handle.seek(0)
            reader = csv.DictReader(handle, delimiter=sniff_delimiter(first), strict=True)
            header = [h.strip() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            _check_columns(header, text_column, id_column, segment_columns, path)
            records = []
            while True:
                start = reader.line_num + 1
                row = next(reader, None)
                if row is None:
                    break
                records.append((start, row))
    except OSError as exc:
        raise FormatError(f"cannot open file: {exc.strerror}", path=path) from exc
    except csv.Error as exc:
        raise FormatError(f"malformed CSV: {exc}", path=path) from exc
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text ({exc.reason})", path=path) from exc
    return _build(records, text_column, id_column, segment_columns, path, place="line")


def read_contributions_json(
    path: str | Path,
    text_column: str,
    id_column: str | None = None,
    segment_columns: tuple[str, ...] | list[str] = (),
) -> list[Contribution]:
    """Contributions of a JSON file (a list of objects); ids default to the 1-based item index."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise FormatError(f"cannot open file: {exc.strerror}", path=path) from exc
    except json.JSONDecodeError as exc:
        raise FormatError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from exc
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from exc
    if isinstance(data, dict):
        data = next((data[k] for k in _JSON_LIST_KEYS if isinstance(data.get(k), list)), None)
    if not isinstance(data, list):
        raise FormatError(
            "expected a list of objects (or an object with a list under "
            + ", ".join(_JSON_LIST_KEYS) + ")", path=path)
    problems = [FormatError("item is not an object", path=path, line=i) for i, item in enumerate(data, 1)
                if not isinstance(item, dict)]
    if problems:
        raise FormatError.collect(problems, path=path)
    keys = sorted({k for item in data for k in item})
    _check_columns(keys, text_column, id_column, segment_columns, path, place="item keys")
    records = [(i, {k: "" if v is None else str(v) for k, v in item.items()}) for i, item in enumerate(data, 1)]
    return _build(records, text_column, id_column, segment_columns, path, place="item")


def _check_columns(header, text_column, id_column, segment_columns, path, place="header") -> None:
    wanted = [text_column] + ([id_column] if id_column else []) + list(segment_columns)
    missing = [c for c in wanted if c not in header]
    if missing:
        raise FormatError(
            f"column(s) {', '.join(repr(c) for c in missing)} not found in the {place} "
            f"(columns are: {', '.join(header)})",
            path=path,
            line=1 if place == "header" else None,
            column=missing[0],
        )


def _build(records, text_column, id_column, segment_columns, path, place) -> list[Contribution]:
    """Contributions from ``(line, row dict)`` records; every bad id is reported at once."""
    problems: list[FormatError] = []
    seen: dict[str, int] = {}
    out: list[Contribution] = []
    for number, row in records:
        if None in row:  # csv.DictReader puts surplus fields under the None key
            problems.append(FormatError("more fields than header columns", path=path, line=number))
            continue
        cid = (row.get(id_column) or "").strip() if id_column else str(number if place == "item" else len(out) + 1)
        if not cid:
            problems.append(FormatError("empty id", path=path, line=number, column=id_column))
            continue
        if cid in seen:
            problems.append(FormatError(f"duplicate id {cid!r} (first on {place} {seen[cid]})",
                                        path=path, line=number, column=id_column))
            continue
        seen[cid] = number
        out.append(Contribution(
            id=cid,
            text=clean_text(row.get(text_column) or ""),
            kind="answer",
            segments={c: (row.get(c) or "").strip() for c in segment_columns},
        ))
    if problems:
        raise FormatError.collect(problems, path=path)
    return out
