"""Sign-in throttling through the real login pages (site and admin)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from atout.core import throttle
from atout.core.models import LoginThrottle

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
    from atout.core.throttle import rate_key

    assert rate_key("203.0.113.77", dt.date(2026, 1, 1)) != rate_key("203.0.113.77", dt.date(2026, 1, 2))


def test_the_admin_sign_in_is_throttled_too(client, users):
    url = reverse("admin:login")
    for _ in range(5):
        response = client.post(url, {"username": "admin", "password": "faux"}, REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 200
    response = client.post(url, {"username": "admin", "password": "demo-admin-drome", "next": "/admin/"},
                           REMOTE_ADDR="203.0.113.9")
    assert "_auth_user_id" not in client.session
    # The same answer as the site's sign-in page: 429 and the lock message.
    assert response.status_code == 429
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "réessayez dans 15 minutes" in response.content.decode()


def test_the_admin_sign_in_is_refused_with_429_when_the_client_is_locked(client, users):
    for i in range(20):
        sign_in(client, f"inconnu{i}", "faux", address="203.0.113.60")
    response = client.post(reverse("admin:login"), {"username": "admin", "password": "demo-admin-drome"},
                           REMOTE_ADDR="203.0.113.60")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def _known_browser(username="equipe", password=PASSWORD, address="192.0.2.10"):
    """A browser where the account's owner signed in before (then signed out)."""
    browser = Client()
    assert sign_in(browser, username, password, address).status_code == 302
    assert throttle.DEVICE_COOKIE in browser.cookies
    browser.post(reverse("logout"))
    return browser


def test_a_stranger_failing_on_purpose_does_not_lock_the_owner_out_of_a_known_browser(client, users):
    owner = _known_browser()
    fail(client, 5, address="198.51.100.66")  # a stranger locks the account
    assert sign_in(client, "equipe", PASSWORD, address="198.51.100.67").status_code == 429  # for strangers
    # The owner, from the browser they signed in with before, still signs in (from any address).
    response = sign_in(owner, "equipe", PASSWORD, address="192.0.2.11")
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(users["team"].pk)
    # The owner's sign-in does not lift the lock for strangers.
    assert sign_in(client, "equipe", PASSWORD, address="198.51.100.67").status_code == 429


def test_a_known_browser_has_its_own_failure_limit(client, users):
    owner = _known_browser()
    fail(owner, 5, address="192.0.2.12")
    assert sign_in(owner, "equipe", PASSWORD, address="192.0.2.12").status_code == 429
    # Those failures were the browser's: a fresh browser of the owner is not locked by them.
    assert sign_in(client, "equipe", PASSWORD, address="192.0.2.13").status_code == 302


def test_a_browser_known_to_one_account_is_a_stranger_to_another(client, users):
    owner = _known_browser("admin", "demo-admin-drome")
    fail(client, 5, address="198.51.100.68")
    assert sign_in(owner, "equipe", PASSWORD, address="192.0.2.14").status_code == 429


def test_a_forged_known_browser_cookie_is_ignored(client, users):
    fail(client, 5, address="198.51.100.69")
    client.cookies[throttle.DEVICE_COOKIE] = "forged:cookie"
    assert sign_in(client, "equipe", PASSWORD, address="198.51.100.69").status_code == 429


def test_the_client_lock_applies_to_known_browsers_too(client, users):
    owner = _known_browser()
    for i in range(20):
        sign_in(owner, f"inconnu{i}", "faux", address="203.0.113.61")
    assert sign_in(owner, "equipe", PASSWORD, address="203.0.113.61").status_code == 429


def test_the_admin_sign_in_makes_the_browser_known(client, users):
    response = client.post(reverse("admin:login"), {"username": "admin", "password": "demo-admin-drome", "next": "/admin/"},
                           REMOTE_ADDR="192.0.2.20")
    assert response.status_code == 302
    assert client.cookies[throttle.DEVICE_COOKIE]["httponly"]
    client.post(reverse("logout"))
    fail(Client(), 5, username="admin", address="198.51.100.70")
    response = client.post(reverse("admin:login"), {"username": "admin", "password": "demo-admin-drome", "next": "/admin/"},
                           REMOTE_ADDR="192.0.2.21")
    assert response.status_code == 302
