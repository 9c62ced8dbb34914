"""Long and wide indicator tables (CSV and XLSX): all-or-nothing, errors naming line and column."""

import math

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atout.engine.formats.errors import FormatError
from atout.engine.formats.tables import read_long, read_wide


def test_a_long_csv_reads(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("code,indicator,year,value\n26,unemployment_rate,2022,11.8\n07,unemployment_rate,2022,\n"
                    "26,population,,521432\n", encoding="utf-8")
    table = read_long(path)
    assert table.loc[0, "value"] == 11.8 and table.loc[0, "year"] == 2022
    assert math.isnan(table.loc[1, "value"])
    assert table.loc[2, "year"] is not None and str(table.loc[2, "year"]) == "<NA>"


def test_a_long_csv_with_semicolons_takes_decimal_commas(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("code;indicator;year;value\n26;x;2022;11,8\n", encoding="utf-8")
    assert read_long(path).loc[0, "value"] == pytest.approx(11.8)


def test_long_csv_problems_are_collected_with_line_and_column(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("code,indicator,year,value\n26,x,2022,abc\n26,x,22,1\n26,x,2022,2\n99,x,2022,1\n",
                    encoding="utf-8")
    with pytest.raises(FormatError) as error:
        read_long(path, known_codes={"26"})
    message = str(error.value)
    assert "long.csv, line 2, column 'value': 'abc' is not a number" in message
    assert "line 3, column 'year': '22' is not a year" in message
    assert "line 4: duplicate value for territory '26', indicator 'x', year 2022" in message
    assert "line 5, column 'code': unknown territory code '99'" in message


def test_a_wide_csv_reads_with_years_from_column_names(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("code,unemployment_rate_2022,density\n01001,5.5,s\n26001,7,12\n", encoding="utf-8")
    table = read_wide(path)
    row = table[(table.code == "01001") & (table.indicator == "unemployment_rate")].iloc[0]
    assert row.year == 2022 and row.value == 5.5
    assert math.isnan(table[(table.code == "01001") & (table.indicator == "density")].value.iloc[0])


def test_a_wide_xlsx_reads_and_names_sheet_line_and_column(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "data"
    sheet.append(["code", "jobs_2022", "rate"])
    sheet.append(["26001", 95.5, "12,5"])
    sheet.append(["26002", "n/a?", 3])
    sheet.append(["26001", 1, 2])
    path = tmp_path / "wide.xlsx"
    workbook.save(path)
    with pytest.raises(FormatError) as error:
        read_wide(path)
    message = str(error.value)
    assert "wide.xlsx, sheet 'data', line 3, column 'jobs_2022': 'n/a?' is not a number" in message
    assert "sheet 'data', line 4, column 'code': duplicate territory code '26001' (first on line 2)" in message
    sheet.delete_rows(3, 2)
    workbook.save(path)
    table = read_wide(path)
    assert table.set_index("indicator").loc["rate", "value"] == 12.5


def test_a_missing_code_column_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("territory,x\n26,1\n", encoding="utf-8")
    with pytest.raises(FormatError, match="no territory-code column 'code'"):
        read_wide(path)


def test_a_corrupt_xlsx_is_a_format_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FormatError, match="not a readable XLSX workbook"):
        read_wide(path)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_long_table_or_a_format_error(raw):
    for reader in (read_long, read_wide):
        try:
            table = reader("upload.csv", data=raw)
        except FormatError:
            continue
        assert list(table.columns) == ["code", "indicator", "year", "value"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["code", "indicator", "year", "value", ",", "\n", "26", "x", "2022", "1.5", "s", ""]),
                max_size=40))
def test_table_like_text_gives_a_table_or_a_format_error(tokens):
    raw = ("code,indicator,year,value\n" + "".join(tokens)).encode()
    try:
        table = read_long("upload.csv", data=raw)
    except FormatError:
        return
    assert not table.duplicated(["code", "indicator", "year"]).any()
