"""French place names: sorting and searching regardless of accents, case, hyphens and apostrophes.

A plain sort puts "Étoile-sur-Rhône" after "Vinsobres" (É sorts after every ASCII letter) and a
plain search for "etoile" misses it. Here names are compared on a *folded* form — accents removed
(NFKD), ligatures spelt out (œ → oe, æ → ae), lower case, hyphens, apostrophes and spaces made one
space — and, for the sort, "Saint"/"Sainte" abbreviations are left as written (INSEE spells them
out). Ties on the folded form keep a stable order by the original spelling.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_SEPARATORS = re.compile(r"[\s\-‐–—'’`´.,/()]+")


def fold(name: str) -> str:
    """``name`` without accents, in lower case, hyphens/apostrophes/spaces as single spaces.

    ``fold("L'Étoile-sur-Rhône") == "l etoile sur rhone"``; ``fold("Œuilly") == "oeuilly"``.
    """
    spelt = name.translate(_LIGATURES)
    plain = "".join(c for c in unicodedata.normalize("NFKD", spelt) if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", plain.lower()).strip()


def sort_key(name: str) -> tuple[str, str]:
    """Key sorting names as a French reader expects: on the folded form, then the spelling."""
    return fold(name), name


def sorted_names(names: Iterable[str]) -> list[str]:
    return sorted(names, key=sort_key)


def sorted_places(places: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name (accents handled), then code (homonyms: Saint-Martin…)."""
    return sorted(places, key=lambda place: (*sort_key(place[1]), place[0]))


def search(places: Sequence[tuple[str, str]], query: str, *, limit: int = 30) -> list[tuple[str, str]]:
    """The (code, name) pairs whose name matches ``query``, best first, at most ``limit``.

    Matching ignores accents, case, hyphens and apostrophes ("st jean" does not find "Saint-Jean":
    INSEE names are spelt out). Order: the exact name, then names starting with the query, then names
    where a word starts with it, then names containing it; alphabetical (folded) within each. A
    query of five digits is also read as an INSEE code or a postcode-like prefix of the code. An
    empty query finds nothing.
    """
    wanted = fold(query)
    if not wanted:
        return []
    ranked: list[tuple[int, tuple[str, str], str, tuple[str, str]]] = []
    for code, name in places:
        folded = fold(name)
        if folded == wanted or code == wanted:
            rank = 0
        elif folded.startswith(wanted):
            rank = 1
        elif f" {wanted}" in f" {folded}":
            rank = 2
        elif wanted in folded:
            rank = 3
        else:
            continue
        ranked.append((rank, sort_key(name), code, (code, name)))
    ranked.sort(key=lambda r: r[:3])
    return [place for *_key, place in ranked[:limit]]


def exact(places: Sequence[tuple[str, str]], query: str) -> tuple[str, str] | None:
    """The one place whose folded name (or code) equals the query's, or None (none or homonyms)."""
    wanted = fold(query)
    found = [(code, name) for code, name in places if fold(name) == wanted or code == wanted]
    return found[0] if len(found) == 1 else None


__all__ = ["exact", "fold", "search", "sort_key", "sorted_names", "sorted_places"]
