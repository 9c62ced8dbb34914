"""Import of contributions from other platforms into a process: Decidim open-data exports
(comments, proposals, debates), pol.is ``comments.csv``, and any CSV with a text column.

Each import is all-or-nothing: the file is read completely by the engine's readers (which raise
:class:`FormatError` naming line and column) before anything is written, and it is written in one
transaction as one :class:`ContributionImport` batch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from django.db import transaction

from atout.engine.formats.contributions import read_contributions_csv
from atout.engine.formats.decidim import Contribution as Record
from atout.engine.formats.decidim import read_decidim
from atout.engine.formats.errors import FormatError
from atout.engine.formats.polis import read_comments

from .models import Contribution, ContributionImport

FORMATS = ("decidim", "polis", "csv")


def read_records(path: Path, file_format: str, *, text_column: str | None = None, id_column: str | None = None,
                 segment_columns=()) -> list[Record]:
    """Contributions of a file as the engine's plain records (nothing stored)."""
    path = Path(path)
    if file_format == "decidim":
        records = read_decidim(path)
        if text_column in ("title", "title/fr"):
            records = [_with_text(r, r.title) for r in records]
        return records
    if file_format == "polis":
        return [_polis_record(s) for s in read_comments(path)]
    if file_format == "csv":
        if not text_column:
            raise FormatError("a generic CSV needs --text-column (the column holding the text)", path=path)
        return read_contributions_csv(path, text_column, id_column, list(segment_columns))
    raise FormatError(f"unknown format {file_format!r}: expected one of {', '.join(FORMATS)}", path=path)


def _with_text(record: Record, text: str) -> Record:
    from dataclasses import replace

    return replace(record, text=text or record.text)


def _polis_record(statement) -> Record:
    created = datetime.fromtimestamp(statement.timestamp / 1000, tz=UTC) if statement.timestamp else None
    return Record(
        id=str(statement.id), text=statement.text, kind="comment", author=f"participant-{statement.author_id}",
        created_at=created,
        segments={"moderated": str(statement.moderated), "agrees": str(statement.agrees),
                  "disagrees": str(statement.disagrees)},
    )


def import_contributions(process, path: Path, file_format: str, *, text_column: str | None = None,
                         id_column: str | None = None, segment_columns=(), label: str = "", note: str = "",
                         user=None, file_name: str | None = None) -> ContributionImport:
    """Read ``path`` and store its contributions in ``process`` as one batch; FormatError otherwise.

    Empty texts (a deleted comment) are kept: they count as rows of the file and the themes
    engine simply finds no theme in them.
    """
    records = read_records(path, file_format, text_column=text_column, id_column=id_column,
                           segment_columns=segment_columns)
    if not records:
        raise FormatError("the file holds no contribution", path=path)
    with transaction.atomic():
        batch = ContributionImport.objects.create(
            process=process, platform=file_format, file_name=file_name or Path(path).name, label=label, note=note,
            count=len(records), imported_by=user,
        )
        Contribution.objects.bulk_create(
            [_model(batch, r) for r in records], batch_size=500,
        )
    return batch


def _model(batch: ContributionImport, record: Record) -> Contribution:
    segments = dict(record.segments)
    created = record.created_at
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)  # exports without an offset are taken as UTC
    if record.depth is not None:
        segments.setdefault("depth", str(record.depth))
    return Contribution(
        batch=batch, process=batch.process, platform=batch.platform, kind=record.kind, external_id=record.id[:64],
        text=record.text, title=record.title[:300], author=record.author[:120], created_at=created,
        parent_external_id=(record.parent_id or "")[:64], thread=(record.thread_id or "")[:64],
        alignment=record.alignment, segments=segments,
    )
