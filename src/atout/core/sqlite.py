"""On SQLite, letters compare without case as on PostgreSQL, accented ones included.

Django's case-insensitive lookups (``iexact``, ``icontains``, ``istartswith``…) become ``LIKE`` on SQLite,
whose built-in ``LIKE`` folds the 26 ASCII letters only: « étoile » did not find « Étoile-sur-Rhône »,
nor « économie » a SWOT item titled « Économie », where PostgreSQL finds both. Each SQLite connection gets a
``LIKE`` that folds every letter (Python's Unicode case-insensitive matching), so the demo and a small
team's instance answer as production does.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Compiled patterns kept: the same few lookups are repeated on every row of a query.
_PATTERNS = 512


#: A ``LIKE`` pattern's token meaning "any text" (``%``); other tokens are regular expressions.
_ANY = object()


@lru_cache(maxsize=_PATTERNS)
def like_matcher(pattern: str, escape: str | None = None):
    """The test of a SQL ``LIKE`` pattern (``%`` any text, ``_`` one character, ``escape`` before either of
    them, or before itself, a literal), folding case on every letter: a function of the value."""
    tokens = []
    characters = iter(pattern)
    for character in characters:
        if escape and character == escape:
            tokens.append(re.escape(next(characters, "")))
        elif character == "%":
            tokens.append(_ANY)
        elif character == "_":
            tokens.append(".")
        else:
            tokens.append(re.escape(character))
    # "%text%" and "text%", the lookups' usual shapes, searched rather than matched through a leading ".*".
    leading = bool(tokens) and tokens[0] is _ANY
    trailing = len(tokens) > 1 and tokens[-1] is _ANY
    core = tokens[leading:len(tokens) - trailing]
    regex = re.compile("".join(".*" if token is _ANY else token for token in core) + ("" if trailing else r"\Z"),
                       re.IGNORECASE | re.DOTALL)
    return regex.search if leading else regex.match


def like(pattern, value, escape=None) -> bool | None:
    """SQLite's ``like(pattern, value[, escape])`` (``value LIKE pattern ESCAPE escape``), NULL-aware."""
    if pattern is None or value is None:
        return None
    return like_matcher(str(pattern), escape)(str(value)) is not None


def fold_case_as_postgresql(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: replaces SQLite's ASCII-only ``LIKE`` on each new connection."""
    if connection.vendor == "sqlite":
        for arguments in (2, 3):
            connection.connection.create_function("like", arguments, like, deterministic=True)
