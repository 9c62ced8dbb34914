import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from atout.processes.models import Process


def run(*args):
    out = io.StringIO()
    call_command("process", *args, stdout=out)
    return json.loads(out.getvalue())


def test_it_creates_a_process_with_the_default_axes_and_phases(db):
    created = run("create", "--slug", "vercors", "--territory", "zone:vercors-royans", "--title", "Vercors attractif",
                  "--diagnostic", "2026-01-01:2026-06-30", "--strategy", "2026-07-01:2026-12-31", "--json")
    assert created["territory"] == {"code": "vercors-royans", "level": "zone", "name": "Vercors / Royans"}
    assert [a["code"] for a in created["axes"]] == ["attractivite", "proximite", "inventivite"]
    assert [p["kind"] for p in created["phases"]] == ["diagnostic", "strategy"]
    assert Process.objects.get(slug="vercors").phases.count() == 2


def test_list_gives_every_process_with_its_current_phase(db):
    processes = {p["slug"]: p for p in run("list", "--json")["processes"]}
    assert processes["drome"]["territory"]["code"] == "26"
    assert processes["drome"]["demo"] is True
    assert len(processes["drome"]["subterritories"]) == 5


@pytest.mark.parametrize("args,message", [
    (["--slug", "Drôme!", "--territory", "26", "--title", "x"], "use lowercase letters"),
    (["--slug", "drome", "--territory", "26", "--title", "x"], "already exists"),
    (["--slug", "nouveau", "--territory", "00000", "--title", "x"], "--territory '00000': unknown territory"),
    (["--slug", "nouveau", "--territory", "26", "--title", "x", "--strategy", "2026-05-01:2026-01-01"], "the end is before the start"),
])
def test_it_refuses_bad_input_and_creates_nothing(db, args, message):
    before = Process.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("process", "create", *args)
    assert Process.objects.count() == before


def test_the_current_phase_is_the_one_covering_today(drome):
    assert drome.current_phase(dt.date(2024, 11, 26)).kind == "diagnostic"
    assert drome.current_phase(dt.date(2025, 4, 1)).kind == "strategy"
    assert drome.current_phase(dt.date(2026, 12, 5)).kind == "action_plan"
    assert drome.current_phase(dt.date(2040, 1, 1)) is None


def test_a_new_process_inherits_the_zones_and_the_epcis_of_its_territory(db, tmp_path):
    # a zone defined for the Drôme as a user does, besides the five of the demo
    zones = tmp_path / "zones.yaml"
    zones.write_text("- code: agglo-valence\n  name: Agglomération de Valence\n  members: [epci:200068781]\n",
                     encoding="utf-8")
    call_command("territories", "zones", str(zones), "--parent", "26", stdout=io.StringIO())
    run("create", "--slug", "drome-2030", "--territory", "26", "--title", "Drôme 2030", "--json")
    processes = {p["slug"]: p for p in run("list", "--json")["processes"]}
    mine = processes["drome-2030"]["subterritories"]
    assert sorted(k for k in mine if k.startswith("zone:")) == [
        "zone:agglo-valence", "zone:diois-vallee-drome", "zone:drome-des-collines", "zone:drome-provencale",
        "zone:vallee-du-rhone", "zone:vercors-royans"]
    # and the 16 EPCIs holding Drôme communes, those straddling into a neighbouring département included
    epcis = [k for k in mine if k.startswith("epci:")]
    assert len(epcis) == 16 and "epci:200068781" in epcis and "epci:200040491" in epcis
    assert len(mine) == 22
    assert len(processes["drome"]["subterritories"]) == 5  # an existing process is left as it is


def test_a_process_on_the_part_of_one_epci_does_not_list_that_epci(db):
    created = run("create", "--slug", "royans", "--territory", "zone:vercors-royans", "--title", "Royans", "--json")
    # the zone is the Drôme part of one EPCI: an EPCI covering the whole territory is not a part of it
    assert created["subterritories"] == []
