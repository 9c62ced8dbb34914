"""Accountability page, action pages, the team's dashboard, import and export."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from atout.actions.demo import PLAN_FILE
from atout.actions.models import Action, ProgressUpdate


def url(name, **kwargs):
    return reverse(f"actions:{name}", kwargs={"slug": "drome", **kwargs})


def test_the_accountability_page_shows_each_action_with_progress_and_evidence(client, example):
    response = client.get(url("accountability"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="action-card') == 18
    assert html.count("<progress ") == 18  # the abandoned action keeps its own figure (counted nowhere)
    assert "status-abandoned\">Abandonnée" in html
    assert "Exemple — stratégie et plan d'actions fictifs" in html
    assert "Il manque des médecins dans les zones rurales." in html  # what people said, behind P1.1
    assert re.search(r'href="/strategie/drome/preuves/\d+/"', html)
    # per sub-territory execution rate, linked to the filtered list
    assert 'href="?zone=drome-des-collines#actions">70 %</a>' in html


def test_filters_by_axis_and_subterritory(client, example):
    html = client.get(url("accountability"), {"axis": "proximite"}).content.decode()
    assert html.count('class="action-card') == 4  # P1, P1.1, P1.2, P2
    html = client.get(url("accountability"), {"zone": "vercors-royans"}).content.decode()
    assert html.count('class="action-card') == 2  # A2.2 and P1.2
    response = client.get(url("accountability"), {"axis": "nulle-part"})
    assert response.status_code == 200 and response.content.decode().count('class="action-card') == 18


def test_every_figure_of_the_public_page_is_a_link(client, example):
    html = client.get(url("accountability")).content.decode()
    cells = re.findall(r'<td class="num">(.*?)</td>', html, flags=re.S)
    assert cells
    for cell in cells:
        if re.search(r"\d", cell):
            assert cell.strip().startswith('<a class="fig" href='), cell


def test_the_dashboard_is_for_the_team(client, users, example):
    client.force_login(users["participant"])
    assert client.get(url("dashboard")).status_code == 403
    client.force_login(users["team"])
    response = client.get(url("dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "hors trajectoire" in html and "Part des cadres" in html
    assert html.count("<svg") >= 4  # three KPI charts and the timeline
    for cell in re.findall(r'<td class="num">(.*?)</td>', html, flags=re.S):
        if re.search(r"\d", cell):
            assert cell.strip().startswith('<a class="fig" href='), cell


def test_the_action_page_and_a_progress_update(client, users, example):
    response = client.get(url("action", code="P1"))
    assert response.status_code == 200
    assert "Maisons de santé pluriprofessionnelles" in response.content.decode()
    assert client.get(url("action", code="nope")).status_code == 404
    client.force_login(users["team"])
    response = client.post(url("update", code="P1.2"), {"status": "done", "progress": "", "note": "Bus en service"})
    assert response.status_code == 302
    action = Action.objects.get(process=example, code="P1.2")
    assert action.status == "done"
    assert ProgressUpdate.objects.filter(action=action, note="Bus en service", author=users["team"]).exists()
    client.force_login(users["participant"])
    assert client.post(url("update", code="P1.2"), {"status": "planned"}).status_code == 403


def test_import_page_shows_row_errors_and_imports_nothing(client, users, blank_drome):
    drome = blank_drome
    client.force_login(users["team"])
    bad = SimpleUploadedFile("plan.csv", b"id,title,status,progress\nA,Action,planned,\nB,Autre,unknown,300\n")
    response = client.post(url("import"), {"spreadsheet": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "ligne 3" in html and "colonne « status »" in html and "colonne « progress »" in html
    assert not Action.objects.filter(process=drome).exists()


def test_import_page_imports_a_spreadsheet(client, users, blank_drome):
    drome = blank_drome
    from atout.strategy.models import Objective

    for code in ["emploi", "talents", "services", "logement", "industrie", "mobilites"]:
        Objective.objects.create(process=drome, code=code, title=code)
    client.force_login(users["team"])
    upload = SimpleUploadedFile("plan.csv", PLAN_FILE.read_bytes())
    response = client.post(url("import"), {"spreadsheet": upload})
    assert response.status_code == 302 and response.url == url("import")  # to the summary
    assert Action.objects.filter(process=drome).count() == 18
    html = client.get(url("import")).content.decode()
    assert "18 action(s) importée(s) : 18 créée(s), 0 mise(s) à jour." in html
    assert "objectif créé" not in html and "objectifs créés" not in html  # every objective existed
    assert "Import terminé" not in client.get(url("import")).content.decode()  # shown once


@pytest.mark.parametrize("fmt,magic", [("xlsx", b"PK"), ("csv", b"id,parent_id,title")])
def test_export(client, users, example, fmt, magic):
    client.force_login(users["team"])
    response = client.get(url("export"), {"format": fmt})
    assert response.status_code == 200 and response.content.startswith(magic)


def test_the_template_is_public(client, db):
    response = client.get(url("template"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"id,parent_id,title,axis")
