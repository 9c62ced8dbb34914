"""Reading COINr iData/iMeta tables and pipeline configurations: all-or-nothing, precise errors."""

import math

import pytest

from atout.engine.formats.coinr import read_coinr, read_imeta, read_pipeline_config
from atout.engine.formats.errors import FormatError


@pytest.fixture(scope="module")
def folder(data_dir):
    return data_dir / "reference" / "coinr-asem"


def copy_with(source, target, replace=None, append=None):
    """Write ``source`` to ``target`` with the line numbered ``n`` (1-based) replaced or lines appended."""
    lines = source.read_text(encoding="utf-8").splitlines()
    for number, text in (replace or {}).items():
        lines[number - 1] = text
    lines.extend(append or [])
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def line_of(path, prefix):
    """1-based number of the first line of ``path`` starting with ``prefix``."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(prefix))


def test_reads_the_asem_example(folder):
    data = read_coinr(folder / "ASEM_iData.csv", folder / "ASEM_iMeta.csv")
    tree = data.tree
    assert data.values.shape == (51, 49)
    assert tree.levels == [1, 2, 3, 4] and tree.top == "Index"
    assert tree.children("Index") == ["Conn", "Sust"]
    assert len(tree.codes_at(2)) == 8
    assert tree.direction["CostImpEx"] == -1 and tree.denominator["Flights"] == "Population"
    assert tree.target["LPI"] == pytest.approx(4.11803135)
    assert list(data.groups.columns) == ["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"]
    assert data.groups.loc["CHE", "EurAsia_group"] == "Europe"
    assert list(data.denominators.columns) == ["Area", "Energy", "GDP", "Population"]
    assert data.names["CHE"] == "Switzerland"
    assert data.values.loc["AUT", "LPI"] == pytest.approx(4.097985)
    assert data.values.isna().sum().sum() > 0  # empty cells are missing values, not zeros


def test_duplicate_and_unknown_parent_codes_in_imeta(folder, tmp_path):
    meta = folder / "ASEM_iMeta.csv"
    target = copy_with(meta, tmp_path / "meta.csv", replace={3: "1.0,LPI,Copy,1.0,1.0,Score,,,Physical,Indicator"},
                       append=["1.0,Extra,Extra,1.0,1.0,Score,,,Nowhere,Indicator"])
    with pytest.raises(FormatError) as caught:
        read_imeta(target)
    error = caught.value
    assert error.path.endswith("meta.csv")
    places = {(p.line, p.column): p.message for p in error.problems}
    assert "duplicate code 'LPI' (first on line 2)" in places[(3, "iCode")]
    last = len(meta.read_text().splitlines()) + 1
    assert "unknown parent code 'Nowhere'" in places[(last, "Parent")]
    assert "meta.csv, line 3, column 'iCode'" in str(error)


def test_non_numeric_weight_and_bad_direction_in_imeta(folder, tmp_path):
    meta = folder / "ASEM_iMeta.csv"
    row = line_of(meta, "1.0,Ship,")
    target = copy_with(meta, tmp_path / "meta.csv",
                       replace={row: "1.0,Ship,Liner Shipping,2.0,heavy,Score,20.1,,Physical,Indicator"})
    with pytest.raises(FormatError) as caught:
        read_imeta(target)
    places = {(p.line, p.column) for p in caught.value.problems}
    assert (row, "Weight") in places and (row, "Direction") in places


def test_parent_at_wrong_level_is_reported(folder, tmp_path):
    meta = folder / "ASEM_iMeta.csv"
    row = line_of(meta, "1.0,LPI,")
    target = copy_with(meta, tmp_path / "meta.csv",
                       replace={row: "1.0,LPI,Logistics Performance Index,1.0,1.0,Score 1-5,4.1,,Conn,Indicator"})
    with pytest.raises(FormatError) as caught:
        read_imeta(target)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (row, "Parent") and "Level 3, not 2" in problem.message


def test_non_numeric_cells_and_duplicate_units_in_idata(folder, tmp_path):
    data = folder / "ASEM_iData.csv"
    header = data.read_text().splitlines()[0].split(",")
    rows = data.read_text().splitlines()
    austria = rows[1].split(",")
    austria[header.index("LPI")] = "n/a?"
    austria[header.index("Pat")] = "12,5".replace(",", ";")
    target = copy_with(data, tmp_path / "data.csv", replace={2: ",".join(austria)}, append=[rows[3]])
    with pytest.raises(FormatError) as caught:
        read_coinr(target, folder / "ASEM_iMeta.csv")
    places = {(p.line, p.column): p.message for p in caught.value.problems}
    assert places[(2, "LPI")] == "not a number: 'n/a?'"
    assert places[(2, "Pat")] == "not a number: '12;5'"
    assert "duplicate unit code 'BGR' (first on line 4)" in places[(len(rows) + 1, "uCode")]


def test_missing_indicator_column_and_unknown_column(folder, tmp_path):
    lines = (folder / "ASEM_iData.csv").read_text().splitlines()
    header = lines[0].split(",")
    header[header.index("LPI")] = "LPX"
    target = copy_with(folder / "ASEM_iData.csv", tmp_path / "data.csv", replace={1: ",".join(header)})
    with pytest.raises(FormatError) as caught:
        read_coinr(target, folder / "ASEM_iMeta.csv")
    messages = [p.message for p in caught.value.problems]
    assert "missing column 'LPI' declared in iMeta" in messages
    assert "column 'LPX' is not declared in iMeta" in messages


def test_ragged_row_names_its_line(folder, tmp_path):
    target = copy_with(folder / "ASEM_iData.csv", tmp_path / "data.csv", replace={5: "Croatia,HRV,S"})
    with pytest.raises(FormatError) as caught:
        read_coinr(target, folder / "ASEM_iMeta.csv")
    assert caught.value.line == 5 and "fields where the header has" in caught.value.message


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="cannot open"):
        read_imeta(tmp_path / "absent.csv")


def test_pipeline_config_reads_steps_and_resolves_paths(tmp_path, monkeypatch, folder):
    monkeypatch.setenv("ASEM_DIR", str(folder))
    config = tmp_path / "index.yaml"
    config.write_text(
        "data:\n  idata: $ASEM_DIR/ASEM_iData.csv\n  imeta: meta/ASEM_iMeta.csv\n"
        "steps:\n  - denominate: {}\n  - impute: {method: group_mean, group: EurAsia_group}\n"
        "  - normalise: {method: minmax}\n  - aggregate:\n"
        "uncertainty:\n  weights_noise: 0.2\n  aggregation: [arithmetic, geometric]\n")
    parsed = read_pipeline_config(config)
    assert parsed.idata == folder / "ASEM_iData.csv"
    assert parsed.imeta == tmp_path / "meta" / "ASEM_iMeta.csv"
    assert parsed.steps == [("denominate", {}), ("impute", {"method": "group_mean", "group": "EurAsia_group"}),
                            ("normalise", {"method": "minmax"}), ("aggregate", {})]
    assert parsed.uncertainty["aggregation"] == ["arithmetic", "geometric"]


def test_pipeline_config_errors_name_the_line(tmp_path):
    config = tmp_path / "index.yaml"
    config.write_text("data:\n  idata: a.csv\n  imeta: b.csv\nsteps:\n  - impute: {}\n  - smooth: {k: 1}\n")
    with pytest.raises(FormatError) as caught:
        read_pipeline_config(config)
    (problem,) = caught.value.problems
    assert problem.line == 6 and "unknown step 'smooth'" in problem.message
    config.write_text("data:\n  idata: a.csv\n  imeta: b.csv\nsteps:\n  - normalise:\n      method: zscore\n"
                      "      spread: 2\n")
    with pytest.raises(FormatError) as caught:
        read_pipeline_config(config)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (7, "spread") and "no parameter 'spread'" in problem.message
    config.write_text("data: [unclosed\n")
    with pytest.raises(FormatError) as caught:
        read_pipeline_config(config)
    assert caught.value.line == 2 and "not valid YAML" in caught.value.message


def test_nan_targets_are_left_out(folder):
    tree = read_imeta(folder / "ASEM_iMeta.csv").tree
    assert "Index" not in tree.target and all(not math.isnan(v) for v in tree.target.values())
