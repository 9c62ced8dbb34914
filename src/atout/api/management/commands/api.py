"""``atout api``: API tokens from the command line.

``atout api token-create --user USERNAME --name NAME --scope read|write [--json]`` creates a token and
prints its key once: ``{"token": "atout_…", "prefix": "…", "scopes": ["read", …]}``.
``atout api token-revoke PREFIX [--json]`` revokes the token with that prefix.
``atout api token-list [--user USERNAME] [--json]`` lists tokens (never their keys).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from atout.api import tokens
from atout.api.models import ApiToken, Scope
from atout.commands import GroupCommand, json_flag


def _create_args(parser) -> None:
    parser.add_argument("--user", required=True, metavar="USERNAME", help="the token's owner")
    parser.add_argument("--name", required=True, help="what the token is for")
    parser.add_argument("--scope", choices=Scope.values, default=Scope.READ.value,
                        help="read (default) or write (write implies read)")
    json_flag(parser)


def _revoke_args(parser) -> None:
    parser.add_argument("prefix", metavar="PREFIX", help="the token's 8-character prefix")
    json_flag(parser)


def _list_args(parser) -> None:
    parser.add_argument("--user", metavar="USERNAME", help="only this user's tokens")
    json_flag(parser)


def _describe(token: ApiToken) -> dict:
    return {"prefix": token.prefix, "name": token.name, "user": token.user.get_username(), "scopes": token.scopes,
            "created": token.created, "last_used": token.last_used, "revoked_at": token.revoked_at}


class Command(GroupCommand):
    help = "API tokens: create, revoke, list."

    actions = {
        "token-create": ("create an API token for a user and print its key (shown only once)", _create_args),
        "token-revoke": ("revoke an API token by its prefix", _revoke_args),
        "token-list": ("list API tokens (prefix, name, user, scopes, dates; never the keys)", _list_args),
    }

    def do_token_create(self, *, user: str, name: str, scope: str, **options) -> dict:
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"--user: no user {user!r}")
        if not owner.is_active:
            raise CommandError(f"--user: the account {user!r} is inactive")
        try:
            token, key = tokens.create_token(owner, name, scope)
        except ValueError as exc:
            raise CommandError(f"--name: {exc}") from exc
        return {"token": key, "prefix": token.prefix, "scopes": token.scopes}

    def render_token_create(self, result: dict) -> str:
        return (f"{result['token']}\n(prefix {result['prefix']}, scopes {', '.join(result['scopes'])}; "
                "the key is not stored: keep it now)")

    def do_token_revoke(self, *, prefix: str, **options) -> dict:
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"PREFIX: no token with prefix {prefix!r}")
        already = token.revoked_at is not None
        tokens.revoke(token)
        return {**_describe(token), "already_revoked": already}

    def render_token_revoke(self, result: dict) -> str:
        state = "was already revoked" if result["already_revoked"] else "revoked"
        return f"token {result['prefix']} ({result['name']}, {result['user']}) {state}"

    def do_token_list(self, *, user: str | None = None, **options) -> dict:
        found = ApiToken.objects.select_related("user").order_by("user__username", "-created")
        if user:
            found = found.filter(user__username=user)
        return {"tokens": [_describe(t) for t in found]}

    def render_token_list(self, result: dict) -> str:
        lines = [f"{t['prefix']}  {t['user']:<16} {','.join(t['scopes']):<11} "
                 f"{'revoked' if t['revoked_at'] else 'active':<8} {t['name']}" for t in result["tokens"]]
        return "\n".join(lines) or "no token"
