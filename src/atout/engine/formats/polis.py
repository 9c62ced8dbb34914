"""Read and write the pol.is export: a folder of CSV files, in every version pol.is has published.

The open-data export (compdemocracy/openData, written by ``math/src/polismath/darwin/export.clj``) holds:

- ``summary.csv``: two columns, key and value (``topic``, ``url``, ``voters``, ``groups``,
  ``conversation-description``…; values may span several lines);
- ``comments.csv``: ``timestamp, datetime, comment-id, author-id, agrees, disagrees, moderated,
  comment-body``; ``moderated`` is −1 (moderated out), 0 (not yet moderated) or 1 (accepted);
- ``votes.csv``: ``timestamp, datetime, comment-id, voter-id, vote`` — the vote *history*: a
  participant who changed their mind has several rows; the latest (by timestamp) counts;
- ``participants-votes.csv``: one row per participant: ``participant, group-id, n-comments, n-votes,
  n-agree, n-disagree`` then one column per voted statement id holding the latest vote or blank;
  ``group-id`` is pol.is's own group assignment (blank when the participant was not grouped).

Versions differ, and every one is read (fixtures of each in ``tests/fixtures/polis/``):

- the open-data export run with external ids has an ``xid`` column after ``participant`` (openData
  ``austria-climate.*``, 2022);
- the 2024 open-data export (openData ``bg2050-volunteers``) has no ``datetime`` in comments.csv and
  adds ``is-meta, is-seed, group-informed-consensus`` before ``comment-body``;
- the server's report export (compdemocracy/polis ``server/src/report.ts``, ``/api/v3/reportExport``)
  names the participants' file ``participant-votes.csv``, writes timestamps in **seconds**, gives a
  column to every comment (voted or not), adds ``importance`` (comments) and ``important`` (votes)
  when the conversation asks for importance, writes ``comment-groups.csv`` and no stats-history.csv.

So columns are found by name, never by position; unknown columns are passed over; ``datetime`` is
optional; the per-statement columns of the participants' file are those named by a statement id;
timestamps are kept in milliseconds (a file in seconds is converted, see :func:`_in_milliseconds`).
``xid`` is never kept: it is an outside identifier of a person.

Sign convention: in these exports a vote is **1 = agree, −1 = disagree, 0 = pass** (pol.is computes
internally with agree = −1 and flips the sign on export). This module and the engine use the
export's convention throughout.

Reading is all-or-nothing: any problem (a missing required column, a bad vote value, a vote on an
unknown comment id…) raises :class:`FormatError` naming the file, line and column, with every problem
of a file collected at once. Writing produces the open-data version (``participants-votes.csv``,
milliseconds, no ``xid``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from atout.engine.formats.cells import safe_row, unsafe_cell
from atout.engine.formats.errors import FormatError
from atout.engine.opinion import VoteMatrix

SUMMARY = "summary.csv"
COMMENTS = "comments.csv"
VOTES = "votes.csv"
PARTICIPANTS_VOTES = "participants-votes.csv"
#: the server's report export names the participants' file in the singular
PARTICIPANTS_VOTES_ALIASES = ("participant-votes.csv",)

COMMENT_COLUMNS = ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"]
VOTE_COLUMNS = ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
PARTICIPANT_COLUMNS = ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
# What a file must have to be read; the column lists above are what the writer writes.
COMMENT_REQUIRED = ["timestamp", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"]
VOTE_REQUIRED = ["timestamp", "comment-id", "voter-id", "vote"]
PARTICIPANT_REQUIRED = ["participant", "group-id"]

#: timestamps below this are seconds, not milliseconds (see :func:`_in_milliseconds`)
SECONDS_BELOW = 10**11

MODERATED_OUT, UNMODERATED, ACCEPTED = -1, 0, 1

#: a file with more problems than this is not worth reading to the end
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Statement:
    """One statement (pol.is "comment") as exported.

    ``moderated``: −1 moderated out, 0 not moderated yet, 1 accepted. ``agrees`` and ``disagrees`` are
    the counts pol.is published with the comment. ``timestamp`` is in milliseconds since 1970;
    ``datetime`` is the export's human-readable text, kept as is (empty when the export has none).
    """

    id: int
    text: str
    author_id: int
    moderated: int
    timestamp: int
    datetime: str
    agrees: int
    disagrees: int


@dataclass(frozen=True)
class VoteHistory:
    """Every vote event of ``votes.csv`` in file order: arrays of equal length (n_events,).

    ``timestamp`` int64 milliseconds, ``datetime`` the export's text, ``statement`` and ``participant``
    int64 ids, ``vote`` int8 (1 agree, −1 disagree, 0 pass).
    """

    timestamp: np.ndarray
    datetime: np.ndarray
    statement: np.ndarray
    participant: np.ndarray
    vote: np.ndarray

    def __len__(self) -> int:
        return len(self.vote)


@dataclass(frozen=True)
class PolisConversation:
    """A pol.is conversation read from its export folder.

    ``summary`` keeps summary.csv's keys and values in order. ``statements`` follow comments.csv's
    order. ``votes`` is the latest vote per participant and statement (participants are every voter
    and every row of participants-votes.csv; statements every comment). ``polis_groups`` maps each
    participant id of participants-votes.csv to pol.is's group id, or None when pol.is did not group
    them; its order is the file's row order. ``history`` keeps every vote event so the export can be written back.
    """

    summary: dict[str, str]
    statements: list[Statement]
    votes: VoteMatrix
    history: VoteHistory
    polis_groups: dict[int, int | None]

    @property
    def moderated_out(self) -> list[int]:
        """Ids of the statements moderated out (``moderated`` = −1)."""
        return [s.id for s in self.statements if s.moderated == MODERATED_OUT]

    def statement(self, statement_id: int) -> Statement:
        for s in self.statements:
            if s.id == statement_id:
                return s
        raise KeyError(statement_id)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """A CSV file's header: the position of each named column (first occurrence)."""

    path: Path
    header: list[str]
    position: dict[str, int]

    def has(self, column: str) -> bool:
        return column in self.position


