"""Property-based tests of the readers of outside formats not covered in their own test modules.

Whatever bytes a user uploads, a reader ends in a result or a :class:`FormatError` naming the file —
never another exception. Two kinds of input per reader: arbitrary bytes, and text built from the
format's own vocabulary (its column names, separators, plausible and implausible values), which reaches
much deeper into the parsing code than random bytes do.

The readers of INSEE files, tables, PTOD, the action-plan template and XLSForm have such tests next to
their other tests (test_insee_format.py, test_tables_format.py, test_ptod_format.py,
test_actionplan_format.py, test_xlsform.py).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from atout.engine.formats import cog, coinr, contributions, decidim, polis, stakeholders
from atout.engine.formats.errors import FormatError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Cell values that exercise parsers: empty, numbers in both notations, dates, codes, quotes, junk.
VALUES = ["", "0", "1", "-1", "2", "26", "26198", "2A004", "1.5", "1,5", "NA", "x", "é", '"', '""', "a b",
          "2024-01-31", "2024-13-45", "1700000000000", "COM", "ARM", "COMD", "true", "Indicator", "Pillar", "1e309"]


def _line(cells: list[str], separator: str) -> str:
    return separator.join(cells)


def vocabulary_text(columns, separators=(",", ";")):
    """A header drawn from the format's columns (some may be missing or repeated) and rows of values."""
    header = st.lists(st.sampled_from(list(columns)), min_size=0, max_size=len(columns) + 2)
    rows = st.lists(st.lists(st.sampled_from(VALUES), min_size=0, max_size=len(columns) + 2), max_size=6)
    return st.builds(
        lambda sep, head, body, full: _line(list(columns) if full else head, sep) + "\n"
        + "\n".join(_line(row, sep) for row in body),
        st.sampled_from(separators), header, rows, st.booleans(),
    )


