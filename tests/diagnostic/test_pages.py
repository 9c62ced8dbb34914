"""Diagnostic pages: portrait, indicator maps with their table and CSV, benchmark, findings, import."""

import csv
import html as htmlib
import io
import json
import re

import pytest
from django.urls import reverse

from atout.diagnostic.models import ImportBatch, Observation
from atout.territories.models import Level, Territory


def url(name, **kwargs):
    return reverse(f"diagnostic:{name}", kwargs={"slug": "drome", **kwargs})


def areas(html):
    return re.findall(r'<path class="zone area" d="[^"]+" fill="(#[0-9a-f]{6})"><title>([^<]+)</title>', html)


def table_rows(html):
    """(name, code, value) of the map's data table."""
    body = html.split('<table class="map-data">', 1)[1]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td class="num">([^<]+)</td>', body)
    return [tuple(htmlib.unescape(cell) for cell in row) for row in rows]


def test_pages_say_when_there_is_no_data_yet(client, drome, no_statistics):
    response = client.get(url("portrait"))
    assert response.status_code == 200
    assert "Aucune donnée statistique" in response.content.decode()


@pytest.mark.usefixtures("statistics")
def test_the_portrait_shows_key_figures_with_sources(client, drome):
    html = client.get(url("portrait")).content.decode()
    assert "<td class=\"num\">521\xa0432</td>" in html  # the Drôme's population 2022, French grouping
    assert "recensement de la population 2022" in html


@pytest.mark.usefixtures("statistics")
@pytest.mark.parametrize("level,count", [("commune", 362), ("epci", 16), ("zone", 5), ("departement", 96)])
def test_an_indicator_map_has_one_area_per_territory_and_its_table_and_csv_match(client, drome, level, count):
    response = client.get(url("indicator", code="unemployment_rate"), {"niveau": level})
    assert response.status_code == 200
    html = response.content.decode()
    drawn = areas(html)
    rows = table_rows(html)
    assert len(drawn) == len(rows) == count
    assert "<title" in html and 'class="legend"' in html
    download = client.get(url("indicator_csv", code="unemployment_rate"), {"niveau": level})
    assert download["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [(r["name"], r["code"]) for r in lines] == [(name, code) for name, code, _ in rows]
    with_value = [r for r in lines if r["value"]]
    assert with_value and all(r["source"] for r in with_value)
    # The table shows the CSV's values, rounded for reading (11,81 for 11.807…).
    shown = {code: text for _, code, text in rows}
    for row in with_value[:20]:
        assert shown[row["code"]].replace("\xa0", "").replace(",", ".") == f"{float(row['value']):.{1 if abs(float(row['value'])) >= 10 else 2}f}"


@pytest.mark.usefixtures("statistics")
def test_the_commune_map_colours_by_value_classes(client, drome):
    html = client.get(url("indicator", code="unemployment_rate")).content.decode()
    colours = {colour for colour, _ in areas(html)}
    assert len(colours - {"#d9d9d9"}) == 5  # five quantile classes of the sequential palette
    valence = Territory.objects.get(level=Level.COMMUNE, code="26362")
    assert any(title.startswith(f"{valence.name} : 15,6") for _, title in areas(html))


def outlines(html):
    """Commune name → SVG path of the indicator map."""
    found = re.findall(r'<path class="zone area" d="([^"]+)" fill="#[0-9a-f]{6}"><title>([^<:]+) :', html)
    return {htmlib.unescape(name.strip()): path for path, name in found}


@pytest.mark.usefixtures("statistics")
def test_maps_reuse_their_outlines_and_redraw_a_changed_contour(client, drome):
    """The outlines of a map are drawn once for all indicators (atout.diagnostic.maps); a territory whose
    contour changes (a new import of the geography) is drawn anew."""
    unemployment = outlines(client.get(url("indicator", code="unemployment_rate")).content.decode())
    population = outlines(client.get(url("indicator", code="population")).content.decode())
    assert len(unemployment) > 300 and population == unemployment
    valence = Territory.objects.get(level=Level.COMMUNE, code="26362")
    west, south, east, north = 4.85, 44.90, 4.95, 44.96
    Territory.objects.filter(pk=valence.pk).update(contour=json.dumps(
        {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}))
    redrawn = outlines(client.get(url("indicator", code="population")).content.decode())
    assert redrawn[valence.name] != unemployment[valence.name] and redrawn[valence.name].count(" L") == 4
    others = [name for name in redrawn if name != valence.name]
    assert all(redrawn[name] == unemployment[name] for name in others)


@pytest.mark.usefixtures("statistics")
def test_the_benchmark_table(client, drome):
    html = client.get(url("benchmark")).content.decode()
    assert "96 départements" in html and "73 sur 96" in html  # unemployment rate, rank among 96
    similar = client.get(url("benchmark"), {"pairs": "similar"}).content.decode()
    assert "sur 11" in similar


@pytest.mark.usefixtures("statistics")
def test_the_findings_list(client, drome):
    html = client.get(url("findings")).content.decode()
    assert "Taux de chômage : 11,8" in html and "73e sur 96" in html
    # the Drôme, then each zone
    assert html.count('<section aria-labelledby="findings-') == 1 + drome.subterritories.count()


def test_the_import_page_is_for_the_team(client, drome, users):
    assert client.get(url("import")).status_code == 302
    client.force_login(users["participant"])
    assert client.get(url("import")).status_code == 403
    client.force_login(users["team"])
    assert client.get(url("import")).status_code == 200


def test_the_import_page_imports_a_file(client, drome, users):
    client.force_login(users["team"])
    upload = io.BytesIO(b"code,indicator,year,value\nzone:vercors-royans,unemployment_rate,2023,7.5\n")
    upload.name = "chomage.csv"
    response = client.post(url("import"), {"file": upload, "format": "long", "source": "Observatoire"})
    assert response.status_code == 200 and "1 valeurs importées" in response.content.decode()
    batch = ImportBatch.objects.get(file_name="chomage.csv")
    assert batch.created_by == users["team"] and batch.source == "Observatoire"
    assert Observation.objects.get(batch=batch).value == 7.5


def test_the_import_page_shows_errors_with_line_and_column(client, drome, users):
    client.force_login(users["team"])
    upload = io.BytesIO(b"code,indicator,year,value\n26362,x,2024,abc\n99999,x,2024,1\n")
    upload.name = "faux.csv"
    before = Observation.objects.count()
    response = client.post(url("import"), {"file": upload, "format": "long"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<td>2</td><td>value</td><td>&#x27;abc&#x27; is not a number</td>" in html
    assert "<td>3</td><td>code</td><td>unknown territory code &#x27;99999&#x27;</td>" in html
    assert Observation.objects.count() == before and not ImportBatch.objects.filter(file_name="faux.csv").exists()


@pytest.mark.usefixtures("statistics")
def test_the_attractiveness_compass(client, drome):
    html = client.get(url("compass")).content.decode()
    assert html.count('<polygon class="series-') == 3  # the Drôme, France, the median département
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', html)
    assert len(rows) == html.count('text-anchor="') >= 3  # one axis and one table row per OECD domain
    assert "Intervalle de rang" in html and "sur 96" in html
