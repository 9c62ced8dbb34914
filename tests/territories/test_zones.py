import io
import json

import pytest
from django.core.management import CommandError, call_command

from atout.engine.formats.errors import FormatError
from atout.territories.importer import load_zones
from atout.territories.models import Level, Territory


def test_the_demo_zones_partition_the_drome(drome):
    zones = list(drome.subterritories.all())
    assert {z.name for z in zones} >= {
        "Vallée du Rhône", "Drôme provençale", "Vercors / Royans", "Diois et Vallée de la Drôme", "Drôme des collines",
    }
    communes = [c for z in zones for c in z.communes().values_list("code", flat=True)]
    assert len(communes) == len(set(communes)) == 362
    assert sum(z.computed_population() for z in zones) == drome.territory.computed_population()


def test_zones_restricted_within_a_departement_keep_only_its_communes(drome):
    provence = Territory.objects.resolve("zone:drome-provencale")
    assert set(provence.communes().values_list("parent__code", flat=True)) == {"26"}


def test_zones_load_from_csv_by_commune_and_epci(db, tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text("zone_code,zone_name,member\nvalence-plus,Valence et Diois,26362\nvalence-plus,Valence et Diois,epci:242600534\n")
    out = io.StringIO()
    call_command("territories", "zones", str(path), "--json", stdout=out)
    zone = json.loads(out.getvalue())["zones"][0]
    assert zone["communes"] == 51
    assert zone["epcis"] == ["200068781", "242600534"]


def test_a_zone_with_an_unknown_code_creates_nothing(db, tmp_path):
    path = tmp_path / "zones.yaml"
    path.write_text("- code: ok\n  name: OK\n  members: ['26362']\n- code: bad\n  name: Bad\n  members: ['26362', '99999']\n")
    with pytest.raises(FormatError, match=r"zones.yaml \(zone #2 'bad'\): unknown commune or EPCI code\(s\): 99999"):
        load_zones(path)
    assert not Territory.objects.filter(level=Level.ZONE, code__in=["ok", "bad"]).exists()


def test_invalid_yaml_is_reported_with_its_line(db, tmp_path):
    path = tmp_path / "zones.yaml"
    path.write_text("- code: a\n  name: [unclosed\n")
    with pytest.raises(CommandError, match=r"zones.yaml, line \d+, column \d+: invalid YAML"):
        call_command("territories", "zones", str(path))


def test_zones_survive_a_new_import_of_the_geography(db, data_dir):
    from atout.territories import importer

    importer.import_geography({key: data_dir / rel for key, rel in importer.GEO_FILES.items()})
    assert Territory.objects.resolve("zone:vercors-royans").communes().count() == 18