def _rows(path: Path, required: list[str]):
    """Open a CSV file, check its header, and yield ``(table, line, row, shape problem)``.

    Columns are found by name, in any order; columns this reader does not know are passed over. A
    column named twice is refused (which of the two holds the data would be a guess). The line
    number is the physical line where the record starts (1 = header), correct even when a quoted
    field spans several lines.
    """
    if not path.is_file():
        raise FormatError("file not found in the pol.is export folder", path=path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:  # pragma: no cover - permissions
        raise FormatError(f"cannot open file: {exc}", path=path) from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise FormatError("empty file: a header line was expected", path=path, line=1) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FormatError(f"unreadable CSV: {exc}", path=path, line=1) from None
        position: dict[str, int] = {}
        for index, name in enumerate(header):
            if name and name in position:
                raise FormatError(f"column '{name}' appears twice in the header", path=path, line=1, column=name)
            position.setdefault(name, index)
        missing = [name for name in required if name not in position]
        if missing:
            raise FormatError(
                f"missing column(s) {', '.join(missing)}; found {', '.join(header)}",
                path=path,
                line=1,
                column=missing[0],
            )
        table = _Table(path, header, position)
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise FormatError(f"unreadable CSV: {exc}", path=path, line=start) from None
            if row:  # csv yields [] for blank lines
                if len(row) != len(header):
                    yield table, start, row, f"expected {len(header)} fields, found {len(row)}"
                else:
                    yield table, start, row, None
            start = reader.line_num + 1


def _int(value: str, problems: list, path: Path, line: int, column: str, allowed=None) -> int | None:
    try:
        number = int(value)
    except ValueError:
        problems.append(FormatError(f"expected an integer, found {value!r}", path=path, line=line, column=column))
        return None
    if allowed is not None and number not in allowed:
        shown = ", ".join(str(a) for a in sorted(allowed))
        problems.append(FormatError(f"expected one of {shown}, found {value!r}", path=path, line=line, column=column))
        return None
    return number


def _in_milliseconds(timestamps: list[int]) -> list[int]:
    """The timestamps of one file in milliseconds since 1970.

    The open-data export writes milliseconds; the server's report export (``server/src/report.ts``)
    writes seconds. 10¹¹ ms is March 1973 — before pol.is existed — while 10¹¹ s is in the year 5138,
    so a file whose every timestamp is below 10¹¹ is in seconds.
    """
    if timestamps and max(timestamps) < SECONDS_BELOW:
        return [t * 1000 for t in timestamps]
    return timestamps


def read_summary(path: Path) -> dict[str, str]:
    """summary.csv: key, value rows (no header). Returns the pairs in file order."""
    if not path.is_file():
        raise FormatError("file not found in the pol.is export folder", path=path)
    summary: dict[str, str] = {}
    problems: list[FormatError] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        start = 1
        try:
            for row in reader:
                if row:
                    if len(row) != 2:
                        problems.append(
                            FormatError(f"expected 2 fields (key, value), found {len(row)}", path=path, line=start)
                        )
                    else:
                        summary[row[0]] = unsafe_cell(row[1])
                start = reader.line_num + 1
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FormatError(f"unreadable CSV: {exc}", path=path, line=start) from None
    if problems:
        raise FormatError.collect(problems, path=path)
    return summary


def read_comments(path: Path) -> list[Statement]:
    """comments.csv → statements in file order; raises FormatError on any bad or duplicate row.

    ``datetime`` may be absent (the 2024 open-data export leaves it out): the statement's text is
    then empty. Other columns (``importance``, ``is-meta``, ``is-seed``…) are passed over.
    """
    problems: list[FormatError] = []
    rows: list[tuple[int, dict]] = []
    seen: dict[int, int] = {}
    for table, line, row, shape_problem in _rows(path, COMMENT_REQUIRED):
        if shape_problem:
            problems.append(FormatError(shape_problem, path=path, line=line))
            continue
        cell = table.position
        values = {column: _int(row[cell[column]], problems, path, line, column)
                  for column in ("timestamp", "comment-id", "author-id", "agrees", "disagrees")}
        values["moderated"] = _int(row[cell["moderated"]], problems, path, line, "moderated", {-1, 0, 1})
        if any(v is None for v in values.values()):
            continue
        sid = values["comment-id"]
        if sid in seen:
            problems.append(
                FormatError(f"comment-id {sid} already on line {seen[sid]}", path=path, line=line, column="comment-id")
            )
            continue
        seen[sid] = line
        values["comment-body"] = unsafe_cell(row[cell["comment-body"]])
        values["datetime"] = row[cell["datetime"]] if table.has("datetime") else ""
        rows.append((line, values))
    if problems:
        raise FormatError.collect(problems, path=path)
    stamps = _in_milliseconds([values["timestamp"] for _line, values in rows])
    return [
        Statement(
            id=values["comment-id"],
            text=values["comment-body"],
            author_id=values["author-id"],
            moderated=values["moderated"],
            timestamp=stamp,
            datetime=values["datetime"],
            agrees=values["agrees"],
            disagrees=values["disagrees"],
        )
        for (_line, values), stamp in zip(rows, stamps, strict=True)
    ]


def read_votes(path: Path, statement_ids: set[int] | None = None) -> VoteHistory:
    """votes.csv → the vote history in file order; checks every value (and, when given, that each
    comment-id is a known statement). ``datetime`` may be absent; other columns (``important``…) are
    passed over."""
    problems: list[FormatError] = []
    timestamps: list[int] = []
    datetimes: list[str] = []
    statements: list[int] = []
    participants: list[int] = []
    votes: list[int] = []
    for table, line, row, shape_problem in _rows(path, VOTE_REQUIRED):
        if shape_problem:
            problems.append(FormatError(shape_problem, path=path, line=line))
            continue
        cell = table.position
        t = _int(row[cell["timestamp"]], problems, path, line, "timestamp")
        s = _int(row[cell["comment-id"]], problems, path, line, "comment-id")
        p = _int(row[cell["voter-id"]], problems, path, line, "voter-id")
        v = _int(row[cell["vote"]], problems, path, line, "vote", {-1, 0, 1})
        if s is not None and statement_ids is not None and s not in statement_ids:
            problems.append(
                FormatError(f"comment-id {s} is not in comments.csv", path=path, line=line, column="comment-id")
            )
            continue
        if None in (t, s, p, v):
            continue
        timestamps.append(t)
        datetimes.append(row[cell["datetime"]] if table.has("datetime") else "")
        statements.append(s)
        participants.append(p)
        votes.append(v)
        if len(problems) >= MAX_PROBLEMS:
            problems.append(FormatError(f"stopped reading after {MAX_PROBLEMS} problems", path=path, line=line))
            break
    if problems:
        raise FormatError.collect(problems, path=path)
    return VoteHistory(
        timestamp=np.asarray(_in_milliseconds(timestamps), dtype=np.int64),
        datetime=np.asarray(datetimes, dtype=object),
        statement=np.asarray(statements, dtype=np.int64),
        participant=np.asarray(participants, dtype=np.int64),
        vote=np.asarray(votes, dtype=np.int8),
    )


def _vote_columns(header: list[str]) -> list[tuple[int, str]]:
    """(position, name) of the per-statement columns: those named by a statement id (digits).

    Found by name, so columns before them (``xid`` in exports with external ids) or after them are
    never taken for votes.
    """
    return [(index, name) for index, name in enumerate(header) if name.isdigit()]


def read_participant_groups(path: Path) -> dict[int, int | None]:
    """participants-votes.csv → {participant id: pol.is group id or None}.

    The per-statement vote columns (named by statement id) are checked (blank, −1, 0 or 1) but not
    returned: votes.csv is the source of the votes. ``xid`` (an outside identifier of the person,
    possibly personal) and the ``n-…`` counts are passed over and never kept.
    """
    problems: list[FormatError] = []
    groups: dict[int, int | None] = {}
    allowed = {"", "-1", "0", "1"}
    columns: list[tuple[int, str]] | None = None
    for table, line, row, shape_problem in _rows(path, PARTICIPANT_REQUIRED):
        if shape_problem:
            problems.append(FormatError(shape_problem, path=path, line=line))
            continue
        if columns is None:
            columns = _vote_columns(table.header)
        pid = _int(row[table.position["participant"]], problems, path, line, "participant")
        raw_group = row[table.position["group-id"]]
        group = None if raw_group == "" else _int(raw_group, problems, path, line, "group-id")
        for index, column in columns:
            if row[index] not in allowed:
                problems.append(
                    FormatError(f"expected a vote (1, -1, 0 or blank), found {row[index]!r}", path=path, line=line,
                                column=column)
                )
        if pid is not None:
            if pid in groups:
                problems.append(FormatError(f"participant {pid} appears twice", path=path, line=line, column="participant"))
            groups[pid] = group
        if len(problems) >= MAX_PROBLEMS:
            problems.append(FormatError(f"stopped reading after {MAX_PROBLEMS} problems", path=path, line=line))
            break
    if problems:
        raise FormatError.collect(problems, path=path)
    return groups


def participants_votes_path(folder: Path) -> Path:
    """The participants' file of an export folder: ``participants-votes.csv`` (open-data export) or
    ``participant-votes.csv`` (the server's report export); the first name when neither exists."""
    for name in (PARTICIPANTS_VOTES, *PARTICIPANTS_VOTES_ALIASES):
        if (folder / name).is_file():
            return folder / name
    return folder / PARTICIPANTS_VOTES


def read_conversation(folder: str | Path) -> PolisConversation:
    """Read a pol.is export folder of any version (see the module docstring).

    summary.csv, comments.csv, votes.csv and the participants' file are required; other files
    (stats-history.csv, comment-groups.csv…) are ignored. Raises :class:`FormatError` naming the
    file, line and column of every problem found.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FormatError("not a folder (expected a pol.is export folder)", path=folder)
    summary = read_summary(folder / SUMMARY)
    statements = read_comments(folder / COMMENTS)
    statement_ids = {s.id for s in statements}
    history = read_votes(folder / VOTES, statement_ids)
    participants_file = participants_votes_path(folder)
    if not participants_file.is_file():
        raise FormatError(
            f"file not found in the pol.is export folder (nor {', '.join(PARTICIPANTS_VOTES_ALIASES)})",
            path=participants_file,
        )
    polis_groups = read_participant_groups(participants_file)
    participant_ids = np.union1d(np.unique(history.participant), np.fromiter(polis_groups, dtype=np.int64))
    matrix = VoteMatrix.from_votes(
        history.participant,
        history.statement,
        history.vote,
        timestamp=history.timestamp,
        participant_ids=participant_ids,
        statement_ids=np.fromiter(statement_ids, dtype=np.int64),
    )
    return PolisConversation(summary, statements, matrix, history, polis_groups)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def _format_vote(value: int) -> str:
    return str(int(value))


def write_conversation(conversation: PolisConversation, folder: str | Path) -> list[Path]:
    """Write the export folder (summary, comments, votes with history, participants-votes).

    Text cells that a spreadsheet would run as a formula (a comment starting with ``=``, ``+``,
    ``-`` or ``@``) get a leading apostrophe (:mod:`atout.engine.formats.cells`); :func:`read_conversation`
    removes it, so our own export reads back unchanged. Votes and counts are numbers and are kept.

    ``participants-votes.csv`` is rebuilt from the latest votes and ``polis_groups``: one column per
    statement that received a vote, in ascending id order, as pol.is does; rows in the order of
    ``polis_groups`` (the order read), then other voters by id. Returns the paths written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []

    path = folder / SUMMARY
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for key, value in conversation.summary.items():
            writer.writerow(safe_row([key, value]))
    written.append(path)

    path = folder / COMMENTS
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COMMENT_COLUMNS)
        for s in conversation.statements:
            writer.writerow(safe_row([s.timestamp, s.datetime, s.id, s.author_id, s.agrees, s.disagrees, s.moderated, s.text]))
    written.append(path)

    path = folder / VOTES
    history = conversation.history
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(VOTE_COLUMNS)
        writer.writerows(
            zip(
                history.timestamp.tolist(),
                history.datetime.tolist(),
                history.statement.tolist(),
                history.participant.tolist(),
                history.vote.tolist(),
                strict=True,
            )
        )
    written.append(path)

    written.append(_write_participants_votes(conversation, folder / PARTICIPANTS_VOTES))
    return written


