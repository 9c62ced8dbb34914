"""``atout indicators``: imports of the real INSEE and PTOD files, values for any territory, the catalogue."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from atout.diagnostic.models import ImportBatch, Indicator, Observation, Series
from atout.territories.models import Level, Membership, Territory

COMPARATEUR = "indicators/insee/base_cc_comparateur_2025_dep26.csv"
PTOD = "indicators/departements-indicateurs-ptod.json"


def run(*args):
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def value(territory, indicator, *extra):
    return run("indicators", "value", "--territory", territory, "--indicator", indicator, *extra)


def comparateur_rows(data_dir):
    """The file read independently of the project's reader: code → {column: text}."""
    with open(data_dir / COMPARATEUR, encoding="utf-8") as handle:
        return {row["CODGEO"]: row for row in csv.DictReader(handle, delimiter=";")}


def number(text):
    return None if text in ("", "s", "nd") else float(text.replace(",", "."))


def test_the_comparateur_imports_through_the_cli(db, data_dir):
    result = run("indicators", "import", str(data_dir / COMPARATEUR), "--format", "insee")
    rows = comparateur_rows(data_dir)
    # Véronne (26371), merged into Saillans in 2025, is an empty row of the file: skipped, and said so.
    assert result["territories"] == len(rows) - 1 == 362
    assert result["series"] == 31 and result["observations"] == 362 * 31
    assert any("26371" in note and "26289" in note for note in result["notes"])
    batch = ImportBatch.objects.get(pk=result["batch"])
    assert batch.format == "insee" and len(batch.sha256) == 64 and batch.counts["observations"] == 362 * 31
    stored = Observation.objects.get(batch=batch, series__code="P22_POP", territory__code="26362",
                                     territory__level=Level.COMMUNE)
    assert stored.value == float(rows["26362"]["P22_POP"]) and stored.year == 2022
    # The Drôme's population, aggregated from its communes, is the sum of P22_POP over the file's rows.
    expected = sum(number(r["P22_POP"]) or 0 for r in rows.values())
    result = value("dep:26", "population")
    assert result["value"] == pytest.approx(expected, abs=1e-6)
    assert result["coverage"] == 1.0 and result["unit"] == "habitants"
    assert "INSEE" in result["source"] and "2022" in result["source"]


@pytest.mark.usefixtures("statistics")
def test_rates_of_epcis_are_ratios_of_summed_counts(db, data_dir):
    rows = comparateur_rows(data_dir)
    for code in ("200068781", "242600534", "200040491"):  # Valence Romans Agglo, Diois, Porte de DrômArdèche
        epci = Territory.objects.get(level=Level.EPCI, code=code)
        members = list(Membership.objects.filter(group=epci).values_list("commune__code", flat=True))
        known = [rows[c] for c in members if c in rows]
        unemployed = sum(number(r["P22_CHOM1564"]) for r in known)
        active = sum(number(r["P22_ACT1564"]) for r in known)
        result = value(f"epci:{code}", "unemployment_rate")
        assert result["value"] == pytest.approx(100 * unemployed / active, rel=1e-12)
        assert result["coverage"] == pytest.approx(len(known) / len(members))
    # Porte de DrômArdèche straddles into the Ardèche, whose communes are not in the Drôme file.
    assert value("epci:200040491", "unemployment_rate")["coverage"] < 1


@pytest.mark.usefixtures("statistics")
def test_secret_values_stay_missing_and_the_coverage_says_so(db, data_dir):
    secret = Observation.objects.get(series__code="NBMENFISC21", territory__code="26003",
                                     territory__level=Level.COMMUNE)
    assert secret.value is None  # "s" in the file: missing, not 0
    result = value("26", "fiscal_households")
    expected = sum(number(r["NBMENFISC21"]) or 0 for r in comparateur_rows(data_dir).values())
    assert result["value"] == pytest.approx(expected)
    assert result["coverage"] == pytest.approx(279 / 362) and result["partial"] is True
    assert value("26003", "fiscal_households")["value"] is None


