"""French place names sorted and searched regardless of accents, case, hyphens and apostrophes."""

from atout.engine import placenames

PLACES = [("26124", "Étoile-sur-Rhône"), ("26362", "Valence"), ("26001", "Albon"), ("26198", "Mévouillon"),
          ("26324", "Saint-Vallier"), ("26313", "Saint-Jean-en-Royans"), ("26281", "Portes-lès-Valence"),
          ("26108", "Dieulefit"), ("26058", "Bourg-lès-Valence"), ("26383", "Vinsobres"), ("26366", "Le Poët-Laval")]


def test_fold_removes_accents_case_and_separators():
    assert placenames.fold("L'Étoile-sur-Rhône") == "l etoile sur rhone"
    assert placenames.fold("Œuilly") == "oeuilly"
    assert placenames.fold("  Le   Poët–Laval ") == "le poet laval"


def test_names_sort_with_accents_where_a_reader_expects_them():
    names = [name for _code, name in PLACES]
    assert sorted(names)[-1] == "Étoile-sur-Rhône"  # the plain sort puts É after every letter
    ordered = placenames.sorted_names(names)
    assert ordered.index("Étoile-sur-Rhône") == ordered.index("Dieulefit") + 1
    assert ordered[-1] == "Vinsobres"
    assert placenames.sorted_places([("2", "Évry"), ("1", "Eze"), ("3", "Ecully")]) == [
        ("3", "Ecully"), ("2", "Évry"), ("1", "Eze")]


def test_search_is_accent_insensitive_and_ranks_exact_then_prefix_then_word_then_inside():
    assert placenames.search(PLACES, "etoile") == [("26124", "Étoile-sur-Rhône")]
    assert placenames.search(PLACES, "MEVOUILLON") == [("26198", "Mévouillon")]
    assert placenames.search(PLACES, "valence") == [
        ("26362", "Valence"), ("26058", "Bourg-lès-Valence"), ("26281", "Portes-lès-Valence")]
    assert [name for _c, name in placenames.search(PLACES, "saint")] == ["Saint-Jean-en-Royans", "Saint-Vallier"]
    assert placenames.search(PLACES, "poet laval") == [("26366", "Le Poët-Laval")]
    assert placenames.search(PLACES, "lence") == [("26058", "Bourg-lès-Valence"), ("26281", "Portes-lès-Valence"),
                                                  ("26362", "Valence")]
    assert placenames.search(PLACES, "26362") == [("26362", "Valence")]
    assert placenames.search(PLACES, "  ") == [] and placenames.search(PLACES, "zzz") == []
    assert len(placenames.search(PLACES, "e", limit=3)) == 3


def test_exact_finds_one_place_or_none():
    assert placenames.exact(PLACES, "valence") == ("26362", "Valence")
    assert placenames.exact(PLACES, "vale") is None
    assert placenames.exact([("1", "Saint-Martin"), ("2", "Saint-Martin")], "saint martin") is None
