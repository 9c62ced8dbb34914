"""Agreement between two human coders: kappa and alpha on published examples, disagreements listed."""

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from atout.engine import agreement
from atout.engine.agreement import Unit


def test_cohens_kappa_of_the_textbook_grant_example():
    """Fifty grant proposals read by two readers (the "simple example" of Cohen's kappa in Wikipedia and
    statistics courses): both yes 20, A yes B no 5, A no B yes 10, both no 15 → p_o = 0.70, p_e = 0.50,
    kappa = 0.40."""
    reader_a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    reader_b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    result = agreement.cohen_kappa(reader_a, reader_b)
    assert result.kappa == pytest.approx(0.4, abs=1e-6)
    assert (result.observed, result.expected, result.units) == (pytest.approx(0.7), pytest.approx(0.5), 50)
    assert result.reading == "fair"


def test_cohens_kappa_agrees_with_scikit_learn_and_leaves_missing_codings_out():
    rng = np.random.default_rng(8)
    a = rng.choice(["mobilité", "logement", "emploi", "santé"], 300)
    b = np.where(rng.random(300) < 0.7, a, rng.choice(["mobilité", "logement", "emploi", "santé"], 300))
    with_gaps_a = [None if i % 17 == 0 else x for i, x in enumerate(a)]
    with_gaps_b = [float("nan") if i % 23 == 0 else x for i, x in enumerate(b)]
    kept = [i for i in range(300) if i % 17 and i % 23]
    result = agreement.cohen_kappa(with_gaps_a, with_gaps_b)
    assert result.units == len(kept)
    assert result.kappa == pytest.approx(cohen_kappa_score(a[kept], b[kept]), abs=1e-12)


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: nominal data, any number
# of observers, missing data. Four observers, twelve units; None where an observer did not code a unit.
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_krippendorffs_alpha_of_his_published_nominal_example_with_missing_values():
    result = agreement.krippendorff_alpha(KRIPPENDORFF_C)
    # Published: alpha = 0.743. From the paper's coincidence matrix: n = 40 pairable values, values
    # 1…5 used 9, 13, 10, 5 and 3 times, 32 matching pairs on the diagonal:
    # alpha = ((n − 1) Σ o_cc − Σ n_c (n_c − 1)) / (n (n − 1) − Σ n_c (n_c − 1)) = (39·32 − 344) / (1560 − 344).
    assert result.alpha == pytest.approx(904 / 1216, abs=1e-9)
    assert round(result.alpha, 3) == 0.743
    assert (result.pairable, result.units) == (40, 11)  # unit 12 has a single value: not pairable
    assert result.observed_disagreement == pytest.approx(8 / 40)
    assert result.expected_disagreement == pytest.approx(1216 / 1560)
    assert result.reading == "tentative"


def test_alpha_is_undefined_without_variation_and_without_pairable_values():
    assert agreement.krippendorff_alpha([["a", "a"], ["a", "a"]]).alpha is None
    assert agreement.krippendorff_alpha([["a", None], [None, "b"]]).alpha is None
    assert agreement.krippendorff_alpha([["a", "b"], ["a", "b"]]).alpha == 1.0


TRANSCRIPT = (
    "Le logement coûte trop cher pour les jeunes.\n\n"
    "Les bus ne passent pas le dimanche, alors on prend la voiture.\n\n"
    "On manque de médecins, et le logement social est saturé.\n\n"
    "La vie associative est très riche ici."
)


