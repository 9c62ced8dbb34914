"""The SWOT board as a deliverable: one item per statement whatever the places it holds for (and the data
migration that merged the old per-sub-territory duplicates), curation of many items at once, the evidence of
each item one click away, no raw theme keyword list as an item, and the DOCX/ODT documents, opened and read
back with python-docx and odfpy."""

import io
import json
import textwrap

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from odf import teletype
from odf.opendocument import load
from odf.text import H, P

from atout.engine.sourcewords import source_words
from atout.strategy import board
from atout.strategy.models import Evidence, SwotItem
from atout.strategy.services import (
    is_keyword_list,
    propose_from_findings,
    propose_from_themes,
    readable_theme_title,
)
from tests.web.subprocesses import ROOT, atout_env, run_atout


def url(name, **kwargs):
    return reverse(f"strategy:{name}", kwargs={"slug": "drome", **kwargs})


FINDING = {"indicator": "unemployment_rate", "label": "Taux de chômage", "kind": "weakness", "value": 11.8,
           "unit": "%", "source": "INSEE (2022)", "statement": {"fr": "Taux de chômage : 11,8 %", "en": ""}}


# ------------------------------------------------------------------------------------------ grouping

def test_one_statement_found_in_several_places_is_one_item(blank_drome):
    drome = blank_drome
    zones = list(drome.subterritories.filter(level="zone").order_by("code")[:2])
    first = propose_from_findings(drome, [FINDING], territory=zones[0])
    second = propose_from_findings(drome, [FINDING], territory=zones[1])
    assert [i.pk for i in first] == [i.pk for i in second]
    item = SwotItem.objects.get(process=drome)
    assert not item.whole_territory
    assert set(item.subterritories.all()) == set(zones)
    assert item.linked_evidence().count() == 2  # one finding per zone, both behind the one item
    # Found for the whole territory too: still one item, now holding everywhere.
    propose_from_findings(drome, [FINDING])
    item.refresh_from_db()
    assert SwotItem.objects.filter(process=drome).count() == 1 and item.whole_territory
    assert item.places()[0] == drome.territory.name and len(item.places()) == 3
    # Proposing again changes nothing.
    propose_from_findings(drome, [FINDING], territory=zones[0])
    assert SwotItem.objects.filter(process=drome).count() == 1 and item.linked_evidence().count() == 3


MIGRATION_CHECK = textwrap.dedent("""
    import json
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    state = MigrationLoader(connection).project_state(("strategy", "0004_prioritisation_ranking"))
    apps = state.apps
    Item = apps.get_model("strategy", "SwotItem")
    Process = apps.get_model("processes", "Process")
    Evidence = apps.get_model("strategy", "Evidence")
    Link = apps.get_model("strategy", "EvidenceLink")
    ContentType = apps.get_model("contenttypes", "ContentType")
    drome = Process.objects.get(slug="drome")
    zones = list(apps.get_model("territories", "Territory").objects.filter(level="zone", code__in=[
        "diois-vallee-drome", "vercors-royans"]).order_by("code"))
    item_type = ContentType.objects.get(app_label="strategy", model="swotitem")
    made = []
    for zone, status in [(None, "proposed"), (zones[0], "accepted"), (zones[1], "proposed")]:
        item = Item.objects.create(process=drome, kind="W", title="Le logement  des jeunes", subterritory=zone,
                                   status=status)
        evidence = Evidence.objects.create(process=drome, kind="document", title=f"Preuve {len(made)}", source="test")
        Link.objects.create(evidence=evidence, target_type=item_type, target_id=item.pk)
        made.append(item.pk)
    other = Item.objects.create(process=drome, kind="S", title="Le logement des jeunes", subterritory=zones[0])
    print("MADE", json.dumps(made + [other.pk]))
""")

MIGRATION_READ = textwrap.dedent("""
    import json
    from atout.strategy.models import SwotItem
    items = SwotItem.objects.filter(pk__in=MADE).order_by("pk")
    print("READ", json.dumps([{"pk": i.pk, "kind": i.kind, "status": i.status, "whole": i.whole_territory,
                               "zones": sorted(t.code for t in i.subterritories.all()),
                               "evidence": sorted(e.title for e in i.linked_evidence())} for i in items]))
""")


