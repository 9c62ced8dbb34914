from django.urls import reverse

from atout.territories.models import Level, Territory


def test_a_zone_created_in_the_admin_gets_the_communes_of_its_definition(client, users):
    client.force_login(users["admin"])
    response = client.post(reverse("admin:territories_territory_add"), {
        "level": "zone", "code": "valence-diois", "name": "Valence et Diois", "description": "",
        "definition": '["26362", "epci:242600534"]', "legal_form": "", "population": "", "population_total": "",
        "parent": "", "membership_set-TOTAL_FORMS": "0", "membership_set-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    zone = Territory.objects.get(level=Level.ZONE, code="valence-diois")
    assert zone.communes().count() == 51


def test_an_unknown_code_in_the_definition_is_shown_at_the_field(client, users):
    client.force_login(users["admin"])
    response = client.post(reverse("admin:territories_territory_add"), {
        "level": "zone", "code": "x", "name": "X", "definition": '["26362", "00000"]',
    })
    assert response.status_code == 200
    assert "unknown commune or EPCI code(s): 00000" in response.content.decode()
    assert not Territory.objects.filter(level=Level.ZONE, code="x").exists()
