"""Hardened settings in production (cookies, framing, referrer, HTTPS) and logs without personal data."""

import io
import json
import logging
import subprocess

from atout.core.logfilters import RedactPersonalData, redact
from tests.web.test_deploy import ATOUT, production_env

SETTINGS = ["SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
            "CSRF_COOKIE_SAMESITE", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
            "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER", "SECURE_CROSS_ORIGIN_OPENER_POLICY",
            "DEBUG", "MIDDLEWARE", "CSRF_COOKIE_HTTPONLY", "LOGGING"]


def production_settings(tmp_path) -> dict:
    env = production_env(tmp_path, ATOUT_SECRET_KEY="k" * 20 + "Zq8#vX2!pL9@wR4$tY7%uI1^oP3&aS6*dF5",
                         ATOUT_ALLOWED_HOSTS="atout.example.fr")
    code = f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {SETTINGS!r}}}))"
    result = subprocess.run([ATOUT, "shell", "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_framing_and_transport_are_hardened(tmp_path):
    s = production_settings(tmp_path)
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_SAMESITE"] == "Lax" and s["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"
    assert s["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 31536000
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    for needed in ("django.middleware.security.SecurityMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
                   "django.middleware.clickjacking.XFrameOptionsMiddleware", "atout.core.audit.AuditMiddleware"):
        assert needed in s["MIDDLEWARE"]
    assert s["CSRF_COOKIE_HTTPONLY"] is True
    # every log line goes through the filter that masks addresses, tokens and e-mails
    assert s["LOGGING"]["handlers"]["console"]["filters"] == ["redact"]
    assert s["LOGGING"]["filters"]["redact"]["()"] == "atout.core.logfilters.RedactPersonalData"


def test_every_page_answer_carries_the_protective_headers(client, drome):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_session_cookie_is_http_only_and_same_site(client, users):
    client.post("/connexion/", {"username": "equipe", "password": "demo-equipe-drome"})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_forms_refuse_a_post_without_csrf_token(drome, users):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["team"])
    response = strict.post("/actions/drome/action/x/avancement/", {"status": "done"})
    assert response.status_code == 403


def test_the_log_filter_removes_addresses_tokens_and_e_mails():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalData())
    logger = logging.getLogger("atout.tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("Not Found: %s", "/consultation/drome/enquete/invitation/Zk3r9QpLx8Vb2mTnY6wH4sJd/")
        logger.warning("mail to %s from %s and %s", "camille.durand@example.org", "203.0.113.7", "2001:db8::17")
        logger.warning("Bad Request: /communaute/lettre/confirmer/not-a-token/ at 12:30:45")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    for secret in ("Zk3r9QpLx8Vb2mTnY6wH4sJd", "camille", "203.0.113.7", "2001:db8::17"):
        assert secret not in text
    assert "/invitation/[jeton]/" in text and "[courriel]" in text and "[adresse]" in text
    assert "/communaute/lettre/confirmer/not-a-token/ at 12:30:45" in text  # ordinary words and times are kept


def test_redaction_keeps_ordinary_paths():
    assert redact("Not Found: /diagnostic/drome/indicateurs/taux-de-chomage-des-15-64-ans/") == (
        "Not Found: /diagnostic/drome/indicateurs/taux-de-chomage-des-15-64-ans/")


#: Views that accept a POST without a CSRF token, and why.
CSRF_EXEMPT = {
    "community:unsubscribe": "one-click unsubscribe from a mail client (RFC 8058); the signed token in the URL "
                             "is the authorisation",
}


def test_only_the_listed_views_skip_csrf_protection():
    from tests.test_permissions import site_views

    exempt = {name for name, pattern in site_views() if getattr(pattern.callback, "csrf_exempt", False)}
    assert exempt == set(CSRF_EXEMPT)
