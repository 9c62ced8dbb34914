"""Creating, checking and revoking API tokens.

A key is ``atout_`` followed by 40 random URL-safe characters; its first 8 characters after the
``atout_`` marker are the prefix. Only ``sha256(key)`` is stored, so a leaked database does not leak
usable keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.utils import timezone

from .models import ApiToken, Scope

KEY_MARKER = "atout_"
#: ``last_used`` is written at most this often per token, so reads do not each cost a write.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def scopes_for(scope: str) -> list[str]:
    """``read`` → ["read"]; ``write`` → ["read", "write"] (writing implies reading)."""
    if scope not in Scope.values:
        raise ValueError(f"unknown scope {scope!r} (read or write)")
    return [Scope.READ.value] if scope == Scope.READ else [Scope.READ.value, Scope.WRITE.value]


def create_token(user, name: str, scope: str = Scope.READ) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with its key (the only time the key is known)."""
    name = name.strip()
    if not name:
        raise ValueError("a token needs a name")
    scopes = scopes_for(scope)
    while True:
        key = KEY_MARKER + secrets.token_urlsafe(30)
        prefix = key[len(KEY_MARKER):len(KEY_MARKER) + 8]
        # A prefix starting with "-" would read as an option in `atout api token-revoke PREFIX`.
        if not prefix.startswith("-") and not ApiToken.objects.filter(prefix=prefix).exists():
            break
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, token_hash=hash_key(key), scopes=scopes)
    return token, key


def authenticate(key: str) -> ApiToken | None:
    """The active token whose key is ``key`` (its user active too), or None."""
    if not key.startswith(KEY_MARKER) or len(key) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_key(key), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token


def revoke(token: ApiToken) -> ApiToken:
    """Revoke ``token`` (idempotent: a revoked token keeps its first revocation date)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
