"""Reading and writing action-plan spreadsheets: all-or-nothing, row-level errors, round trips."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atout.engine.actionplan import Action
from atout.engine.formats.actionplan import COLUMNS, Subterritories, read_action_plan, write_action_plan
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


# --- plans as people write them ----------------------------------------------------------------------

AXIS_NAMES = {"attractivite": ("Attractivité", "Attractiveness"), "proximite": ("Proximité", "Proximity"),
              "inventivite": ("Inventivité", "Inventiveness")}
SHORT = "id,title,status,axis,objective,subterritories\n"


@pytest.mark.parametrize("written", ["attractivite", "Attractivité", "attractivité", "ATTRACTIVITÉ", "ATTRACTIVITE",
                                     " Attractivite ", "Attractiveness", "attractiveness"])
def test_an_axis_is_found_by_code_or_name_in_any_case_and_accents(written):
    result = read(SHORT + f"a,Action,planned,{written},,\n", known_axes=AXIS_NAMES)
    assert result.plan.actions["a"].axis == "attractivite"


def test_an_unknown_axis_lists_the_codes_and_names():
    with pytest.raises(FormatError) as info:
        read(SHORT + "a,Action,planned,Tourisme,,\n", known_axes=AXIS_NAMES)
    problem = info.value.problems[0]
    assert (problem.line, problem.column) == (2, "axis")
    assert "unknown axis 'Tourisme': expected one of attractivite (Attractivité), proximite (Proximité)" in problem.message


def test_an_axis_name_shared_by_two_axes_is_refused_as_ambiguous():
    with pytest.raises(FormatError, match="axis 'Emploi' is ambiguous: it names emploi, travail"):
        read(SHORT + "a,Action,planned,Emploi,,\n", known_axes={"emploi": ("Travail",), "travail": ("Emploi",)})


def test_objectives_are_found_by_code_or_title_and_new_ones_are_created_under_their_axis():
    known = {"sante": "Santé de proximité"}
    result = read(SHORT + "a,A,planned,Proximité,SANTE DE PROXIMITE,\n"
                          "b,B,planned,proximite,sante,\n"
                          "c,C,planned,Attractivité,Attirer des talents !,\n"
                          "d,D,planned,,attirer des Talents,\n",
                  known_axes=AXIS_NAMES, known_objectives=known, create_objectives=True)
    objectives = {a.id: a.objective for a in result.plan.actions.values()}
    assert objectives == {"a": "sante", "b": "sante", "c": "attirer-des-talents", "d": "attirer-des-talents"}
    assert [(o.code, o.title, o.axis, o.line) for o in result.new_objectives] == [
        ("attirer-des-talents", "Attirer des talents !", "attractivite", 4)]


def test_a_new_objective_needs_an_axis_and_only_one():
    with pytest.raises(FormatError) as info:
        read(SHORT + "a,A,planned,,Nouveau,\n"
                     "b,B,planned,Attractivité,Autre,\n"
                     "c,C,planned,Proximité,autre,\n",
             known_axes=AXIS_NAMES, known_objectives={}, create_objectives=True)
    problems = [(p.line, p.column, p.message) for p in info.value.problems]
    assert problems[0][:2] == (2, "objective") and "needs an axis on its row" in problems[0][2]
    assert problems[1][:2] == (4, "objective")
    assert "created under axis 'attractivite' (line 3); this row gives axis 'proximite'" in problems[1][2]


def test_without_creation_an_unknown_objective_says_how_to_create_it():
    with pytest.raises(FormatError, match="unknown objective 'Nouveau': create it on the strategy page first"):
        read(SHORT + "a,A,planned,Attractivité,Nouveau,\n", known_axes=AXIS_NAMES, known_objectives={"x": "X"})


def test_subterritories_take_zones_epci_sirens_and_commune_codes_of_the_territory():
    places = Subterritories(zones={"vercors-royans"}, epcis={"200068781"}, communes={"26362", "2A004"},
                            territory="Drôme", describe={"200046977": "Métropole de Lyon", "38185": "Grenoble"}.get)
    result = read(SHORT + 'a,A,planned,,,"vercors-royans|200068781|26362"\n'
                          'b,B,planned,,,"zone:vercors-royans|epci:200068781|com:26362|2a004"\n',
                  known_subterritories=places)
    assert result.plan.actions["a"].subterritories == ("vercors-royans", "200068781", "26362")
    assert result.plan.actions["b"].subterritories == ("vercors-royans", "200068781", "26362", "2A004")
    with pytest.raises(FormatError) as info:
        read(SHORT + 'a,A,planned,,,"200046977|38185|99999|vercors|200068781|epci:200068781"\n',
             known_subterritories=places)
    assert [p.message for p in info.value.problems] == [
        "EPCI 200046977 (Métropole de Lyon) is outside Drôme",
        "commune 38185 (Grenoble) is outside Drôme",
        "no commune has the code 99999",
        "unknown sub-territory code 'vercors': expected a zone code (vercors-royans), the SIREN of an EPCI or "
        "the INSEE code of a commune of Drôme, separated by '|'",
        "a sub-territory code is repeated",
    ]
    assert {(p.line, p.column) for p in info.value.problems} == {(2, "subterritories")}


def test_a_title_shared_by_two_objectives_asks_for_the_code():
    with pytest.raises(FormatError, match="objective 'Emploi' is ambiguous: it names emploi-jeunes, emploi-seniors"):
        read(SHORT + "a,A,planned,Attractivité,Emploi,\n", known_axes=AXIS_NAMES,
             known_objectives={"emploi-jeunes": "Emploi", "emploi-seniors": "emploi"}, create_objectives=True)
