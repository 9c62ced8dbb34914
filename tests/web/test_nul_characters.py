"""A NUL character in an address never reaches the database (PostgreSQL refuses it in any text: a 500).

``/territoires/%00/`` answered 500 to anonymous visitors on PostgreSQL. Every URL of the site whose
parameters accept free text is tried here with a NUL in each of them, as an anonymous visitor and as an
administrator, and with a NUL in the query string: 404 or 400, never 500.
"""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import PathConverter, StringConverter

#: A value for every capture: ``%00`` alone, and inside an otherwise plausible value.
NUL_VALUES = ["%00", "dep:26%00", "drome%00x"]


def free_text_patterns(patterns=None, prefix=""):
    """(route, [names of free-text captures]) of every URL of the site (the API included)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from free_text_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            texts = [name for name, conv in pattern.pattern.converters.items()
                     if isinstance(conv, StringConverter | PathConverter)]
            if texts and "<" in route and not route.startswith("^"):
                yield route, texts


def fill(route: str, nul_in: str, value: str) -> str:
    """``route`` with ``value`` in the capture ``nul_in`` and plain values elsewhere."""
    import re

    def sample(match):
        kind, name = match.group(1) or "str", match.group(2)
        if name == nul_in:
            return value
        return {"int": "1", "slug": "drome", "path": "x"}.get(kind, "drome" if name == "slug" else "x")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sample, route)


def test_the_territory_page_with_a_nul_is_not_found(client, db):
    response = client.get("/territoires/%00/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.parametrize("role", ["public", "admin"])
def test_no_address_with_a_nul_answers_500(client, users, role):
    if role == "admin":
        client.force_login(users["admin"])
    client.raise_request_exception = False  # a 500 is reported below with its address
    routes = list(free_text_patterns())
    assert any(r.startswith("territoires/") for r, _ in routes)  # the walk sees the site's URLs
    problems = []
    for route, names in routes:
        for name in names:
            for value in NUL_VALUES:
                url = fill(route, name, value)
                status = client.get(url).status_code
                if status not in (400, 404):
                    problems.append(f"{url}: {status}")
    assert problems == []


@pytest.mark.parametrize("url", ["/?q=%00", "/territoires/dep:26/?annee=%00", "/communaute/drome/participer/?commune=%00",
                                 "/journal/drome/?user=%00", "/diagnostic/drome/?x%00=1"])
def test_a_nul_in_the_query_string_is_a_bad_request(client, users, url):
    client.force_login(users["admin"])
    response = client.get(url)
    assert response.status_code == 400
    assert "Requête incorrecte" in response.content.decode()


def test_the_api_answers_a_nul_with_its_json_error(client, db):
    for url, status in [("/api/v1/territories/%00", 404), ("/api/v1/territories?q=%00", 400)]:
        response = client.get(url)
        assert response.status_code == status, url
        assert json.loads(response.content)["error"]["code"] in ("not_found", "bad_request")
