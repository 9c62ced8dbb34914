"""``atout actions import / progress / export``: the documented spreadsheet rolls up as documented."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from atout.actions.demo import PLAN_FILE
from atout.actions.models import Action, ProgressUpdate
from atout.strategy.models import Objective

OBJECTIVES = ["emploi", "talents", "services", "logement", "industrie", "mobilites"]

#: The roll-up of the documented example (docs/action-plan.md), computed by hand.
EXPECTED_ACTIONS = {
    "A1": 62.5,     # (100×1 + 40×2 + 70×1) / 4 — A1.4 abandoned, A1.1 done counts 100
    "A1.1": 100.0, "A1.2": 40.0, "A1.3": 70.0, "A1.4": 10.0,
    "A2": 50.0,     # (100 + 0) / 2 — A2.2 planned without progress: 0
    "A2.1": 100.0, "A2.2": 0.0,
    "P1": 57.5,     # (60×3 + 50×1) / 4 — P1.2 in progress without progress: 50
    "P1.1": 60.0, "P1.2": 50.0, "P2": 0.0,
    "I1": 65.0,     # (80 + 50) / 2 — I1.2 declared late without progress: 50
    "I1.1": 80.0, "I1.2": 50.0,
    "I2": 31.67,    # (20×2 + 55×1) / 3
    "I2.1": 20.0, "I2.2": 55.0,
}
EXPECTED_AXES = {"attractivite": 58.33,  # (62.5×2 + 50×1) / 3
                 "proximite": 28.75,     # (57.5 + 0) / 2
                 "inventivite": 48.33}   # (65 + 31.67) / 2
EXPECTED_ZONES = {
    "diois-vallee-drome": 39.44,  # A1.2 40×2, A2.2 0×1, P1.1 60×3, I2.1 20×2, I2.2 55×1 → 355 / 9
    "drome-des-collines": 70.0,   # A1.3
    "drome-provencale": 51.67,    # A1.2 40×2, P1.1 60×3, I1.2 50×1 → 310 / 6
    "vallee-du-rhone": 45.0,      # P2 0, I1.1 80, I2.2 55
    "vercors-royans": 25.0,       # A2.2 0, P1.2 50
}


def run(*args) -> dict:
    out = io.StringIO()
    call_command("actions", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def objectives(blank_drome):
    for code in OBJECTIVES:
        Objective.objects.create(process=blank_drome, code=code, title=code)
    return blank_drome


def test_the_documented_plan_imports_and_rolls_up_exactly(objectives):
    assert run("import", str(PLAN_FILE), "--process", "drome", "--json") == {
        "created": 18, "updated": 0, "actions": 18, "objectives_created": []}
    result = run("progress", "--process", "drome", "--json", "--date", "2027-01-15")
    assert result["actions"] == EXPECTED_ACTIONS
    assert result["axes"] == EXPECTED_AXES
    assert result["subterritories"] == EXPECTED_ZONES
    assert result["late"] == ["A1.3", "P1.1", "I1.1", "I1.2"]
    assert set(result) >= {"actions", "axes", "subterritories", "late"}
    early = run("progress", "--process", "drome", "--json", "--date", "2026-01-01")
    assert early["late"] == ["I1.2"]  # only the action the team declared late


def test_import_stores_the_tree_and_journal(objectives):
    run("import", str(PLAN_FILE), "--process", "drome", "--json")
    a12 = Action.objects.get(process=objectives, code="A1.2")
    assert a12.parent.code == "A1" and a12.weight == 2 and a12.progress == 40
    assert sorted(a12.subterritories.values_list("code", flat=True)) == ["diois-vallee-drome", "drome-provencale"]
    assert a12.lead_organisation == "Département de la Drôme" and a12.lead_service == "Enseignement supérieur"
    assert ProgressUpdate.objects.filter(action__process=objectives).count() == 18


def test_a_bad_file_imports_nothing_and_names_rows_and_columns(objectives, tmp_path):
    bad = tmp_path / "plan.csv"
    bad.write_text(
        "id,parent_id,title,axis,status,progress,start,end,subterritories\n"
        "X1,,Bonne ligne,attractivite,planned,,2027-01-01,2027-12-31,vercors-royans\n"
        "X2,X9,Parent inconnu,tourisme,finished,150,2027-05-01,2027-01-01,atlantide\n",
        encoding="utf-8")
    with pytest.raises(CommandError) as info:
        run("import", str(bad), "--process", "drome", "--json")
    message = str(info.value)
    for part in ("plan.csv", "line 3, column 'parent_id'", "line 3, column 'axis'", "line 3, column 'status'",
                 "line 3, column 'progress'", "line 3, column 'end'", "line 3, column 'subterritories'"):
        assert part in message
    assert not Action.objects.filter(process=objectives).exists()


def test_export_then_import_gives_the_same_plan(objectives, tmp_path):
    run("import", str(PLAN_FILE), "--process", "drome", "--json")
    before = run("progress", "--process", "drome", "--json", "--date", "2027-01-15")
    for suffix in ("xlsx", "csv"):
        out = tmp_path / f"plan.{suffix}"
        assert run("export", "--process", "drome", "--output", str(out), "--json")["actions"] == 18
        assert run("import", str(out), "--process", "drome", "--json") == {
            "created": 0, "updated": 18, "actions": 18, "objectives_created": []}
        assert run("progress", "--process", "drome", "--json", "--date", "2027-01-15") == before


def test_unknown_process_and_bad_date(db):
    with pytest.raises(CommandError, match="no process 'nulle-part'"):
        run("progress", "--process", "nulle-part", "--json")
    with pytest.raises(CommandError, match="bad date"):
        run("progress", "--process", "drome", "--json", "--date", "15/01/2027")


def text_of(*args) -> str:
    out = io.StringIO()
    call_command("actions", *args, stdout=out)
    return out.getvalue()


def test_without_json_the_commands_print_sentences(objectives, tmp_path):
    assert text_of("import", str(PLAN_FILE), "--process", "drome").startswith(
        "18 action(s) imported: 18 created, 0 updated")
    progress = text_of("progress", "--process", "drome", "--date", "2027-01-15")
    assert "axes:\n  attractivite: 58.3 %" in progress and "late: A1.3, P1.1, I1.1, I1.2" in progress
    out = tmp_path / "plan.xlsx"
    assert text_of("export", "--process", "drome", "--output", str(out)).strip() == f"18 action(s) written to {out}"


def test_the_commands_refuse_what_they_cannot_do(objectives, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("import", str(tmp_path / "absent.csv"), "--process", "drome", "--json")
    with pytest.raises(CommandError, match="must end in .xlsx or .csv"):
        run("export", "--process", "drome", "--output", str(tmp_path / "plan.ods"), "--json")
    with pytest.raises(CommandError, match="cannot write"):
        run("export", "--process", "drome", "--output", str(tmp_path / "absent" / "plan.csv"), "--json")
    objectives.is_demo = False
    objectives.save(update_fields=["is_demo"])
    with pytest.raises(CommandError, match="is not a demo process"):
        run("demo", "--process", "drome", "--json")
