"""The team's reports page: start a generation (POST), follow it, download the file; failures are
recorded; only the team reaches any of it."""

import pytest
from django.urls import reverse

from atout.reports import services
from atout.reports.models import Report

from .conftest import pdf_text


def url(name, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": "drome", **kwargs})


def test_the_team_page_lists_reports_and_offers_the_form(client, drome, users):
    client.force_login(users["team"])
    response = client.get(url("index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="kind"' in html and "CA Valence Romans Agglo" in html  # EPCIs offered for a fact sheet
    assert "Aucun rapport pour l'instant." in html


def test_the_team_page_is_linked_from_the_team_space(client, drome, users):
    client.force_login(users["team"])
    assert url("index") in client.get(reverse("processes:team", kwargs={"slug": "drome"})).content.decode()


def test_it_generates_a_diagnostic_in_html_and_serves_it(client, drome, users, reports_in_tmp):
    client.force_login(users["team"])
    response = client.post(url("start"), {"kind": "diagnostic", "format": "html", "territory": ""})
    report = Report.objects.get(process=drome)
    assert response.status_code == 302 and response.url == url("detail", pk=report.pk)
    assert report.status == Report.Status.DONE and report.progress == 100
    assert report.created_by == users["team"] and report.duration > 0 and report.pages is None
    assert report.path.parent.parent == reports_in_tmp and report.path.is_file()
    page = client.get(url("detail", pk=report.pk)).content.decode()
    assert "Terminé" in page and 'http-equiv="refresh"' not in page
    shown = client.get(url("download", pk=report.pk))
    assert shown.status_code == 200 and shown["Content-Type"].startswith("text/html")
    html = b"".join(shown.streaming_content).decode()
    assert "Portrait du territoire" in html and drome.territory.name in html
    saved = client.get(url("download", pk=report.pk) + "?telecharger")
    assert saved["Content-Disposition"].startswith("attachment")
    assert not list(reports_in_tmp.rglob(".part-*"))


def test_it_generates_a_factsheet_pdf_through_the_page(client, drome, users):
    client.force_login(users["team"])
    response = client.post(url("start"), {"kind": "factsheet", "format": "pdf", "territory": "epci:200068781"})
    report = Report.objects.get(process=drome)
    assert response.status_code == 302
    assert report.status == Report.Status.DONE and report.pages == 2 and report.territory.code == "200068781"
    download = client.get(url("download", pk=report.pk) + "?telecharger")
    assert download["Content-Type"] == "application/pdf"
    data = b"".join(download.streaming_content)
    assert "CA Valence Romans Agglo" in pdf_text(data)
    listing = client.get(url("index")).content.decode()
    assert "2 pages" in listing and url("download", pk=report.pk) in listing


def test_a_factsheet_needs_a_subterritory(client, drome, users):
    client.force_login(users["team"])
    response = client.post(url("start"), {"kind": "factsheet", "format": "pdf", "territory": ""})
    assert response.status_code == 400
    assert "Choisissez le sous-territoire de la fiche." in response.content.decode()
    assert not Report.objects.filter(process=drome).exists()


def test_it_rejects_get_on_start(client, drome, users):
    client.force_login(users["team"])
    assert client.get(url("start")).status_code == 405


def test_a_failed_generation_is_recorded_without_a_file(drome, users, reports_in_tmp):
    # A fact sheet without its sub-territory cannot be built: the task fails inside the generation.
    report = services.start(drome, Report.Kind.FACTSHEET, territory=None, user=users["team"])
    assert report.status == Report.Status.FAILED
    assert "sub-territory" in report.message and report.finished is not None
    assert report.file == "" and report.path is None
    assert not reports_in_tmp.exists() or not any(reports_in_tmp.rglob("*"))


def test_a_failed_report_shows_its_message_and_has_nothing_to_download(client, drome, users):
    report = services.start(drome, Report.Kind.FACTSHEET, territory=None)
    client.force_login(users["team"])
    page = client.get(url("detail", pk=report.pk)).content.decode()
    assert "La génération a échoué" in page and report.message in page
    assert client.get(url("download", pk=report.pk)).status_code == 404


def test_a_running_report_page_refreshes_itself(client, drome, users):
    report = Report.objects.create(process=drome, kind=Report.Kind.MONITORING, status=Report.Status.RUNNING, progress=40,
                                   message="Indicateurs de suivi")
    client.force_login(users["team"])
    page = client.get(url("detail", pk=report.pk)).content.decode()
    assert 'http-equiv="refresh"' in page and 'value="40"' in page and "Indicateurs de suivi" in page
    assert client.get(url("download", pk=report.pk)).status_code == 404
    assert 'http-equiv="refresh"' in client.get(url("index")).content.decode()


@pytest.mark.parametrize("role", ["participant", "facilitator"])
def test_only_the_team_reaches_reports(client, drome, users, role):
    report = services.start(drome, Report.Kind.MONITORING, fmt="html")
    client.force_login(users[role])
    for address in (url("index"), url("detail", pk=report.pk), url("download", pk=report.pk)):
        assert client.get(address).status_code == 403
    assert client.post(url("start"), {"kind": "monitoring", "format": "pdf"}).status_code == 403
    assert Report.objects.filter(process=drome).count() == 1


def test_anonymous_visitors_are_sent_to_login(client, drome):
    response = client.get(url("index"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_report_of_another_process_is_not_found(client, drome, users):
    from atout.processes.services import create_process

    other = create_process(slug="autre", territory=drome.territory, title="Autre démarche")
    report = services.start(other, Report.Kind.MONITORING, fmt="html")
    client.force_login(users["admin"])
    assert client.get(url("detail", pk=report.pk)).status_code == 404
    assert client.get(url("download", pk=report.pk)).status_code == 404
