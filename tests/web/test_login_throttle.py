"""Sign-in throttling through the real login pages (site and admin)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from atout.web import throttle
from atout.web.models import LoginThrottle

PASSWORD = "demo-equipe-drome"  # the demo's team account (tests/conftest.py loads the demo)


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, n, username="equipe", address="203.0.113.7"):
    for _ in range(n):
        response = sign_in(client, username, "mauvais-mot-de-passe", address)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


@pytest.fixture(autouse=True)
def limits(settings):
    settings.ATOUT_LOGIN_MAX_FAILURES = 5
    settings.ATOUT_LOGIN_MAX_FAILURES_PER_CLIENT = 20
    settings.ATOUT_LOGIN_COOLDOWN = 900


def test_it_signs_in_with_the_right_password(client, users):
    response = sign_in(client, "equipe", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users["team"].pk)


def test_it_refuses_the_right_password_after_too_many_failures(client, users):
    fail(client, 5)
    response = sign_in(client, "equipe", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "réessayez dans 15 minutes" in response.content.decode()


def test_the_lock_is_per_username_whatever_the_address(client, users):
    for i in range(5):
        sign_in(client, "equipe", "faux", address=f"198.51.100.{i}")
    assert sign_in(client, "equipe", PASSWORD, address="192.0.2.99").status_code == 429
    # Another account from the same addresses is not affected.
    assert sign_in(client, "admin", "demo-admin-drome", address="198.51.100.1").status_code == 302


def test_the_lock_is_per_client_across_usernames(client, users):
    for i in range(20):
        sign_in(client, f"inconnu{i}", "faux", address="203.0.113.50")
    response = sign_in(client, "equipe", PASSWORD, address="203.0.113.50")
    assert response.status_code == 429
    assert sign_in(client, "equipe", PASSWORD, address="203.0.113.51").status_code == 302


def test_success_resets_the_counter(client, users):
    fail(client, 4)
    assert sign_in(client, "equipe", PASSWORD).status_code == 302
    client.logout()
    fail(client, 4)
    assert sign_in(client, "equipe", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_down(client, users):
    fail(client, 5)
    assert sign_in(client, "equipe", PASSWORD).status_code == 429
    # The cool-down is over: move the lock into the past, as the clock would.
    past = timezone.now() - dt.timedelta(seconds=1)
    LoginThrottle.objects.filter(key=throttle.username_key("equipe")).update(locked_until=past)
    assert sign_in(client, "equipe", PASSWORD).status_code == 302


def test_usernames_are_counted_case_insensitively(client, users):
    fail(client, 3, username="EQUIPE")
    fail(client, 2, username="Equipe")
    assert sign_in(client, "equipe", PASSWORD).status_code == 429


def test_no_username_or_address_is_stored(client, users):
    fail(client, 3, username="equipe", address="203.0.113.77")
    keys = list(LoginThrottle.objects.values_list("key", flat=True))
    assert keys
    assert all("equipe" not in k and "203.0.113" not in k for k in keys)
    assert throttle.username_key("equipe") in keys
    assert throttle.client_key("203.0.113.77") in keys


def test_the_client_key_changes_every_day():
    from atout.consultation.services import rate_key

    assert rate_key("203.0.113.77", dt.date(2026, 1, 1)) != rate_key("203.0.113.77", dt.date(2026, 1, 2))


def test_the_admin_sign_in_is_throttled_too(client, users):
    url = reverse("admin:login")
    for _ in range(5):
        response = client.post(url, {"username": "admin", "password": "faux"}, REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 200
    response = client.post(url, {"username": "admin", "password": "demo-admin-drome", "next": "/admin/"},
                           REMOTE_ADDR="203.0.113.9")
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives" in response.content.decode()
