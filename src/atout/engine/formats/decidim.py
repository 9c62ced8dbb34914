"""Reader of Decidim open-data CSV exports (comments, proposals, debates) into plain contributions.

Decidim's "open data" download is a zip of ``;``-separated CSV files, one per component type. This
reader takes the old (0.1x) flat format as published, e.g. by the 2019 "Grand débat" instances::

    comments   id;created_at;body;author/id;author/name;alignment;depth;...;commentable_id;
               commentable_type;root_commentable_url
    proposals  id;category/id;...;title;body;votes;comments;created_at;url;component/id;...
    debates    id;author_id;title/fr;description/fr;comments;created_at;url;component/id

Quirks handled: quoted fields spanning several lines (CRLF or LF), doubled quotes, HTML in bodies
(``<p><strong>…</strong></p>``, ``&nbsp;``), i18n bodies either as ``title/fr`` columns or as a
JSON-ish ``{"fr": "..."}`` value, empty author names, comments on comments (``commentable_type``
``Decidim::Comments::Comment``) whose thread (debate or proposal) is only named in
``root_commentable_url``.

The reader is all-or-nothing: every problem (missing column, bad id, bad date, bad alignment…) is
collected with its line and column and raised together as one :class:`FormatError`.
"""

from __future__ import annotations

import csv
import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .errors import FormatError, require_columns

COMMENT_COLUMNS = ("id", "created_at", "body", "alignment", "depth", "commentable_id", "commentable_type")
PROPOSAL_COLUMNS = ("id", "title", "body", "created_at")
DEBATE_COLUMNS = ("id", "created_at")

_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"</?(p|br|div|li|ul|ol|h[1-6])\b[^>]*>", re.IGNORECASE)
_THREAD_URL = re.compile(r"/(debates|proposals|meetings)/(\d+)/?$")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Contribution:
    """One piece of text contributed on a participation platform, with its metadata.

    ``kind`` is ``comment``, ``proposal`` or ``debate``; ``parent_id`` is the id of the comment
    answered (replies only); ``thread_id`` names what the contribution belongs to, e.g.
    ``debate:23`` or ``proposal:345``; ``alignment`` is Decidim's comment stance (1 in favour,
    0 neutral, -1 against; None for other kinds); ``segments`` holds extra columns usable to
    split results (category, depth…), as strings.
    """

    id: str
    text: str
    kind: str
    author: str = ""
    created_at: datetime | None = None
    parent_id: str | None = None
    thread_id: str | None = None
    alignment: int | None = None
    depth: int | None = None
    title: str = ""
    segments: dict[str, str] = field(default_factory=dict)


def clean_text(value: str) -> str:
    """Plain text of a Decidim body: i18n JSON unwrapped (French first), HTML removed, spaces tidied."""
    text = value.strip()
    if text.startswith("{") and text.endswith("}"):
        text = _unwrap_i18n(text)
    if "<" in text:
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    text = text.replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n\s*\n+", "\n\n", text)
    return text.strip()


def _unwrap_i18n(text: str) -> str:
    """``{"fr": "..."}`` → the French value (else the first non-empty one); other text unchanged."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    for lang in ("fr", "machine_translations"):
        value = data.get(lang)
        if isinstance(value, str) and value.strip():
            return value
    for value in data.values():
        if isinstance(value, str) and value.strip():
            return value
    return ""


def detect_kind(header: list[str]) -> str | None:
    """``comment``, ``proposal`` or ``debate`` from a Decidim CSV header, None when not Decidim."""
    names = set(header)
    if {"commentable_type", "body"} <= names:
        return "comment"
    if {"title", "body", "votes"} <= names or {"title/fr", "body/fr"} <= names:
        return "proposal"
    if any(n.startswith("title/") for n in names) and any(n.startswith("description/") for n in names):
        return "debate"
    return None


def is_decidim_file(path: str | Path) -> bool:
    """Whether a file looks like a Decidim open-data CSV export (by its header)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle, delimiter=";"), [])
    except (OSError, UnicodeDecodeError):
        return False
    return detect_kind(header) is not None


def read_decidim(path: str | Path, kind: str | None = None) -> list[Contribution]:
    """Read one Decidim export (comments, proposals or debates; detected from the header).

    Returns the contributions in file order. Raises :class:`FormatError` naming every bad line and
    column; nothing is returned when any line is bad.
    """
    path = Path(path)
    header, rows = _read_rows(path)
    kind = kind or detect_kind(header)
    if kind is None:
        raise FormatError(
            "not a Decidim open-data export: expected comment columns (body, commentable_type), "
            "proposal columns (title, body, votes) or debate columns (title/fr, description/fr)",
            path=path,
            line=1,
        )
    parse_row = {"comment": _comment, "proposal": _proposal, "debate": _debate}[kind]
    required = {"comment": COMMENT_COLUMNS, "proposal": PROPOSAL_COLUMNS, "debate": DEBATE_COLUMNS}[kind]
    require_columns(header, required, path=path, needs=f"for a Decidim {kind} export")
    problems: list[FormatError] = []
    contributions: list[Contribution] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        if len(values) != len(header):
            problems.append(
                FormatError(f"expected {len(header)} fields, found {len(values)}", path=path, line=line)
            )
            continue
        row = dict(zip(header, values, strict=True))
        row_problems: list[FormatError] = []
        contribution = parse_row(row, path, line, row_problems)
        if contribution is not None and contribution.id in seen:
            row_problems.append(
                FormatError(f"duplicate id {contribution.id!r} (first on line {seen[contribution.id]})",
                            path=path, line=line, column="id")
            )
        problems.extend(row_problems)
        if contribution is not None and not row_problems:
            seen[contribution.id] = line
            contributions.append(contribution)
    if problems:
        raise FormatError.collect(problems, path=path)
    return contributions


