"""``atout opinion``: the JSON contract of ``analyze`` and the ``export`` action."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.fixture(scope="module")
def seattle_dir(data_dir):
    return data_dir / "consultation" / "polis" / "15-per-hour-seattle"


def run(*args) -> dict:
    out = io.StringIO()
    call_command("opinion", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def analysis(seattle_dir) -> dict:
    return run("analyze", str(seattle_dir), "--json")


def test_it_maps_every_participant_to_a_group_or_null(analysis):
    participants = analysis["participants"]
    assert len(participants) == 339  # every voter of the export
    assert participants["1"] is not None  # 13 votes: in the conversation
    assert participants["0"] is not None
    ids = {g["id"] for g in analysis["groups"]}
    assert {g for g in participants.values() if g is not None} == ids
    in_conversation = sum(g is not None for g in participants.values())
    assert in_conversation == sum(g["size"] for g in analysis["groups"]) == 138


def test_a_participant_with_few_votes_is_not_in_the_conversation(analysis, seattle_dir):
    # participants-votes.csv: participant 36 cast a single vote, 66 six: fewer than 7
    rows = {r.split(",")[0]: r.split(",") for r in (seattle_dir / "participants-votes.csv").read_text().splitlines()}
    assert rows["36"][3] == "1" and rows["66"][3] == "6"
    assert analysis["participants"]["36"] is None and analysis["participants"]["66"] is None


def test_groups_carry_their_representative_statements(analysis):
    assert len(analysis["groups"]) == 2
    for group in analysis["groups"]:
        assert 1 <= len(group["representative"]) <= 5
        for item in group["representative"]:
            assert {"statement", "direction", "p", "repness", "z"} <= set(item)
            assert item["direction"] in ("agree", "disagree")
            assert 0 < item["p"] < 1
        sufficient = [r for r in group["representative"] if not r["best_agree"]]
        assert all(r["z"] > 1.2816 for r in sufficient)
        directions = [r["direction"] for r in group["representative"]]
        assert directions == sorted(directions)  # agrees before disagrees


def test_consensus_lists_statements_with_their_probability(analysis):
    consensus = analysis["consensus"]
    assert set(consensus) == {"agree", "disagree"}
    assert consensus["agree"]
    for direction in ("agree", "disagree"):
        for item in consensus[direction]:
            assert {"statement", "p"} <= set(item)
            assert item["p"] > 0.5


def test_the_seed_makes_the_result_reproducible(seattle_dir, analysis):
    assert run("analyze", str(seattle_dir), "--json", "--seed", "0") == analysis
    again = run("analyze", str(seattle_dir), "--json", "--seed", "7")
    assert again == run("analyze", str(seattle_dir), "--json", "--seed", "7")


def test_the_text_output_names_the_groups(seattle_dir):
    out = io.StringIO()
    call_command("opinion", "analyze", str(seattle_dir), stdout=out)
    text = out.getvalue()
    assert "339 participants, 138 in the conversation, 2 groups" in text
    assert "consensus agree:" in text


def test_a_broken_export_is_an_error_naming_file_and_line(seattle_dir, tmp_path):
    import shutil

    folder = tmp_path / "broken"
    shutil.copytree(seattle_dir, folder)
    lines = (folder / "votes.csv").read_text().split("\n")
    lines[9] = lines[9].rsplit(",", 1)[0] + ",agree"
    (folder / "votes.csv").write_text("\n".join(lines))
    with pytest.raises(CommandError, match=r"votes.csv, line 10, column 'vote'"):
        run("analyze", str(folder), "--json")


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="not a folder"):
        run("analyze", str(tmp_path / "nowhere"), "--json")


def test_export_writes_the_four_files_back(seattle_dir, tmp_path):
    result = run("export", str(seattle_dir), "--output", str(tmp_path / "copy"), "--json")
    assert result["participants"] == 339 and result["votes"] == 2995
    for name in ("summary.csv", "comments.csv", "votes.csv", "participants-votes.csv"):
        assert (tmp_path / "copy" / name).read_bytes() == (seattle_dir / name).read_bytes()


# --- pol.is exports of every version, through the real command ------------------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "polis"


def analyze_in_a_subprocess(folder: Path, var_dir: Path) -> dict:
    """``atout opinion analyze DIR --json`` as a user runs it, in its own process."""
    env = {**os.environ, "ATOUT_VAR_DIR": str(var_dir)}
    done = subprocess.run([sys.executable, "-m", "atout", "opinion", "analyze", str(folder), "--json"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_command_reads_exports_with_and_without_xid_and_datetime(tmp_path):
    # opendata-classic: no xid, datetime; opendata-xid: xid; opendata-2024: xid, no datetime in
    # comments.csv; report-export: participant-votes.csv, seconds, extra columns (tests/fixtures/polis/README.md).
    # The two ends run as separate processes (about 10 s each), the other two through call_command.
    results = {version: analyze_in_a_subprocess(FIXTURES / version, tmp_path)
               for version in ("opendata-classic", "opendata-2024")}
    results.update({version: run("analyze", str(FIXTURES / version), "--json")
                    for version in ("opendata-xid", "report-export")})
    reference = results["opendata-classic"]
    assert all(result == reference for result in results.values())
    participants = reference["participants"]
    assert len(participants) == 14
    # two camps of the fixture: 0-6 agree with 0-2 and disagree with 3-5, 7-12 the reverse
    assert len({participants[str(p)] for p in range(7)}) == 1
    assert len({participants[str(p)] for p in range(7, 13)}) == 1
    assert participants["0"] != participants["7"]
    assert sorted(g["size"] for g in reference["groups"]) == [6, 8]
    assert [c["statement"] for c in reference["consensus"]["agree"]] == [6]
    assert all(r["statement"] != 7 for g in reference["groups"] for r in g["representative"])  # moderated out