def marked(output: str, marker: str):
    return json.loads(next(line for line in output.splitlines() if line.startswith(marker))[len(marker):])


def test_the_migration_merges_items_that_differ_only_by_subterritory(demo_database, tmp_path, data_dir):
    env = atout_env(demo_database, tmp_path / "var", data_dir)
    run_atout(["migrate", "strategy", "0004_prioritisation_ranking", "-v0"], env, ROOT)
    made = marked(run_atout(["shell", "-c", MIGRATION_CHECK], env, ROOT), "MADE ")
    run_atout(["migrate", "-v0"], env, ROOT)
    items = marked(run_atout(["shell", "-c", MIGRATION_READ.replace("MADE", json.dumps(made))], env, ROOT), "READ ")
    weakness = [i for i in items if i["kind"] == "W"]
    assert len(weakness) == 1  # three items, one per place, became one
    assert weakness[0] == {"pk": made[0], "kind": "W", "status": "accepted", "whole": True,
                           "zones": ["diois-vallee-drome", "vercors-royans"], "evidence": ["Preuve 0", "Preuve 1", "Preuve 2"]}
    # Another category is another statement: left apart.
    assert [(i["pk"], i["whole"], i["zones"]) for i in items if i["kind"] == "S"] == [(made[3], False, ["diois-vallee-drome"])]


# ------------------------------------------------------------------------------------------ curation

@pytest.fixture
def proposals(example):
    return [SwotItem.objects.create(process=example, kind="S", title=f"Proposition {n}", example=True) for n in range(4)]


def ids(items):
    return [i.pk for i in items]


def test_bulk_curation_decides_on_many_items_with_one_form(client, users, example, proposals):
    client.force_login(users["team"])
    board_html = client.get(url("swot")).content.decode()
    assert board_html.count('action="' + url("curate") + '"') == 1  # one form, not one per item
    assert all(f'name="items" value="{i.pk}"' in board_html for i in proposals)

    response = client.post(url("curate"), {"items": ids(proposals[:2]), "action": "keep"})
    assert response.status_code == 302
    assert set(SwotItem.objects.filter(pk__in=ids(proposals)).values_list("status", flat=True)) == {"accepted", "proposed"}
    client.post(url("curate"), {"items": ids(proposals[2:]), "action": "move", "kind": "T"})
    assert list(SwotItem.objects.filter(pk__in=ids(proposals[2:])).values_list("kind", flat=True)) == ["T", "T"]
    client.post(url("curate"), {"items": [proposals[3].pk], "action": "discard"})
    assert SwotItem.objects.get(pk=proposals[3].pk).status == "rejected"
    # Discarded items leave the board, unless asked for.
    assert "Proposition 3" not in client.get(url("swot")).content.decode()
    assert "Proposition 3" in client.get(url("swot"), {"ecartes": "1"}).content.decode()

    evidence = Evidence.objects.create(process=example, kind="document", title="Note", source="équipe")
    proposals[1].link_evidence(evidence)
    zone = example.subterritories.filter(level="zone").first()
    proposals[1].subterritories.add(zone)
    response = client.post(url("curate"), {"items": ids(proposals[:2]), "action": "merge", "title": "Un seul atout"})
    kept = SwotItem.objects.get(pk=proposals[0].pk)
    assert (kept.title, kept.status) == ("Un seul atout", "accepted")
    assert response.url == kept.get_absolute_url()
    assert list(kept.linked_evidence()) == [evidence] and zone in kept.subterritories.all()
    merged = SwotItem.objects.get(pk=proposals[1].pk)
    assert merged.status == "merged" and merged.merged_into == kept


