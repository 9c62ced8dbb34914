"""The PTOD département values and dictionary read; bad records are named."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atout.engine.formats.errors import FormatError
from atout.engine.formats.ptod import indicator_year, read_ptod_dictionary, read_ptod_values


@pytest.fixture(scope="module")
def ptod(data_dir):
    return read_ptod_values(data_dir / "indicators" / "departements-indicateurs-ptod.json")


def test_the_ptod_file_holds_96_departements_and_france(ptod):
    assert len(ptod.territories) == 97
    assert "00FR" in ptod.territories.index and "2A" in ptod.territories.index
    assert ptod.territories.loc["26", "label"] == "Drôme" and ptod.territories.loc["26", "region"] == "ARA"
    wide = ptod.wide()
    assert wide.loc["26", "soc_txchom_1564_22"] == 11.8
    assert math.isnan(wide.loc["00FR", "dmf_pe_pct_22"])  # null stays missing


def test_years_come_from_the_period_suffix():
    assert indicator_year("soc_txchom_1564_22") == 2022
    assert indicator_year("dm_pop_vtcam_1622") == 2022
    assert indicator_year("P23_POP") == 2023


def test_the_dictionary_reads_with_polarity(data_dir):
    dictionary = read_ptod_dictionary(data_dir / "indicators" / "ptod-dictionnaire-indicateurs.json")
    assert dictionary["soc_txchom_1564"].polarity == -1
    assert dictionary["soc_txchom_1564"].unit == "%"
    assert len(dictionary) > 100


def test_bad_records_are_named_by_position_code_and_field(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"code": "26", "x_22": "abc"}, {"code": "26", "x_22": 1}, {"x_22": 2}, 3]))
    with pytest.raises(FormatError) as error:
        read_ptod_values(path)
    message = str(error.value)
    assert "column 'x_22': record 1 (code '26'): 'abc' is not a number" in message
    assert "record 2 (code '26'): duplicate territory code (first in record 1)" in message
    assert "record 3 has no territory code" in message
    assert "record 4 is not an object" in message


def test_unknown_codes_are_reported_and_france_is_always_known(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"code": "00FR", "x_22": 1}, {"code": "999", "x_22": 1}]))
    with pytest.raises(FormatError, match="record 2 \\(code '999'\\): unknown territory code"):
        read_ptod_values(path, known_codes={"26"})


def test_invalid_json_names_its_line(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('[\n{"code": "26",\n "x": }\n]')
    with pytest.raises(FormatError, match="p.json, line 3"):
        read_ptod_values(path)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_values_or_a_format_error(raw):
    try:
        read_ptod_values("upload.json", data=raw)
    except FormatError:
        pass
    try:
        read_ptod_dictionary("dict.json", data=raw)
    except FormatError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(
                        st.sampled_from(["code", "x_22", "libelle", "regdep"]), children, max_size=4),
                    max_leaves=20))
def test_any_json_gives_values_or_a_format_error(document):
    try:
        values = read_ptod_values("upload.json", data=json.dumps(document).encode())
    except FormatError:
        return
    assert values.data["value"].dropna().map(math.isfinite).all()
