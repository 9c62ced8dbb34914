"""Reading and writing action-plan spreadsheets: all-or-nothing, row-level errors, round trips."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atout.engine.actionplan import Action
from atout.engine.formats.actionplan import COLUMNS, read_action_plan, write_action_plan
from atout.engine.formats.errors import FormatError

HEADER = ",".join(COLUMNS)
AXES = {"attractivite", "proximite", "inventivite"}
ZONES = {"vercors-royans", "diois-vallee-drome"}


def read(text: str, name="plan.csv", **known):
    return read_action_plan(name, data=text.encode("utf-8"), **known)


def test_it_reads_a_csv_plan_with_defaults():
    result = read(HEADER + "\n"
                  "P1,,Programme,attractivite,,Département,2027-01-01,2028-12-31,in_progress,,,\"1 000,50\",,,vercors-royans|diois-vallee-drome\n"
                  "A1,P1,Action,,,,2027-02-01,2027-06-30,planned,25%,2,,,,\n",
                  known_axes=AXES, known_subterritories=ZONES)
    p1 = result.plan.actions["P1"]
    assert p1.budget_planned == 1000.5 and p1.weight == 1.0 and p1.progress is None
    assert p1.subterritories == ("vercors-royans", "diois-vallee-drome")
    assert p1.start == dt.date(2027, 1, 1)
    a1 = result.plan.actions["A1"]
    assert (a1.parent_id, a1.progress, a1.weight) == ("P1", 25.0, 2.0)
    assert [r.line for r in result.rows] == [2, 3]


def test_semicolon_csv_from_a_french_spreadsheet():
    result = read("id;title;status;progress\nx;Une action;in_progress;12,5\n")
    assert result.plan.actions["x"].progress == 12.5


def test_every_row_problem_is_reported_with_its_line_and_column():
    text = (HEADER + "\n"
            "P1,,Programme,attractivite,,,2027-01-01,2026-01-01,doing,120,0,-5,,,nowhere\n"
            "P1,,Doublon,tourisme,,,2027-13-01,,planned,,,,,,\n"
            "C1,ZZ,Orphan,,,,,,planned,,,,,,\n"
            "K1,K2,Cycle,,,,,,planned,,,,,,\n"
            "K2,K1,Cycle,,,,,,planned,,,,,,\n")
    with pytest.raises(FormatError) as info:
        read(text, known_axes=AXES, known_subterritories=ZONES)
    found = {(p.line, p.column) for p in info.value.problems}
    assert {(2, "end"), (2, "status"), (2, "progress"), (2, "weight"), (2, "budget_planned"),
            (2, "subterritories"), (3, "id"), (3, "axis"), (3, "start"), (4, "parent_id")} <= found
    assert any(p.column == "parent_id" and "cycle" in p.message for p in info.value.problems)
    assert "plan.csv" in str(info.value) and "nothing was imported" in str(info.value)


def test_missing_required_columns():
    with pytest.raises(FormatError, match="missing column 'status'"):
        read("id,title\na,b\n")


def test_not_a_workbook():
    with pytest.raises(FormatError, match="not a readable .xlsx"):
        read_action_plan("plan.xlsx", data=b"PK\x03\x04 not really")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_write_then_read_is_the_same_plan(tmp_path, suffix):
    actions = [
        Action("P1", "Programme « Vivre la Drôme »", axis="attractivite", lead="Département — DGA", status="in_progress",
               start=dt.date(2027, 1, 1), end=dt.date(2029, 12, 31), budget_planned=250000.0, budget_committed=120000.5,
               subterritories=("vercors-royans",)),
        Action("A1", "Action", parent_id="P1", status="done", progress=80.0, weight=2.5, budget_spent=1.0),
        Action("A2", "Autre", parent_id="P1", status="abandoned"),
    ]
    path = write_action_plan(actions, tmp_path / f"plan{suffix}")
    assert list(read_action_plan(path).plan.actions.values()) == actions


cell = st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 200), st.sampled_from(
    ["planned", "done", "late", "P1", "A1", "2027-01-01", "2026-05-05", "vercors-royans|x", "50", "abandoned"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=len(COLUMNS) + 1), max_size=6), raw=st.binary(max_size=60))
def test_any_input_gives_a_plan_or_a_format_error(rows, raw):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    for data, name in ((buffer.getvalue().encode(), "p.csv"), (raw, "p.csv"), (raw, "p.xlsx")):
        try:
            result = read_action_plan(name, data=data, known_axes=AXES, known_subterritories=ZONES)
        except FormatError as exc:
            assert str(exc)
        else:
            assert set(result.plan.actions) == {r.action.id for r in result.rows}
            for action in result.plan.actions.values():
                assert action.progress is None or 0 <= action.progress <= 100
