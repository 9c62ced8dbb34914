"""Access decorators: every view states who may use it, and the permission matrix test reads it.

Each decorator sets ``view.access`` to the role it requires (public, participant, facilitator, team,
admin). Views under a process take the process ``slug`` from the URL; the process is loaded once and
passed to the view as ``request.process``. Anonymous visitors are sent to the login page; signed-in
people without the role get a 403 page.

``core`` sits below the feature apps and imports none of them: the app that owns processes and roles
(``processes``) hands its process lookup and role check to :func:`use_roles` from its ``AppConfig.ready()``.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404


class _Roles:
    """The process model and role check registered by the app that owns them (see :func:`use_roles`)."""

    process_model = None
    has_role = None


def use_roles(*, process_model, has_role) -> None:
    """Register the process model (looked up by ``slug``) and ``has_role(user, process, role) -> bool``."""
    _Roles.process_model = process_model
    _Roles.has_role = has_role


def _require(role: str, *, per_process: bool):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            process = None
            if per_process and "slug" in kwargs:
                process = get_object_or_404(_Roles.process_model, slug=kwargs["slug"])
                request.process = process
            if role != "public":
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not _Roles.has_role(request.user, process, role):
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access = role
        return wrapper

    return decorator


def public(view):
    """Anyone, signed in or not."""
    return _require("public", per_process=True)(view)


def public_with_own_lookup(view):
    """Anyone, signed in or not; the view reads the process of the URL together with its own object
    (one query instead of two, on the busiest pages: public answering) and answers 404 when either
    is missing. It sets ``request.process`` itself."""
    return _require("public", per_process=False)(view)


def participant(view):
    """Any signed-in person."""
    return _require("participant", per_process=True)(view)


def facilitator(view):
    """Facilitators and team members of the process in the URL, and administrators."""
    return _require("facilitator", per_process=True)(view)


def team(view):
    """Team members of the process in the URL, and administrators."""
    return _require("team", per_process=True)(view)


def admin(view):
    """Site administrators only."""
    return _require("admin", per_process=False)(view)