def test_a_bad_file_is_refused_whole_and_leaves_the_database_unchanged(db, data_dir, tmp_path):
    lines = (data_dir / COMPARATEUR).read_text(encoding="utf-8").splitlines()
    lines[5] = "99999" + lines[5][5:]  # unknown commune, line 6
    lines[8] = lines[7]  # duplicate of line 8, on line 9
    cells = lines[10].split(";")
    cells[1] = "abc"  # non-numeric P22_POP, line 11
    lines[10] = ";".join(cells)
    bad = tmp_path / "comparateur_2025_bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = (Observation.objects.count(), ImportBatch.objects.count(), Series.objects.count())
    with pytest.raises(CommandError) as error:
        run("indicators", "import", str(bad), "--format", "insee")
    message = str(error.value)
    assert "line 6, column 'CODGEO': unknown territory code '99999'" in message
    assert "line 9, column 'CODGEO': duplicate territory code" in message
    assert "line 11, column 'P22_POP': 'abc' is not a number" in message
    assert (Observation.objects.count(), ImportBatch.objects.count(), Series.objects.count()) == before


def test_long_and_wide_tables_import_indicators_and_series(db, tmp_path):
    long = tmp_path / "long.csv"
    long.write_text("code,indicator,year,value\nzone:vercors-royans,unemployment_rate,2023,7.5\n"
                    "26362,MY_SERIES,2024,12\n26362,MY_SERIES,2023,\n", encoding="utf-8")
    result = run("indicators", "import", str(long), "--format", "long")
    assert result["indicators"] == 1 and result["series"] == 1 and result["missing"] == 1
    imported = value("zone:vercors-royans", "unemployment_rate", "--year", "2023")
    assert imported["value"] == 7.5 and imported["origin"] == "imported" and imported["source"] == "long.csv"
    wide = tmp_path / "wide.csv"
    wide.write_text("code;unemployment_rate_2023\nzone:vercors-royans;8,25\n", encoding="utf-8")
    result = run("indicators", "import", str(wide), "--format", "wide")
    assert result["replaced"] == 1  # the latest import wins
    assert value("zone:vercors-royans", "unemployment_rate", "--year", "2023")["value"] == 8.25
    bad = tmp_path / "bad.csv"
    bad.write_text("code,indicator,year,value\n26362,x,2024,1\n26362,x,2024,2\n26362,y,20x4,1\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run("indicators", "import", str(bad), "--format", "long")
    assert "line 3: duplicate value for territory '26362', indicator 'x', year 2024" in str(error.value)
    assert "line 4, column 'year': '20x4' is not a year" in str(error.value)


@pytest.mark.usefixtures("statistics")
@pytest.mark.parametrize("territory,level", [("26362", Level.COMMUNE), ("epci:200068781", Level.EPCI),
                                             ("zone:drome-provencale", Level.ZONE), ("dep:26", Level.DEPARTEMENT)])
def test_value_for_a_commune_an_epci_a_zone_and_a_departement(db, data_dir, territory, level):
    place = Territory.objects.resolve(territory)
    assert place.level == level
    rows = comparateur_rows(data_dir)
    codes = [c for c in place.communes().values_list("code", flat=True)]
    result = value(territory, "population")
    assert result["value"] == pytest.approx(sum(number(rows[c]["P22_POP"]) for c in codes if c in rows))
    assert set(result) >= {"value", "unit", "coverage", "source"}
    assert result["coverage"] == pytest.approx(sum(1 for c in codes if c in rows) / len(codes))


@pytest.mark.usefixtures("statistics")
def test_a_departement_without_commune_data_takes_the_published_value(db, data_dir):
    published = {r["code"]: r for r in json.loads((data_dir / PTOD).read_text(encoding="utf-8"))}
    isere = value("dep:38", "unemployment_rate")
    assert isere["value"] == published["38"]["soc_txchom_1564_22"] and isere["origin"] == "published"
    assert "PTOD" in isere["source"]
    assert value("fr:FR", "median_income")["value"] == published["00FR"]["rev_med_21"]
    assert value("dep:38", "unemployment_rate", "--year", "2019")["value"] is None  # no value of that year
    assert value("dep:38", "population")["value"] is None  # no commune data for the Isère: missing, not 0


def test_unknown_territory_or_indicator_is_an_error(db):
    with pytest.raises(CommandError, match="unknown territory"):
        value("nowhere", "population")
    with pytest.raises(CommandError, match="unknown indicator"):
        value("26", "no_such_indicator")


def test_the_catalogue_syncs_and_keeps_admin_edits(db):
    result = run("indicators", "catalogue")
    assert result["total"] == len(result["indicators"]) >= 40
    edited = Indicator.objects.get(code="population")
    edited.label_fr, edited.edited = "Habitants", True  # as the admin does
    edited.save()
    again = run("indicators", "catalogue")
    assert again["created"] == 0 and again["kept"] == 1
    assert Indicator.objects.get(code="population").label_fr == "Habitants"
    assert next(i for i in again["indicators"] if i["code"] == "population")["label"] == "Habitants"


# --- raw INSEE series by their INSEE name -----------------------------------------------------------


@pytest.mark.usefixtures("statistics")
def test_a_raw_series_is_asked_for_by_its_insee_name(db, data_dir):
    rows = comparateur_rows(data_dir)
    commune = value("26362", "P22_POP")
    catalogue_shape = value("26362", "population")
    assert set(commune) >= set(catalogue_shape)  # the catalogue's shape, extended, never renamed
    assert commune["value"] == float(rows["26362"]["P22_POP"]) and commune["origin"] == "observed"
    assert commune["series"] == "P22_POP" and commune["indicator"] is None
    assert commune["unit"] is None  # INSEE's file gives no unit: none is invented
    assert commune["year"] == 2022 and "comparateur" in commune["source"].lower()


@pytest.mark.usefixtures("statistics")
def test_a_counted_series_is_summed_over_the_communes_of_any_territory(db, data_dir):
    rows = comparateur_rows(data_dir)
    for territory in ("epci:200068781", "zone:drome-provencale", "dep:26"):
        codes = list(Territory.objects.resolve(territory).communes().values_list("code", flat=True))
        result = value(territory, "p22_pop")  # the name in any case
        assert result["series"] == "P22_POP" and result["aggregation"] == "sum"
        assert result["value"] == pytest.approx(sum(number(rows[c]["P22_POP"]) for c in codes if c in rows))
        assert result["coverage"] == pytest.approx(sum(1 for c in codes if c in rows) / len(codes))
        # the same figure as the catalogue's population, which is made of this series
        assert result["value"] == pytest.approx(value(territory, "population")["value"])
        if result["origin"] != "imported":  # summed: the source is that of the communes' values
            assert "comparateur" in result["source"]


@pytest.mark.usefixtures("statistics")
def test_a_median_is_never_summed(db, data_dir):
    rows = comparateur_rows(data_dir)
    assert value("26362", "MED21")["value"] == number(rows["26362"]["MED21"])
    epci = value("epci:200068781", "MED21")
    assert epci["value"] is None and epci["origin"] == "missing" and epci["aggregation"] == "none"


@pytest.mark.usefixtures("statistics")
def test_a_series_imported_for_the_departement_itself_is_its_value(db, data_dir):
    published = {r["code"]: r for r in json.loads((data_dir / PTOD).read_text(encoding="utf-8"))}
    result = value("dep:38", "SOC_TXCHOM_1564_22")
    assert result["value"] == published["38"]["soc_txchom_1564_22"] and result["origin"] == "imported"
    assert value("26362", "P22_POP", "--year", "2019")["value"] is None  # no value of that year


@pytest.mark.usefixtures("statistics")
def test_an_unknown_name_lists_close_matches(db):
    with pytest.raises(CommandError, match=r"unknown indicator or series 'P22_POPP' \(close matches: .*P22_POP"):
        value("26", "P22_POPP")
