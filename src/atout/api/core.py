"""The plumbing every endpoint shares: bearer tokens, who may see what, errors, pagination, rate limits.

Errors all have one shape, whatever their cause (a bad parameter, a missing token, a throttled caller)::

    {"error": {"code": "not_found", "message": "…", "details": [...]}}

``details`` lists the offending fields for validation errors (``loc`` says where: query, path, body)
and is empty otherwise.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle
from pydantic import StringConstraints

from atout.core.audit import Actor, acting_as
from atout.core.throttle import client_address
from atout.processes.models import Process
from atout.processes.roles import has_role

from .models import ApiToken
from .tokens import authenticate

# ------------------------------------------------------------------------------------------ types

#: Free text from a query or a path: bounded, and never a NUL character (PostgreSQL refuses them).
Text = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]
Year = Annotated[int, Field(ge=1800, le=2200)]
#: A database identifier (bounded: a larger integer is no row, not an overflow).
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


# ------------------------------------------------------------------------------------------ errors

ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 422: "validation_error", 429: "rate_limited",
}


class ErrorDetail(Schema):
    loc: list[str | int] = Field(default_factory=list, description="where: query, path or body, then the field")
    msg: str
    type: str = ""


class ErrorBody(Schema):
    code: str = Field(description="bad_request, unauthorized, forbidden, not_found, validation_error, rate_limited…")
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class Error(Schema):
    error: ErrorBody


class ApiError(HttpError):
    """An error with a status, a message and optional field details."""

    def __init__(self, status_code: int, message: str, details: list[dict] | None = None):
        super().__init__(status_code, message)
        self.details = details or []


def invalid(field: str, message: str, where: str = "query") -> ApiError:
    """A 422 naming the parameter at fault."""
    return ApiError(422, f"{field}: {message}", [{"loc": [where, field], "msg": message, "type": "value_error"}])


def error_payload(status: int, message: str, details: list[dict] | None = None) -> dict:
    return {"error": {"code": ERROR_CODES.get(status, "error"), "message": message, "details": details or []}}


def install_error_handlers(api) -> None:
    """Every error the API answers has the shape of :class:`Error`."""

    def respond(request, status, message, details=None):
        return api.create_response(request, error_payload(status, message, details), status=status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc):
        details = []
        for e in exc.errors:
            loc = [p if isinstance(p, int) else str(p) for p in e.get("loc", [])]
            if loc[:1] == ["body"] and len(loc) > 2:
                del loc[1]  # the view's parameter name: clients only know the body's own fields
            details.append({"loc": loc, "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))})
        fields = ", ".join(".".join(str(p) for p in d["loc"][1:]) or str(d["loc"][0]) for d in details if d["loc"])
        return respond(request, 422, f"Invalid parameters: {fields}." if fields else "Invalid parameters.", details)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        status = exc.status_code
        message = str(exc)
        if isinstance(exc, AuthenticationError) and message == "Unauthorized":
            message = "A valid API token is required: send it as 'Authorization: Bearer <token>'."
        if status == 429:
            message = "Too many requests: slow down and retry after the number of seconds in Retry-After."
        if status == 400 and message.startswith("Cannot parse request body"):
            message = "The request body is not valid JSON."
        response = respond(request, status, message, getattr(exc, "details", None))
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="atout"'
        return response

    @api.exception_handler(Http404)
    def not_found(request, exc):
        message = str(exc) or "Not found."
        return respond(request, 404, message)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, str(exc) or "Forbidden.")


#: Declared on every operation, so the OpenAPI description lists every status the API may answer.
READ_ERRORS = {400: Error, 401: Error, 404: Error, 422: Error, 429: Error}
WRITE_ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


# -------------------------------------------------------------------------------------------- auth

class Anonymous:
    """``request.auth`` of a caller without a token (truthy, so that ninja lets it through)."""

    user = None
    scopes: list[str] = []

    def __bool__(self):
        return True

    def __str__(self):
        return "anonymous"


ANONYMOUS = Anonymous()


class BearerToken(HttpBearer):
    """``Authorization: Bearer <key>``. With ``optional``, a request without the header is anonymous;
    a header with a wrong, revoked or malformed key is always refused (401), never downgraded."""

    def __init__(self, optional: bool = False):
        super().__init__()
        self.optional = optional

    def __call__(self, request: HttpRequest):
        value = request.headers.get(self.header)
        if not value:
            return ANONYMOUS if self.optional else None
        scheme, _sep, key = value.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise AuthenticationError(401, "Malformed Authorization header: expected 'Bearer <token>'.")
        return self.authenticate(request, key.strip())

    def authenticate(self, request: HttpRequest, token: str):
        found = authenticate(token)
        if found is None:
            raise AuthenticationError(401, "Invalid or revoked API token.")
        return found


OPTIONAL_AUTH = BearerToken(optional=True)
REQUIRED_AUTH = BearerToken()
#: OpenAPI: the token is optional on read operations (an empty requirement means anonymous is fine).
OPTIONAL_SECURITY = {"security": [{"BearerToken": []}, {}]}


def token_of(request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def user_of(request):
    token = token_of(request)
    return token.user if token else None


def is_team(request, process: Process) -> bool:
    """Whether the caller's token belongs to a team member of ``process`` (or an administrator)."""
    user = user_of(request)
    return user is not None and has_role(user, process, "team")