def test_a_bad_decision_changes_nothing_and_says_why(client, users, example, proposals):
    client.force_login(users["team"])
    before = list(SwotItem.objects.filter(process=example).order_by("pk").values_list("pk", "kind", "status", "title"))
    cases = [
        ({"items": ids(proposals), "action": "move"}, "Choisissez le quadrant"),
        ({"items": ids(proposals[:1]), "action": "merge"}, "au moins deux éléments"),
        ({"action": "keep"}, "Cochez au moins un élément"),
        ({"items": [proposals[0].pk, 999999], "action": "keep"}, "Élément inconnu"),
        ({"items": ids(proposals), "action": "explode"}, "explode"),
    ]
    for data, message in cases:
        page = client.post(url("curate"), data, follow=True)
        assert page.status_code == 200 and message in page.content.decode(), (data, message)
    after = list(SwotItem.objects.filter(process=example).order_by("pk").values_list("pk", "kind", "status", "title"))
    assert after == before
    with pytest.raises(board.CurationError):
        board.curate(example, [proposals[0].pk, 999999], "keep")


def test_only_the_team_curates(client, users, example, proposals):
    assert client.post(url("curate"), {"items": ids(proposals), "action": "keep"}).status_code == 302  # to login
    client.force_login(users["facilitator"])
    assert client.post(url("curate"), {"items": ids(proposals), "action": "keep"}).status_code == 403
    assert set(SwotItem.objects.filter(pk__in=ids(proposals)).values_list("status", flat=True)) == {"proposed"}
    assert "Proposition 0" not in client.get(url("swot")).content.decode()  # proposals are the team's


# ------------------------------------------------------------------------------------------ evidence

def test_the_evidence_of_each_item_is_one_click_away(client, users, example):
    item = SwotItem.objects.filter(process=example, status="accepted", evidence_links__evidence__kind="finding").first()
    finding = item.linked_evidence().filter(kind="finding").first()
    html = client.get(url("swot")).content.decode()
    assert f'href="{finding.get_absolute_url()}"' in html
    indicator = reverse("diagnostic:indicator", kwargs={"slug": "drome", "code": finding.key.rsplit(":", 1)[-1]})
    assert f'href="{indicator}"' in html
    line = board.evidence_line(finding)
    assert source_words(finding.source, finding.vintage) in line and "source" in line
    # A private piece of evidence is the team's only.
    note = Evidence.objects.create(process=example, kind="document", title="Note interne confidentielle", source="équipe",
                                   public=False)
    item.link_evidence(note)
    assert "Note interne confidentielle" not in client.get(url("swot")).content.decode()
    client.force_login(users["team"])
    assert "Note interne confidentielle" in client.get(url("swot")).content.decode()


def test_survey_evidence_links_to_results_the_reader_may_open(drome, users):
    from atout.consultation.models import Survey

    evidence = Evidence.objects.filter(process=drome, kind="survey").exclude(origin_id=None).first()
    survey = evidence.origin
    assert survey.status == Survey.Status.OPEN
    assert board.source_url(evidence, team=True) == reverse("consultation:results",
                                                            kwargs={"slug": "drome", "survey": survey.slug})
    assert board.source_url(evidence, team=False) == ""  # results not public while the survey is open
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    evidence.refresh_from_db()
    assert board.source_url(evidence, team=False) == reverse("consultation:public_results",
                                                             kwargs={"slug": "drome", "survey": survey.slug})


# ------------------------------------------------------------------------------------------ themes

def test_a_raw_theme_keyword_list_never_becomes_an_item(drome):
    from atout.fieldwork.models import Code, Theme, ThemeRun

    assert is_keyword_list("logement, loyer, jeune", ["logement", "loyer", "jeune", "travail"])
    assert not is_keyword_list("Le logement des jeunes", ["logement", "jeune"])
    assert not is_keyword_list("logement", ["logement"])
    run = ThemeRun.objects.filter(process=drome, status="done", label__startswith="Réponses libres").first()
    raw = Theme(run=run, label="logement, loyer, jeune", terms=["logement", "loyer", "jeune"])
    assert readable_theme_title(raw) == ""
    raw.code = Code(name="Se loger quand on est jeune")
    assert readable_theme_title(raw) == "Se loger quand on est jeune"
    # The demo's proposals from themes: every title a phrase, none a keyword list.
    items = propose_from_themes(drome, run)
    themes = {t.label: t for t in run.themes.all()}
    for item in items:
        theme = next((t for t in themes.values() if readable_theme_title(t) == item.title), None)
        assert theme is not None and not is_keyword_list(item.title, theme.terms)
    assert not [i for i in SwotItem.objects.filter(process=drome, proposed_from__startswith="theme:")
                if "," in i.title and all(len(p.split()) == 1 for p in i.title.split(","))]


