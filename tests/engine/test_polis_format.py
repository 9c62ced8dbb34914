"""The pol.is open-data export: reading, writing back, and precise errors."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from atout.engine.formats.errors import FormatError
from atout.engine.formats.polis import (
    PolisConversation,
    read_conversation,
    write_conversation,
)

CONVERSATIONS = ["15-per-hour-seattle", "canadian-electoral-reform", "scoop-hivemind.biodiversity", "vtaiwan.uberx"]
FILES = ["summary.csv", "comments.csv", "votes.csv", "participants-votes.csv"]


@pytest.fixture(scope="module")
def polis_dir(data_dir) -> Path:
    return data_dir / "consultation" / "polis"


@pytest.fixture(scope="module")
def seattle(polis_dir) -> PolisConversation:
    return read_conversation(polis_dir / "15-per-hour-seattle")


@pytest.fixture()
def seattle_copy(polis_dir, tmp_path) -> Path:
    target = tmp_path / "seattle"
    shutil.copytree(polis_dir / "15-per-hour-seattle", target)
    return target


def vote_of(conversation: PolisConversation, participant: int, statement: int):
    """The stored vote (None when absent) of one participant on one statement."""
    m = conversation.votes
    row = int(np.searchsorted(m.participant_ids, participant))
    col = int(np.searchsorted(m.statement_ids, statement))
    start, end = m.votes.indptr[row], m.votes.indptr[row + 1]
    hits = np.flatnonzero(m.votes.indices[start:end] == col)
    return int(m.votes.data[start + hits[0]]) if len(hits) else None


def test_it_reads_the_counts_the_summary_publishes(seattle):
    assert seattle.summary["topic"] == "$15/hour"
    assert int(seattle.summary["voters"]) == seattle.votes.shape[0] == 339
    assert int(seattle.summary["comments"]) == len(seattle.statements) == 54
    assert len(seattle.history) == 2995  # every event of votes.csv, history included
    assert seattle.votes.n_votes == 2872  # one vote per participant and statement


def test_it_keeps_the_latest_vote_by_timestamp(seattle):
    # votes.csv: voter 56 voted 1 then -1 on comment 5; voter 58 voted -1, -1 then 0 (pass) on 25;
    # voter 229 voted -1, -1, 1, 1 on comment 0
    assert vote_of(seattle, 56, 5) == -1
    assert vote_of(seattle, 58, 25) == 0
    assert vote_of(seattle, 229, 0) == 1


def test_a_pass_is_stored_and_distinct_from_no_vote(seattle):
    assert vote_of(seattle, 58, 25) == 0
    assert vote_of(seattle, 0, 53) is None  # participant 0 never voted on statement 53
    passes = int((seattle.votes.votes.data == 0).sum())
    assert passes > 0
    # the export's own per-participant count includes passes
    assert seattle.votes.votes_per_participant()[0] == 13


def test_it_reads_moderation_and_polis_groups(seattle):
    moderated = {s.id: s.moderated for s in seattle.statements}
    assert moderated[53] == 0 and moderated[48] == 1
    assert len(seattle.moderated_out) == 23
    assert seattle.polis_groups[0] == 0 and seattle.polis_groups[1] == 1
    assert sum(g is not None for g in seattle.polis_groups.values()) == 138
    assert "livable wage" in seattle.statement(48).text


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_writing_back_gives_the_same_files_byte_for_byte(polis_dir, tmp_path, name):
    conversation = read_conversation(polis_dir / name)
    write_conversation(conversation, tmp_path / name)
    for file in FILES:
        assert (tmp_path / name / file).read_bytes() == (polis_dir / name / file).read_bytes(), file


def test_round_trip_keeps_the_structure(seattle, tmp_path):
    write_conversation(seattle, tmp_path / "out")
    again = read_conversation(tmp_path / "out")
    assert again.summary == seattle.summary
    assert again.statements == seattle.statements
    assert again.polis_groups == seattle.polis_groups
    assert np.array_equal(again.votes.participant_ids, seattle.votes.participant_ids)
    assert np.array_equal(again.votes.statement_ids, seattle.votes.statement_ids)
    assert np.array_equal(again.votes.to_dense(9), seattle.votes.to_dense(9))
    assert np.array_equal(again.history.timestamp, seattle.history.timestamp)


def test_written_participants_votes_reflect_changed_votes(seattle, tmp_path):
    # Drop voter 229's two last votes on comment 0: the latest becomes -1 and the file must say so.
    keep = ~((seattle.history.participant == 229) & (seattle.history.statement == 0) & (seattle.history.vote == 1))
    history = type(seattle.history)(*(getattr(seattle.history, f)[keep] for f in ("timestamp", "datetime", "statement", "participant", "vote")))
    from atout.engine.opinion import VoteMatrix

    votes = VoteMatrix.from_votes(
        history.participant, history.statement, history.vote, timestamp=history.timestamp,
        participant_ids=seattle.votes.participant_ids, statement_ids=seattle.votes.statement_ids,
    )
    changed = PolisConversation(seattle.summary, seattle.statements, votes, history, seattle.polis_groups)
    write_conversation(changed, tmp_path / "out")
    assert vote_of(read_conversation(tmp_path / "out"), 229, 0) == -1
    line = next(r for r in (tmp_path / "out" / "participants-votes.csv").read_text().splitlines() if r.startswith("229,"))
    assert line.split(",")[6] == "-1"  # the column of statement 0


# --- errors -----------------------------------------------------------------------------------


def replace_line(path: Path, number: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[number - 1] = text
    path.write_text("\n".join(lines), encoding="utf-8")


def test_a_missing_file_is_named(seattle_copy):
    (seattle_copy / "votes.csv").unlink()
    with pytest.raises(FormatError) as info:
        read_conversation(seattle_copy)
    assert info.value.path.endswith("votes.csv")
    assert "not found" in str(info.value)


def test_a_missing_column_is_named_on_the_header_line(seattle_copy):
    replace_line(seattle_copy / "votes.csv", 1, "timestamp,datetime,comment-id,voter,vote")
    with pytest.raises(FormatError) as info:
        read_conversation(seattle_copy)
    assert (info.value.line, info.value.column) == (1, "voter-id")
    assert "votes.csv, line 1, column 'voter-id'" in str(info.value)


def test_a_bad_vote_is_reported_with_file_line_and_column(seattle_copy):
    replace_line(seattle_copy / "votes.csv", 3, "1403057082753,Wed Jun 18 09:04:42 WIB 2014,0,1,2")
    replace_line(seattle_copy / "votes.csv", 5, "1403057082753,Wed Jun 18 09:04:42 WIB 2014,x,1,1")
    with pytest.raises(FormatError) as info:
        read_conversation(seattle_copy)
    problems = info.value.problems
    assert [(p.line, p.column) for p in problems] == [(3, "vote"), (5, "comment-id")]
    assert all(p.path.endswith("votes.csv") for p in problems)
    assert "found '2'" in str(problems[0])


def test_a_vote_on_an_unknown_statement_is_refused(seattle_copy):
    replace_line(seattle_copy / "votes.csv", 2, "1403054214196,Wed Jun 18 08:16:54 WIB 2014,999,0,0")
    with pytest.raises(FormatError) as info:
        read_conversation(seattle_copy)
    assert (info.value.problems[0].line, info.value.problems[0].column) == (2, "comment-id")
    assert "999" in str(info.value)


def test_comment_errors_count_lines_across_multiline_bodies(seattle_copy):
    path = seattle_copy / "comments.csv"
    text = path.read_text(encoding="utf-8").split("\n")
    # line 2 gets a body over two physical lines; the next record starts on physical line 4
    text[1] = text[1].rsplit(",", 1)[0] + ',"first line\nsecond line"'
    fields = text[2].split(",")
    fields[6] = "5"  # moderated must be -1, 0 or 1
    text[2] = ",".join(fields)
    path.write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(FormatError) as info:
        read_conversation(seattle_copy)
    assert (info.value.problems[0].line, info.value.problems[0].column) == (4, "moderated")


def test_a_duplicate_comment_id_is_refused(seattle_copy):
    path = seattle_copy / "comments.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(2, lines[1])
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FormatError) as info:
        read_conversation(seattle_copy)
    assert "already on line 2" in str(info.value)
    assert info.value.problems[0].line == 3


def test_a_bad_group_id_and_a_bad_cell_are_reported(seattle_copy):
    path = seattle_copy / "participants-votes.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    fields = lines[1].split(",")
    fields[1] = "A"
    fields[6] = "yes"
    lines[1] = ",".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FormatError) as info:
        read_conversation(seattle_copy)
    assert [(p.line, p.column) for p in info.value.problems] == [(2, "group-id"), (2, "0")]


# --- every version of the export ------------------------------------------------------------------
# tests/fixtures/polis/ holds one small conversation (14 participants, 8 statements, 98 vote events
# with changes of mind) written in each version of the export pol.is has published; its README says
# which source each follows. Every version must read to the same conversation.

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polis"
VERSIONS = ["opendata-classic", "opendata-xid", "opendata-2024", "report-export"]


@pytest.fixture(scope="module")
def classic() -> PolisConversation:
    return read_conversation(FIXTURES / "opendata-classic")


def copy_of(version: str, tmp_path: Path) -> Path:
    target = tmp_path / version
    shutil.copytree(FIXTURES / version, target)
    return target


@pytest.mark.parametrize("version", VERSIONS)
def test_every_version_reads_to_the_same_conversation(classic, version):
    read = read_conversation(FIXTURES / version)
    assert sorted(s.id for s in read.statements) == [s.id for s in classic.statements] == list(range(8))
    by_id = {s.id: s for s in read.statements}
    for s in classic.statements:
        assert (by_id[s.id].text, by_id[s.id].author_id, by_id[s.id].moderated) == (s.text, s.author_id, s.moderated)
        assert by_id[s.id].timestamp // 1000 == s.timestamp // 1000  # the report export keeps whole seconds
    assert read.polis_groups == classic.polis_groups
    assert np.array_equal(read.votes.participant_ids, classic.votes.participant_ids)
    assert np.array_equal(read.votes.to_dense(9), classic.votes.to_dense(9))
    assert read.moderated_out == [7]
    assert len(read.history) == 98


def test_the_xid_column_is_never_taken_for_a_vote(classic):
    read = read_conversation(FIXTURES / "opendata-xid")
    # participant 0 (xid drome-000) agreed with 0-2 and disagreed with 3-5: n-disagree is 3, not a vote
    assert vote_of(read, 0, 0) == 1 and vote_of(read, 0, 3) == -1
    assert read.polis_groups[0] == 0 and read.polis_groups[13] is None


def test_a_bad_vote_in_an_xid_export_names_its_statement_column(tmp_path):
    folder = copy_of("opendata-xid", tmp_path)
    path = folder / "participants-votes.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    fields = lines[1].split(",")  # participant 0: participant, xid, group-id, 4 counts, then statements 0…7
    fields[7 + 3] = "2"
    lines[1] = ",".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FormatError) as info:
        read_conversation(folder)
    assert [(p.line, p.column) for p in info.value.problems] == [(2, "3")]


def test_comments_without_datetime_keep_an_empty_text():
    read = read_conversation(FIXTURES / "opendata-2024")
    assert {s.datetime for s in read.statements} == {""}
    assert read.history.datetime[0].endswith("2024")  # votes.csv of that version still has it


def test_report_export_seconds_become_milliseconds(classic):
    read = read_conversation(FIXTURES / "report-export")
    assert read.history.timestamp.min() > 1_700_000_000_000  # 2023 in ms, not 1970
    assert np.array_equal(read.history.timestamp, classic.history.timestamp // 1000 * 1000)


def test_writing_a_newer_version_gives_the_open_data_version(tmp_path):
    read = read_conversation(FIXTURES / "report-export")
    write_conversation(read, tmp_path / "out")
    assert (tmp_path / "out" / "participants-votes.csv").is_file()
    again = read_conversation(tmp_path / "out")
    assert np.array_equal(again.votes.to_dense(9), read.votes.to_dense(9))


@pytest.mark.parametrize("version,file,column", [
    ("opendata-2024", "comments.csv", "moderated"),
    ("report-export", "votes.csv", "voter-id"),
    ("report-export", "participant-votes.csv", "group-id"),
    ("opendata-xid", "participants-votes.csv", "participant"),
])
def test_a_required_column_is_still_required_in_every_version(tmp_path, version, file, column):
    folder = copy_of(version, tmp_path)
    path = folder / file
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = lines[0].replace(column, f"{column}-renamed", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FormatError) as info:
        read_conversation(folder)
    assert (Path(info.value.path).name, info.value.line, info.value.column) == (file, 1, column)


def test_a_vote_on_an_unknown_comment_is_refused_in_the_report_export(tmp_path):
    folder = copy_of("report-export", tmp_path)
    path = folder / "votes.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    fields = lines[4].split(",")
    fields[2] = "42"
    lines[4] = ",".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FormatError) as info:
        read_conversation(folder)
    problem = info.value.problems[0]
    assert (Path(problem.path).name, problem.line, problem.column) == ("votes.csv", 5, "comment-id")
    assert "42 is not in comments.csv" in str(problem)


def test_a_column_named_twice_is_refused(tmp_path):
    folder = copy_of("opendata-classic", tmp_path)
    path = folder / "votes.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = "timestamp,datetime,comment-id,vote,vote"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FormatError, match="column 'vote' appears twice"):
        read_conversation(folder)


def test_without_any_participants_file_the_usual_name_is_given(tmp_path):
    folder = copy_of("report-export", tmp_path)
    (folder / "participant-votes.csv").unlink()
    with pytest.raises(FormatError) as info:
        read_conversation(folder)
    assert info.value.path.endswith("participants-votes.csv") and "participant-votes.csv" in str(info.value)
