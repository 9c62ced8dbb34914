"""Stakeholder directory files: all-or-nothing reading with row-level errors, duplicate suggestions."""

import datetime as dt

import openpyxl
import pytest

from atout.engine.formats.errors import FormatError
from atout.engine.formats.stakeholders import Record, duplicate_suggestions, read_stakeholders

HEADER = "organisation,kind,sector,commune,first_name,last_name,email,category,consent_purpose,consent_date,consent_source,consent_text_version"


def write(tmp_path, text, name="acteurs.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_it_reads_organisations_and_people(tmp_path):
    path = write(tmp_path, HEADER + "\n"
                 "Coopérative,company,agriculture-biologique,26113,,,,,,,,\n"
                 "Coopérative,company,,26113,Éric,Durand,ERIC@example.org,business,annuaire,2026-02-01,salon,v2\n"
                 ",,,,,,,,,,,\n")
    org, person = read_stakeholders(path)
    assert (org.organisation, org.kind, org.is_person, org.line) == ("Coopérative", "company", False, 2)
    assert (person.first_name, person.email, person.consent_date, person.line) == ("Éric", "eric@example.org", dt.date(2026, 2, 1), 3)


def test_it_accepts_french_headers_semicolons_and_restores_leading_zeros(tmp_path):
    path = write(tmp_path, "Organisme;Type;Commune\nMairie;institution;1001\n", encoding="utf-8-sig")
    (row,) = read_stakeholders(path)
    assert (row.organisation, row.commune) == ("Mairie", "01001")


def test_every_faulty_row_is_reported_with_its_line_and_column(tmp_path):
    path = write(tmp_path, HEADER + "\n"
                 "Ferme,farm,,26113,,,,,,,,\n"
                 ",,,261,Ana,Roux,ana@,citizen,annuaire,2026-13-45,salon,v1\n"
                 ",,,,Ben,Roux,,mayor,,,,\n")
    with pytest.raises(FormatError) as error:
        read_stakeholders(path)
    places = {(p.line, p.column) for p in error.value.problems}
    assert (2, "kind") in places
    assert {(3, "commune"), (3, "email"), (3, "consent_date")} <= places
    assert {(4, "category"), (4, "consent_purpose"), (4, "consent_source")} <= places
    assert "acteurs.csv, line 2, column 'kind'" in str(error.value)
    assert "nothing was imported" in str(error.value)


def test_an_unknown_column_is_refused_in_the_header(tmp_path):
    with pytest.raises(FormatError) as error:
        read_stakeholders(write(tmp_path, "organisation,kind,fax\nX,company,01\n"))
    assert error.value.problems[0].line == 1 and error.value.problems[0].column == "fax"


def test_a_file_that_is_not_utf8_names_its_line(tmp_path):
    path = write(tmp_path, "organisation,kind\nA,company\nCafé,company\n", encoding="latin-1")
    with pytest.raises(FormatError, match="line 3.*UTF-8"):
        read_stakeholders(path)


def test_it_reads_xlsx_with_real_dates(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Acteurs"
    sheet.append(HEADER.split(","))
    sheet.append(["", "", "", 26362, "Léa", "Blanc", "lea@example.org", "young", "annuaire", dt.datetime(2026, 3, 1), "atelier", "v1"])
    sheet.append(["", "", "", "26362", "Tom", "", "", "young", "", None, "", ""])
    path = tmp_path / "acteurs.xlsx"
    book.save(path)
    with pytest.raises(FormatError) as error:
        read_stakeholders(path)
    assert {p.line for p in error.value.problems} == {3}
    assert error.value.problems[0].sheet == "Acteurs"
    sheet.delete_rows(3)
    book.save(path)
    (row,) = read_stakeholders(path)
    assert (row.commune, row.consent_date) == ("26362", dt.date(2026, 3, 1))


def test_duplicates_by_email_or_close_name_in_the_same_commune():
    records = [
        Record(1, "Éric Durand", "eric@example.org", "26113"),
        Record(2, "Eric Durant", "", "26113"),          # close name, same commune
        Record(3, "Eric Durand", "", "26362"),          # same name, other commune: not suggested
        Record(4, "Marie Blanc", "ERIC@example.org", "26281"),  # same e-mail
        Record(5, "Paul Faure", "", "26113"),
    ]
    found = {(s.first, s.second): s for s in duplicate_suggestions(records)}
    assert set(found) == {(1, 2), (1, 4)}
    assert found[(1, 4)].reason == "email" and found[(1, 4)].score == 1.0
    assert found[(1, 2)].reason == "name" and 0.85 <= found[(1, 2)].score < 1

