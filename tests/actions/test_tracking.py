"""The team's follow-up forms on an action page: milestones, KPIs and measurements."""

import datetime as dt

import pytest
from django.urls import reverse

from atout.actions.models import Action, Kpi, Measurement, Milestone
from atout.diagnostic.models import Indicator


@pytest.fixture
def action(example):
    return Action.objects.get(process=example, code="P1.1")


@pytest.fixture
def team_client(client, users):
    client.force_login(users["team"])
    return client


def url(name, **kwargs):
    return reverse(f"actions:{name}", kwargs={"slug": "drome", **kwargs})


def test_the_team_sees_the_forms_and_the_public_does_not(client, team_client, action):
    html = team_client.get(action.get_absolute_url()).content.decode()
    assert "Ajouter un jalon" in html and "Ajouter un indicateur de suivi" in html
    client.logout()
    html = client.get(action.get_absolute_url()).content.decode()
    assert "Ajouter un jalon" not in html and url("milestone_add", code=action.code) not in html


def test_a_milestone_is_added_marked_reached_and_deleted(team_client, action):
    response = team_client.post(url("milestone_add", code=action.code),
                                {"date": "2027-03-31", "title": "Lancement de l'appel à projets"}, follow=True)
    assert "Jalon ajouté." in response.content.decode()
    milestone = Milestone.objects.get(action=action, title="Lancement de l'appel à projets")
    assert milestone.date == dt.date(2027, 3, 31) and not milestone.done
    team_client.post(url("milestone_change", pk=milestone.pk), {"done": "1"})
    milestone.refresh_from_db()
    assert milestone.done
    team_client.post(url("milestone_change", pk=milestone.pk), {"delete": "1"})
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_an_invalid_milestone_is_refused_with_the_field_named(team_client, action):
    before = Milestone.objects.count()
    response = team_client.post(url("milestone_add", code=action.code), {"date": "31/31/2027", "title": ""}, follow=True)
    html = response.content.decode()
    assert "Date" in html and "Jalon" in html and Milestone.objects.count() == before


def test_a_kpi_takes_the_catalogue_label_and_its_measurements_are_recorded(team_client, action):
    indicator = Indicator.objects.order_by("code").first()
    response = team_client.post(url("kpi_add", code=action.code), {
        "indicator": indicator.code, "label": "", "unit": "", "baseline_value": "12.5", "baseline_year": "2021",
        "target_value": "10", "target_year": "2030"}, follow=True)
    assert "Indicateur de suivi ajouté." in response.content.decode()
    kpi = Kpi.objects.get(action=action, indicator=indicator.code)
    assert kpi.label == indicator.label_fr and kpi.unit == indicator.unit
    team_client.post(url("measurement_add", pk=kpi.pk), {"year": "2024", "value": "11.8", "source": "INSEE"})
    response = team_client.post(url("measurement_add", pk=kpi.pk), {"year": "2024", "value": "11.6"}, follow=True)
    assert "Mesure de cette année remplacée." in response.content.decode()
    assert list(Measurement.objects.filter(kpi=kpi).values_list("year", "value")) == [(2024, 11.6)]
    html = team_client.get(action.get_absolute_url()).content.decode()
    assert "11,60 (2024)" in html
    team_client.post(url("kpi_delete", pk=kpi.pk))
    assert not Kpi.objects.filter(pk=kpi.pk).exists()


def test_a_kpi_whose_target_precedes_its_baseline_is_refused(team_client, action):
    indicator = Indicator.objects.order_by("code").first()
    response = team_client.post(url("kpi_add", code=action.code), {
        "indicator": indicator.code, "baseline_value": "1", "baseline_year": "2024", "target_value": "2",
        "target_year": "2020"}, follow=True)
    assert "L&#x27;année cible doit suivre l&#x27;année de référence." in response.content.decode()
    assert not Kpi.objects.filter(action=action, indicator=indicator.code, baseline_year=2024).exists()


def test_the_forms_refuse_other_processes_objects_and_participants(client, users, action):
    kpi = Kpi.objects.create(process=action.process, action=action, indicator="x", label="x", baseline_value=1,
                             baseline_year=2020, target_value=2, target_year=2030)
    client.force_login(users["participant"])
    assert client.post(url("measurement_add", pk=kpi.pk), {"year": "2024", "value": "3"}).status_code == 403
    assert not Measurement.objects.filter(kpi=kpi).exists()
