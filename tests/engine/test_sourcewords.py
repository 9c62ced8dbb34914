"""Sources in plain French: producers spelled as they write themselves, no codes, no file names."""

import re

import pytest

from atout.engine.catalogue import load_catalogue
from atout.engine.sourcewords import period_words, source_words


@pytest.mark.parametrize(("source", "vintage", "words"), [
    ("INSEE, recensement 2022 (comparateur 2025, P22_RSECOCC)", "2022", "Insee, recensement de la population 2022"),
    ("PTOD (INSEE RP), log_vac_vdifp_1622", "2016-2022",
     "Insee, recensement de la population, calcul de l'observatoire territorial PTOD, de 2016 à 2022"),
    ("INSEE, recensements 2016 et 2022; PTOD dm_pop_vtcam_1622 pour les départements", "2016-2022",
     "Insee, recensements de la population 2016 et 2022 ; pour les départements, valeurs publiées par "
     "l'observatoire territorial PTOD"),
    ("INSEE, REE/SIRENE (comparateur 2025, ETTOT24)", "2024",
     "Insee, répertoire des entreprises et des établissements (Sirene), 2024"),
    ("PTOD (DGFiP DVF 2024), logd_px2q2_mai_24", "2024",
     "DGFiP, demandes de valeurs foncières 2024, calcul de l'observatoire territorial PTOD"),
    ("INSEE, base_cc_comparateur_2025_dep26 (2025)", "", "Insee, base du comparateur de territoires 2025"),
    ("INSEE, état civil (comparateur 2025, NAIS1621)", "2016-2021", "Insee, état civil, de 2016 à 2021"),
])
def test_it_says_the_source_in_words(source, vintage, words):
    assert source_words(source, vintage) == words


def test_it_gives_the_period_in_words():
    assert period_words("2022") == "2022"
    assert period_words("2016-2022") == "de 2016 à 2022"
    assert period_words("") == ""


def test_no_catalogue_source_keeps_a_code():
    """Every source of the shipped catalogue comes out without a code, a file name or an underscore."""
    catalogue = load_catalogue()
    for indicator in catalogue.values():
        words = source_words(indicator.source, indicator.vintage)
        assert words, indicator.code
        assert "_" not in words and "/" not in words and ".csv" not in words, (indicator.code, words)
        assert not re.search(r"\b[A-Z]{2,}\d{2,}\b", words), (indicator.code, words)
