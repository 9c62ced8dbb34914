"""Action plans as people write them, on a fresh process of the Drôme (not the demo process): axes by
label in any case, objectives the strategy does not have yet, EPCI and commune codes besides zones.

The roll-up follows docs/methods/action-plan.md (and docs/action-plan.md, "How progress rolls up");
every expected figure below is computed by hand in the comments."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from atout.actions.models import Action
from atout.processes.models import Process
from atout.strategy.models import Objective

# A French spreadsheet saved as CSV: ';' separator, axes by their label, objectives by their title
# (two of them new, one named twice with different case and accents), EPCI SIRENs and commune INSEE codes.
PLAN = """id;parent_id;title;axis;objective;status;progress;weight;subterritories
P1;;Accueillir les nouveaux actifs;Attractivité;Accueillir les nouveaux actifs;in_progress;;2;200068781|vercors-royans
P1.1;P1;Guichet unique d'accueil;ATTRACTIVITÉ;;done;;1;26362
P1.2;P1;Logements passerelles;attractivite;;in_progress;30;3;epci:200068781
P1.3;P1;Salon de l'emploi;Attractiveness;;abandoned;10;1;
S1;;Santé de proximité;PROXIMITÉ;Attirer des médecins;late;;1;epci:200040459|com:26362
S1.1;S1;Maisons de santé;proximite;attirer des medecins;in_progress;40;1;
S1.2;S1;Bourses d'internat;Proximité;;planned;;2;
I1;;Tiers-lieux ruraux;inventiveness;Innover dans les vallées;planned;;1;vercors-royans
"""

#: progress of each action, by the documented rule
EXPECTED_ACTIONS = {
    "P1": 47.5,     # children P1.1 done → 100 (weight 1), P1.2 30 (weight 3), P1.3 abandoned (excluded): 190 / 4
    "P1.1": 100.0, "P1.2": 30.0, "P1.3": 10.0,
    "S1": 13.33,    # children S1.1 40 (w 1), S1.2 planned without progress → 0 (w 2): 40 / 3
    "S1.1": 40.0, "S1.2": 0.0,
    "I1": 0.0,      # planned, no children, no progress
}
#: axes: weighted mean of their top-level actions
EXPECTED_AXES = {"attractivite": 47.5, "proximite": 13.33, "inventivite": 0.0}
#: objectives: weighted mean of the top-most actions linked to them (S1.1's ancestor S1 is linked)
EXPECTED_OBJECTIVES = {"accueillir-les-nouveaux-actifs": 47.5, "attirer-des-medecins": 13.33,
                       "innover-dans-les-vallees": 0.0}
#: sub-territories, by code: weighted mean of the top-most actions listing each one
EXPECTED_ZONES = {
    "200068781": 47.5,       # P1 (P1.2 lists it too, but its ancestor P1 does: counted once)
    "200040459": 13.33,      # S1
    "26362": 56.67,          # P1.1 100 (w 1) and S1 13.33 (w 1): 113.33 / 2
    "vercors-royans": 31.67,  # P1 47.5 (w 2) and I1 0 (w 1): 95 / 3
}


def run(*args) -> dict:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def fresh(db) -> Process:
    """A new process on the Drôme, created as a user does: ``atout process create``."""
    created = run("process", "create", "--slug", "drome-2030", "--territory", "26", "--title", "Drôme 2030")
    assert created["slug"] == "drome-2030"
    return Process.objects.get(slug="drome-2030")


def test_a_plan_as_people_write_it_imports_and_rolls_up_as_documented(fresh, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(PLAN, encoding="utf-8")
    result = run("actions", "import", str(path), "--process", "drome-2030")
    assert (result["created"], result["updated"], result["actions"]) == (8, 0, 8)
    assert result["objectives_created"] == [
        {"code": "accueillir-les-nouveaux-actifs", "title": "Accueillir les nouveaux actifs", "axis": "attractivite",
         "line": 2},
        {"code": "attirer-des-medecins", "title": "Attirer des médecins", "axis": "proximite", "line": 6},
        {"code": "innover-dans-les-vallees", "title": "Innover dans les vallées", "axis": "inventivite", "line": 9},
    ]
    created = {o.code: o for o in Objective.objects.filter(process=fresh)}
    assert created["attirer-des-medecins"].axis.code == "proximite"
    assert Action.objects.get(process=fresh, code="S1.1").objective == created["attirer-des-medecins"]
    s1 = Action.objects.get(process=fresh, code="S1")
    assert sorted((t.level, t.code) for t in s1.subterritories.all()) == [("commune", "26362"), ("epci", "200040459")]

    progress = run("actions", "progress", "--process", "drome-2030", "--date", "2027-01-15")
    assert progress["actions"] == EXPECTED_ACTIONS
    assert progress["axes"] == EXPECTED_AXES
    assert progress["objectives"] == EXPECTED_OBJECTIVES
    assert progress["subterritories"] == EXPECTED_ZONES
    assert progress["late"] == ["S1"]  # declared late

    # importing the same file again creates nothing more
    again = run("actions", "import", str(path), "--process", "drome-2030")
    assert (again["created"], again["updated"], again["objectives_created"]) == (0, 8, [])


@pytest.mark.parametrize("cell,message", [
    ("200046977", "EPCI 200046977 (Métropole de Lyon) is outside Drôme"),
    ("com:38185", "commune 38185 (Grenoble) is outside Drôme"),
    ("99999", "no commune has the code 99999"),
    ("vercors", "unknown sub-territory code 'vercors'"),
])
def test_a_place_outside_the_territory_names_its_row_and_column_and_imports_nothing(fresh, tmp_path, cell, message):
    path = tmp_path / "plan.csv"
    path.write_text(PLAN.replace("S1.2;S1;Bourses d'internat;Proximité;;planned;;2;",
                                 f"S1.2;S1;Bourses d'internat;Proximité;;planned;;2;{cell}"), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run("actions", "import", str(path), "--process", "drome-2030")
    assert f"line 8, column 'subterritories': {message}" in str(error.value)
    assert not Action.objects.filter(process=fresh).exists()
    assert not Objective.objects.filter(process=fresh).exists()  # the new objectives are not created either


def test_the_import_page_lists_the_objectives_it_created(client, users, fresh):
    client.force_login(users["admin"])
    url = reverse("actions:import", kwargs={"slug": "drome-2030"})
    response = client.post(url, {"spreadsheet": SimpleUploadedFile("plan.csv", PLAN.encode("utf-8"))})
    assert response.status_code == 302 and response.url == url
    html = client.get(url).content.decode()
    assert "8 action(s) importée(s) : 8 créée(s), 0 mise(s) à jour." in html
    assert "3 objectifs créés" in html
    assert 'href="/strategie/drome-2030/#objective-attirer-des-medecins">Attirer des médecins</a>' in html
    assert "axe Proximité, code <code>attirer-des-medecins</code>, ligne 6 du fichier" in html
    # the link leads to the objective on the strategy page, listed under its axis until it gets an orientation
    strategy = client.get("/strategie/drome-2030/").content.decode()
    assert '<li id="objective-attirer-des-medecins"><strong>Attirer des médecins</strong>' in strategy
    assert "Objectifs à rattacher à une orientation" in strategy and "— Proximité" in strategy
    response = client.post(url, {"spreadsheet": SimpleUploadedFile("plan.csv", PLAN.replace(
        "Innover dans les vallées", "Essaimer les tiers-lieux").encode("utf-8"))}, HTTP_ACCEPT_LANGUAGE="en")
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 objective created" in html and "Essaimer les tiers-lieux" in html
