"""INSEE files: the real Drôme comparateur reads; secrecy stays missing; errors name line and column."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atout.engine.formats.errors import FormatError
from atout.engine.formats.insee import combine, read_insee, series_year

COMPARATEUR = "indicators/insee/base_cc_comparateur_2025_dep26.csv"


@pytest.fixture(scope="module")
def comparateur(data_dir):
    return read_insee(data_dir / COMPARATEUR)


def test_the_drome_comparateur_reads_as_a_long_table(comparateur):
    data = comparateur.data
    assert list(data.columns) == ["code", "series", "year", "value"]
    assert len(comparateur.codes) == 363 and comparateur.codes[0] == "26001"
    assert comparateur.vintage == "2025"
    pop = data[(data.code == "26001") & (data.series == "P22_POP")].iloc[0]
    assert pop.value == 444 and pop.year == 2022


def test_fractional_counts_and_decimal_commas_are_kept(comparateur):
    wide = comparateur.wide()
    assert wide.loc["26001", "P22_MEN"] == pytest.approx(215.950674090979)
    assert wide.loc["26004", "PIMP21"] == pytest.approx(56.0)  # written "56,0"
    assert wide.loc["26010", "TP6021"] == pytest.approx(10.0)


def test_secret_and_empty_cells_stay_missing_not_zero(comparateur):
    wide = comparateur.wide()
    assert math.isnan(wide.loc["26001", "PIMP21"])  # "s"
    assert wide["NBMENFISC21"].isna().sum() == 84
    assert math.isnan(wide.loc["26371", "P22_POP"])  # Véronne, merged in 2025: empty cells
    assert (wide["NBMENFISC21"].dropna() > 0).all()


def test_series_years_are_decoded_from_insee_names():
    assert series_year("P22_POP") == 2022
    assert series_year("C22_MENPSEUL") == 2022
    assert series_year("NAIS1621") == 2021
    assert series_year("MED21") == 2021
    assert series_year("ETTEFP1024") == 2024
    assert series_year("BPE_2024_D307") == 2024
    assert series_year("ELECTEURSLP2024") == 2024
    assert series_year("SUPERF") is None


def test_a_non_numeric_cell_is_named_by_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("CODGEO;P22_POP;MED21\n26001;444;s\n26002;abc;1,5\n26003;12;x\n", encoding="utf-8")
    with pytest.raises(FormatError) as error:
        read_insee(path)
    message = str(error.value)
    assert "bad.csv, line 3, column 'P22_POP': 'abc' is not a number" in message
    assert "bad.csv, line 4, column 'MED21': 'x' is not a number" in message
    assert len(error.value.problems) == 2


def test_duplicates_unknown_codes_and_ragged_rows_are_reported(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("CODGEO;P22_POP\n26001;1\n26001;2\n99999;3\n", encoding="utf-8")
    with pytest.raises(FormatError) as error:
        read_insee(path, known_codes={"26001"})
    message = str(error.value)
    assert "line 3, column 'CODGEO': duplicate territory code '26001' (first on line 2)" in message
    assert "line 4, column 'CODGEO': unknown territory code '99999'" in message
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("CODGEO;P22_POP\n26001;1;2\n", encoding="utf-8")
    with pytest.raises(FormatError, match="line 2: 3 fields where the header has 2"):
        read_insee(ragged)


def test_a_file_without_codgeo_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("code;P22_POP\n26001;1\n", encoding="utf-8")
    with pytest.raises(FormatError, match="no CODGEO column"):
        read_insee(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_any_bytes_give_a_table_or_a_format_error(raw):
    try:
        table = read_insee("upload.csv", data=raw)
    except FormatError:
        return
    assert list(table.data.columns) == ["code", "series", "year", "value"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["26001", "26002", ";", "\n", "s", "nd", "1,5", "2", "x", "CODGEO", "P22_POP", ""]),
                max_size=40))
def test_insee_like_text_gives_a_table_or_a_format_error(tokens):
    raw = ("CODGEO;P22_POP\n" + "".join(tokens)).encode()
    try:
        table = read_insee("upload.csv", data=raw)
    except FormatError:
        return
    assert table.data["value"].dropna().map(math.isfinite).all()


def test_files_sharing_a_series_combine_only_when_they_agree(tmp_path, comparateur, data_dir):
    dossier = read_insee(data_dir / "indicators/insee/dossier_complet_light_dep26.csv")
    frame = combine([comparateur, dossier])
    assert len(frame) == 363 and {"P22_POP", "P22_POP0014", "P16_POP"} <= set(frame.columns)
    assert frame.loc["26002", "P16_POP"] == 1933
    other = tmp_path / "other.csv"
    other.write_text("CODGEO;P16_POP\n26002;1934\n", encoding="utf-8")
    with pytest.raises(FormatError, match="series 'P16_POP' differs for territory '26002'"):
        combine([comparateur, read_insee(other)])
