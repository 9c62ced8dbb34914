import datetime as dt

import pytest

from atout.engine.formats import cog
from atout.engine.formats.errors import FormatError


def test_it_reads_actual_communes_only(data_dir):
    communes = cog.read_communes(data_dir / "geo/cog-communes-2025.csv")
    codes = {c.code for c in communes}
    assert len(communes) == len(codes) == 34875
    assert sum(1 for c in communes if c.departement == "26") == 362
    # Véronne was merged into Saillans on 2025-01-01: it is no longer a commune of its own.
    assert "26371" not in codes and "26289" in codes


def test_it_reads_legal_populations(data_dir):
    populations = cog.read_populations(data_dir / "geo/donnees_communes-2023.csv")
    drome = [p for p in populations if p.code.startswith("26")]
    assert sum(p.municipal for p in drome) == 524207


def test_it_groups_epci_members(data_dir):
    epcis = {e.siren: e for e in cog.read_epci_composition(data_dir / "geo/epcicom-2025.xlsx")}
    assert len(epcis["200068781"].members) == 54
    assert epcis["200068781"].name == "CA Valence Romans Agglo"


def test_it_maps_2018_codes_to_their_2025_successor(data_dir):
    communes = {c.code for c in cog.read_communes(data_dir / "geo/cog-communes-2025.csv")}
    movements = cog.read_movements(data_dir / "geo/mouvements-communes.csv")
    successors = cog.successor_codes(movements, communes, since=dt.date(2018, 1, 1), until=dt.date(2025, 1, 1))
    assert successors["26184"] == "26210"  # Miribel → Valherbasse (2019)
    assert successors["26371"] == "26289"  # Véronne → Saillans (2025)
    assert "26210" not in successors  # still a commune: not remapped


def test_it_names_file_line_and_column_of_a_bad_value(tmp_path):
    path = tmp_path / "donnees.csv"
    path.write_text("REG;Région;DEP;COM;PMUN;PTOT\n84;ARA;26;26001;12;13\n84;ARA;26;26002;douze;13\n", encoding="utf-8")
    with pytest.raises(FormatError) as error:
        cog.read_populations(path)
    assert str(error.value) == "donnees.csv, line 3, column 'PMUN': 'douze' is not a whole number"


def test_it_names_missing_columns(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_text("TYPECOM,COM\nCOM,26001\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"communes.csv, line 1: missing column\(s\) REG, DEP, LIBELLE"):
        cog.read_communes(path)


def test_it_rejects_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "epci.xlsx"
    path.write_bytes(b"siren;insee\n")
    with pytest.raises(FormatError, match="epci.xlsx: not a readable XLSX workbook"):
        cog.read_epci_composition(path)


def test_it_rejects_geojson_without_codes(tmp_path):
    path = tmp_path / "contours.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
                    '"geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}]}')
    with pytest.raises(FormatError, match="feature #1 has no 'code' property"):
        cog.read_contours(path)


def test_it_reports_invalid_json_with_its_position(tmp_path):
    path = tmp_path / "contours.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [}')
    with pytest.raises(FormatError, match=r"contours.geojson, line 2, column 15: invalid JSON"):
        cog.read_contours(path)
