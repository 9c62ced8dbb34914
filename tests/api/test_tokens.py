"""Tokens: created with a key shown once, stored as a hash, revocable from the page and the command line."""

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from atout.api import tokens
from atout.api.models import ApiToken

from .conftest import assert_error, bearer


def test_a_token_stores_only_the_hash_of_its_key(users):
    token, key = tokens.create_token(users["team"], "tableau de bord", "write")
    token.refresh_from_db()
    assert key.startswith("atout_") and len(key) > 40
    assert token.token_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.token_hash, token.prefix, token.name}
    assert key[len("atout_"):].startswith(token.prefix) and len(token.prefix) == 8
    assert token.scopes == ["read", "write"]


def test_authenticate_finds_the_active_token_and_notes_its_use(users):
    token, key = tokens.create_token(users["participant"], "script", "read")
    assert token.last_used is None
    assert tokens.authenticate(key) == token
    token.refresh_from_db()
    assert token.last_used is not None
    assert tokens.authenticate(key + "x") is None
    assert tokens.authenticate("not-a-key") is None


def test_a_revoked_token_no_longer_authenticates(client, users):
    token, key = tokens.create_token(users["participant"], "script", "read")
    assert client.get("/api/v1/me", **bearer(key)).status_code == 200
    tokens.revoke(token)
    assert tokens.authenticate(key) is None
    assert_error(client.get("/api/v1/me", **bearer(key)), 401, "unauthorized")


def test_a_token_of_an_inactive_user_is_refused(client, users):
    _token, key = tokens.create_token(users["participant"], "script", "read")
    users["participant"].is_active = False
    users["participant"].save()
    assert_error(client.get("/api/v1/me", **bearer(key)), 401, "unauthorized")


def test_an_unknown_scope_is_refused(users):
    with pytest.raises(ValueError):
        tokens.create_token(users["team"], "x", "admin")
    with pytest.raises(ValueError):
        tokens.create_token(users["team"], "   ", "read")


# --------------------------------------------------------------------------------- command line

def run(*args) -> str:
    out = StringIO()
    call_command("api", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_a_token_and_prints_its_key_once(client, users):
    result = json.loads(run("token-create", "--user", "equipe", "--name", "import nocturne", "--scope", "write", "--json"))
    assert set(result) == {"token", "prefix", "scopes"}
    assert result["scopes"] == ["read", "write"]
    stored = ApiToken.objects.get(prefix=result["prefix"])
    assert stored.user == users["team"] and stored.name == "import nocturne"
    me = client.get("/api/v1/me", **bearer(result["token"])).json()
    assert me["username"] == "equipe" and "drome" in me["team_of"]


def test_the_command_revokes_by_prefix(users):
    token, key = tokens.create_token(users["team"], "script", "read")
    result = json.loads(run("token-revoke", token.prefix, "--json"))
    assert result["prefix"] == token.prefix and result["already_revoked"] is False
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert tokens.authenticate(key) is None
    assert json.loads(run("token-revoke", token.prefix, "--json"))["already_revoked"] is True


def test_the_command_lists_tokens_without_keys(users):
    _token, key = tokens.create_token(users["team"], "liste", "read")
    output = run("token-list", "--user", "equipe", "--json")
    assert "liste" in output and key not in output


def test_the_command_names_what_is_wrong(db):
    with pytest.raises(CommandError, match="--user: no user 'personne'"):
        run("token-create", "--user", "personne", "--name", "x")
    with pytest.raises(CommandError, match="PREFIX: no token with prefix 'zzzzzzzz'"):
        run("token-revoke", "zzzzzzzz")


# ------------------------------------------------------------------------------------------ page

def test_the_account_page_links_the_tokens_page(client, users):
    client.force_login(users["participant"])
    assert reverse("api:tokens") in client.get(reverse("web:account")).content.decode()


def test_the_page_creates_a_token_and_shows_its_key_once(client, users):
    client.force_login(users["participant"])
    response = client.post(reverse("api:tokens"), {"name": "mon script", "scope": "read"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=users["participant"], name="mon script")
    key = response.context["created"]["key"]
    assert key in response.content.decode() and tokens.authenticate(key) == token
    again = client.get(reverse("api:tokens")).content.decode()
    assert key not in again and token.prefix in again


def test_the_page_refuses_a_token_without_a_name(client, users):
    client.force_login(users["participant"])
    response = client.post(reverse("api:tokens"), {"name": "", "scope": "read"})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=users["participant"]).exists()


def test_the_page_revokes_one_of_ones_own_tokens(client, users):
    token, key = tokens.create_token(users["participant"], "script", "read")
    client.force_login(users["participant"])
    response = client.post(reverse("api:token_revoke", kwargs={"token": token.pk}))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and tokens.authenticate(key) is None


def test_nobody_revokes_someone_elses_token(client, users):
    token, key = tokens.create_token(users["team"], "script", "read")
    client.force_login(users["participant"])
    assert client.post(reverse("api:token_revoke", kwargs={"token": token.pk})).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_tokens_page_needs_an_account(client, db):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_audit_log_never_holds_a_token_secret(client, users):
    from atout.core.models import AuditEntry

    client.force_login(users["participant"])
    response = client.post(reverse("api:tokens"), {"name": "audité", "scope": "read"})
    token, key = ApiToken.objects.get(name="audité"), response.context["created"]["key"]
    logged = " ".join(str(e.changes) for e in AuditEntry.objects.filter(object_type="api.ApiToken"))
    assert token.token_hash not in logged and key not in logged


def test_no_prefix_starts_with_a_dash(users):
    """`atout api token-revoke PREFIX` must be able to take any prefix as an argument (one key in
    64 used to start with "-", which argparse reads as an option)."""
    prefixes = [tokens.create_token(users["team"], f"t{i}", "read")[0].prefix for i in range(500)]
    assert not [p for p in prefixes if p.startswith("-")]
    assert len(set(prefixes)) == 500
