"""The one-page summary for elected officials and the benchmark against the bordering départements."""

import html as htmlib
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from atout.diagnostic import neighbours
from atout.reports.models import Report
from atout.territories.models import Level, Territory

pytestmark = pytest.mark.usefixtures("statistics")


def url(name):
    return reverse(f"diagnostic:{name}", kwargs={"slug": "drome"})


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"[\s\u00a0\u202f]+", " ", htmlib.unescape(page))


def test_the_drome_borders_five_departements(drome):
    names = [t.name for t in neighbours.neighbours_of(drome.territory)]
    assert names == ["Alpes-de-Haute-Provence", "Hautes-Alpes", "Ardèche", "Isère", "Vaucluse"]  # by code


def test_the_comparison_charts_the_drome_its_neighbours_and_france(drome):
    result = neighbours.comparison(drome.territory, ["unemployment_rate"])
    (chart,) = result["charts"]
    rows = chart["rows"]
    assert [r["name"] for r in rows] == ["Drôme", "Alpes-de-Haute-Provence", "Ardèche", "Hautes-Alpes", "Isère",
                                         "Vaucluse", "France"]
    assert rows[0]["highlight"] and not any(r["highlight"] for r in rows[1:])
    assert round(rows[0]["value"], 1) == 11.8 and round(rows[-1]["value"], 1) == 11.3  # PTOD 2022
    longest = max(chart["chart"].bars, key=lambda b: b.width)
    assert longest.label == "Vaucluse"  # the highest unemployment rate of the six, 14.0 %


def test_no_neighbour_charts_for_a_subterritory(drome):
    zone = drome.subterritories.first()
    assert neighbours.comparison(zone) == {"neighbours": [], "charts": []}


def test_the_benchmark_page_shows_the_neighbour_charts_with_their_tables(client, drome):
    response = client.get(url("benchmark"))
    page = text(response)
    assert "Drôme comparé à ses 5 départements voisins et à la France" in page
    html = response.content.decode()
    assert html.count('<figure class="bars">') == html.count('<div class="table-scroll">') - 1  # + the ranking table
    assert "Taux de chômage Territoire % Drôme 11,8" in page
    assert "Source : Insee, recensement de la population 2022" in page


def test_the_summary_page_is_public_and_complete(client, drome):
    response = client.get(url("summary"))
    assert response.status_code == 200
    page = text(response)
    for heading in ("Chiffres clés", "Forces et faiblesses", "Ce que disent les habitants", "Les axes de la stratégie",
                    "Face aux départements voisins"):
        assert heading in page
    # The census population 2022 (P22_POP summed over the communes), with its source in words.
    assert "Population 521 432 habitants Insee, recensement de la population 2022" in page
    assert "Taux de chômage : 11,8" in page  # the weakness of the findings page
    for axis in drome.axes.all():
        assert axis.name_fr in page
    assert "Produire la synthèse en PDF" not in page  # the PDF is the team's


def test_the_team_gets_the_summary_as_pdf_in_the_background(client, drome, users):
    client.force_login(users["team"])
    assert "Produire la synthèse en PDF" in text(client.get(url("summary")))
    response = client.post(reverse("reports:start", kwargs={"slug": "drome"}), {"kind": "summary", "format": "pdf"})
    report = Report.objects.get(process=drome, kind="summary")
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.status == Report.Status.DONE and report.pages == 1
    assert report.path.read_bytes().startswith(b"%PDF")


def test_the_summary_cli_writes_one_page(drome, tmp_path, monkeypatch):
    from tests.reports.conftest import pdf_text

    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    call_command("report", "summary", "--process", "drome", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["output"] == str((tmp_path / "summary-drome.pdf").resolve()) and result["pages"] == 1
    words = pdf_text((tmp_path / "summary-drome.pdf").read_bytes())
    assert "Synthèse du diagnostic : Drôme" in words and "Face aux départements voisins" in words
    assert "_" not in words.replace("démonstration", "")  # no internal code in the PDF


def test_the_summary_cli_names_an_unknown_process(db, tmp_path):
    with pytest.raises(CommandError, match="--process: no process 'nowhere'"):
        call_command("report", "summary", "--process", "nowhere", "--output", str(tmp_path / "x.pdf"))


def test_a_departement_without_contour_has_no_neighbours(drome):
    Territory.objects.filter(level=Level.DEPARTEMENT, code="26").update(contour="")
    drome.territory.refresh_from_db()
    assert neighbours.neighbours_of(drome.territory) == []
