"""SQLite's LIKE replaced by one that folds every letter, as PostgreSQL compares (atout.core.sqlite)."""

import sqlite3

import pytest

from atout.core.sqlite import like


@pytest.mark.parametrize(("value", "pattern", "escape", "expected"), [
    ("Étoile-sur-Rhône", "étoile%", None, True),
    ("Étoile-sur-Rhône", "%SUR-RHÔNE", None, True),
    ("Étoile-sur-Rhône", "%rhone%", None, False),  # case folds, accents stay: as PostgreSQL
    ("Économie", "économie", None, True),
    ("Valence", "val_nce", None, True),
    ("Valence", "val_ce", None, False),
    ("100% local", "100\\%%", "\\", True),
    ("1000 local", "100\\%%", "\\", False),
    ("a_b", "a\\_b", "\\", True),
    ("axb", "a\\_b", "\\", False),
    ("a\\b", "a\\\\b", "\\", True),
    ("ligne\nsuivante", "ligne%suivante", None, True),
    ("a.b", "a.b", None, True),
    ("axb", "a.b", None, False),
    ("abc", "%", None, True),
    ("", "%", None, True),
    ("", "", None, True),
    ("abc", "", None, False),
    ("abc", "ab", None, False),
    ("xabc", "abc%", None, False),
    (None, "%", None, None),
    ("x", None, None, None),
])
def test_like_matches_as_postgresql_ilike(value, pattern, escape, expected):
    assert like(pattern, value, escape) is expected


def test_a_sqlite_connection_uses_it_for_like(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the replacement is SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'Étoile-sur-Rhône' LIKE 'étoile%', 'Drôme' LIKE 'DRÔME' ESCAPE '\\'")
        assert cursor.fetchone() == (1, 1)
    plain = sqlite3.connect(":memory:")
    assert plain.execute("SELECT 'Étoile' LIKE 'étoile'").fetchone() == (0,)  # what it replaces
