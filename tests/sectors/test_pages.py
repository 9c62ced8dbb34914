"""The filière pages, the team's form, the CLI and the API on the Drôme demo's six filières."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from atout.sectors.models import Filiere

DEMO = ["agriculture-biologique", "cuir-luxe", "nucleaire", "agroalimentaire", "tourisme-gastronomie", "logistique"]


def url(name, **kwargs):
    return reverse(f"sectors:{name}", kwargs={"slug": "drome", **kwargs})


def test_the_demo_has_the_six_filieres_of_the_approach(drome):
    assert list(Filiere.objects.filter(process=drome).values_list("slug", flat=True)) == DEMO
    leather = Filiere.objects.get(process=drome, slug="cuir-luxe")
    assert leather.naf_codes == ["15.11", "15.12", "15.20", "14.11"]
    assert leather.organisations.filter(name__startswith="Maroquinerie romanaise").exists()
    assert list(leather.actions.values_list("code", flat=True)) == ["I1.1"]
    assert list(leather.objectives.values_list("code", flat=True)) == ["industrie"]


def test_the_list_is_public_and_names_every_filiere(client, drome):
    html = client.get(url("list")).content.decode()
    for name in ("Agriculture biologique", "Cuir et luxe", "Nucléaire", "Agroalimentaire", "Tourisme et gastronomie",
                 "Logistique"):
        assert name in html
    assert "Nouvelle filière" not in html  # the team's button


def test_a_filiere_page_shows_its_definition_context_figures_and_why_it_has_none_of_its_own(client, drome):
    html = client.get(url("detail", filiere="cuir-luxe")).content.decode()
    assert "Fabrication d&#x27;articles de voyage, de maroquinerie et de sellerie" in html
    assert "aucun chiffre propre à la filière n&#x27;est affiché" in html
    assert "Industrie" in html and "contient une partie de la filière" in html
    assert "39 010" in html.replace("\u202f", " ").replace("\xa0", " ")  # 17.32 % × 225,214 jobs, to ten
    assert "emplois au lieu de travail" in html and "REE/SIRENE" in html  # the sources
    assert "Vitrine du cuir et du luxe à Romans" in html  # its action
    assert "Maroquinerie romanaise" in html and "données simulées" in html


def test_the_tourism_page_cites_the_accommodation_count_of_insee(client, drome):
    html = client.get(url("detail", filiere="tourisme-gastronomie")).content.decode()
    assert "147 hôtels, 143 campings" in html and "dossier complet" in html


def test_a_filiere_of_whole_sectors_shows_its_own_figures(client, users, drome):
    client.force_login(users["team"])
    response = client.post(url("create"), {"name": "Construction", "slug": "construction", "naf_text": "F",
                                           "order": 9})
    assert response.status_code == 302
    html = client.get(url("detail", filiere="construction")).content.decode()
    assert "Emplois 2022" in html and "16 960" in html.replace("\u202f", " ").replace("\xa0", " ")
    assert "aucun chiffre propre" not in html


def test_the_team_creates_a_filiere_with_normalised_codes(client, users, drome):
    client.force_login(users["team"])
    assert client.get(url("create")).status_code == 200
    response = client.post(url("create"), {"name": "Chaussure", "slug": "chaussure", "naf_text": "1520z, 15.12",
                                           "description": "Romans", "order": 7})
    assert response.status_code == 302 and response["Location"] == url("detail", filiere="chaussure")
    assert Filiere.objects.get(process=drome, slug="chaussure").naf_codes == ["15.20Z", "15.12"]


def test_a_wrong_naf_code_is_refused_and_nothing_is_saved(client, users, drome):
    client.force_login(users["team"])
    response = client.post(url("create"), {"name": "Erreur", "slug": "erreur", "naf_text": "15.12, 99.99", "order": 1})
    assert response.status_code == 400
    assert "« 99.99 » : cette classe n&#x27;existe pas dans la NAF rév. 2." in response.content.decode()
    assert not Filiere.objects.filter(process=drome, slug="erreur").exists()


def test_a_slug_already_used_in_the_process_is_refused(client, users, drome):
    client.force_login(users["team"])
    response = client.post(url("create"), {"name": "Doublon", "slug": "nucleaire", "naf_text": "35.11", "order": 1})
    assert response.status_code == 400
    assert Filiere.objects.filter(process=drome, slug="nucleaire").count() == 1


def test_the_team_edits_a_filiere_and_its_links(client, users, drome):
    from atout.strategy.models import SwotItem

    item = SwotItem.objects.filter(process=drome, status=SwotItem.Status.ACCEPTED).first()
    client.force_login(users["team"])
    nuclear = Filiere.objects.get(process=drome, slug="nucleaire")
    page = client.get(url("edit", filiere="nucleaire")).content.decode()
    assert "24.46, 35.11, 38.22, 71.12" in page
    response = client.post(url("edit", filiere="nucleaire"), {
        "name": "Nucléaire", "slug": "nucleaire", "naf_text": "24.46, 35.11", "order": 2,
        "swot_items": [item.pk], "actions": list(nuclear.actions.values_list("pk", flat=True))})
    assert response.status_code == 302
    nuclear.refresh_from_db()
    assert nuclear.naf_codes == ["24.46", "35.11"] and list(nuclear.swot_items.all()) == [item]
    assert item.title in client.get(url("detail", filiere="nucleaire")).content.decode()


@pytest.mark.parametrize("role,status", [("participant", 403), ("facilitator", 403), ("team", 200), ("admin", 200)])
def test_only_the_team_opens_the_form(client, users, drome, role, status):
    client.force_login(users[role])
    assert client.get(url("create")).status_code == status
    assert client.get(url("edit", filiere="logistique")).status_code == status


def test_anonymous_visitors_are_sent_to_login_and_cannot_post(client, drome):
    response = client.post(url("create"), {"name": "X", "slug": "x", "naf_text": "F", "order": 1})
    assert response.status_code == 302 and "next=" in response["Location"]
    assert not Filiere.objects.filter(process=drome, slug="x").exists()


def test_a_filiere_of_another_process_is_not_found(client, drome):
    assert client.get(url("detail", filiere="nowhere")).status_code == 404


def _cli(*args) -> dict:
    out = io.StringIO()
    call_command("sectors", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_cli_list_json(drome):
    result = _cli("list", "--process", "drome")
    assert [row["slug"] for row in result["filieres"]] == DEMO
    agrifood = result["filieres"][3]
    assert agrifood["naf"] == ["10", "11"] and agrifood["own_figures"] is False
    assert agrifood["missing"] == ["finer_than_broad_sectors"]


def test_cli_show_json(drome):
    result = _cli("show", "--process", "drome", "--filiere", "nucleaire")
    assert [n["code"] for n in result["naf"]] == ["24.46", "35.11", "38.22", "71.12"]
    assert result["naf"][0]["label"] == "Élaboration et transformation de matières nucléaires"
    sectors = {s["code"]: s for s in result["indicators"]["sectors"]}
    assert set(sectors) == {"BE", "GU"}
    assert sectors["BE"]["share"]["2022"] == 17.32 and sectors["BE"]["france_share"]["2022"] == 11.62
    assert sectors["GU"]["jobs_annual_growth"] is not None
    assert result["actions"] == [{"code": "I1.2", "title": "Compétences pour la filière nucléaire du Tricastin",
                                  "status": "late"}]


def test_cli_names_unknown_process_and_filiere(drome):
    with pytest.raises(CommandError, match="--process: no process 'nowhere'"):
        _cli("list", "--process", "nowhere")
    with pytest.raises(CommandError, match="--filiere: no filière 'nowhere'"):
        _cli("show", "--process", "drome", "--filiere", "nowhere")


def test_api_lists_and_shows_filieres(client, drome):
    rows = client.get("/api/v1/processes/drome/filieres").json()
    assert [r["slug"] for r in rows] == DEMO and rows[1]["naf"][1]["code"] == "15.12"
    assert rows[1]["jobs_2022"] is None and rows[1]["missing"] == ["finer_than_broad_sectors"]
    detail = client.get("/api/v1/processes/drome/filieres/cuir-luxe").json()
    assert detail["indicators"]["sectors"][0]["code"] == "BE"
    assert client.get("/api/v1/processes/drome/filieres/nowhere").status_code == 404


def test_cli_text_output(drome):
    out = io.StringIO()
    call_command("sectors", "list", "--process", "drome", stdout=out)
    assert "6 filière(s) — drome" in out.getvalue()
    assert "- logistique: Logistique [49.41, 52.10, 52.24, 52.29, 53.20] — no own figure: finer_than_broad_sectors" in out.getvalue()
    out = io.StringIO()
    call_command("sectors", "show", "--process", "drome", "--filiere", "agroalimentaire", stdout=out)
    text = out.getvalue()
    assert "  10 Industries alimentaires" in text and "BE Industrie (part): jobs 2022 39,007" in text
    assert "actions: 0" in text
