"""Friendly pages for the bare responses Django's decorators return (405 Method Not Allowed), and a
503 with retry advice when the database is unavailable."""

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


class FriendlyMethodNotAllowed:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            friendly = render(request, "web/error.html", {
                "status": 405,
                "title": _("Action non permise"),
                "text": _("Cette adresse reçoit un formulaire ; elle ne s'affiche pas directement."),
            }, status=405)
            friendly["Allow"] = response.get("Allow", "")
            return friendly
        return response


# ---------------------------------------------------------------------------------------------
# Database unavailable: 503 with retry advice, never a 500 (load and fault tests, bench/)

try:  # psycopg's own classes, for a failure raised outside Django's error wrapper
    import psycopg

    _CONNECTIVITY_ERRORS: tuple[type[BaseException], ...] = (
        OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # pragma: no cover - SQLite-only installation
    _CONNECTIVITY_ERRORS = (OperationalError, InterfaceError)

logger = logging.getLogger("atout.database")


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an exception it was raised from) says the database cannot be reached or
    dropped the connection: psycopg/Django ``OperationalError`` or ``InterfaceError``."""
    while exc is not None:
        if isinstance(exc, _CONNECTIVITY_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _mark_database_failure(sender, request=None, **kwargs):
    # Sent by Django while it turns an exception raised outside the view (another middleware) into a
    # 500; DatabaseUnavailable, the outermost middleware, then replaces that 500 with its 503.
    if request is not None and is_database_unavailable(sys.exc_info()[1]):
        request.atout_database_unavailable = True


got_request_exception.connect(_mark_database_failure, dispatch_uid="atout-database-unavailable")


class DatabaseUnavailable:
    """When the database is unreachable or drops the connection (PostgreSQL restarting, network cut,
    backend terminated), answer **503 Service Unavailable** with a ``Retry-After`` header and a page
    advising to retry, instead of a 500.

    It never turns a failure into a success: a survey response is acknowledged (its receipt shown)
    only after its transaction committed, and a failure before or during the commit reaches this
    middleware as an exception. Django closes the broken connection at the end of the request, so
    the next request opens a new one once the database is back.

    Must be the FIRST entry of ``MIDDLEWARE``: view failures arrive through ``process_exception``;
    failures inside other middleware (a session saved after the view) arrive as the 500 Django made
    of them, marked by the ``got_request_exception`` receiver above.
    """

    #: Seconds advised before retrying: a PostgreSQL restart or fail-over takes a few seconds.
    RETRY_AFTER = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "atout_database_unavailable", False):
            return self.unavailable(request)
        return response

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        message = str(exception).strip()
        logger.warning("database unavailable, answered 503 for %s %s: %s", request.method, request.path,
                       message.splitlines()[0] if message else type(exception).__name__)
        return self.unavailable(request)

    def unavailable(self, request) -> HttpResponse:
        # Rendered from an explicit context, not the request's context processors: those may read
        # the database (the signed-in user, session messages), which is exactly what is failing.
        html = render_to_string("web/error.html", {
            "status": 503,
            "title": _("Service momentanément indisponible"),
            "text": _("La base de données ne répond pas pour le moment. Réessayez dans quelques secondes : "
                      "rechargez la page ou renvoyez le formulaire. Une réponse à un questionnaire n'est "
                      "enregistrée que lorsque son numéro de reçu s'affiche."),
            "theme": settings.ATOUT_THEME,
            "request": request,
            "csrf_token": get_token(request),
        })
        response = HttpResponse(html, status=503)
        response["Retry-After"] = str(self.RETRY_AFTER)
        add_never_cache_headers(response)
        return response


# ---------------------------------------------------------------------------------------------
# NUL characters in addresses: no resource has one, and PostgreSQL refuses them in any text


class RefuseNulCharacters:
    """A NUL character (``%00``) in the path answers **404** (no address of the site holds one), in
    the query string **400**, before any view can pass it to the database, where PostgreSQL would
    raise (a 500). Under ``/api/`` the answer has the API's JSON error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        status = 404 if "\x00" in request.path_info else 400 if _query_has_nul(request) else None
        if status is None:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            # Imported on this rare path only, not when the middleware loads: the API's modules (and
            # django-ninja) stay out of processes that never serve the API. web sits above api: no cycle.
            from django.http import JsonResponse

            from atout.api.core import error_payload

            message = "No API endpoint at this address." if status == 404 else "A parameter holds a NUL character."
            return JsonResponse(error_payload(status, message), status=status)
        from .views import bad_request, page_not_found

        return page_not_found(request) if status == 404 else bad_request(request)


def _query_has_nul(request) -> bool:
    query = request.META.get("QUERY_STRING", "")
    return "%00" in query or "\x00" in query or any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())