def read_file(reader, name: str, content: bytes | str):
    """Write ``content`` to a fresh file called ``name`` and run ``reader`` on it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        try:
            return reader(path)
        except FormatError as error:
            assert str(error).strip(), "a format error must say what is wrong"
            assert name in str(error) or error.problems, f"the error must name the file: {error}"
            return None


COG_READERS = [
    (cog.read_communes, "v_commune_2025.csv", ["TYPECOM", "COM", "REG", "DEP", "CTCD", "ARR", "TNCC", "NCC",
                                                 "NCCENR", "LIBELLE", "CAN", "COMPARENT"]),
    (cog.read_arrondissement_parents, "v_commune_2025.csv", ["TYPECOM", "COM", "COMPARENT", "LIBELLE"]),
    (cog.read_departements, "v_departement_2025.csv", ["DEP", "REG", "CHEFLIEU", "TNCC", "NCC", "NCCENR", "LIBELLE"]),
    (cog.read_populations, "donnees_communes.csv", ["REG", "DEP", "COM", "Commune", "PMUN", "PCAP", "PTOT", "CODCOM"]),
    (cog.read_movements, "v_mvt_commune_2025.csv", ["MOD", "DATE_EFF", "TYPECOM_AV", "COM_AV", "LIBELLE_AV",
                                                       "TYPECOM_AP", "COM_AP", "LIBELLE_AP"]),
    (cog.read_epci_composition, "epci.csv", ["siren", "raison_sociale", "nature_juridique", "insee", "nom_membre"]),
]


@SETTINGS
@given(st.data())
def test_cog_readers_give_records_or_a_format_error(data):
    for reader, name, columns in COG_READERS:
        text = data.draw(vocabulary_text(columns, separators=(",", ";")))
        read_file(reader, name, text)


@SETTINGS
@given(st.binary(max_size=300))
def test_cog_readers_take_any_bytes(raw):
    for reader, name, _columns in COG_READERS:
        read_file(reader, name, raw)


GEOJSON_PIECES = st.recursive(
    st.none() | st.booleans() | st.integers(-200, 200) | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["Feature", "FeatureCollection", "Polygon", "MultiPolygon", "26198", "code"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "features", "geometry", "coordinates", "properties", "code", "nom"]), children,
        max_size=4),
    max_leaves=20,
)


@SETTINGS
@given(GEOJSON_PIECES)
def test_contours_read_any_json_shape(document):
    read_file(cog.read_contours, "communes.geojson", json.dumps(document))


@SETTINGS
@given(st.binary(max_size=300))
def test_contours_take_any_bytes(raw):
    read_file(cog.read_contours, "communes.geojson", raw)


META_COLUMNS = ["iCode", "iName", "Level", "Parent", "Type", "Direction", "Weight", "Denominator"]


@SETTINGS
@given(st.data())
def test_coinr_metadata_and_data_give_a_composite_or_a_format_error(data):
    meta_text = data.draw(vocabulary_text(META_COLUMNS, separators=(",",)))
    with tempfile.TemporaryDirectory() as folder:
        meta_path = Path(folder) / "iMeta.csv"
        meta_path.write_text(meta_text, encoding="utf-8")
        try:
            meta = coinr.read_imeta(meta_path)
        except FormatError as error:
            assert "iMeta.csv" in str(error)
            return
        codes = [str(code) for code in meta.table["iCode"]] if "iCode" in meta.table else []
        data_columns = ["uCode", "uName", "Time", *codes[:4], "Indicator"]
        data_text = data.draw(vocabulary_text(data_columns, separators=(",",)))
        data_path = Path(folder) / "iData.csv"
        data_path.write_text(data_text, encoding="utf-8")
        try:
            coinr.read_idata(data_path, meta)
        except FormatError as error:
            assert "iData.csv" in str(error)


@SETTINGS
@given(st.binary(max_size=300))
def test_coinr_metadata_takes_any_bytes(raw):
    read_file(coinr.read_imeta, "iMeta.csv", raw)


CONTRIBUTION_COLUMNS = ["id", "texte", "age", "commune"]


@SETTINGS
@given(st.data())
def test_contributions_csv_gives_contributions_or_a_format_error(data):
    text = data.draw(vocabulary_text(CONTRIBUTION_COLUMNS, separators=(",", ";", "\t")))
    read_file(lambda path: contributions.read_contributions_csv(path, "texte", "id", ["age"]), "avis.csv", text)


JSON_VALUES = st.none() | st.integers(-5, 5) | st.sampled_from(VALUES) | st.lists(st.sampled_from(VALUES), max_size=2)


@SETTINGS
@given(st.one_of(
    st.lists(st.dictionaries(st.sampled_from(CONTRIBUTION_COLUMNS + ["autre"]), JSON_VALUES, max_size=5), max_size=5),
    st.dictionaries(st.sampled_from(["data", "items", "texte"]), JSON_VALUES, max_size=3),
    JSON_VALUES,
))
def test_contributions_json_gives_contributions_or_a_format_error(document):
    read_file(lambda path: contributions.read_contributions_json(path, "texte", "id", ["age"]), "avis.json",
              json.dumps(document))


@SETTINGS
@given(st.binary(max_size=300))
def test_contributions_take_any_bytes(raw):
    read_file(lambda path: contributions.read_contributions_csv(path, "texte"), "avis.csv", raw)
    read_file(lambda path: contributions.read_contributions_json(path, "texte"), "avis.json", raw)


DECIDIM_COLUMNS = sorted(set(decidim.COMMENT_COLUMNS + decidim.PROPOSAL_COLUMNS + decidim.DEBATE_COLUMNS
                             + ("title/fr", "body/fr", "category/name/fr", "scope/name/fr")))


@SETTINGS
@given(st.data())
def test_decidim_exports_give_contributions_or_a_format_error(data):
    text = data.draw(vocabulary_text(DECIDIM_COLUMNS, separators=(";", ",")))
    for kind in (None, "comment", "proposal", "debate"):
        read_file(lambda path, kind=kind: decidim.read_decidim(path, kind), "comments.csv", text)


@SETTINGS
@given(st.binary(max_size=300))
def test_decidim_takes_any_bytes(raw):
    read_file(decidim.read_decidim, "proposals.csv", raw)


POLIS_FILES = [
    (polis.read_comments, "comments.csv", polis.COMMENT_COLUMNS),
    (polis.read_votes, "votes.csv", polis.VOTE_COLUMNS),
    (polis.read_participant_groups, "participants-votes.csv", polis.PARTICIPANT_COLUMNS + ["0", "1"]),
    (polis.read_summary, "summary.csv", ["topic", "url", "voters", "comments"]),
]


@SETTINGS
@given(st.data())
def test_polis_files_give_records_or_a_format_error(data):
    for reader, name, columns in POLIS_FILES:
        read_file(reader, name, data.draw(vocabulary_text(columns, separators=(",",))))


@SETTINGS
@given(st.binary(max_size=300))
def test_polis_files_take_any_bytes(raw):
    for reader, name, _columns in POLIS_FILES:
        read_file(reader, name, raw)


STAKEHOLDER_COLUMNS = [aliases[0] for aliases in stakeholders.COLUMNS.values()] + ["nom", "courriel", "remarque"]


@SETTINGS
@given(st.data())
def test_stakeholder_files_give_rows_or_a_format_error(data):
    text = data.draw(vocabulary_text(STAKEHOLDER_COLUMNS, separators=(",", ";")))
    read_file(stakeholders.read_stakeholders, "acteurs.csv", text)


@SETTINGS
@given(st.binary(max_size=300))
@example(b"organisation\nCoop\rdes vergers")  # a carriage return inside a cell (found by this test)
def test_stakeholder_files_take_any_bytes(raw):
    read_file(stakeholders.read_stakeholders, "acteurs.csv", raw)
    read_file(stakeholders.read_stakeholders, "acteurs.xlsx", raw)
