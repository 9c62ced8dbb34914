"""The NAF reference, the coverage of broad sectors and the filière figures on the real official files."""

import csv
import math

import pytest

from atout.engine import sectors
from atout.engine.formats.insee import read_insee
from atout.engine.formats.ptod import read_ptod_values


@pytest.fixture(scope="module")
def naf():
    return sectors.read_naf()


@pytest.fixture(scope="module")
def data(data_dir):
    return sectors.read_sector_data(read_ptod_values(data_dir / sectors.PTOD_FILE),
                                    read_insee(data_dir / sectors.INSEE_FILE), "26")


def _raw_sum(data_dir, column):
    """Independent sum over the Drôme communes of one column of INSEE's file, read with the csv module."""
    with (data_dir / sectors.INSEE_FILE).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return sum(float(r[column].replace(",", ".")) for r in rows if r[column] not in ("", "s", "nd"))


def _ptod(data_dir, code, key):
    import json

    records = json.loads((data_dir / sectors.PTOD_FILE).read_text(encoding="utf-8"))
    return next(r for r in records if r["code"] == code)[key]


def test_reference_has_the_whole_nafrev2_structure(naf):
    levels = [item.level for item in naf.items.values()]
    assert [levels.count(level) for level in ("section", "division", "groupe", "classe")] == [21, 88, 272, 615]
    assert naf.label("15.12") == "Fabrication d'articles de voyage, de maroquinerie et de sellerie"
    assert naf.section_of("24.46") == "C"


@pytest.mark.parametrize("raw,code", [("0111z", "01.11Z"), ("01.11", "01.11"), ("011", "01.1"), ("c", "C"),
                                      (" 10 ", "10"), ("1512", "15.12")])
def test_codes_are_normalised(naf, raw, code):
    assert naf.normalize(raw) == code


def test_unknown_or_malformed_codes_are_refused_with_the_reason(naf):
    codes, problems = naf.check(["15.12", "99.99", "V", "10.5C", "15.12", "01.18Z"])
    assert codes == ["15.12"]
    assert [(p.raw, p.kind, p.level) for p in problems] == [("99.99", "unknown", "classe"), ("V", "malformed", ""),
                                                         ("10.5C", "letter", ""), ("01.18Z", "unknown", "sous-classe")]
    assert [str(p) for p in problems] == ["'99.99': no such classe in NAF rev.2", "'V' is not a NAF rev.2 code (expected e.g. C, 10, "
                        "10.5, 10.51 or 10.51C)", "'10.5C': a sub-class letter follows a four-digit class (e.g. 10.51C)",
                        "'01.18Z': no such sous-classe in NAF rev.2"]


def test_split_codes_accepts_commas_semicolons_and_spaces():
    assert sectors.split_codes("10, 11;15.12\n 01.1") == ["10", "11", "15.12", "01.1"]


def test_coverage_is_whole_only_when_every_division_is_covered(naf):
    assert sectors.coverage(["F"], naf) == {"FZ": "whole"}
    assert sectors.coverage(["41", "42", "43"], naf) == {"FZ": "whole"}
    assert sectors.coverage(["41", "42"], naf) == {"FZ": "part"}
    assert sectors.coverage(["01"], naf) == {"AZ": "part"}  # forestry and fishing are section A too
    assert sectors.coverage(["15.12", "55"], naf) == {"BE": "part", "GU": "part"}


def test_a_filiere_of_whole_sectors_gets_its_own_figures_from_the_official_files(naf, data, data_dir):
    result = sectors.filiere_indicators(["F"], naf, data)
    own = result["filiere"]
    assert result["own_figures"] and result["missing"] == []
    jobs_2022, jobs_2016 = _raw_sum(data_dir, "P22_EMPLT"), _raw_sum(data_dir, "P16_EMPLT")
    share_2022 = _ptod(data_dir, "26", "eco_sectconst_pct_22")
    share_2016 = _ptod(data_dir, "26", "eco_sectconst_pct_16")
    assert own["jobs"][2022] == pytest.approx(share_2022 / 100 * jobs_2022)
    assert own["jobs"][2016] == pytest.approx(share_2016 / 100 * jobs_2016)
    expected_growth = ((share_2022 * jobs_2022) / (share_2016 * jobs_2016)) ** (1 / 6) - 1
    assert own["jobs_annual_growth"] == pytest.approx(expected_growth * 100)
    assert own["france_share"][2022] == _ptod(data_dir, "00FR", "eco_sectconst_pct_22")
    assert own["location_quotient"] == pytest.approx(share_2022 / _ptod(data_dir, "00FR", "eco_sectconst_pct_22"))
    assert own["establishments"] == _raw_sum(data_dir, "ETFZ24")
    assert own["establishments_share"] == pytest.approx(100 * _raw_sum(data_dir, "ETFZ24") / _raw_sum(data_dir, "ETTOT24"))
    assert own["missing"] == [sectors.NO_FRANCE_ESTABLISHMENTS]


def test_two_whole_sectors_add_up(naf, data):
    both = sectors.filiere_indicators(["A", "F"], naf, data)["filiere"]
    alone = [sectors.filiere_indicators([c], naf, data)["filiere"] for c in ("A", "F")]
    assert both["jobs"][2022] == pytest.approx(alone[0]["jobs"][2022] + alone[1]["jobs"][2022])
    assert both["establishments"] == alone[0]["establishments"] + alone[1]["establishments"]
    # agriculture's 2016 share is not published offline: no trend for the sum either
    assert both["jobs"][2016] is None and both["jobs_annual_growth"] is None
    assert sectors.NO_TREND in both["missing"]


def test_a_narrow_filiere_gets_no_figure_of_its_own_only_its_broad_sectors(naf, data, data_dir):
    result = sectors.filiere_indicators(["15.12", "15.20"], naf, data)
    assert result["own_figures"] is False and result["filiere"] is None
    assert result["missing"] == [sectors.FINER_THAN_SECTORS]
    [industry] = result["sectors"]
    assert industry["code"] == "BE" and industry["coverage"] == "part"
    assert industry["share"][2022] == _ptod(data_dir, "26", "eco_sectindus_pct_22")
    assert industry["jobs"][2016] is None and industry["jobs_annual_growth"] is None
    assert industry["missing"] == [sectors.NO_TREND, sectors.NO_FRANCE_ESTABLISHMENTS]
    assert industry["establishments"] == _raw_sum(data_dir, "ETBE24")


def test_without_data_for_the_territory_nothing_is_computed(naf, data_dir):
    ptod = read_ptod_values(data_dir / sectors.PTOD_FILE)
    insee = read_insee(data_dir / sectors.INSEE_FILE)
    assert sectors.read_sector_data(ptod, insee, "07") is None  # the INSEE extract holds Drôme communes only
    result = sectors.filiere_indicators(["F"], sectors.read_naf(), None)
    assert result["sectors"] == [] and result["filiere"] is None and result["missing"] == [sectors.NO_DATA]


def test_no_value_is_nan(naf, data):
    result = sectors.filiere_indicators(["10", "55", "84"], naf, data)
    for sector in result["sectors"]:
        for key in ("location_quotient", "establishments", "establishments_share"):
            assert sector[key] is None or not math.isnan(sector[key])