def read_decidim_folder(folder: str | Path) -> dict[str, list[Contribution]]:
    """Every Decidim export of a folder, by file name (``*.csv`` files that look like Decidim)."""
    folder = Path(folder)
    return {p.name: read_decidim(p) for p in sorted(folder.glob("*.csv")) if is_decidim_file(p)}


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and ``(first line number, fields)`` of each record; multi-line fields kept whole."""
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise FormatError(f"cannot open file: {exc.strerror}", path=path) from exc
    with handle:
        reader = csv.reader(handle, delimiter=";", quotechar='"', strict=True)
        rows: list[tuple[int, list[str]]] = []
        try:
            header = next(reader, None)
            if header is None:
                raise FormatError("empty file: no header line", path=path, line=1)
            header = [h.strip() for h in header]
            while True:
                start = reader.line_num + 1
                values = next(reader, None)
                if values is None:
                    break
                if not any(v.strip() for v in values):
                    continue
                rows.append((start, values))
        except csv.Error as exc:
            raise FormatError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from exc
        except UnicodeDecodeError as exc:
            raise FormatError(f"not UTF-8 text ({exc.reason})", path=path, line=reader.line_num + 1) from exc
    return header, rows


def _parse_date(value: str, path: Path, line: int, column: str, problems: list) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    problems.append(FormatError(f"not a date: {value!r} (expected e.g. 2019-01-17 10:38:20 +0100)",
                                path=path, line=line, column=column))
    return None


def _parse_int(value: str, path: Path, line: int, column: str, problems: list, allowed=None) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        problems.append(FormatError(f"not an integer: {value!r}", path=path, line=line, column=column))
        return None
    if allowed is not None and number not in allowed:
        problems.append(FormatError(f"{number} is not one of {sorted(allowed)}", path=path, line=line, column=column))
        return None
    return number


def _require_id(row: dict, path: Path, line: int, problems: list) -> str:
    value = row["id"].strip()
    if not value:
        problems.append(FormatError("empty id", path=path, line=line, column="id"))
    return value


def _thread_from_url(url: str) -> str | None:
    """``debate:23`` from ``…/debates/23`` (Decidim's root commentable)."""
    match = _THREAD_URL.search(url.strip())
    if not match:
        return None
    return f"{match.group(1).rstrip('s')}:{match.group(2)}"


def _comment(row: dict, path: Path, line: int, problems: list) -> Contribution | None:
    cid = _require_id(row, path, line, problems)
    text = clean_text(row["body"])
    created = _parse_date(row["created_at"], path, line, "created_at", problems)
    alignment = _parse_int(row["alignment"], path, line, "alignment", problems, allowed={-1, 0, 1})
    depth = _parse_int(row["depth"], path, line, "depth", problems)
    target = row["commentable_id"].strip()
    target_type = row["commentable_type"].strip()
    is_reply = target_type.endswith("::Comment")
    thread = _thread_from_url(row.get("root_commentable_url", ""))
    if thread is None and not is_reply and target:
        # Without the root URL a top-level comment's thread is its commentable itself.
        thread = f"{target_type.rsplit('::', 1)[-1].lower()}:{target}"
    segments = {"depth": str(depth) if depth is not None else ""}
    if thread:
        segments["thread"] = thread
    if problems:
        return None
    return Contribution(
        id=cid,
        text=text,
        kind="comment",
        author=row.get("author/name", "").strip() or row.get("author/id", "").strip(),
        created_at=created,
        parent_id=target if is_reply else None,
        thread_id=thread,
        alignment=alignment,
        depth=depth,
        segments=segments,
    )


def _first_present(row: dict, names: tuple[str, ...]) -> str:
    for name in names:
        if name in row and row[name].strip():
            return row[name]
    return ""


def _proposal(row: dict, path: Path, line: int, problems: list) -> Contribution | None:
    pid = _require_id(row, path, line, problems)
    created = _parse_date(row["created_at"], path, line, "created_at", problems)
    title = clean_text(_first_present(row, ("title", "title/fr")))
    body = clean_text(_first_present(row, ("body", "body/fr")))
    category = _first_present(row, ("category/name/fr", "category/name/en")).strip()
    if problems:
        return None
    return Contribution(
        id=pid,
        text=body,
        kind="proposal",
        author=row.get("author/name", "").strip(),
        created_at=created,
        thread_id=f"proposal:{pid}",
        title=title,
        segments={"category": category},
    )


def _debate(row: dict, path: Path, line: int, problems: list) -> Contribution | None:
    did = _require_id(row, path, line, problems)
    created = _parse_date(row["created_at"], path, line, "created_at", problems)
    title = clean_text(_first_present(row, ("title/fr", "title/en", "title")))
    description = clean_text(_first_present(row, ("description/fr", "description/en", "description")))
    if problems:
        return None
    return Contribution(
        id=did,
        text=description,
        kind="debate",
        created_at=created,
        thread_id=f"debate:{did}",
        title=title,
        # Debate descriptions in this export are the national theme of the debate.
        segments={"theme": description},
    )
