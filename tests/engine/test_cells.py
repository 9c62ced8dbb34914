"""Formula injection: text that a spreadsheet would run is neutralised in every engine writer,
and the files atout reads back (action plan, pol.is export, XLSForm) still round-trip."""

import csv
import dataclasses
import datetime as dt

import openpyxl
import pytest

from atout.engine.actionplan import Action
from atout.engine.formats.actionplan import read_action_plan, write_action_plan
from atout.engine.formats.cells import is_number, safe_cell, safe_row, unsafe_cell
from atout.engine.formats.polis import read_conversation, write_conversation
from atout.engine.formats.xlsform import Choice, Form, Question, read_xlsform, write_xlsform

#: The payloads of the issue: a hyperlink formula, arithmetic, and a function call.
PAYLOADS = ['=HYPERLINK("http://x","clic")', "+1+1", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("text", PAYLOADS + ["\tx", "\r=1", "-", "+", "=", "@", "--1", "-1-1", "1e5+1"])
def test_text_that_could_start_a_formula_gets_an_apostrophe_and_reads_back(text):
    if text in ("1e5+1",):  # starts with a digit: a spreadsheet reads text, not a formula
        assert safe_cell(text) == text
        return
    assert safe_cell(text) == "'" + text
    assert unsafe_cell(safe_cell(text)) == text


@pytest.mark.parametrize("value", [-3.5, -2, 0, 7.25, None, True, "-3.5", "+33", "-1e-3", ".5", "-0", "12", "", "Drôme",
                                   "'déjà cité", "2027-01-01"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert safe_cell(value) == value
    assert unsafe_cell(value) == value


def test_plain_numbers_are_recognised_and_expressions_are_not():
    assert all(is_number(v) for v in ["-3", "+4.5", "-1e-3", "10.", "-.5"])
    assert not any(is_number(v) for v in ["-2+3", "+1+1", "-", "1-", "--1", "-1,5", "- 1", "-inf", "-nan"])
    assert safe_row(["=1", 2, "-2", "@x"]) == ["'=1", 2, "-2", "'@x"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_action_plan_spreadsheet_is_neutralised_and_round_trips(tmp_path, suffix):
    actions = [
        Action("P1", PAYLOADS[0], axis="attractivite", lead="+1+1", status="in_progress", start=dt.date(2027, 1, 1),
               budget_planned=2500.0),
        Action("A1", "-2+3", parent_id="P1", objective="@SUM(A1)", lead="-12", status="done", progress=80.0),
    ]
    path = write_action_plan(actions, tmp_path / f"plan{suffix}")
    if suffix == ".csv":
        cells = [c for row in csv.reader(path.open(encoding="utf-8")) for c in row]
    else:
        sheet = openpyxl.load_workbook(path).active
        cells = [c.value for row in sheet.iter_rows() for c in row]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    for text in PAYLOADS:
        assert "'" + text in cells and text not in cells
    assert "-12" in cells  # the text of a plain number is not a formula: kept as is
    assert list(read_action_plan(path).plan.actions.values()) == actions


def test_the_polis_export_neutralises_comments_and_reads_back_unchanged(data_dir, tmp_path):
    seattle = read_conversation(data_dir / "consultation" / "polis" / "15-per-hour-seattle")
    statements = [dataclasses.replace(s, text=PAYLOADS[i % 4]) if i < 4 else s for i, s in enumerate(seattle.statements)]
    conversation = dataclasses.replace(seattle, statements=statements,
                                       summary={**seattle.summary, "conversation-description": "=1+1"})
    write_conversation(conversation, tmp_path / "out")
    rows = list(csv.DictReader((tmp_path / "out" / "comments.csv").open(encoding="utf-8")))
    assert [r["comment-body"] for r in rows[:4]] == ["'" + p for p in PAYLOADS]
    summary = dict(csv.reader((tmp_path / "out" / "summary.csv").open(encoding="utf-8")))
    assert summary["conversation-description"] == "'=1+1"
    again = read_conversation(tmp_path / "out")
    assert again.statements == statements and again.summary == conversation.summary
    votes = list(csv.reader((tmp_path / "out" / "votes.csv").open(encoding="utf-8")))
    assert any(row[-1] == "-1" for row in votes[1:])  # votes are numbers: −1 is kept as is


def test_the_xlsform_export_writes_formula_like_text_as_text_cells_and_round_trips(tmp_path):
    """Decision: no apostrophe in an XLSForm (ODK, Kobo and pyxform read the text literally), but
    every cell is a string cell, so a spreadsheet program never runs it."""
    form = Form(
        title="=HYPERLINK(\"http://x\",\"clic\")", id="mini", version=None, default_language="default", languages=["default"],
        items=[Question(name="q1", type="select_one", labels={"default": "+1+1"}, list_name="yn",
                        hints={"default": "@SUM(A1)"},
                        choices=[Choice("y", {"default": "-2+3"}), Choice("n", {"default": PAYLOADS[0]})])],
    )
    path = write_xlsform(form, tmp_path / "mini.xlsx")
    book = openpyxl.load_workbook(path)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in cells)
    assert {c.value for c in cells} >= set(PAYLOADS)
    assert read_xlsform(path) == form
