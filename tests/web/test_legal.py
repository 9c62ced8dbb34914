"""Legal pages (mentions légales, accessibility statement, personal data), the favicon, and refusals
logged without a traceback."""

import io
import logging
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from atout.core.logfilters import RefusalWithoutTraceback

PUBLISHER = {"name": "Département de la Drôme", "address": "26 avenue du Président Herriot, 26026 Valence cedex",
             "email": "contact@ladrome.fr", "phone": "04 75 79 26 26", "director": "La présidente du Département",
             "host": "Hébergeur Exemple, 1 rue de la Forge, 26000 Valence", "dpo_email": "dpo@ladrome.fr",
             "accessibility_audit": ""}


@pytest.mark.parametrize("name", ["web:legal_notice", "web:accessibility", "web:personal_data"])
def test_every_page_links_the_legal_pages_from_its_footer(client, drome, name):
    html = client.get(reverse("processes:home", kwargs={"slug": drome.slug})).content.decode()
    footer = html[html.index('class="site-footer"'):]
    assert f'href="{reverse(name)}"' in footer
    assert client.get(reverse(name)).status_code == 200


@override_settings(ATOUT_PUBLISHER=PUBLISHER)
def test_the_legal_notice_names_the_publisher_from_the_settings(client, db):
    html = client.get(reverse("web:legal_notice")).content.decode()
    for value in ("Département de la Drôme", "contact@ladrome.fr", "La présidente du Département", "Hébergeur Exemple"):
        assert value in html
    assert "n'a pas encore renseigné son identité" not in html


def test_without_publisher_settings_the_notice_says_so(client, db):
    html = client.get(reverse("web:legal_notice")).content.decode()
    assert "n'a pas encore renseigné son identité" in html and "non renseigné" in html


@override_settings(ATOUT_PUBLISHER=PUBLISHER)
def test_the_accessibility_statement_is_honest(client, db):
    html = client.get(reverse("web:accessibility")).content.decode()
    assert "partiellement conforme" in html and "RGAA" in html
    assert "Aucun audit complet" in html  # no audit set: the rate is unknown, said as such
    assert "Défenseur des droits" in html and "mailto:contact@ladrome.fr" in html
    with override_settings(ATOUT_PUBLISHER={**PUBLISHER, "accessibility_audit": "mars 2027, cabinet Exemple, 62 %"}):
        html = client.get(reverse("web:accessibility")).content.decode()
    assert "Audit de conformité : mars 2027, cabinet Exemple, 62 %." in html and "Aucun audit complet" not in html


@override_settings(ATOUT_PUBLISHER=PUBLISHER)
def test_the_personal_data_page_says_what_how_long_and_the_rights(client, db):
    html = client.get(reverse("web:personal_data")).content.decode()
    for words in ("Ce qui est conservé", "Combien de temps", "Vos droits", "CNIL", "dpo@ladrome.fr", "14 jours au plus"):
        assert words in html, words
    assert reverse("community:my_data") in html


def test_the_favicon_is_served(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("web/favicon.svg")
    icon = Path(__file__).resolve().parents[2] / "src/atout/web/static/web/favicon.svg"
    assert icon.read_text().startswith("<svg")
    assert 'rel="icon"' in client.get("/").content.decode()


def test_a_refusal_is_logged_in_one_line_without_traceback(client, drome, users):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RefusalWithoutTraceback())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.force_login(users["participant"])
        assert client.get(reverse("processes:team", kwargs={"slug": drome.slug})).status_code == 403
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "Forbidden (Permission denied): /p/drome/equipe/" in written
    assert "Traceback" not in written and "PermissionDenied" not in written


def test_an_error_keeps_its_traceback():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: /x", None,
                               (ValueError, ValueError("boom"), None))
    record.status_code = 500
    assert RefusalWithoutTraceback().filter(record) and record.exc_info is not None
