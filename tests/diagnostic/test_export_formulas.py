"""No formula injection in the indicator CSV: a source text starting with ``=`` gets an
apostrophe, a negative value stays a number."""

import csv
import io

import pytest
from django.urls import reverse

from atout.diagnostic.catalogue_store import ensure_catalogue
from atout.diagnostic.models import ImportBatch, Indicator, Observation
from atout.territories.models import Level, Territory


@pytest.mark.usefixtures("statistics")
def test_the_indicator_csv_neutralises_formulas_and_keeps_numbers(client, drome):
    ensure_catalogue()
    valence = Territory.objects.get(level=Level.COMMUNE, code="26362")
    # A value imported for Valence itself (the latest year wins over computed values).
    Observation.objects.create(territory=valence, indicator=Indicator.objects.get(code="unemployment_rate"), year=2099,
                               value=-2.5, source='=HYPERLINK("http://x","clic")', batch=ImportBatch.objects.first())
    url = reverse("diagnostic:indicator_csv", kwargs={"slug": "drome", "code": "unemployment_rate"})
    rows = list(csv.DictReader(io.StringIO(client.get(url, {"niveau": "commune"}).content.decode())))
    row = next(r for r in rows if r["code"] == "26362")
    assert row["source"] == '\'=HYPERLINK("http://x","clic")'
    assert row["value"] == "-2.5"
