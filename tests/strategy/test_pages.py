"""Evidence pages, the SWOT board and its curation, the strategy page."""

from django.urls import reverse

from atout.strategy.models import Evidence, SwotItem
from atout.strategy.services import propose_from_findings


def url(name, **kwargs):
    return reverse(f"strategy:{name}", kwargs={"slug": "drome", **kwargs})


def test_an_evidence_page_shows_its_figures_and_where_it_is_used(client, example):
    evidence = Evidence.objects.get(process=example, key="finding:unemployment_rate")
    html = client.get(url("evidence", pk=evidence.pk)).content.decode()
    assert "11,8 %" in html and "73e sur 96" in html
    assert "Programme Emploi et compétences" in html  # used by action A1
    assert "Ramener le chômage sous la moyenne nationale" in html  # and by an objective
    statement = Evidence.objects.filter(process=example, kind="opinion").first()
    html = client.get(url("evidence", pk=statement.pk)).content.decode()
    assert "Données simulées" in html and "/opinion/drome/priorites-drome/" in html


def test_private_evidence_is_for_the_team(client, users, example):
    evidence = Evidence.objects.create(process=example, kind="document", title="Note interne", source="équipe", public=False)
    assert client.get(url("evidence", pk=evidence.pk)).status_code == 404
    client.force_login(users["team"])
    assert client.get(url("evidence", pk=evidence.pk)).status_code == 200


def test_the_swot_board_shows_accepted_items_with_evidence(client, example):
    html = client.get(url("swot")).content.decode()
    assert "Taux de chômage" in html and "Concentration de l&#x27;emploi" in html
    assert "La ressource en eau dans le sud drômois" in html
    html = client.get(url("swot"), {"zone": "vercors-royans"}).content.decode()
    assert "Une montagne à préserver" in html and "La ressource en eau" not in html


def test_the_team_curates_proposals(client, users, example):
    proposed = SwotItem.objects.create(process=example, kind="S", title="Proposition")
    other = SwotItem.objects.filter(process=example, kind="S", status="accepted").first()
    client.force_login(users["participant"])
    assert client.post(url("curate"), {"items": [proposed.pk], "action": "discard"}).status_code == 403
    client.force_login(users["team"])
    assert client.post(url("curate"), {"items": [proposed.pk], "action": "move", "kind": "O"}).status_code == 302
    proposed.refresh_from_db()
    assert proposed.kind == "O"
    client.post(url("curate"), {"items": [proposed.pk, other.pk], "action": "merge"})
    proposed.refresh_from_db()
    assert proposed.status == "merged" and proposed.merged_into == other


def test_findings_propose_swot_items_once(blank_drome):
    drome = blank_drome
    finding = {"indicator": "unemployment_rate", "label": "Taux de chômage", "kind": "weakness", "value": 11.8,
               "unit": "%", "source": "INSEE (2022)", "statement": {"fr": "Taux de chômage : 11,8 %", "en": ""}}
    neutral = {**finding, "indicator": "poverty_rate", "kind": "neutral"}
    first = propose_from_findings(drome, [finding, neutral])
    again = propose_from_findings(drome, [finding, neutral])
    assert len(first) == 1 and [i.pk for i in first] == [i.pk for i in again]
    item = first[0]
    assert item.kind == "W" and item.status == "proposed" and item.axis.code == "attractivite"
    assert item.domain == "economic_attractiveness" and item.linked_evidence().get().vintage == "2022"


def test_the_strategy_page(client, example):
    html = client.get(url("strategy")).content.decode()
    assert "Une terre d&#x27;industrie" in html and "Ramener le chômage" in html and "hors trajectoire" in html
