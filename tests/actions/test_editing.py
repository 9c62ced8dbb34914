"""The team creates and edits objectives, actions and KPIs in the product; places are found by a search
(no list of every commune), every change is journaled, another process's team is refused."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from atout.actions.models import Action, Kpi
from atout.core.models import AuditEntry
from atout.processes.models import ProcessRole
from atout.processes.services import create_process
from atout.strategy.models import Objective
from atout.territories.models import Territory
from atout.territories.services import search_within


@pytest.fixture
def team_client(client, users):
    client.force_login(users["team"])
    return client


def url(name, **kwargs):
    return reverse(f"actions:{name}", kwargs={"slug": "drome", **kwargs})


def _action_data(**overrides):
    data = {"code": "P3", "title": "Navettes vers les gares", "description": "", "parent": "", "axis": "",
            "objective": "", "lead_organisation": "Département", "lead_service": "", "partners": "", "audiences": "",
            "start": "2026-01-01", "end": "2027-12-31", "status": "planned", "progress": "", "weight": "1",
            "budget_planned": "250000", "budget_committed": "", "budget_spent": "", "funding_sources": ""}
    data.update(overrides)
    return data


def test_the_search_finds_communes_without_accents_and_only_inside_the_territory(drome):
    found = search_within(drome.territory, "chatillon en diois")
    assert [t.name for t in found] == ["Châtillon-en-Diois"]
    assert [t.code for t in search_within(drome.territory, "26113")][:1] == ["26113"]
    assert search_within(drome.territory, "Lyon") == []  # not in the Drôme
    assert search_within(drome.territory, "") == []


def test_the_action_form_lists_a_few_places_never_every_commune(team_client, example):
    page = team_client.get(url("action_add")).content.decode()
    assert page.count('name="subterritories"') == example.subterritories.count()
    found = search_within(example.territory, "dieulefit")  # the commune and its community of communes
    assert 1 < len(found) < 5
    page = team_client.get(url("action_add"), {"q": "dieulefit"}).content.decode()
    assert "Dieulefit" in page and page.count('name="subterritories"') == example.subterritories.count() + len(found)


def test_the_team_creates_an_action_on_a_searched_commune_and_the_journal_says_so(team_client, example):
    dieulefit = Territory.objects.get(level="commune", name="Dieulefit")
    zone = example.subterritories.order_by("name").first()
    axis = example.axes.get(code="proximite")
    response = team_client.post(url("action_add") + "?q=dieulefit",
                                _action_data(axis=axis.pk, subterritories=[dieulefit.pk, zone.pk]))
    assert response.status_code == 302
    action = Action.objects.get(process=example, code="P3")
    assert set(action.subterritories.all()) == {dieulefit, zone} and action.axis == axis
    assert AuditEntry.objects.filter(process=example, username="equipe", action="create",
                                     object_type="actions.Action", object_id=str(action.pk)).exists()
    public = team_client.get(action.get_absolute_url())
    assert public.status_code == 200 and "Navettes vers les gares" in public.content.decode()


def test_bad_input_names_its_field_and_creates_nothing(team_client, example):
    lyon = Territory.objects.get(level="commune", code="69123")
    response = team_client.post(url("action_add"), _action_data(
        code="A1", start="2027-01-01", end="2026-01-01", progress="140", subterritories=[lyon.pk]))
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Une action de cette démarche a déjà ce code." in page
    assert "La fin doit suivre le début." in page
    assert "Un pourcentage entre 0 et 100." in page
    assert "Sélectionnez un choix valide" in page  # Lyon is not in the Drôme
    assert not Action.objects.filter(process=example, title="Navettes vers les gares").exists()


def test_the_team_edits_an_action(team_client, example):
    action = Action.objects.get(process=example, code="P1.2")
    page = team_client.get(url("action_edit", code="P1.2"))
    assert page.status_code == 200 and 'name="code"' not in page.content.decode()
    data = _action_data(title="Bus des services publics du Vercors et du Royans", code="",
                        status="in_progress", progress="35", start="2026-04-01", end="2027-03-31",
                        subterritories=list(action.subterritories.values_list("pk", flat=True)))
    response = team_client.post(url("action_edit", code="P1.2"), data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Bus des services publics du Vercors et du Royans" and action.progress == 35
    entry = AuditEntry.objects.filter(process=example, object_type="actions.Action", action="update",
                                      object_id=str(action.pk)).first()
    assert entry.username == "equipe" and "title" in entry.changes


def test_an_action_cannot_become_its_own_descendant(team_client, example):
    form = team_client.get(url("action_edit", code="A1")).content.decode()
    child = Action.objects.get(process=example, code="A1.1")
    assert f'value="{child.pk}"' not in form.split('name="parent"')[1].split("</select>")[0]


def test_the_team_edits_a_kpi_baseline_and_target(team_client, example):
    kpi = Kpi.objects.get(process=example, indicator="employment_rate")
    data = {"indicator": kpi.indicator, "label": kpi.label, "unit": kpi.unit, "baseline_value": kpi.baseline_value,
            "baseline_year": kpi.baseline_year, "target_value": "72", "target_year": "2030", "baseline_evidence": ""}
    assert team_client.post(url("kpi_edit", pk=kpi.pk), data).status_code == 302
    kpi.refresh_from_db()
    assert kpi.target_value == 72
    assert AuditEntry.objects.filter(object_type="actions.Kpi", object_id=str(kpi.pk), action="update").exists()
    bad = team_client.post(url("kpi_edit", pk=kpi.pk), data | {"target_year": "2010"})
    assert bad.status_code == 400 and "L'année cible doit suivre" in html.unescape(bad.content.decode())


def test_the_team_adds_an_objective_and_its_kpi(team_client, example):
    axis = example.axes.get(code="attractivite")
    response = team_client.post(url("objectives"), {"code": "jeunes", "title": "Garder les jeunes", "axis": axis.pk,
                                                    "orientation": "", "description": "", "order": "9"})
    assert response.status_code == 302
    objective = Objective.objects.get(process=example, code="jeunes")
    duplicate = team_client.post(url("objectives"), {"code": "jeunes", "title": "Encore", "order": "1"})
    assert duplicate.status_code == 400
    kpi = team_client.post(url("objective_kpi_add", code="jeunes"), {
        "indicator": "unemployment_rate", "label": "", "unit": "", "baseline_value": "11.8", "baseline_year": "2022",
        "target_value": "10.5", "target_year": "2030", "baseline_evidence": ""})
    assert kpi.status_code == 302
    created = objective.kpis.get()
    assert created.indicator == "unemployment_rate" and created.label  # the catalogue's label by default
    assert AuditEntry.objects.filter(object_type="strategy.Objective", object_id=str(objective.pk), action="create").exists()


def test_another_process_team_and_the_facilitator_are_refused(client, example, users):
    other = create_process(slug="autre", territory=example.territory, title="Autre démarche")
    outsider = get_user_model().objects.create_user("autre-equipe", "autre@example.org", "x")
    ProcessRole.objects.create(user=outsider, process=other, role="team")
    kpi = Kpi.objects.filter(process=example).first()
    for user in (outsider, users["facilitator"]):
        client.force_login(user)
        for target in (url("action_add"), url("action_edit", code="A1"), url("kpi_edit", pk=kpi.pk),
                       url("objectives"), url("objective_edit", code="emploi")):
            assert client.get(target).status_code == 403, target
            assert client.post(target, _action_data(title="Piratée")).status_code == 403, target
    assert not Action.objects.filter(title="Piratée").exists()
