import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from atout.engine.formats.errors import FormatError
from atout.territories import importer
from atout.territories.models import Level, Territory


def show(code):
    out = io.StringIO()
    call_command("territories", "show", code, "--json", stdout=out)
    return json.loads(out.getvalue())


def pmun_of_departement(data_dir, dep):
    with (data_dir / "geo/donnees_communes-2023.csv").open(encoding="utf-8") as handle:
        return sum(int(row["PMUN"]) for row in csv.DictReader(handle, delimiter=";") if row["DEP"] == dep)


def test_the_drome_has_362_communes_and_the_sum_of_their_pmun(db, data_dir):
    drome = show("26")
    assert drome["level"] == "departement"
    assert drome["communes"] == 362
    assert drome["population"] == pmun_of_departement(data_dir, "26") == 524207
    assert len(drome["epcis"]) == 16
    assert "200068781" in drome["epcis"] and "248400335" in drome["epcis"]
    assert [p["code"] for p in drome["parents"]] == ["84", "FR"]


def test_valence_romans_agglo_has_54_communes(db):
    epci = show("200068781")
    assert epci["communes"] == 54
    assert epci["name"] == "CA Valence Romans Agglo"
    assert [p["code"] for p in epci["parents"] if p["level"] == "departement"] == ["26"]


def test_an_epci_straddling_departements_lists_both(db):
    epci = Territory.objects.resolve("200073096")  # CA Arche Agglo: Ardèche and Drôme
    assert sorted(epci.children_at(Level.DEPARTEMENT).values_list("code", flat=True)) == ["07", "26"]


def test_region_codes_shared_with_departements_need_a_prefix(db):
    assert Territory.objects.resolve("84").level == Level.DEPARTEMENT  # Vaucluse
    region = Territory.objects.resolve("reg:84")
    assert region.name == "Auvergne-Rhône-Alpes"
    assert region.communes().filter(parent__code="26").count() == 362


def test_paris_population_is_summed_from_its_arrondissements(db, data_dir):
    with (data_dir / "geo/donnees_communes-2023.csv").open(encoding="utf-8") as handle:
        expected = sum(int(r["PMUN"]) for r in csv.DictReader(handle, delimiter=";") if r["COM"].startswith("751"))
    assert Territory.objects.resolve("75056").population == expected


def test_merged_communes_get_the_dissolved_contour_of_their_former_parts(db):
    valherbasse = Territory.objects.resolve("26210")  # Miribel + Montrigaud + Saint-Bonnet-de-Valclérieux
    geometry = json.loads(valherbasse.contour)
    assert geometry["type"] in {"Polygon", "MultiPolygon"}
    drawn, total = Territory.objects.resolve("26").contour_coverage()
    assert drawn == total == 362


def test_an_epci_contour_is_dissolved_from_its_communes_and_cached(db):
    epci = Territory.objects.resolve("200068781")
    assert epci.contour == ""
    geometry = epci.geometry()
    assert geometry["type"] in {"Polygon", "MultiPolygon"}
    assert Territory.objects.get(pk=epci.pk).contour != ""


def test_show_names_an_unknown_code(db):
    with pytest.raises(CommandError, match="unknown territory '99999'"):
        call_command("territories", "show", "99999")


def test_a_broken_file_imports_nothing(db, data_dir, tmp_path):
    broken = tmp_path / "donnees_communes.csv"
    lines = (data_dir / "geo/donnees_communes-2023.csv").read_text(encoding="utf-8").splitlines()
    lines[100] = lines[100].replace(";", ";x", 1)
    lines[200] = ";".join(lines[200].split(";")[:8] + ["beaucoup", "1", "1"])
    broken.write_text("\n".join(lines), encoding="utf-8")
    files = {key: data_dir / rel for key, rel in importer.GEO_FILES.items()} | {"populations": broken}
    before = Territory.objects.count()
    with pytest.raises(FormatError, match=r"donnees_communes.csv, line 201, column 'PMUN': 'beaucoup' is not a whole number"):
        importer.import_geography(files)
    assert Territory.objects.count() == before
    assert Territory.objects.resolve("26").communes().count() == 362


def test_children_lists_communes_of_an_epci(db):
    out = io.StringIO()
    call_command("territories", "children", "200068781", "--level", "commune", "--json", stdout=out)
    children = json.loads(out.getvalue())["children"]
    assert len(children) == 54 and {"code": "26362", "name": "Valence"} in children
