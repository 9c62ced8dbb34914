"""``atout composite run|stats``: the command-line contract."""

import io
import json

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from scipy import stats


@pytest.fixture(scope="module")
def files(data_dir):
    folder = data_dir / "reference" / "coinr-asem"
    return {"idata": str(folder / "ASEM_iData.csv"), "imeta": str(folder / "ASEM_iMeta.csv")}


def run(*args, **options):
    out = io.StringIO()
    call_command("composite", *args, stdout=out, **options)
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def example(files):
    return run("run", "--idata", files["idata"], "--imeta", files["imeta"], "--preset", "coinr-example", "--json")


def test_preset_prints_every_unit_with_scores_and_ranks_at_every_level(example):
    units = example["units"]
    assert len(units) == 51
    levels = {"Index", "Conn", "Sust", "Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social",
              "SusEcFin"}
    for unit in units:
        assert set(unit["scores"]) == levels and set(unit["ranks"]) == levels
    first = units[0]
    assert first["code"] == "CHE" and first["ranks"]["Index"] == 1
    assert round(first["scores"]["Index"], 2) == 68.38 and round(first["scores"]["P2P"], 2) == 56.93
    india = next(u for u in units if u["code"] == "IND")
    assert india["ranks"]["Index"] == 45 and round(india["scores"]["Social"], 2) == 22.74
    assert [u["code"] for u in units[:6]] == ["CHE", "NLD", "DNK", "NOR", "BEL", "SWE"]
    assert [s["step"] for s in example["steps"]][:2] == ["denominate", "impute"]


def test_config_reproduces_the_preset(files, tmp_path, example):
    config = tmp_path / "asem.yaml"
    config.write_text(f"""
data:
  idata: {files['idata']}
  imeta: {files['imeta']}
steps:
  - denominate: {{}}
  - impute: {{method: group_mean, group: EurAsia_group}}
  - screen: {{min_availability: 0.9}}
  - treat: {{winmax: 5, skew_threshold: 2, kurtosis_threshold: 3.5}}
  - normalise: {{method: minmax, low: 0, high: 100}}
  - weight: {{method: expert}}
  - aggregate: {{method: arithmetic}}
uncertainty:
  weights_noise: {{2: 0.25, 3: 0.25}}
  aggregation: [arithmetic, geometric]
  normalisation: [{{method: minmax, low: 1, high: 100}}]
""")
    result = run("run", "--config", str(config), "--json")
    assert result["units"] == example["units"]
    with_uncertainty = run("run", "--config", str(config), "--uncertainty", "20", "--sensitivity", "8", "--json")
    assert set(with_uncertainty["sensitivity"]) == {"weights", "aggregation"}


def test_uncertainty_sensitivity_and_removal(files):
    args = ("run", "--idata", files["idata"], "--imeta", files["imeta"], "--preset", "coinr-example",
            "--uncertainty", "40", "--sensitivity", "8", "--removal", "2", "--seed", "5", "--json")
    result = run(*args)
    assert len(result["uncertainty"]) == 51
    che = result["uncertainty"]["CHE"]
    assert set(che) == {"nominal", "median", "q05", "q95"} and che["nominal"] == 1
    assert che["q05"] <= che["median"] <= che["q95"]
    assert set(result["sensitivity"]) == {"weights", "normalisation", "aggregation", "imputation", "treatment"}
    assert set(result["sensitivity"]["weights"]) == {"first_order", "total"}
    assert set(result["removal"]) == {"Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social",
                                      "SusEcFin"}
    assert all(v > 0 for v in result["removal"].values())
    assert run(*args) == result  # seeded


def test_stats_on_raw_data(files, data_dir):
    result = run("stats", "--idata", files["idata"], "--imeta", files["imeta"], "--json")
    assert len(result["indicators"]) == 49
    flights = result["indicators"]["Flights"]
    assert set(flights) == {"availability", "min", "max", "mean", "median", "skew", "kurtosis"}
    raw = pd.read_csv(data_dir / "reference" / "coinr-asem" / "ASEM_iData.csv")["Flights"].dropna()
    assert flights["min"] == pytest.approx(raw.min()) and flights["max"] == pytest.approx(raw.max())
    assert flights["skew"] == pytest.approx(stats.skew(raw, bias=False))
    assert flights["kurtosis"] == pytest.approx(stats.kurtosis(raw, bias=False))


def test_text_output_lists_the_ranking(files):
    out = io.StringIO()
    call_command("composite", "run", "--idata", files["idata"], "--imeta", files["imeta"], "--preset",
                 "coinr-example", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].split() == ["1", "CHE", "68.38"]


def test_errors_are_command_errors_naming_the_place(files, tmp_path):
    with pytest.raises(CommandError, match="--preset coinr-example"):
        run("run", "--idata", files["idata"], "--imeta", files["imeta"], "--json")
    with pytest.raises(CommandError, match="not both"):
        run("run", "--config", "x.yaml", "--preset", "coinr-example", "--json")
    broken = tmp_path / "meta.csv"
    broken.write_text("iCode,Level,Parent,Type,Direction,Weight\nA,1,Top,Indicator,1,1\nA,1,Top,Indicator,1,1\n"
                      "Top,2,,Aggregate,1,1\n")
    with pytest.raises(CommandError, match=r"meta\.csv, line 3, column 'iCode'"):
        run("stats", "--idata", files["idata"], "--imeta", str(broken), "--json")
    with pytest.raises(CommandError, match="level must be one of"):
        run("run", "--idata", files["idata"], "--imeta", files["imeta"], "--preset", "coinr-example",
            "--removal", "4", "--json")
