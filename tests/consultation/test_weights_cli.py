"""``atout weights rake``: the CLI contract (options, JSON keys, errors naming file, variable, category)."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.engine.test_weighting import biased_sample, drome_margins


def run(*args) -> dict:
    out = io.StringIO()
    call_command("weights", "rake", *map(str, args), "--json", stdout=out)
    return json.loads(out.getvalue())


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_margins(path, margins):
    rows = [(v, c, t) for v, cats in margins.items() for c, t in cats.items()]
    return write_csv(path, ["variable", "category", "target"], rows)


@pytest.fixture
def real_case(data_dir, tmp_path):
    margins = drome_margins(data_dir)  # counts: population by age band and by arrondissement
    sample = biased_sample(margins, 1200, seed=3)
    sample.insert(0, "respondent", [f"r{i:04d}" for i in range(len(sample))])
    sample_path = write_csv(tmp_path / "sample.csv", list(sample.columns), sample.itertuples(index=False))
    return sample, margins, sample_path, write_margins(tmp_path / "margins.csv", margins)


def test_it_rakes_to_real_margins_and_prints_the_contract_keys(real_case):
    sample, margins, sample_path, margins_path = real_case
    result = run(sample_path, "--margins", margins_path, "--id-column", "respondent")
    assert {"weights", "achieved", "iterations", "deff", "effective_n"} <= set(result)
    assert list(result["weights"]) == list(sample["respondent"])
    for variable, targets in margins.items():
        total = sum(targets.values())
        assert set(result["achieved"][variable]) == set(targets)
        for category, target in targets.items():
            assert result["achieved"][variable][category] == pytest.approx(target / total, abs=1e-6)
    weights = list(result["weights"].values())
    assert sum(weights) / len(weights) == pytest.approx(1.0)
    assert isinstance(result["iterations"], int) and result["iterations"] >= 1
    assert result["deff"] > 1
    assert result["effective_n"] == pytest.approx(len(weights) / result["deff"])


def test_without_an_id_column_ids_are_row_numbers(tmp_path):
    sample = write_csv(tmp_path / "s.csv", ["sex"], [["F"], ["F"], ["F"], ["M"]])
    margins = write_margins(tmp_path / "m.csv", {"sex": {"F": 0.5, "M": 0.5}})
    result = run(sample, "--margins", margins)
    assert result["weights"] == pytest.approx({"1": 2 / 3, "2": 2 / 3, "3": 2 / 3, "4": 2.0})
    assert result["deff"] == pytest.approx(4 * (3 * 4 / 9 + 4) / 16)


def test_targets_are_read_as_proportions_or_counts_per_variable(tmp_path):
    sample = write_csv(tmp_path / "s.csv", ["sex", "zone"], [["F", "a"], ["M", "a"], ["F", "b"], ["M", "b"], ["F", "b"]])
    margins = write_margins(tmp_path / "m.csv", {"sex": {"F": 0.5, "M": 0.5}, "zone": {"a": 300, "b": 100}})
    result = run(sample, "--margins", margins)
    assert result["achieved"]["sex"] == pytest.approx({"F": 0.5, "M": 0.5})
    assert result["achieved"]["zone"] == pytest.approx({"a": 0.75, "b": 0.25})


def test_trim_bounds_the_weights(real_case):
    _, _, sample_path, margins_path = real_case
    untrimmed = run(sample_path, "--margins", margins_path, "--id-column", "respondent")
    assert max(untrimmed["weights"].values()) > 2.5
    result = run(sample_path, "--margins", margins_path, "--id-column", "respondent", "--trim", "0.3,2.5")
    assert max(result["weights"].values()) <= 2.5 + 1e-9
    assert min(result["weights"].values()) >= 0.3 - 1e-9


def test_a_sample_category_missing_from_the_margins_names_file_variable_and_category(tmp_path):
    sample = write_csv(tmp_path / "sample.csv", ["sex"], [["F"], ["M"], ["X"]])
    margins = write_margins(tmp_path / "margins.csv", {"sex": {"F": 0.5, "M": 0.5}})
    with pytest.raises(CommandError) as caught:
        run(sample, "--margins", margins)
    message = str(caught.value)
    assert str(sample) in message and "'sex'" in message and "'X'" in message and str(margins) in message


def test_a_margin_category_missing_from_the_sample_names_file_variable_and_category(tmp_path):
    sample = write_csv(tmp_path / "sample.csv", ["sex"], [["F"], ["F"]])
    margins = write_margins(tmp_path / "margins.csv", {"sex": {"F": 0.5, "M": 0.5}})
    with pytest.raises(CommandError) as caught:
        run(sample, "--margins", margins)
    message = str(caught.value)
    assert message.startswith(str(margins)) and "'sex'" in message and "'M'" in message


def test_input_errors_name_the_file_and_line(tmp_path):
    sample = write_csv(tmp_path / "sample.csv", ["id", "sex"], [["a", "F"], ["b", "M"], ["a", "F"]])
    margins = write_margins(tmp_path / "margins.csv", {"sex": {"F": 0.5, "M": 0.5}})
    with pytest.raises(CommandError, match=r"sample.csv, line 4, column 'id': id 'a' already used at line 2"):
        run(sample, "--margins", margins, "--id-column", "id")
    sample = write_csv(tmp_path / "good.csv", ["id", "sex"], [["a", "F"], ["b", "M"]])
    bad = write_csv(tmp_path / "bad.csv", ["variable", "category", "target"], [["sex", "F", "half"]])
    with pytest.raises(CommandError, match=r"bad.csv, line 2, column 'target': 'half' is not a number"):
        run(sample, "--margins", bad, "--id-column", "id")
    with pytest.raises(CommandError, match="no id column 'code'"):
        run(sample, "--margins", margins, "--id-column", "code")
    with pytest.raises(CommandError, match="--trim expects LOW,HIGH"):
        run(sample, "--margins", margins, "--id-column", "id", "--trim", "3")


def test_a_variable_without_margins_is_an_error(tmp_path):
    sample = write_csv(tmp_path / "sample.csv", ["sex", "age"], [["F", "y"], ["M", "o"]])
    margins = write_margins(tmp_path / "margins.csv", {"sex": {"F": 0.5, "M": 0.5}})
    with pytest.raises(CommandError, match="variable 'age' has no margins"):
        run(sample, "--margins", margins)