def visible_process(request, slug: str) -> Process:
    """The process ``slug``; a draft is visible to its team only (404 for anyone else)."""
    process = Process.objects.select_related("territory").filter(slug=slug).first()
    if process is None or (process.status == Process.Status.DRAFT and not is_team(request, process)):
        raise Http404(f"No process {slug!r}.")
    return process


def require_write(request, process: Process) -> ApiToken:
    """The caller's token, if it has the write scope and its user is on the team of ``process``."""
    token = token_of(request)
    if token is None:
        raise AuthenticationError()
    if not token.can_write:
        raise ApiError(403, "This token is read-only: create a token with the write scope.")
    if not has_role(token.user, process, "team"):
        raise ApiError(403, f"Only the team of the process {process.slug!r} may change it.")
    return token


@contextmanager
def authored_by(token: ApiToken):
    """Changes made inside are recorded in the audit log under the token's user (an API request has
    no session user for the audit middleware to find)."""
    with acting_as(Actor(token.user, token.user.get_username(), True)):
        yield


# ------------------------------------------------------------------------------------- pagination

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


class Pagination(LimitOffsetPagination):
    """``limit`` (1–500, default 50) and ``offset``; the answer says ``count``, ``limit`` and ``offset``."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"items per page (at most {MAX_LIMIT})")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="items to skip")

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="items matching the filters, over all pages")
        limit: int
        offset: int

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        offset, limit = pagination.offset, pagination.limit
        return {"items": queryset[offset:offset + limit], "count": self._items_count(queryset),
                "limit": limit, "offset": offset}


# ----------------------------------------------------------------------------------- rate limiting

DEFAULT_RATES = {"anon": "60/min", "token": "600/min"}


def rate(scope: str) -> str:
    """The rate of ``scope`` ("anon" or "token"): settings ``ATOUT_API_RATE_ANON`` / ``ATOUT_API_RATE_TOKEN``,
    else the environment variables of the same names, else 60/min anonymous and 600/min per token."""
    name = f"ATOUT_API_RATE_{scope.upper()}"
    return getattr(settings, name, None) or os.environ.get(name) or DEFAULT_RATES[scope]


class _Throttle(SimpleRateThrottle):
    """Rates are read at each request (settings may change, e.g. in tests); history lives in the
    default cache, so several application processes share it only with a shared cache."""

    scope_name = ""

    def get_ident(self, request):
        # The same client address as the survey rate limits and sign-in throttling (X-Forwarded-For
        # only through the declared ATOUT_TRUSTED_PROXIES).

        return client_address(request)

    def __init__(self):
        self.rate = rate(self.scope_name)
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def allow_request(self, request) -> bool:
        self.rate = rate(self.scope_name)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class AnonymousThrottle(_Throttle):
    """Callers without a token, by network address."""

    scope_name = "anon"

    def get_cache_key(self, request):
        if token_of(request) is not None:
            return None
        return f"atout_api_anon_{self.get_ident(request)}"


class TokenThrottle(_Throttle):
    """Callers with a token, by token (whatever their address)."""

    scope_name = "token"

    def get_cache_key(self, request):
        token = token_of(request)
        return None if token is None else f"atout_api_token_{token.pk}"