def _write_participants_votes(conversation: PolisConversation, path: Path) -> Path:
    matrix = conversation.votes
    voted_columns = np.flatnonzero(np.bincount(matrix.votes.indices, minlength=matrix.shape[1]) > 0)
    dense = matrix.to_dense(missing=np.nan)[:, voted_columns]
    authored: dict[int, int] = {}
    for s in conversation.statements:
        authored[s.author_id] = authored.get(s.author_id, 0) + 1
    n_votes = matrix.votes_per_participant()
    data = matrix.votes.data
    rows = matrix.entry_rows()
    n_agree = np.bincount(rows[data == 1], minlength=matrix.shape[0])
    n_disagree = np.bincount(rows[data == -1], minlength=matrix.shape[0])
    listed = conversation.polis_groups
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(PARTICIPANT_COLUMNS + [str(int(s)) for s in matrix.statement_ids[voted_columns]])
        row_of = {pid: i for i, pid in enumerate(matrix.participant_ids.tolist())}
        # pol.is's own row order (kept in polis_groups) first, then any other voter by id
        others = [pid for pid, i in row_of.items() if pid not in listed and n_votes[i] > 0]
        for pid in [*listed, *others]:
            i = row_of[pid]
            group = listed.get(pid)
            cells = ["" if np.isnan(x) else _format_vote(x) for x in dense[i]]
            writer.writerow(
                [pid, "" if group is None else group, authored.get(pid, 0), n_votes[i], n_agree[i], n_disagree[i], *cells]
            )
    return path
