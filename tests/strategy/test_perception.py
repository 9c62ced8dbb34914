"""Perception vs reality on the Drôme demo (page, evidence, CLI) and SWOT proposals from the survey and themes."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from atout.consultation.models import Survey
from atout.diagnostic.analysis import value_of
from atout.fieldwork.models import ThemeRun
from atout.strategy import demo, perception, services
from atout.strategy.models import Evidence, PerceptionMap, SwotItem
from atout.territories.models import Territory

ZONES = {"vallee-du-rhone", "drome-des-collines", "vercors-royans", "diois-vallee-drome", "drome-provencale"}


def url(name, **kwargs):
    return reverse(f"strategy:{name}", kwargs={"slug": "drome", **kwargs})


@pytest.fixture
def table(drome):
    return perception.perception_table(drome)


def test_the_demo_mapping_gives_rows_for_real_zones_with_real_values(drome, table):
    assert PerceptionMap.objects.get(process=drome).example
    assert table["survey"]["n"] == 3200 and table["survey"]["simulated"]
    assert [i["key"] for i in table["items"]][:2] == ["hex_potential_emploi", "hex_prerequisites_logement"]
    jobs = table["items"][0]
    assert {row["zone"] for row in jobs["zones"]} == ZONES
    vercors = next(r for r in jobs["zones"] if r["zone"] == "vercors-royans")
    unemployment = next(i for i in vercors["indicators"] if i["code"] == "unemployment_rate")
    expected = value_of(Territory.objects.get(level="zone", code="vercors-royans"), "unemployment_rate").value
    assert unemployment["value"] == pytest.approx(expected) and 5 < expected < 15
    assert unemployment["territory_value"] == pytest.approx(value_of(drome.territory, "unemployment_rate").value)
    assert unemployment["of"] == 5 and unemployment["direction"] == -1
    assert vercors["perception"]["n"] >= 10 and 0 < vercors["perception"]["share"] < 1
    # Zones' respondents add up to the whole territory's (every demo response has a zone).
    assert sum(r["perception"]["n"] for r in jobs["zones"]) == jobs["whole"]["perception"]["n"]
    # A divergence is found in the demo and only where the intervals separate.
    flagged = [(i["key"], r["zone"]) for i in table["items"] for r in i["zones"] if r["flag"] == "perception_worse"]
    assert flagged
    for item in table["items"]:
        for row in item["zones"]:
            if row["flag"] in ("perception_worse", "perception_better"):
                p, o = row["perception"], row["others"]
                assert p["high"] < o["low"] or p["low"] > o["high"]


def test_the_page_shows_the_table_with_links_and_flags_in_words(client, users, drome, table):
    client.force_login(users["team"])
    response = client.get(url("perception"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "On peut y trouver un emploi ou y créer son entreprise" in html
    assert "Vercors / Royans" in html and "Drôme provençale" in html
    assert "/diagnostic/drome/indicateurs/unemployment_rate/?niveau=zone" in html
    assert reverse("consultation:results", kwargs={"slug": "drome", "survey": "perception-drome"}) in html
    assert "Perception plus sombre que la réalité" in html and "Données simulées" in html
    assert "<caption>" in html and 'scope="row"' in html
    assert client.get(url("perception"), {"segment": "sex"}).status_code == 200


def test_the_page_and_its_actions_are_for_the_team(client, users, drome):
    assert client.get(url("perception")).status_code == 302  # anonymous: to the login page
    client.force_login(users["participant"])
    assert client.get(url("perception")).status_code == 403
    assert client.post(url("perception_evidence"), {"item": "hex_potential_emploi", "zone": ""}).status_code == 403
    assert client.post(url("swot_propose"), {"source": "survey:perception-drome"}).status_code == 403
    assert not Evidence.objects.filter(process=drome, key="perception:hex_potential_emploi:all").exists()


def test_a_row_becomes_evidence_once_and_can_support_a_swot_item(client, users, drome, table):
    client.force_login(users["team"])
    item = SwotItem.objects.create(process=drome, kind="W", title="Le logement des jeunes")
    data = {"item": "hex_prerequisites_logement", "zone": "drome-provencale", "swot": str(item.pk)}
    response = client.post(url("perception_evidence"), data)
    evidence = Evidence.objects.get(process=drome, key="perception:hex_prerequisites_logement:drome-provencale")
    assert response.status_code == 302 and response.url == evidence.get_absolute_url()
    row = next(r for r in table["items"][1]["zones"] if r["zone"] == "drome-provencale")
    assert evidence.kind == "perception" and evidence.n == row["perception"]["n"]
    assert evidence.value == pytest.approx(100 * row["perception"]["share"], abs=0.05)
    assert evidence.margin == pytest.approx(50 * (row["perception"]["high"] - row["perception"]["low"]), abs=0.05)
    assert "Part des résidences secondaires" in evidence.summary and evidence.simulated
    assert evidence in item.linked_evidence()
    client.post(url("perception_evidence"), data)
    assert Evidence.objects.filter(process=drome, key__startswith="perception:hex_prerequisites_logement:drome-p").count() == 1
    html = client.get(evidence.get_absolute_url()).content.decode()
    assert "Le logement des jeunes" in html and "Perception et réalité" in html
    response = client.post(url("perception_evidence"), {"item": "nowhere", "zone": ""})
    assert response.status_code == 302 and response.url == url("perception")


def test_the_cli_prints_items_zones_values_and_flags(drome, table):
    out = StringIO()
    call_command("strategy", "perception", "--process", "drome", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {z["code"] for z in data["zones"]} == ZONES
    jobs = data["items"][0]
    assert jobs["key"] == "hex_potential_emploi" and jobs["whole"]["perception"]["n"] == table["items"][0]["whole"]["perception"]["n"]
    zone = jobs["zones"][0]
    assert set(zone) >= {"zone", "perception", "others", "gap", "flag", "indicators"}
    assert zone["indicators"][0]["code"] == "unemployment_rate" and zone["indicators"][0]["value"] is not None
    assert {s["value"] for s in jobs["segments"]} >= {"15-29", "45-59"}
    with pytest.raises(CommandError, match="no process 'nowhere'"):
        call_command("strategy", "perception", "--process", "nowhere", "--json")


def test_the_cli_reads_a_mapping_file_and_names_its_problems(drome, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("survey: perception-drome\nitems:\n  - question: hex_potential_emploi\n    agree: ['4']\n"
                    "    indicators: [nowhere]\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.yaml, items\[1\], indicators\[1\]: unknown catalogue indicator 'nowhere'"):
        call_command("strategy", "perception", "--process", "drome", "--mapping", str(path), "--json")


def test_survey_proposals_are_idempotent_with_their_evidence(blank_drome):
    drome = blank_drome
    survey = Survey.objects.get(process=drome, slug="perception-drome")
    first = services.propose_from_survey(drome, survey)
    assert first and all(i.status == "proposed" for i in first)
    kinds = {(i.kind, i.title, i.whole_territory) for i in first}
    assert ("W", "Les transports en commun", True) in kinds  # the most cited weakness
    places = {i.title: sorted(t.code for t in i.subterritories.all()) for i in first}
    assert "vercors-royans" in places["Les paysages et l'environnement sont remarquables"]
    assert len({(i.kind, i.title) for i in first}) == len(first)  # one item per statement, whatever its places
    for item in first:
        assert item.linked_evidence().exists()
        for evidence in item.linked_evidence():
            assert evidence.kind == "survey" and evidence.n >= 10 and evidence.margin > 0 and evidence.simulated
    transports = next(i for i in first if i.title == "Les transports en commun")
    assert transports.axis.code == "proximite" and transports.domain == "connectedness"
    # The team curates an item; regenerating neither duplicates nor overwrites it.
    transports.title, transports.status = "Des transports rares hors de la vallée", "accepted"
    transports.save()
    again = services.propose_from_survey(drome, survey)
    assert sorted(i.pk for i in again) == sorted(i.pk for i in first)
    transports.refresh_from_db()
    assert (transports.title, transports.status) == ("Des transports rares hors de la vallée", "accepted")
    assert SwotItem.objects.filter(process=drome).count() == len(first)


def test_theme_proposals_are_idempotent_with_the_theme_and_its_quotes(blank_drome):
    drome = blank_drome
    run = ThemeRun.objects.get(process=drome, label=demo.THEMES_LABEL)
    first = services.propose_from_themes(drome, run)
    assert {i.kind for i in first} == {"S", "W"}
    housing = next(i for i in first if "loyer" in i.title or "maisons" in i.title)
    assert housing.kind == "W"  # texts answering "what holds the Drôme back"
    (evidence,) = housing.linked_evidence()
    assert evidence.kind == "theme" and evidence.n >= 0.05 * run.answers and "« " in evidence.summary
    assert evidence.origin_url() == run.get_absolute_url()
    assert [i.pk for i in services.propose_from_themes(drome, run)] == [i.pk for i in first]
    # A theme tied by the team to a code of the codebook takes the code's category and axis.
    theme = run.themes.get(number=int(evidence.key.rsplit(":", 1)[1]))
    from atout.fieldwork.models import Code

    code = Code.objects.filter(codebook__process=drome, name="Logement").first()
    theme.code = code
    theme.save()
    SwotItem.objects.filter(pk=housing.pk).delete()
    again = next(i for i in services.propose_from_themes(drome, run) if i.proposed_from == evidence.key)
    assert again.kind == code.swot and again.axis == code.axis and again.domain == "land_use_housing"


def test_the_demo_swot_has_items_from_the_survey_and_themes_with_evidence(client, drome):
    for prefix in ("survey:", "theme:"):
        items = SwotItem.objects.filter(process=drome, proposed_from__startswith=prefix)
        assert items.filter(status="accepted").exists()
        for item in items:
            assert Evidence.objects.filter(process=drome, key=item.proposed_from).exists()
            assert item.linked_evidence().exists()
    html = client.get(url("swot")).content.decode()
    assert "Les transports en commun" in html
    assert Evidence.objects.filter(process=drome, kind="perception").exists()


def test_the_board_buttons_generate_proposals(client, users, blank_drome):
    drome = blank_drome
    client.force_login(users["team"])
    html = client.get(url("swot")).content.decode()
    assert 'value="survey:perception-drome"' in html
    run = ThemeRun.objects.get(process=drome, label=demo.THEMES_LABEL)
    assert f'value="themes:{run.pk}"' in html
    assert client.post(url("swot_propose"), {"source": "survey:perception-drome"}).status_code == 302
    made = SwotItem.objects.filter(process=drome, proposed_from__startswith="survey:").count()
    assert made > 0
    client.post(url("swot_propose"), {"source": "survey:perception-drome"})
    assert SwotItem.objects.filter(process=drome, proposed_from__startswith="survey:").count() == made
    client.post(url("swot_propose"), {"source": f"themes:{run.pk}"})
    assert SwotItem.objects.filter(process=drome, proposed_from__startswith="theme:").exists()
    response = client.post(url("swot_propose"), {"source": "survey:nowhere"}, follow=True)
    assert "Questionnaire inconnu" in response.content.decode()


def test_a_mapping_saved_by_the_team_is_checked_against_the_catalogue(drome):
    from django.core.exceptions import ValidationError

    stored = PerceptionMap.objects.get(process=drome)
    stored.text = "survey: perception-drome\nitems:\n  - question: hex_potential_emploi\n    agree: ['4', '5']\n" \
                  "    indicators: [share_15_29]\n"
    with pytest.raises(ValidationError, match="'share_15_29' has no polarity in the catalogue"):
        stored.full_clean()
    stored.text = stored.text.replace("[share_15_29]", "[{code: share_15_29, direction: higher_is_better}]")
    stored.full_clean()
    stored.save()
    table = perception.perception_table(drome)
    assert [i["key"] for i in table["items"]] == ["hex_potential_emploi"]
    assert table["items"][0]["zones"][0]["indicators"][0]["direction"] == 1
