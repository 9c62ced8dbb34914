"""The indicator catalogue in the admin: edits are checked against the whole catalogue and kept by syncs."""

from django.urls import reverse

from atout.diagnostic.catalogue_store import current_catalogue, sync_catalogue
from atout.diagnostic.models import Indicator


def form_data(indicator, **changes):
    data = {field: getattr(indicator, field) for field in [
        "code", "theme", "order", "label_fr", "label_en", "long_label_fr", "long_label_en", "definition_fr",
        "definition_en", "unit", "source", "vintage", "polarity", "kind", "domain", "dimension", "axis", "ptod", "numerator",
        "denominator", "scale", "from_indicator", "to_indicator", "method", "aspect", "higher_fr", "higher_en",
        "lower_fr", "lower_en"]}
    data.update({"audiences": '["residents"]', "inputs": str(indicator.inputs).replace("'", '"'),
                 "weights": "[]", "files": str(indicator.files).replace("'", '"'), "years": indicator.years or ""})
    data.update(changes)
    return data


def test_a_valid_edit_is_saved_and_survives_a_sync(client, users, db):
    sync_catalogue()
    client.force_login(users["admin"])
    indicator = Indicator.objects.get(code="unemployment_rate")
    url = reverse("admin:diagnostic_indicator_change", args=[indicator.pk])
    response = client.post(url, form_data(indicator, label_fr="Chômage (recensement)"))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.edited and indicator.label_fr == "Chômage (recensement)"
    assert current_catalogue()["unemployment_rate"].label.fr == "Chômage (recensement)"
    assert sync_catalogue()["kept"] == 1
    assert Indicator.objects.get(code="unemployment_rate").label_fr == "Chômage (recensement)"


def test_an_edit_breaking_the_catalogue_is_refused(client, users, db):
    sync_catalogue()
    client.force_login(users["admin"])
    indicator = Indicator.objects.get(code="unemployment_rate")
    url = reverse("admin:diagnostic_indicator_change", args=[indicator.pk])
    response = client.post(url, form_data(indicator, numerator="vacancy_rate"))  # a ratio, not a count
    assert response.status_code == 200
    assert "numerator &#x27;vacancy_rate&#x27; is a ratio; expected count" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.numerator == "unemployed_15_64" and not indicator.edited
