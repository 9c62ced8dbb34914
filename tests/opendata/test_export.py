"""``atout opendata export``: the Drôme demo's package validates with frictionless, small cells are
suppressed, nothing personal is exported, the JSON contract, and all-or-nothing writing."""

import csv
import io
import json
import re

import frictionless
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from atout.consultation import services as consultation
from atout.processes.models import Process
from atout.territories.models import Level, Territory
from tests.consultation.forms import import_survey

# Every test here reads the session's database, some through a module fixture built once from it:
# marked so that pytest-django keeps them together, and the fixture is built once per run.
pytestmark = pytest.mark.django_db


def export(slug, target, *extra) -> dict:
    out = io.StringIO()
    call_command("opendata", "export", "--process", slug, str(target), "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def rows(folder, name) -> list[dict]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The Drôme demo exported once through the command line: (folder, printed JSON)."""
    target = tmp_path_factory.mktemp("opendata") / "drome"
    with django_db_blocker.unblock():
        printed = export("drome", target)
    return target, printed


@pytest.fixture
def small(db):
    """A public process on one commune (Die), with nothing else: quick to export."""
    die = Territory.objects.get(level=Level.COMMUNE, code="26113")
    return Process.objects.create(slug="die-test", title="Die attractive", territory=die)


def test_the_cli_prints_the_json_contract(demo):
    folder, printed = demo
    assert set(printed) == {"directory", "resources", "valid"}
    assert printed["valid"] is True and printed["directory"] == str(folder)
    names = [r["name"] for r in printed["resources"]]
    assert names[:3] == ["territories", "indicators", "indicator_values"]
    assert {"surveys", "survey_frequencies", "themes", "opinion_groups", "actions", "kpis"} <= set(names)
    for resource in printed["resources"]:
        assert set(resource) == {"name", "path", "rows"}
        assert len(rows(folder, resource["name"])) == resource["rows"]


def test_the_demo_package_validates_with_frictionless(demo):
    folder, _printed = demo
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldNumber", "message"])[:5]
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    resources = {r["name"]: r for r in descriptor["resources"]}
    for resource in resources.values():
        assert resource["hash"].startswith("sha256:") and resource["bytes"] > 0
        assert resource["licenses"] and resource["sources"]
        assert all(f["description"] for f in resource["schema"]["fields"])
    types = {f["name"]: f["type"] for f in resources["indicator_values"]["schema"]["fields"]}
    assert (types["value"], types["year"], types["territory"]) == ("number", "integer", "string")
    assert resources["indicator_values"]["schema"]["foreignKeys"][0]["reference"] == {"resource": "territories",
                                                                                      "fields": ["key"]}
    assert {f["name"]: f["type"] for f in resources["actions"]["schema"]["fields"]}["start"] == "date"


def test_row_counts_match_the_database(demo, drome):
    from atout.actions.models import Action, Kpi
    from atout.consultation.models import Response
    from atout.opinion.models import Statement

    folder, printed = demo
    counts = {r["name"]: r["rows"] for r in printed["resources"]}
    territory = drome.territory
    assert counts["territories"] == (1 + drome.subterritories.count() + territory.epcis().count()
                                     + territory.communes().count())
    assert counts["actions"] == Action.objects.filter(process=drome).count()
    assert counts["kpis"] == Kpi.objects.filter(process=drome).count()
    assert counts["opinion_statements"] == Statement.objects.filter(conversation__process=drome, status="accepted").count()
    survey = next(r for r in rows(folder, "surveys") if r["status"] == "open")
    # The demo's perception survey is still open: listed, but its results (its counts too) are not
    # public yet (the closed image barometer's are).
    assert survey["status"] == "open" and survey["responses"] == ""
    assert Response.objects.filter(survey__slug=survey["survey"], survey__process=drome, status="submitted").exists()
    drome_values = {r["indicator"]: float(r["value"]) for r in rows(folder, "indicator_values") if r["territory"] == "dep:26"}
    assert drome_values["population"] > 500_000


def test_nothing_personal_is_exported(demo, drome, tmp_path):
    from django.contrib.auth import get_user_model

    from atout.consultation.models import Answer
    from atout.fieldwork.models import Contribution

    folder, _printed = demo
    everything = "\n".join(path.read_text(encoding="utf-8") for path in folder.iterdir())
    cells = {c for path in folder.glob("*.csv") for row in csv.reader(path.open(encoding="utf-8")) for c in row}
    users = get_user_model().objects.all()
    assert not [u.email for u in users if u.email and u.email in everything]
    assert not [u.username for u in users if u.username in cells]
    # Free text typed by respondents (a commune or département picked from the official list is a
    # place name, published in aggregate like any choice).
    places = set(Territory.objects.values_list("name", flat=True))
    free_texts = set(Answer.objects.filter(survey__process=drome).exclude(text="").values_list("text", flat=True)) - places
    assert len(free_texts) > 10  # the demo has open answers: none of them may leave
    assert not [t for t in free_texts if len(t) >= 12 and t in everything]
    # Imported contributions with their authors' pseudonyms are in the demo's separate Lille example.
    from atout.fieldwork.demo import LILLE_SLUG

    lille = Process.objects.get(slug=LILLE_SLUG)
    export(LILLE_SLUG, tmp_path / "lille")
    lille_everything = "\n".join(path.read_text(encoding="utf-8") for path in (tmp_path / "lille").iterdir())
    authors = set(Contribution.objects.filter(process=lille).exclude(author="").values_list("author", flat=True))
    for text in (everything, lille_everything):
        words = set(re.findall(r"[\w-]+", text))
        assert authors and not authors & words
    # Quotes exist, and only from imported public contributions.
    def plain(text):
        return " ".join(text.split())

    quotes = {plain(r["quote"]) for r in rows(tmp_path / "lille", "theme_quotes")}
    texts = [plain(t) for t in Contribution.objects.filter(process=lille).values_list("text", flat=True)]
    assert quotes and not [q for q in quotes if not any(q in t for t in texts)]


def test_cells_under_ten_respondents_are_suppressed(small, tmp_path):
    survey = import_survey(tmp_path, small, slug="petite")
    for number in range(14):
        response, _token = consultation.start_response(survey)
        consultation.store_submission(survey, {"habite": "oui" if number < 11 else "non", "annees": 5,
                                               "attractive": f"Mon voisin Jean-Secret{number} dit que la Drôme est belle"},
                                      partial=response)
    survey.status = "closed"  # results are public, hence exported, once the survey is closed
    survey.save(update_fields=["status"])
    data = export(small.slug, tmp_path / "out")
    assert data["valid"]
    folder = tmp_path / "out"
    habite = {r["option"]: r for r in rows(folder, "survey_frequencies") if r["question"] == "habite"}
    assert (habite["oui"]["count"], habite["oui"]["suppressed"], habite["oui"]["base"]) == ("11", "false", "14")
    assert abs(float(habite["oui"]["share"]) - 11 / 14) < 1e-9
    assert (habite["non"]["count"], habite["non"]["share"], habite["non"]["ci_low"], habite["non"]["suppressed"]) == (
        "", "", "", "true")
    everything = "\n".join(path.read_text(encoding="utf-8") for path in folder.iterdir())
    assert "Jean-Secret" not in everything


def test_a_draft_process_is_exported_by_the_cli(small, tmp_path):
    small.status = Process.Status.DRAFT
    small.save()
    assert export(small.slug, tmp_path / "draft")["valid"]


def test_writing_is_all_or_nothing(small, tmp_path):
    from atout.actions.models import Action

    Action.objects.create(process=small, code="A1", title="Action au budget impossible", budget_spent=-5)
    target = tmp_path / "paquet"
    with pytest.raises(CommandError, match=r"budget_spent"):
        export(small.slug, target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left behind
    # An existing package is not touched by a failed replacement either.
    Action.objects.filter(process=small).update(budget_spent=5)
    export(small.slug, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    Action.objects.filter(process=small).update(budget_spent=-5)
    with pytest.raises(CommandError):
        export(small.slug, target, "--replace")
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["paquet"]


def test_errors_name_their_place(small, tmp_path):
    with pytest.raises(CommandError, match="--process: no process 'nulle-part'"):
        export("nulle-part", tmp_path / "x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "autre.txt").write_text("x")
    with pytest.raises(CommandError, match="folder is not empty"):
        export(small.slug, tmp_path / "full")


def test_an_imported_polis_conversation_keeps_its_cc_by_licence(small, tmp_path, data_dir):
    from atout.opinion import services as opinion

    conversation = opinion.import_polis(small, data_dir / "consultation/polis/15-per-hour-seattle", slug="seattle")
    opinion.run_analysis(conversation)
    export(small.slug, tmp_path / "out")
    folder = tmp_path / "out"
    assert [(r["conversation"], r["license"]) for r in rows(folder, "opinion_conversations")] == [("seattle", "CC-BY-4.0")]
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    groups = next(r for r in descriptor["resources"] if r["name"] == "opinion_groups")
    assert {lic["name"] for lic in groups["licenses"]} == {"etalab-2.0", "CC-BY-4.0"}
    assert any("pol.is" in source["title"] for source in groups["sources"])
    sizes = [int(r["size"]) for r in rows(folder, "opinion_groups")]
    assert sizes and sum(sizes) == conversation.latest_analysis().result["in_conversation"]