def test_two_coders_on_a_transcript_per_code_pooled_and_disagreements():
    units = agreement.paragraph_units("entretien-1", TRANSCRIPT)
    assert [TRANSCRIPT[u.start:u.end][:6] for u in units] == ["Le log", "Les bu", "On man", "La vie"]
    start = TRANSCRIPT.index("le logement social")
    coder_a = agreement.codes_by_unit(units, [
        ("entretien-1", 0, 44, "logement"), ("entretien-1", units[1].start, units[1].end, "mobilite"),
        ("entretien-1", units[2].start, start, "sante"), ("entretien-1", start, units[2].end, "logement"),
    ])
    coder_b = agreement.codes_by_unit(units, [
        ("entretien-1", 3, 30, "logement"), ("entretien-1", units[1].start + 4, units[1].start + 20, "mobilite"),
        ("entretien-1", units[2].start, units[2].end, "sante"), ("entretien-1", units[3].start, units[3].end, "vie_locale"),
    ])
    result = agreement.coder_agreement(coder_a, coder_b, codes=["logement", "mobilite", "sante", "vie_locale", "culture"])
    assert result.units == ["entretien-1:1", "entretien-1:2", "entretien-1:3", "entretien-1:4"]
    assert [(d.unit, d.code, d.first, d.second) for d in result.disagreements] == [
        ("entretien-1:3", "logement", True, False), ("entretien-1:4", "vie_locale", False, True)]
    by_code = {c.code: c for c in result.codes}
    assert by_code["mobilite"].kappa == 1.0 and by_code["mobilite"].observed == 1.0
    assert by_code["culture"].kappa is None and by_code["culture"].alpha is None  # never used: undefined
    # logement: A applies it to units 1 and 3 (no 2, yes 2), B to unit 1 only (no 3, yes 1):
    # they agree on units 1, 2 and 4 → p_o = 3/4; p_e = (2·3 + 2·1) / 4² = 1/2; kappa = 1/2.
    p_o, p_e = 3 / 4, (2 * 3 + 2 * 1) / 16
    assert by_code["logement"].kappa == pytest.approx((p_o - p_e) / (1 - p_e), abs=1e-12)
    # pooled over the 4 × 5 decisions, as themes.agreement does for automatic coding
    flat_a = [c in coder_a[u] for u in result.units for c in ["logement", "mobilite", "sante", "vie_locale", "culture"]]
    flat_b = [c in coder_b[u] for u in result.units for c in ["logement", "mobilite", "sante", "vie_locale", "culture"]]
    assert result.kappa == pytest.approx(cohen_kappa_score(flat_a, flat_b), abs=1e-12)
    assert result.observed == pytest.approx(18 / 20)
    assert result.disagreements_frame("C1", "C2").columns.tolist() == ["unit", "code", "C1", "C2"]


def test_per_code_alpha_is_krippendorffs_alpha_of_the_yes_no_decisions():
    rng = np.random.default_rng(4)
    units = [f"u{i}" for i in range(60)]
    codes = ["a", "b", "c"]
    first = {u: {c for c in codes if rng.random() < 0.3} for u in units}
    second = {u: {c for c in first[u] if rng.random() < 0.8} | {c for c in codes if rng.random() < 0.1} for u in units}
    result = agreement.coder_agreement(first, second, codes=codes)
    for code_result in result.codes:
        matrix = [[int(code_result.code in first[u]) for u in units], [int(code_result.code in second[u]) for u in units]]
        assert code_result.alpha == pytest.approx(agreement.krippendorff_alpha(matrix).alpha, abs=1e-12)
        assert code_result.kappa == pytest.approx(cohen_kappa_score(matrix[0], matrix[1]), abs=1e-12)
    pooled = [[int(c in first[u]) for u in units for c in codes], [int(c in second[u]) for u in units for c in codes]]
    assert result.alpha == pytest.approx(agreement.krippendorff_alpha(pooled).alpha, abs=1e-12)


def test_units_one_coder_did_not_code_are_missing_not_disagreements():
    first = {"u1": {"x"}, "u2": set(), "u3": {"x"}}
    second = {"u1": {"x"}, "u2": {"x"}, "u4": set(), "u3": None}
    result = agreement.coder_agreement(first, second)
    assert result.units == ["u1", "u2"]
    assert result.only_first == ["u3"] and result.only_second == ["u4"]
    assert [(d.unit, d.code) for d in result.disagreements] == [("u2", "x")]
    as_dict = result.as_dict()
    assert as_dict["codes"][0]["code"] == "x" and "kappa_reading" in as_dict["codes"][0]


def test_a_code_outside_the_codebook_and_bad_spans_are_refused():
    with pytest.raises(ValueError, match=r"codes \['y'\] are applied but not in the codebook"):
        agreement.coder_agreement({"u1": {"y"}}, {"u1": set()}, codes=["x"])
    with pytest.raises(ValueError, match="ends"):
        agreement.codes_by_unit([Unit("u1", "s", 0, 10)], [("s", 8, 2, "x")])
    with pytest.raises(ValueError, match="one value"):
        agreement.krippendorff_alpha([[1, 2], [1]])


def test_min_share_asks_a_span_to_cover_part_of_the_unit():
    units = [Unit("u1", "s", 0, 100), Unit("u2", "s", 100, 200)]
    spans = [("s", 90, 160, "x")]
    assert agreement.codes_by_unit(units, spans) == {"u1": {"x"}, "u2": {"x"}}
    assert agreement.codes_by_unit(units, spans, min_share=0.5) == {"u1": set(), "u2": {"x"}}
    assert agreement.codes_by_unit(units, [("other", 0, 200, "x")]) == {"u1": set(), "u2": set()}


@pytest.mark.parametrize(("kappa", "reading"), [(-0.1, "poor"), (0.2, "slight"), (0.35, "fair"), (0.55, "moderate"),
                                                (0.7, "substantial"), (0.95, "almost_perfect"), (None, "undefined")])
def test_landis_and_koch_readings(kappa, reading):
    assert agreement.kappa_reading(kappa) == reading
