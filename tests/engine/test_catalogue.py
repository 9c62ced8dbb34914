"""The shipped catalogue loads, covers the required themes, and cites only real columns of real files."""

import csv
import json
import textwrap

import pytest

from atout.engine.catalogue import AUDIENCES, AXES, DOMAINS, load_catalogue
from atout.engine.formats.errors import FormatError


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_it_ships_at_least_40_indicators_over_the_required_themes(catalogue):
    assert len(catalogue) >= 40
    assert {"demography", "employment", "economy", "income", "housing", "tourism", "equipment"} <= set(
        catalogue.themes())
    for code in ("population_growth", "natural_balance_rate", "migratory_balance_rate", "ageing_index",
                 "unemployment_rate", "agriculture_employment_share", "industry_employment_share",
                 "business_creation_rate", "poverty_rate", "second_home_share", "vacancy_rate",
                 "tourist_accommodation_density", "pharmacy_density"):
        assert code in catalogue


def test_every_indicator_is_fully_described(catalogue):
    for indicator in catalogue.values():
        assert indicator.label.fr and indicator.label.en and indicator.long_label.en and indicator.definition.fr
        assert indicator.polarity in (-1, 0, 1)
        assert indicator.domain in DOMAINS and indicator.axis in AXES
        assert set(indicator.audiences) <= set(AUDIENCES) and indicator.audiences


def test_inputs_are_real_columns_of_the_files_they_cite(catalogue, data_dir):
    headers = {}
    for indicator in catalogue.values():
        for name in indicator.files:
            if name not in headers:
                with open(data_dir / "indicators" / name, encoding="utf-8") as handle:
                    headers[name] = set(next(csv.reader(handle, delimiter=";")))
        if indicator.kind in ("count", "level") and indicator.inputs:
            available = set().union(*(headers[f] for f in indicator.files))
            assert set(indicator.inputs) <= available, indicator.code


def test_ptod_codes_exist_in_the_ptod_file(catalogue, data_dir):
    records = json.loads((data_dir / "indicators" / "departements-indicateurs-ptod.json").read_text())
    columns = set(records[0])
    assert len(catalogue.with_ptod()) >= 20
    for indicator in catalogue.with_ptod():
        assert indicator.ptod in columns, indicator.code


def test_ratio_inputs_resolve_through_numerator_and_denominator(catalogue):
    assert set(catalogue.series_of("unemployment_rate")) == {"P22_CHOM1564", "P22_ACT1564"}
    assert catalogue.terms("migratory_balance") == {"P22_POP": 1, "P16_POP": -1, "NAIS1621": -1, "DECE1621": 1}


def _write(tmp_path, body):
    (tmp_path / "t.yaml").write_text(textwrap.dedent(body), encoding="utf-8")


BASE = """
theme: t
indicators:
  - code: pop
    label: {fr: Pop, en: Pop}
    long_label: {fr: Population, en: Population}
    definition: {fr: d, en: d}
    unit: hab
    source: INSEE
    vintage: "2022"
    polarity: 0
    kind: count
    inputs: [P22_POP]
    files: [x.csv]
    domain: resident_well_being
    dimension: demography
    audiences: [residents]
    axis: attractivite
"""


def test_an_unknown_numerator_is_named_with_file_and_code(tmp_path):
    _write(tmp_path, BASE + """
  - code: rate
    label: {fr: R, en: R}
    long_label: {fr: R, en: R}
    definition: {fr: d, en: d}
    unit: "%"
    source: INSEE
    vintage: "2022"
    polarity: 1
    kind: ratio
    numerator: nowhere
    denominator: pop
    scale: 100
    domain: resident_well_being
    dimension: demography
    audiences: [residents]
    axis: attractivite
""")
    with pytest.raises(FormatError) as error:
        load_catalogue(tmp_path)
    assert "t.yaml" in str(error.value) and "indicator 'rate': unknown numerator indicator 'nowhere'" in str(error.value)


def test_bad_polarity_and_missing_label_are_all_reported(tmp_path):
    _write(tmp_path, BASE.replace("polarity: 0", "polarity: 2").replace("    label: {fr: Pop, en: Pop}\n", ""))
    with pytest.raises(FormatError) as error:
        load_catalogue(tmp_path)
    message = str(error.value)
    assert "indicator 'pop': polarity 2 is not -1, 0 or 1" in message
    assert "indicator 'pop': missing 'label'" in message


def test_a_valid_file_loads(tmp_path):
    _write(tmp_path, BASE)
    assert list(load_catalogue(tmp_path)) == ["pop"]
