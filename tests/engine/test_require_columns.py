"""The readers' one header check names every missing column, what the file should be and what was found."""

import pytest

from atout.engine.formats.errors import FormatError, require_columns


def test_every_missing_column_is_named_with_the_columns_found():
    with pytest.raises(FormatError) as caught:
        require_columns(["code", "", "nom"], ["code", "valeur", "annee"], path="/tmp/x/data.csv", needs="for a long table")
    assert str(caught.value) == "data.csv, line 1: missing column(s) valeur, annee for a long table (found: code, nom)"
    assert caught.value.line == 1


def test_an_empty_header_says_nothing_was_found():
    with pytest.raises(FormatError, match=r"sheet 'Feuil1', line 1: missing column\(s\) code \(found: nothing\)"):
        require_columns([], ["code"], sheet="Feuil1")


def test_a_complete_header_passes():
    assert require_columns(["a", "b", "c"], ["c", "a"]) is None
