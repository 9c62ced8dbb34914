"""The pure writer: CSV cells, the descriptor, and frictionless's verdict on what it writes."""

import csv
import datetime as dt
import hashlib
import json
from decimal import Decimal

import frictionless
import pytest

from atout.engine.opendata import ETALAB_2, Field, Package, PackageError, Table, cell, write_package


def tables():
    places = Table("places", "Places", "Two places.", [
        Field("key", "string", "Key.", constraints={"required": True, "unique": True}),
        Field("population", "integer", "Inhabitants.", constraints={"minimum": 0}),
    ], [("com:26362", 64726), ("com:26198", None)], primary_key=["key"], licenses=[ETALAB_2],
        sources=[{"title": "INSEE"}])
    notes = Table("notes", "Notes", "Texts about places.", [
        Field("place", "string", "Place."), Field("note", "string", "A text someone wrote."),
        Field("score", "number", "A score."), Field("kept", "boolean", "Kept."), Field("day", "date", "Day."),
    ], [{"place": "com:26362", "note": '=HYPERLINK("http://x")', "score": -3.5, "kept": True, "day": dt.date(2026, 1, 2)},
        {"place": "com:26198", "note": "ordinaire, avec virgule", "score": float("nan"), "kept": False, "day": None}],
        foreign_keys=[{"fields": ["place"], "reference": {"resource": "places", "fields": ["key"]}}])
    return [places, notes]


def test_a_written_package_is_valid_and_describes_every_file(tmp_path):
    written = write_package(Package("test-pkg", "Test", "A test.", [ETALAB_2]), tables(), tmp_path)
    assert [(w.name, w.path, w.rows) for w in written] == [("places", "places.csv", 2), ("notes", "notes.csv", 2)]
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldNumber", "message"])
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    notes = descriptor["resources"][1]
    assert notes["hash"] == "sha256:" + hashlib.sha256((tmp_path / "notes.csv").read_bytes()).hexdigest()
    assert notes["bytes"] == (tmp_path / "notes.csv").stat().st_size
    assert [f["type"] for f in notes["schema"]["fields"]] == ["string", "string", "number", "boolean", "date"]
    assert descriptor["resources"][0]["schema"]["primaryKey"] == ["key"]
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"


def test_text_cannot_become_a_formula_and_missing_values_are_empty(tmp_path):
    write_package(Package("test-pkg", "Test", "A test.", [ETALAB_2]), tables(), tmp_path)
    with (tmp_path / "notes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1] == ["com:26362", '\'=HYPERLINK("http://x")', "-3.5", "true", "2026-01-02"]
    assert rows[2] == ["com:26198", "ordinaire, avec virgule", "", "false", ""]


def test_frictionless_catches_a_file_changed_after_writing(tmp_path):
    write_package(Package("test-pkg", "Test", "A test.", [ETALAB_2]), tables(), tmp_path)
    with (tmp_path / "notes.csv").open("a", encoding="utf-8") as handle:
        handle.write("com:00000,x,1,true,2026-01-01\n")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    kinds = {row[0] for row in report.flatten(["type"])}
    assert not report.valid and {"foreign-key", "hash-count", "byte-count"} <= kinds


def test_bad_tables_are_refused_with_their_place(tmp_path):
    package = Package("p", "P", "d", [ETALAB_2])
    with pytest.raises(PackageError, match="resource notes, row 1: 1 values for 2 fields"):
        write_package(package, [Table("notes", "N", "d", [Field("a", "string", "a"), Field("b", "string", "b")],
                                      [("only one",)])], tmp_path)
    with pytest.raises(PackageError, match="unknown type"):
        write_package(package, [Table("t", "T", "d", [Field("a", "money", "a")])], tmp_path)
    with pytest.raises(PackageError, match="lower-case"):
        write_package(package, [Table("Bad Name", "T", "d", [])], tmp_path)


def test_cells():
    assert cell(Decimal("1200000.00"), "number") == "1200000.00"
    assert cell(0.1, "number") == "0.1"
    assert cell(3.0, "integer") == "3"
    assert cell("@SUM(A1)", "string") == "'@SUM(A1)"
    with pytest.raises(PackageError):
        cell(2.5, "integer")
