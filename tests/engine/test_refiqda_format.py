"""REFI-QDA project export: a real .qdpx whose project.qde validates against the official Project.xsd."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from atout.engine.formats import refiqda
from atout.engine.formats.refiqda import Code, CodeSet, Project, Selection, TextSource, User

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "refiqda" / "Project.xsd"
NS = {"q": refiqda.PROJECT_NAMESPACE}

INTERVIEW = ("Moi, j'habite à Nyons depuis vingt ans.\n\n"
             "Le logement est devenu inabordable pour les jeunes, même en location.\n\n"
             "Heureusement, la vie associative reste très riche : « on se serre les coudes ».")
FOCUS_GROUP = "Les bus ne passent pas le dimanche. Sans voiture, on ne peut rien faire."


def _guid(*parts):
    return refiqda.stable_guid("test", *parts)


def _project() -> Project:
    housing = Code(_guid("code", 1), "Logement", "#1F77B4", "Coût, accès, rareté du logement")
    transport = Code(_guid("code", 2), "Mobilités", "#2CA02C")
    social = Code(_guid("code", 3), "Vie locale", None, "", codable=False,
                  children=[Code(_guid("code", 4), "Entraide", "#9467BD", "Solidarité, associations")])
    coder_a, coder_b = User(_guid("user", "a"), "Codeur A"), User(_guid("user", "b"), "Codeur B")
    when = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)
    start = INTERVIEW.index("Le logement")
    solidarity = INTERVIEW.index("la vie associative")
    interview = TextSource(_guid("source", 1), "Entretien — Nyons", INTERVIEW, [
        Selection(_guid("sel", 1), start, start + len("Le logement est devenu inabordable pour les jeunes"),
                  [housing.guid], coder_a.guid, when),
        Selection(_guid("sel", 2), start, start + len("Le logement est devenu inabordable"), [housing.guid], coder_b.guid, when),
        Selection(_guid("sel", 3), solidarity, len(INTERVIEW), [social.children[0].guid, housing.guid], coder_a.guid, when,
                  "Citation forte"),
    ], description="Entretien individuel, mars 2026", user=coder_a.guid, created=when)
    focus = TextSource(_guid("source", 2), "Atelier mobilités", FOCUS_GROUP,
                       [Selection(_guid("sel", 4), 0, 35, [transport.guid], coder_b.guid)])
    return Project(
        name="Drôme — entretiens", codes=[housing, transport, social], sources=[interview, focus],
        users=[coder_a, coder_b], sets=[CodeSet(_guid("set", "W"), "AFOM : Faiblesse", [housing.guid, transport.guid])],
        description="Export de test", created=when, user=coder_a.guid,
    )


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "projet.qdpx"
    refiqda.write_qdpx(_project(), path)
    return zipfile.ZipFile(path)


def test_the_written_project_validates_against_the_official_schema(archive, schema):
    document = etree.fromstring(archive.read("project.qde"))
    schema.assertValid(document)
    assert document.tag == f"{{{refiqda.PROJECT_NAMESPACE}}}Project"


def test_the_schema_check_is_not_vacuous(schema):
    """The same document with a selection missing its end position, or an attribute the schema does
    not know, is rejected: the validation above can fail."""
    document = etree.fromstring(refiqda.project_xml(_project()))
    selection = document.find(".//q:PlainTextSelection", NS)
    del selection.attrib["endPosition"]
    assert not schema.validate(document)
    document = etree.fromstring(refiqda.project_xml(_project()))
    document.find(".//q:User", NS).set("email", "someone@example.org")
    assert not schema.validate(document)


def test_sources_travel_as_utf8_text_files_that_the_selections_point_into(archive):
    document = etree.fromstring(archive.read("project.qde"))
    names = set(archive.namelist())
    assert names == {"project.qde", *(f"sources/{_guid('source', i)}.txt" for i in (1, 2))}
    for source in document.iterfind(".//q:TextSource", NS):
        path = source.get("plainTextPath")
        assert path.startswith("internal://")
        text = archive.read("sources/" + path.removeprefix("internal://")).decode("utf-8")
        for selection in source.iterfind("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert selection.get("name").rstrip("…") in " ".join(text[start:end].split())
    interview = archive.read(f"sources/{_guid('source', 1)}.txt").decode("utf-8")
    assert interview == INTERVIEW  # accents, guillemets and line breaks unchanged: positions stay true


def test_codes_keep_their_hierarchy_colours_and_definitions_and_codings_their_coder(archive):
    document = etree.fromstring(archive.read("project.qde"))
    codes = document.find("q:CodeBook/q:Codes", NS)
    top = [c.get("name") for c in codes.iterfind("q:Code", NS)]
    assert top == ["Logement", "Mobilités", "Vie locale"]
    heading = codes.find("q:Code[@name='Vie locale']", NS)
    assert heading.get("isCodable") == "false" and heading.find("q:Code", NS).get("name") == "Entraide"
    assert codes.find("q:Code[@name='Logement']", NS).get("color") == "#1F77B4"
    assert codes.find("q:Code[@name='Logement']/q:Description", NS).text == "Coût, accès, rareté du logement"
    users = {u.get("guid"): u.get("name") for u in document.iterfind("q:Users/q:User", NS)}
    assert sorted(users.values()) == ["Codeur A", "Codeur B"]
    third = document.findall(".//q:PlainTextSelection", NS)[2]
    assert [c.find("q:CodeRef", NS).get("targetGUID") for c in third.iterfind("q:Coding", NS)] == [
        _guid("code", 4), _guid("code", 1)]
    assert users[third.get("creatingUser")] == "Codeur A"
    assert third.get("creationDateTime") == "2026-03-02T14:30:00Z"
    assert {m.get("targetGUID") for m in document.iterfind("q:Sets/q:Set/q:MemberCode", NS)} == {_guid("code", 1), _guid("code", 2)}


def test_the_same_project_gives_the_same_export():
    first, second = io.BytesIO(), io.BytesIO()
    refiqda.write_qdpx(_project(), first)
    refiqda.write_qdpx(_project(), second)
    assert zipfile.ZipFile(first).read("project.qde") == zipfile.ZipFile(second).read("project.qde")
    assert refiqda.stable_guid("drome", "code", 12) == refiqda.stable_guid("drome", "code", 12)


def test_an_inconsistent_project_is_refused_with_every_problem_named(tmp_path):
    project = _project()
    project.sources[1].selections.append(Selection(_guid("sel", 9), 60, 200, [_guid("code", 99)], "not-a-guid"))
    project.codes[1].color = "green"
    project.users.append(User(project.users[0].guid, "Codeur C"))
    target = tmp_path / "bad.qdpx"
    with pytest.raises(ValueError) as error:
        refiqda.write_qdpx(project, target)
    message = str(error.value)
    assert "source 'Atelier mobilités', selection 2: characters 60–200 are not inside the text (0–72)" in message
    assert f"unknown code {_guid('code', 99)}" in message
    assert "unknown user not-a-guid" in message
    assert "code 'Mobilités': colour 'green' is not #RRGGBB" in message
    assert "already used by user 'Codeur A'" in message
    assert not target.exists()


def test_an_empty_project_is_still_valid(schema):
    document = etree.fromstring(refiqda.project_xml(Project("Vide", [], [])))
    schema.assertValid(document)