# ------------------------------------------------------------------------------------------ documents

def docx_text(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def odt_text(data: bytes) -> list[str]:
    document = load(io.BytesIO(data))
    return [teletype.extractText(e) for e in document.getElementsByType(H) + document.getElementsByType(P)]


def retained(process) -> dict[str, list[str]]:
    return {str(col["label"]): [row["item"].title for row in col["items"]] for col in board.board(process, team=False)}


@pytest.mark.parametrize("fmt,read", [("docx", docx_text), ("odt", odt_text)])
def test_the_board_downloads_as_a_document_with_every_retained_item(client, example, fmt, read):
    response = client.get(url("swot_export", fmt=fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == board.swotdoc.MEDIA_TYPES[fmt]
    assert 'filename="afom-drome-' in response["Content-Disposition"]
    text = read(response.content)
    assert text[0].startswith("Atouts, faiblesses, opportunités, menaces — ")
    expected = retained(example)
    for label, titles in expected.items():
        assert label in text and titles
        for title in titles:
            assert title in text
    assert sum(len(t) for t in expected.values()) == sum(1 for line in text if line in {
        t for titles in expected.values() for t in titles})
    # Each item's evidence says its source; proposals (not retained) are not in the document.
    assert any(line.startswith("Preuve : ") and "source : " in line for line in text)
    proposal = SwotItem.objects.create(process=example, kind="S", title="Proposition à examiner")
    assert proposal.title not in read(client.get(url("swot_export", fmt=fmt)).content)
    assert client.get(url("swot")).content.decode().count(url("swot_export", fmt=fmt)) == 1
    assert client.get(url("swot_export", fmt="pdf")).status_code == 404


def test_atout_swot_export(example, tmp_path):
    out = io.StringIO()
    target = tmp_path / "afom.odt"
    call_command("swot", "export", "--process", "drome", "--format", "odt", "--output", str(target), "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["path"] == str(target) and printed["format"] == "odt" and printed["bytes"] == target.stat().st_size
    assert printed["items"] == {label: len(titles) for label, titles in retained(example).items()}
    assert retained(example)["Atouts"][0] in odt_text(target.read_bytes())
    target = tmp_path / "afom.docx"
    call_command("swot", "export", "--process", "drome", "--format", "docx", "--output", str(target), stdout=io.StringIO())
    assert retained(example)["Faiblesses"][0] in docx_text(target.read_bytes())
    with pytest.raises(CommandError, match="--process: no process 'nulle-part'"):
        call_command("swot", "export", "--process", "nulle-part", "--format", "odt", "--output", str(tmp_path / "x.odt"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("swot", "export", "--process", "drome", "--format", "odt", "--output", str(tmp_path / "no" / "x.odt"))
    assert not (tmp_path / "no").exists()


def test_the_api_gives_the_board_as_the_page_shows_it(client, users, example, proposals):
    from atout.api.tokens import create_token

    public = client.get("/api/v1/processes/drome/swot").json()
    assert [q["label"] for q in public] == ["Atouts", "Faiblesses", "Opportunités", "Menaces"]
    assert {q["label"]: [i["title"] for i in q["items"]] for q in public} == retained(example)
    item = next(i for q in public for i in q["items"] if i["evidence"])
    assert item["evidence"][0]["sentence"] and item["evidence"][0]["url"].startswith("/strategie/drome/preuves/")
    key = create_token(users["team"], "équipe", "read")[1]
    team = client.get("/api/v1/processes/drome/swot", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    titles = [i["title"] for q in team for i in q["items"] if i["status"] == "proposed"]
    assert "Proposition 0" in titles
