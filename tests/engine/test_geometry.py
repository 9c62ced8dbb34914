from shapely.geometry import shape

from atout.engine.geometry import Projection, bounds, dissolve, svg_path


def square(x, y, size=1.0):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]}


def test_dissolving_neighbours_gives_one_polygon_of_their_total_area():
    merged = dissolve([square(0, 0), square(1, 0)])
    geometry = shape(merged)
    assert geometry.geom_type == "Polygon"
    assert abs(geometry.area - 2.0) < 1e-3


def test_dissolving_nothing_gives_nothing():
    assert dissolve([]) is None


def test_projection_keeps_the_aspect_ratio_at_the_map_latitude():
    # 1° of longitude is cos(45°) ≈ 0.707 of 1° of latitude at 45° N.
    projection = Projection(4.0, 44.5, 5.0, 45.5, width=100, margin=0)
    assert abs(projection.height - 100 / 0.7071) < 0.5
    assert projection.point(4.0, 45.5) == (0.0, 0.0)


def test_svg_path_draws_every_ring_closed():
    box = bounds([square(0, 0), square(2, 0)])
    projection = Projection(*box, width=300)
    multi = {"type": "MultiPolygon", "coordinates": [square(0, 0)["coordinates"], square(2, 0)["coordinates"]]}
    d = svg_path(multi, projection)
    assert d.count("M") == 2 and d.count("Z") == 2


def test_bordering_finds_the_departements_sharing_an_edge(data_dir):
    import json

    from atout.engine.geometry import bordering

    features = json.loads((data_dir / "geo" / "departements-simplifie-2018.geojson").read_text())["features"]
    contours = {f["properties"]["code"]: f["geometry"] for f in features}
    assert bordering(contours, "26") == ["04", "05", "07", "38", "84"]  # Drôme
    assert "13" not in bordering(contours, "26")  # Bouches-du-Rhône: near, not bordering
    assert bordering(contours, "2A") == ["2B"]  # Corse-du-Sud: its island neighbour only


def test_bordering_needs_the_territory_contour():
    import pytest

    from atout.engine.geometry import bordering

    with pytest.raises(ValueError, match="no contour"):
        bordering({}, "26")
