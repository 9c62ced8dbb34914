"""``atout report``: the demo's diagnostic, a fact sheet of a Drôme EPCI and the monitoring report,
checked on the text of the files produced."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from atout.diagnostic import analysis
from atout.diagnostic.templatetags.diagnostic import num

from .conftest import pdf_text, plain

# Every test here reads the session's database, some through a module fixture built once from it:
# marked so that pytest-django keeps them together, and the fixture is built once per run.
pytestmark = pytest.mark.django_db

VALENCE_ROMANS = "200068781"  # CA Valence Romans Agglo, an EPCI of the Drôme


def run(*args) -> dict:
    out = io.StringIO()
    call_command("report", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def diagnostic_pdf(django_db_setup, django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "diagnostic-drome.pdf"
    with django_db_blocker.unblock():
        result = run("diagnostic", "--process", "drome", "--output", str(path))
    return result, path


def test_the_diagnostic_pdf_is_written_and_described(diagnostic_pdf):
    result, path = diagnostic_pdf
    assert result["output"] == str(path.resolve())
    assert result["format"] == "pdf"
    assert path.read_bytes().startswith(b"%PDF")
    assert result["bytes"] == path.stat().st_size
    assert result["pages"] >= 15  # cover, contents, eleven chapters, several pages of tables and maps
    assert result["seconds"] > 0


def test_the_diagnostic_pdf_holds_the_figures_of_the_diagnostic_pages(diagnostic_pdf, client, drome):
    _result, path = diagnostic_pdf
    text = pdf_text(path.read_bytes())
    page = plain(client.get(reverse("diagnostic:portrait", kwargs={"slug": "drome"})).content.decode())
    for code in ("density", "population", "median_income"):
        printed = plain(num(analysis.value_of(drome.territory, code).value))
        assert printed in page, code
        assert printed in text, code
    assert "Drôme, terre d'attractivité" in text
    assert drome.territory.name in text
    for title in ("Sommaire", "Portrait du territoire", "Cartes par commune", "Comparaison avec les départements",
                  "Boussole de l'attractivité", "Intervalle de rang (5–95 %)", "Forces et faiblesses statistiques",
                  "Résultats des enquêtes", "Thèmes des contributions", "Travail de terrain",
                  "Atouts, faiblesses, opportunités, menaces", "Filières d'excellence", "Perception et réalité",
                  "Annexe : sources et méthodes"):
        assert title in text, title
    # Sources with vintage and licence, survey base and margins, the compass's rank interval.
    assert "Code officiel géographique 2025 — communes" in text
    assert "Licence Ouverte" in text
    assert "Insee, recensement de la population 2022" in text  # sources in words, not codes
    assert "docs/methods" not in text and "dm_pop_vtcam" not in text  # the annex names no repository path
    assert "Base : 3 200 répondants" in text and "Marge" in text and "IC 95 %" in text
    assert "sur 300 tirages" in text
    # The filières chapter: a NAF label, the context table and why the filière has no figure of its own.
    assert "Élaboration et transformation de matières nucléaires" in text
    assert "aucun chiffre propre à la filière n'est affiché" in text


def test_the_diagnostic_pdf_has_french_typography(diagnostic_pdf):
    from pypdf import PdfReader

    raw = " ".join(p.extract_text() for p in PdfReader(diagnostic_pdf[1]).pages)
    assert "521\u202f432" in raw  # the Drôme's population, thousands set apart by a narrow no-break space
    assert " :" not in raw.replace("\n", " ")  # never an ordinary (breakable) space before a colon


def test_the_html_format_is_a_self_contained_document(tmp_path, drome):
    path = tmp_path / "suivi.html"
    result = run("monitoring", "--process", "drome", "--output", str(path))
    assert result["format"] == "html" and result["pages"] is None
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    assert "<style>" in html and "@page" in html and "<svg" in html
    assert "<link" not in html and "<script" not in html  # nothing to fetch: readable offline
    assert "Calendrier des actions" in html


def test_the_format_can_be_forced(tmp_path, drome):
    path = tmp_path / "suivi.pdf"
    result = run("monitoring", "--process", "drome", "--output", str(path), "--format", "html")
    assert result["format"] == "html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_factsheet_of_a_drome_epci_takes_two_pages(tmp_path, drome):
    from atout.territories.models import Territory

    epci = Territory.objects.get(level="epci", code=VALENCE_ROMANS)
    path = tmp_path / "fiche.pdf"
    result = run("factsheet", "--process", "drome", "--territory", VALENCE_ROMANS, "--output", str(path))
    assert result["pages"] == 2
    text = pdf_text(path.read_bytes())
    assert epci.name in text
    assert f"{epci.communes().count()} communes" in text
    assert "Forces et faiblesses statistiques" in text
    population = plain(num(analysis.value_of(epci, "population").value))
    assert population in text


def test_a_factsheet_refuses_a_territory_outside_the_process(tmp_path, drome):
    from atout.territories.models import Territory

    outside = Territory.objects.filter(level="epci").exclude(pk__in=drome.territory.epcis()).first()
    with pytest.raises(CommandError, match=f"--territory {outside.code}"):
        run("factsheet", "--process", "drome", "--territory", outside.code, "--output", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_the_monitoring_pdf_shows_progress_budget_and_kpis(tmp_path, drome):
    from atout.actions.models import Action, Kpi

    path = tmp_path / "suivi.pdf"
    result = run("monitoring", "--process", "drome", "--output", str(path))
    text = pdf_text(path.read_bytes())
    assert result["pages"] >= 2
    for title in ("Avancement et budget", "Indicateurs et trajectoires", "Calendrier des actions"):
        assert title in text
    first = Action.objects.filter(process=drome).order_by("code").first()
    assert plain(first.title) in text
    assert Kpi.objects.filter(process=drome).first().label in text


def test_errors_name_the_option(tmp_path, drome):
    with pytest.raises(CommandError, match="--process: no process 'nowhere'"):
        run("diagnostic", "--process", "nowhere", "--output", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="--output"):
        run("monitoring", "--process", "drome", "--output", str(tmp_path / "missing" / "x.pdf"))


def test_a_factsheet_of_a_subterritory_shows_its_progress_and_swot(tmp_path, drome):
    from atout.actions.services import rollup
    from atout.strategy.models import SwotItem

    zone = drome.subterritories.get(code="vercors-royans")
    path = tmp_path / "vercors.pdf"
    result = run("factsheet", "--process", "drome", "--territory", "zone:vercors-royans", "--output", str(path))
    assert result["pages"] == 2
    text = pdf_text(path.read_bytes())
    assert zone.name in text and "Avancement des actions" in text
    progress = rollup(drome).subterritories[zone.code]
    assert f"{progress:.0f} %" in text
    for item in SwotItem.objects.filter(process=drome, subterritories=zone, status=SwotItem.Status.ACCEPTED):
        assert plain(item.title) in text
