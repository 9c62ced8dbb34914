"""The French stop words kept in atout are spaCy's list, word for word (themes depend on them)."""

from pathlib import Path

from atout.engine.text.french import STOP_KEYS
from atout.engine.text.french_stop_words import STOP_WORDS

FROZEN = Path(__file__).resolve().parents[1] / "fixtures" / "spacy_3.8_fr_stop_words.txt"


def test_the_stop_words_are_spacys_french_list_word_for_word():
    frozen = FROZEN.read_text(encoding="utf-8").split("\n")[:-1]
    assert len(frozen) == len(set(frozen)) == 507
    assert sorted(STOP_WORDS) == frozen


def test_the_stop_keys_come_from_that_list_without_accents_or_apostrophes():
    # Elided forms ("qu'", "d’") and accented forms ("déjà") become the keys the analyser compares with.
    assert {"qu", "d", "deja", "etre", "meme"} <= STOP_KEYS
    assert "impot" not in STOP_KEYS and "velo" not in STOP_KEYS
